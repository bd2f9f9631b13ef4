// One load measurement in its own process (pinned to its own core by the harness when taskset
// exists): autocannon against loopback for a fixed duration; the summary as one JSON line on stdout.
// Input: a JSON object in argv[2]: { url, connections, duration, requests: [{ method, path, body?, headers? }] }.
'use strict';
const autocannon = require('autocannon');

const options = JSON.parse(process.argv[2]);
if (new URL(options.url).hostname !== '127.0.0.1') {
  process.stderr.write('load is sent to loopback only\n');
  process.exit(2);
}
const instance = autocannon(
  {
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.duration,
    requests: options.requests,
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    }
    process.stdout.write(
      `${JSON.stringify({
        total: result.requests.total,
        durationS: result.duration,
        rps: result.requests.total / result.duration,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        bytes: result.throughput.total,
      })}\n`,
    );
  },
);
process.once('SIGTERM', () => instance.stop());
