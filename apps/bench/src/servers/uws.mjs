// Raw uWebSockets.js: the ceiling for our uws driver. Runs on Node 20 only here.
import { createRequire } from 'node:module';
import { HOST, onShutdown, ready, SECURITY_HEADERS, serverPort, unavailable, validEcho } from './_lib.mjs';

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
// The reference security headers as one header line carrying the others, the way our uws driver
// writes them: one native call (the fastest way, so the reference is not slowed down by ours).
const SECURITY = Object.entries(SECURITY_HEADERS ?? {});
const PACKED =
  SECURITY.length === 0
    ? undefined
    : [SECURITY[0][0], SECURITY.map(([n, v], i) => (i === 0 ? v : `${n}: ${v}`)).join('\r\n')];
/** Content-Type, plus the reference security headers when BENCH_SECURITY_HEADERS=1. */
const json = (res) => {
  res.writeHeader('content-type', JSON_TYPE);
  if (PACKED !== undefined) res.writeHeader(PACKED[0], PACKED[1]);
  return res;
};

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
  json(res).end(JSON.stringify({ hello: 'world' }));
});
app.get('/user/:id', (res, req) => {
  let id;
  try {
    id = decodeURIComponent(req.getParameter(0));
  } catch {
    json(res.writeStatus('400 Bad Request')).end('{"error":"bad path"}');
    return;
  }
  json(res).end(JSON.stringify({ id, name: 'user' }));
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
    res.cork(() => json(res.writeStatus(status)).end(out));
  });
});
app.any('/*', (res) => {
  json(res.writeStatus('404 Not Found')).end('{"error":"not found"}');
});

app.listen(HOST, port, (token) => {
  if (!token) unavailable(`uWebSockets.js could not listen on ${HOST}:${port}`);
  onShutdown(() => uWS.us_listen_socket_close(token));
  ready('uws', port);
});
