// Latency at a fixed offered rate, in its own process (pinned to the load core by the harness):
// an open-loop generator over `connections` keep-alive connections. Every millisecond it sends the
// requests due by then (rate x elapsed time), each on a free connection, whatever the earlier ones
// are doing; a request that finds every connection busy waits for one, and that wait counts in its
// latency (no coordinated omission). Latency runs from the moment a request is dispatched to the
// last byte of its answer, measured with the monotonic clock in microseconds.
// Input: a JSON object in argv[2]: { url, rate, seconds, connections, requests: [{ method, path, body?, headers? }] }.
// Output: one JSON line: { sent, completed, rate, p50, p90, p99, max (ms), non2xx, errors }.
'use strict';
const http = require('node:http');

const options = JSON.parse(process.argv[2]);
const target = new URL(options.url);
if (target.hostname !== '127.0.0.1') {
  process.stderr.write('load is sent to loopback only\n');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
const requests = options.requests.map((r) => ({
  ...r,
  body: r.body === undefined ? undefined : Buffer.from(r.body),
}));
const latencies = [];
let sent = 0;
let completed = 0;
let non2xx = 0;
let errors = 0;
let next = 0;

function send() {
  const r = requests[next++ % requests.length];
  const started = process.hrtime.bigint();
  sent++;
  const req = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: r.method,
      path: r.path,
      agent,
      headers: { ...r.headers, ...(r.body ? { 'content-length': r.body.length } : {}) },
    },
    (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1000);
        completed++;
        if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
      });
    },
  );
  req.on('error', () => errors++);
  req.end(r.body);
}

const begin = performance.now();
const end = begin + options.seconds * 1000;
const timer = setInterval(() => {
  const now = performance.now();
  const due = Math.floor(((Math.min(now, end) - begin) / 1000) * options.rate);
  while (sent < due) send();
  if (now >= end) {
    clearInterval(timer);
    finish();
  }
}, 1);

function finish() {
  const deadline = Date.now() + 5000;
  const wait = setInterval(() => {
    if (completed + errors < sent && Date.now() < deadline) return;
    clearInterval(wait);
    latencies.sort((a, b) => a - b);
    const at = (q) =>
      latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0;
    const ms = (us) => Math.round(us) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        sent,
        completed,
        rate: Math.round(completed / options.seconds),
        p50: ms(at(0.5)),
        p90: ms(at(0.9)),
        p99: ms(at(0.99)),
        max: ms(latencies[latencies.length - 1] ?? 0),
        non2xx,
        errors: errors + (sent - completed - errors),
      })}\n`,
    );
    agent.destroy();
  }, 5);
}
