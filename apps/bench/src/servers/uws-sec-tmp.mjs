// Raw uWebSockets.js: the ceiling for our uws driver. Runs on Node 20 only here (see DESIGN.md §2).
import { createRequire } from 'node:module';
import { HOST, onShutdown, ready, serverPort, unavailable, validEcho } from './_lib.mjs';

const port = serverPort();
const require = createRequire(import.meta.url);
let uWS;
try {
  uWS = require('uWebSockets.js');
} catch (error) {
  unavailable(`cannot load uWebSockets.js: ${error.message}`);
}
// The registry build silently swaps in a slow pure-JS implementation when no native binary matches.
if (Object.keys(require.cache).some((file) => /uws-js-unofficial[\\/]dist[\\/]/.test(file))) {
  unavailable(
    `uWebSockets.js fell back to its pure-JS implementation on Node ${process.version} ` +
      `(no native build for ABI ${process.versions.modules}); run it on Node 20`,
  );
}

const BODY_LIMIT = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const SEC = "default-src 'none'; frame-ancestors 'none'\r\ncross-origin-opener-policy: same-origin\r\ncross-origin-resource-policy: same-origin\r\norigin-agent-cluster: ?1\r\nreferrer-policy: no-referrer\r\nstrict-transport-security: max-age=31536000; includeSubDomains\r\nx-content-type-options: nosniff\r\nx-dns-prefetch-control: off\r\nx-download-options: noopen\r\nx-frame-options: SAMEORIGIN\r\nx-permitted-cross-domain-policies: none\r\nx-xss-protection: 0\r\ncache-control: no-store";

const mw1 = (state) => {
  state.header = 'mw';
  state.hits = 1;
};
const step = (state) => {
  state.hits += 1;
};
const chain = [mw1, step, step, step, step];

const app = uWS.App();
app.get('/', (res) => {
  res.writeHeader('content-type', JSON_TYPE).end(JSON.stringify({ hello: 'world' }));
});
app.get('/user/:id', (res, req) => {
  let id;
  try {
    id = decodeURIComponent(req.getParameter(0));
  } catch {
    res.writeStatus('400 Bad Request').writeHeader('content-type', JSON_TYPE).end('{"error":"bad path"}');
    return;
  }
  res.writeHeader('content-type', JSON_TYPE).writeHeader('content-security-policy', SEC).end(JSON.stringify({ id, name: 'user' }));
});
app.get('/mw', (res) => {
  const state = { hits: 0, header: '' };
  for (const mw of chain) mw(state);
  res
    .writeHeader('x-bench', state.header)
    .writeHeader('content-type', JSON_TYPE)
    .end(JSON.stringify({ middlewares: state.hits }));
});
app.post('/echo', (res) => {
  let aborted = false;
  let chunks = [];
  let size = 0;
  res.onAborted(() => {
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    if (aborted) return;
    size += chunk.byteLength;
    if (size > BODY_LIMIT) {
      aborted = true;
      res.cork(() => res.writeStatus('413 Payload Too Large').end('{"error":"body too large"}', true));
      return;
    }
    chunks.push(Buffer.from(chunk.slice(0))); // the ArrayBuffer is only valid during this call
    if (!isLast) return;
    let status = '200 OK';
    let out;
    try {
      const body = validEcho(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (body === null) {
        status = '400 Bad Request';
        out = '{"error":"invalid body"}';
      } else out = JSON.stringify(body);
    } catch {
      status = '400 Bad Request';
      out = '{"error":"malformed JSON"}';
    }
    chunks = [];
    res.cork(() => res.writeStatus(status).writeHeader('content-type', JSON_TYPE).end(out));
  });
});
app.any('/*', (res) => {
  res.writeStatus('404 Not Found').writeHeader('content-type', JSON_TYPE).end('{"error":"not found"}');
});

app.listen(HOST, port, (token) => {
  if (!token) unavailable(`uWebSockets.js could not listen on ${HOST}:${port}`);
  onShutdown(() => uWS.us_listen_socket_close(token));
  ready('uws', port);
});
