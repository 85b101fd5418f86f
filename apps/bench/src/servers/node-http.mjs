// Raw node:http: hand-written routing, JSON.stringify, a hand-written body check. The baseline a
// framework on node:http cannot beat by much; no security headers, no timeouts beyond Node's own.
import { createServer } from 'node:http';
import { HOST, onShutdown, ready, SECURITY_HEADERS, serverPort, validEcho } from './_lib.mjs';

const port = serverPort();
const BODY_LIMIT = 1024 * 1024;

function send(res, status, value, extra) {
  const body = JSON.stringify(value);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  if (SECURITY_HEADERS !== undefined) Object.assign(headers, SECURITY_HEADERS);
  if (extra !== undefined) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(body);
}

// Five middleware as plain functions over a per-request state object.
const mw1 = (state) => {
  state.headers['x-bench'] = 'mw';
  state.hits = 1;
};
const step = (state) => {
  state.hits += 1;
};
const chain = [mw1, step, step, step, step];

function echo(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      send(res, 413, { error: 'body too large' }, { connection: 'close' });
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    let parsed;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, { error: 'malformed JSON' });
      return;
    }
    const body = validEcho(parsed);
    if (body === null) send(res, 400, { error: 'invalid body' });
    else send(res, 200, body);
  });
}

const server = createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const method = req.method;
  if (method === 'GET') {
    if (path === '/') return send(res, 200, { hello: 'world' });
    if (path === '/mw') {
      const state = { hits: 0, headers: {} };
      for (const mw of chain) mw(state);
      return send(res, 200, { middlewares: state.hits }, state.headers);
    }
    if (path.startsWith('/user/')) {
      const raw = path.slice(6);
      if (raw.length > 0 && raw.indexOf('/') === -1) {
        let id;
        try {
          id = decodeURIComponent(raw);
        } catch {
          return send(res, 400, { error: 'bad path' });
        }
        return send(res, 200, { id, name: 'user' });
      }
    }
  } else if (method === 'POST' && path === '/echo') {
    return echo(req, res);
  }
  send(res, 404, { error: 'not found' });
});

server.listen(port, HOST, () => ready('node-http', port));
onShutdown(
  () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
