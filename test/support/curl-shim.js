// A stand-in for the few curl options the docs use (-s -i -f/--fail-with-body -X -H -d --data-binary
// -o -w '%{http_code}\n'), for machines with Node.js alone. Used by test/integration/docs-shell.int-spec.ts.
const { readFileSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
let method;
let url;
let body;
let out;
let format;
let include = false;
let fail = false;
const headers = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-X') method = args[++i];
  else if (a === '-H') {
    const h = args[++i];
    headers[h.slice(0, h.indexOf(':')).trim()] = h.slice(h.indexOf(':') + 1).trim();
  } else if (a === '-d' || a === '--data-binary') {
    const d = args[++i];
    body = d.startsWith('@') ? readFileSync(d.slice(1)) : d;
  } else if (a === '-o') out = args[++i];
  else if (a === '-w') format = args[++i];
  else if (a === '--fail-with-body' || a === '-f') fail = true;
  else if (/^-[a-z]+$/.test(a)) {
    if (a.includes('i')) include = true;
    if (a.includes('f')) fail = true;
  } else url = a;
}
fetch(url, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body }).then(async (res) => {
  const text = Buffer.from(await res.arrayBuffer());
  const head = include
    ? `HTTP/1.1 ${res.status} ${res.statusText}\r\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`
    : '';
  if (out && out !== '/dev/null') writeFileSync(out, text);
  else if (!out) process.stdout.write(head + text.toString());
  if (format) process.stdout.write(format.replace('%{http_code}', String(res.status)).replace('\\n', '\n'));
  process.exitCode = fail && res.status >= 400 ? 22 : 0;
});
