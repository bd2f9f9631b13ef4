// The physical baseline: a bare node:http server answering every request with a fixed JSON body
// (the size of a classify answer, given in argv[2]), keep-alive, no framework. Prints its port.
'use strict';
const { createServer } = require('node:http');

const size = Number(process.argv[2] ?? 200);
const empty = JSON.stringify({ score: 55, level: 'medium', padding: '' }).length;
const body = Buffer.from(
  JSON.stringify({ score: 55, level: 'medium', padding: 'x'.repeat(Math.max(0, size - empty)) }),
);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
