import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { type Driver, type ParityServer, type ParsedResponse, parseResponses, raw, sleep } from './harness.ts';

export interface ParityContext {
  /** The server shared by the cases of one driver. */
  server: ParityServer;
  /** Starts a server of its own on the same driver (for shutdown cases). */
  fresh(shutdownTimeout?: number): Promise<ParityServer>;
}

/**
 * One behaviour both drivers must have. `gaps` names, per driver, why the build installed here
 * cannot have it yet: the case then runs as `it.fails`, so it turns red as soon as it passes.
 */
export interface ParityCase {
  name: string;
  gaps?: Partial<Record<Driver, string>>;
  timeout?: number;
  run(ctx: ParityContext): Promise<void>;
}

interface Stats {
  produced: number;
  bigFinished: number;
  aborted: number;
  cleaned: number;
  uploads: number;
  posts: number;
  flags: number;
}

async function stats(server: ParityServer): Promise<Stats> {
  return (await (await fetch(`${server.url}/stats`)).json()) as Stats;
}

async function resetStats(server: ParityServer): Promise<void> {
  await (await fetch(`${server.url}/stats/reset`, { method: 'POST' })).body?.cancel();
}

/** Polls the server's counters until `ready` holds (at most about 5 s). */
async function statsWhen(server: ParityServer, ready: (stats: Stats) => boolean): Promise<Stats> {
  let current = await stats(server);
  for (let i = 0; i < 100 && !ready(current); i++) {
    await sleep(50);
    current = await stats(server);
  }
  return current;
}

function get(port: number, path: string, agent?: Agent): Promise<IncomingMessage> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent });
  req.end();
  return once(req, 'response').then(([res]) => res as IncomingMessage);
}

/** Errors the server logged so far. */
function errors(server: ParityServer): string[] {
  return server.events.filter((event) => event.level === 'error').map((event) => event.msg ?? '');
}

function headerLines(data: string): string[] {
  return data.slice(0, data.indexOf('\r\n\r\n')).split('\r\n').slice(1);
}

const HOST = 'Host: parity\r\n';
const hasHead = (data: string) => data.includes('\r\n\r\n');
// Generous: these requests are answered at once, the wait only bounds a driver that never answers.
const PATIENCE = 3000;

const SMUGGLED = `GET /flag HTTP/1.1\r\n${HOST}\r\n`;
const INVALID_ENCODINGS = [
  'Transfer-Encoding: chunked, gzip\r\n',
  'Transfer-Encoding: xchunked\r\n',
  'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n',
];

/** Sends `first`, then `second` once the server answered the first or 500 ms passed. */
async function rawInTwo(port: number, first: string, second: string): Promise<{ data: string; closed: boolean }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let data = '';
  let closed = false;
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  const ended = new Promise<void>((resolve) => {
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', () => resolve());
  });
  socket.write(first);
  for (let waited = 0; waited < 500 && !data.includes('\r\n\r\n') && !closed; waited += 10) await sleep(10);
  // The second request must not be served, whether or not the socket is still writable.
  if (!closed) socket.write(second, () => {});
  await Promise.race([ended, sleep(PATIENCE)]);
  socket.destroy();
  return { data, closed };
}

// How long a malformed request may go unanswered: the bug this catches is a wait of ~10 s.
const FUZZ_PATIENCE = 2000;

/**
 * What the uws driver cannot answer with this build: uWS drops these before JavaScript sees them
 * and closes the connection after its ~10 s idle timeout (see the README's driver limits).
 */
const UWS_SILENT_KINDS = [
  'absolute-form target',
  'binary garbage',
  'bare LF line ends',
  'control byte in the target',
  'header name with a space',
  'header without a colon',
  'HTTP/1.0',
  'missing Host',
  'no HTTP version',
  'obs-fold',
  'unknown HTTP version',
].sort();

/** A fixed, seeded list of malformed requests: every kind a few times with varying details. */
function malformedRequests(): Array<{ kind: string; payload: string }> {
  let seed = 12;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const paths = ['/json', '/text', '/admin/secret', '/nowhere', '/public/a'];
  const kinds: Array<[string, (path: string) => string]> = [
    ['HTTP/1.0', (path) => `GET ${path} HTTP/1.0\r\n\r\n`],
    ['absolute-form target', (path) => `GET http://parity${path} HTTP/1.1\r\n${HOST}\r\n`],
    ['unknown HTTP version', (path) => `GET ${path} HTTP/${pick(['2.0', '1.2', '9.9'])}\r\n${HOST}\r\n`],
    ['no HTTP version', (path) => `GET ${path}\r\n${HOST}\r\n`],
    ['missing Host', (path) => `GET ${path} HTTP/1.1\r\n\r\n`],
    ['bare LF line ends', (path) => `GET ${path} HTTP/1.1\n${HOST.trim()}\n\n`],
    ['header without a colon', (path) => `GET ${path} HTTP/1.1\r\n${HOST}X-Broken\r\n\r\n`],
    ['header name with a space', (path) => `GET ${path} HTTP/1.1\r\n${HOST}X-Bad : v\r\n\r\n`],
    ['obs-fold', (path) => `GET ${path} HTTP/1.1\r\n${HOST}X-Fold: a\r\n b\r\n\r\n`],
    ['control byte in the target', (path) => `GET ${path}${pick(['\x00', '\x01', '\x7f'])} HTTP/1.1\r\n${HOST}\r\n`],
    ['lower-case method', (path) => `get ${path} HTTP/1.1\r\n${HOST}\r\n`],
    ['binary garbage', () => `${String.fromCharCode(next() % 32, next() % 32, next() % 256)}\r\n\r\n`],
    [
      'invalid Content-Length',
      (path) => `POST ${path} HTTP/1.1\r\n${HOST}Content-Length: ${pick(['-1', '1e3', 'abc', '5, 6'])}\r\n\r\n`,
    ],
    [
      'Content-Length with Transfer-Encoding',
      (path) => `POST ${path} HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ],
    [
      'invalid Transfer-Encoding',
      (path) => `POST ${path} HTTP/1.1\r\n${HOST}${pick(INVALID_ENCODINGS)}\r\n0\r\n\r\n${SMUGGLED}`,
    ],
  ];
  const requests: Array<{ kind: string; payload: string }> = [];
  for (let round = 0; round < 4; round++) {
    for (const [kind, build] of kinds) requests.push({ kind, payload: build(pick(paths)) });
  }
  return requests;
}

interface ShutdownScene {
  response: ParsedResponse;
  /** Milliseconds from SIGTERM until the server closed each connection. */
  silentClosedAfter: number;
  idleClosedAfter: number;
  /** Milliseconds from the slow request's reply until the server said it stopped. */
  stoppedAfterReply: number;
}

/**
 * A connection that has sent nothing, an idle keep-alive connection and a request that runs
 * 1.5 s, then SIGTERM (app.stop()) while the request runs.
 */
async function shutdownScene(server: ParityServer): Promise<ShutdownScene> {
  const closedAt = (socket: Socket) =>
    new Promise<number>((resolve) => {
      socket.on('error', () => {});
      socket.once('close', () => resolve(Date.now()));
    });
  const silent = connect(server.port, '127.0.0.1');
  await once(silent, 'connect');
  const silentClosed = closedAt(silent);
  const idle = connect(server.port, '127.0.0.1');
  const idleClosed = closedAt(idle);
  idle.write(`GET /json HTTP/1.1\r\n${HOST}\r\n`);
  await once(idle, 'data');
  const inFlight = raw(server.port, `GET /slow?ms=1500 HTTP/1.1\r\n${HOST}\r\n`, { waitMs: 15_000 });
  await sleep(100);
  const stopAt = Date.now();
  server.terminate();
  const finished = await inFlight;
  const repliedAt = Date.now();
  await server.waitFor('stopped');
  const stoppedAt = Date.now();
  const [response] = parseResponses(finished.data);
  return {
    response: response ?? { status: 0, headers: [], body: '' },
    silentClosedAfter: (await silentClosed) - stopAt,
    idleClosedAfter: (await idleClosed) - stopAt,
    stoppedAfterReply: stoppedAt - repliedAt,
  };
}

export const parityCases: ParityCase[] = [
  {
    name: 'serves JSON and text with their status and content type',
    async run({ server }) {
      const json = await fetch(`${server.url}/json`);
      expect(json.status).toBe(200);
      expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await json.json()).toEqual({ hello: 'world', list: [1, 2, 3] });
      const text = await fetch(`${server.url}/text`);
      expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await text.text()).toBe('hello text');
      const teapot = await fetch(`${server.url}/status/418`);
      expect(teapot.status).toBe(418);
      expect(await teapot.json()).toEqual({ code: 418 });
      const created = await fetch(`${server.url}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Ada' }),
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ created: 'Ada' });
    },
  },
  {
    name: 'answers 404, and 405 with Allow, as problem+json',
    async run({ server }) {
      const missing = await fetch(`${server.url}/nowhere`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await missing.json()).toMatchObject({ status: 404, code: 'FW_ERR_NOT_FOUND' });
      const wrong = await fetch(`${server.url}/json`, { method: 'PUT' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(['GET', 'DELETE', 'OPTIONS']));
      expect(await wrong.json()).toMatchObject({ status: 405, code: 'FW_ERR_METHOD_NOT_ALLOWED' });
    },
  },
  {
    name: 'answers HEAD and 204 without a body and keeps the connection usable',
    async run({ server }) {
      const { data } = await raw(
        server.port,
        `HEAD /text HTTP/1.1\r\n${HOST}\r\nGET /empty HTTP/1.1\r\n${HOST}\r\nGET /text HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
        { waitMs: PATIENCE },
      );
      const [head, empty, text] = parseResponses(data, ['HEAD', 'GET', 'GET']);
      expect(head).toMatchObject({ status: 200, body: '' });
      expect(head!.headers).toContainEqual(['content-type', 'text/plain; charset=utf-8']);
      expect(empty).toMatchObject({ status: 204, body: '' });
      expect(empty!.headers.map(([name]) => name.toLowerCase())).not.toContain('content-length');
      expect(text).toMatchObject({ status: 200, body: 'hello text' });
    },
  },
  {
    name: 'sends header names in lower case and repeated headers as separate lines',
    async run({ server }) {
      const { data } = await raw(server.port, `GET /reply-headers HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`, {
        waitMs: PATIENCE,
      });
      const lines = headerLines(data);
      expect(lines).toContain('x-custom: value');
      expect(lines.filter((line) => line === 'x-multi: a' || line === 'x-multi: b')).toEqual([
        'x-multi: a',
        'x-multi: b',
      ]);
    },
  },
  {
    name: 'gives the app request headers with lower-case names, repeats merged as node:http does',
    async run({ server }) {
      const { data } = await raw(
        server.port,
        'GET /echo-headers HTTP/1.1\r\nHost: parity\r\nX-Dup: a\r\nX-Dup: b\r\nCookie: a=1\r\nCookie: b=2\r\n' +
          'X-Mixed-Case: Yes\r\nConnection: close\r\n\r\n',
        { waitMs: PATIENCE },
      );
      const [response] = parseResponses(data);
      expect(JSON.parse(response!.body)).toEqual({ dup: 'a, b', cookie: 'a=1; b=2', host: 'parity', mixed: 'Yes' });
    },
  },
  {
    name: 'sends several Set-Cookie lines',
    async run({ server }) {
      const res = await fetch(`${server.url}/cookies`);
      expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly; SameSite=Lax', 'b=2; Path=/; SameSite=Lax']);
    },
  },
  {
    name: 'reports the client address',
    async run({ server }) {
      expect(await (await fetch(`${server.url}/ip`)).json()).toEqual({ ip: '127.0.0.1' });
    },
  },
  {
    name: 'parses and validates JSON bodies: 400 for malformed JSON, 415 for another content type',
    async run({ server }) {
      const post = (body: string, type: string) =>
        fetch(`${server.url}/items`, { method: 'POST', headers: { 'content-type': type }, body });
      const invalid = await post(JSON.stringify({ name: 'A' }), 'application/json');
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ code: 'FW_ERR_VALIDATION' });
      const malformed = await post('{"name":', 'application/json');
      expect(malformed.status).toBe(400);
      const text = await post(JSON.stringify({ name: 'Ada' }), 'text/plain');
      expect(text.status).toBe(415);
      const echoed = await fetch(`${server.url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deep: { list: [1, 'two'] } }),
      });
      expect(await echoed.json()).toEqual({ body: { deep: { list: [1, 'two'] } } });
    },
  },
  {
    name: 'answers 413 to a Content-Length over the route limit and closes the connection',
    async run({ server }) {
      await resetStats(server);
      const { data, closed } = await raw(
        server.port,
        `POST /upload HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`,
        { waitMs: PATIENCE },
      );
      expect(data).toMatch(/^HTTP\/1\.1 413 /);
      expect(data.toLowerCase()).toContain('connection: close');
      expect(closed).toBe(true);
      expect((await stats(server)).uploads).toBe(0);
    },
  },
  {
    name: 'reads chunked bodies and answers 413 as soon as one crosses the limit',
    async run({ server }) {
      await resetStats(server);
      const small = await raw(
        server.port,
        `POST /upload HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
          `5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`,
        { waitMs: PATIENCE },
      );
      expect(JSON.parse(parseResponses(small.data)[0]!.body)).toEqual({ size: 11 });
      // Only the first chunks are sent: the answer must not wait for the rest of the body.
      const body = 'x'.repeat(600);
      const big = await raw(
        server.port,
        `POST /upload HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `258\r\n${body}\r\n258\r\n${body}\r\n`,
        { waitMs: PATIENCE },
      );
      expect(big.data).toMatch(/^HTTP\/1\.1 413 /);
      expect(big.data.toLowerCase()).toContain('connection: close');
      expect(big.closed).toBe(true);
      expect((await stats(server)).uploads).toBe(1);
    },
  },
  {
    name: 'streams with backpressure: a slow reader holds the producer back',
    async run({ server }) {
      await resetStats(server);
      const res = await get(server.port, '/stream/big');
      res.pause();
      await sleep(300);
      // 64 MB would be produced without backpressure; socket buffers hold a few MB at most.
      expect((await stats(server)).produced).toBeLessThan(16 * 1024 * 1024);
      let received = 0;
      res.on('data', (data: Buffer) => {
        received += data.length;
      });
      res.resume();
      await once(res, 'end');
      expect(received).toBe(1000 * 64 * 1024);
      expect((await statsWhen(server, (current) => current.bigFinished > 0)).bigFinished).toBe(1);
    },
  },
  {
    name: 'streams a body of declared length without chunked encoding',
    async run({ server }) {
      const { data } = await raw(server.port, `GET /stream/sized HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`, {
        waitMs: PATIENCE,
      });
      const [response] = parseResponses(data);
      // Servers write the framing headers they add themselves capitalised.
      const names = response!.headers.map(([name, value]) => `${name.toLowerCase()}: ${value}`);
      expect(names).toContain('content-length: 6');
      expect(names.some((line) => line.startsWith('transfer-encoding'))).toBe(false);
      expect(response!.body).toBe('abcdef');
    },
  },
  {
    name: 'observes a client abort mid-stream, stops the stream and keeps serving',
    async run({ server }) {
      await resetStats(server);
      const res = await get(server.port, '/stream/forever');
      await once(res, 'data');
      res.destroy();
      const after = await statsWhen(server, (current) => current.aborted > 0 && current.cleaned > 0);
      expect(after).toMatchObject({ aborted: 1, cleaned: 1 });
      expect((await fetch(`${server.url}/json`)).status).toBe(200);
    },
  },
  {
    name: 'drops the reply to a client that left while its handler was waiting (HP-11)',
    async run({ server }) {
      const errorsBefore = errors(server);
      const { data } = await raw(server.port, `GET /slow?ms=100 HTTP/1.1\r\n${HOST}\r\n`, { waitMs: 10 });
      expect(data).toBe('');
      await sleep(200);
      expect((await fetch(`${server.url}/json`)).status).toBe(200);
      expect(errors(server)).toEqual(errorsBefore);
    },
  },
  {
    name: 'survives a client that sends part of its body and leaves (HP-10)',
    async run({ server }) {
      const errorsBefore = errors(server);
      const { data } = await raw(
        server.port,
        `POST /echo HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789`,
        { waitMs: 50 },
      );
      expect(data).toBe('');
      await sleep(100);
      expect((await fetch(`${server.url}/json`)).status).toBe(200);
      expect(errors(server)).toEqual(errorsBefore);
    },
  },
  {
    name: 'reuses one keep-alive connection for several requests',
    async run({ server }) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set<Socket>();
      try {
        for (let i = 0; i < 3; i++) {
          const res = await get(server.port, '/json', agent);
          sockets.add(res.socket);
          res.resume();
          await once(res, 'end');
          expect(res.statusCode).toBe(200);
        }
      } finally {
        agent.destroy();
      }
      expect(sockets.size).toBe(1);
    },
  },
  {
    name: 'answers 431 to a 20 KiB header (HP-05)',
    async run({ server }) {
      const { data } = await raw(server.port, `GET /json HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, {
        waitMs: PATIENCE,
        done: hasHead,
      });
      expect(data).toMatch(/^HTTP\/1\.1 431 /);
    },
  },
  {
    name: 'answers 431 within a second to 150 headers (HP-06)',
    gaps: {
      uws: 'this build parses at most 48 headers and drops larger requests after its idle timeout (uWebSockets#1779)',
    },
    async run({ server }) {
      const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');
      // The bug this prevents is a multi-second hang before an empty reply.
      const { data } = await raw(server.port, `GET /json HTTP/1.1\r\n${HOST}${many}\r\n`, {
        waitMs: 1000,
        done: hasHead,
      });
      expect(data).toMatch(/^HTTP\/1\.1 431 /);
    },
  },
  {
    name: 'serves a request with 60 headers (under the limit of 100)',
    gaps: { uws: 'this build parses at most 48 headers' },
    async run({ server }) {
      const many = Array.from({ length: 59 }, (_, i) => `X-H${i}: v\r\n`).join('');
      const { data } = await raw(server.port, `GET /text HTTP/1.1\r\n${HOST}${many}\r\n`, {
        waitMs: PATIENCE,
        done: (received) => received.includes('hello text'),
      });
      expect(data).toMatch(/^HTTP\/1\.1 200 /);
    },
  },
  {
    name: 'answers 400 to HTTP/1.1 without Host (HP-07)',
    gaps: { uws: 'this build never passes such a request to JS and drops it after its idle timeout' },
    async run({ server }) {
      const { data } = await raw(server.port, 'GET /json HTTP/1.1\r\n\r\n', { waitMs: PATIENCE, done: hasHead });
      expect(data).toMatch(/^HTTP\/1\.1 400 /);
    },
  },
  {
    name: 'answers 400 to a repeated Content-Length and closes the connection (BD-04)',
    async run({ server }) {
      const { data, closed } = await raw(
        server.port,
        `POST /echo HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde`,
        { waitMs: PATIENCE },
      );
      expect(data).toMatch(/^HTTP\/1\.1 400 /);
      expect(closed).toBe(true);
    },
  },
  {
    name: 'never runs the handler for Content-Length with Transfer-Encoding and closes (HP-01)',
    async run({ server }) {
      await resetStats(server);
      const { closed } = await raw(
        server.port,
        `POST /items HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `0\r\n\r\nGET /json HTTP/1.1\r\n${HOST}\r\n`,
        { waitMs: PATIENCE },
      );
      expect(closed).toBe(true);
      expect((await stats(server)).posts).toBe(0);
    },
  },
  {
    name: 'answers Content-Length with Transfer-Encoding with 400 (HP-01)',
    gaps: { uws: 'this build closes the connection without a status line' },
    async run({ server }) {
      const { data } = await raw(
        server.port,
        `POST /items HTTP/1.1\r\n${HOST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
        { waitMs: PATIENCE },
      );
      expect(data).toMatch(/^HTTP\/1\.1 400 /);
    },
  },
  {
    name: 'answers Expect: 100-continue over the limit with 413 before the body and closes (HP-14)',
    async run({ server }) {
      const { data, closed } = await raw(
        server.port,
        `POST /upload HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n`,
        { waitMs: PATIENCE },
      );
      expect(data).toMatch(/HTTP\/1\.1 413 /);
      expect(closed).toBe(true);
    },
  },
  {
    name: 'sends no 100 Continue for a body it refuses (HP-14)',
    gaps: { uws: 'this build sends 100 Continue itself before the handler runs' },
    async run({ server }) {
      const { data } = await raw(
        server.port,
        `POST /upload HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n`,
        { waitMs: PATIENCE },
      );
      expect(data).toMatch(/^HTTP\/1\.1 413 /);
      expect(data).not.toContain('100 Continue');
    },
  },
  {
    name: 'answers 414 to a 10 KiB URL without running the handler',
    async run({ server }) {
      const { data } = await raw(server.port, `GET /json?q=${'a'.repeat(10 * 1024)} HTTP/1.1\r\n${HOST}\r\n`, {
        waitMs: PATIENCE,
        done: (received) => received.includes('}'),
      });
      expect(data).toMatch(/^HTTP\/1\.1 414 /);
      expect(data).toContain('FW_ERR_URI_TOO_LONG');
      expect(data).not.toContain('hello');
    },
  },
  {
    name: 'routes paths alike: no way past the /admin guard by dot-segments, encodings or slashes',
    async run({ server }) {
      const vectors: Array<[string, number]> = [
        ['/admin/secret', 401],
        ['/public/../admin/secret', 400],
        ['/public/%2e%2e/admin/secret', 400],
        ['/public/..%2fadmin/secret', 400],
        ['/public/..%5cadmin/secret', 400],
        ['/public/./x', 400],
        ['//admin/secret', 400],
        ['/admin%2fsecret', 404],
        ['/%61dmin/secret', 401],
        ['/public/a%2Fb', 200],
      ];
      const seen: Array<[string, number]> = [];
      for (const [target] of vectors) {
        const { data } = await raw(server.port, `GET ${target} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`, {
          waitMs: PATIENCE,
        });
        expect(data).not.toContain('the secret');
        const [response] = parseResponses(data);
        seen.push([target, response?.status ?? 0]);
        if (target === '/public/a%2Fb') expect(JSON.parse(response!.body)).toEqual({ file: 'a/b' });
      }
      expect(seen).toEqual(vectors);
    },
  },
  {
    name: 'closes after a 400 for an invalid Transfer-Encoding: a request smuggled after the body never runs (HP-02)',
    async run({ server }) {
      await resetStats(server);
      for (const encoding of INVALID_ENCODINGS) {
        const { data, closed } = await raw(
          server.port,
          `POST /echo HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\n${encoding}\r\n0\r\n\r\n${SMUGGLED}`,
          { waitMs: PATIENCE },
        );
        // One 400 at most (uws drops the connection without it when bytes follow), never a second reply.
        expect(data === '' || /^HTTP\/1\.1 400 [\s\S]*\r\n\r\n$/.test(data), `${encoding}: ${data}`).toBe(true);
        expect(data.match(/HTTP\/1\.1 /g)?.length ?? 0, encoding).toBeLessThanOrEqual(1);
        expect(closed, `${encoding}: the server left the connection open`).toBe(true);
      }
      expect((await stats(server)).flags).toBe(0);
    },
  },
  {
    name: 'answers 400 to an invalid Transfer-Encoding, then closes before a request sent after it',
    async run({ server }) {
      await resetStats(server);
      for (const encoding of INVALID_ENCODINGS) {
        const { data, closed } = await rawInTwo(
          server.port,
          `POST /echo HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\n${encoding}\r\n0\r\n\r\n`,
          SMUGGLED,
        );
        expect(data, encoding).toMatch(/^HTTP\/1\.1 400 /);
        expect(data.match(/HTTP\/1\.1 /g), encoding).toHaveLength(1);
        expect(closed, `${encoding}: the server left the connection open`).toBe(true);
      }
      expect((await stats(server)).flags).toBe(0);
    },
  },
  {
    name: 'answers 400 to an invalid Transfer-Encoding even when more bytes follow in the same packet',
    gaps: {
      uws: 'uWS parses the whole read before closing, so the driver holds the reply to a later turn, and uWS then drops the connection without it',
    },
    async run({ server }) {
      for (const encoding of INVALID_ENCODINGS) {
        const { data } = await raw(
          server.port,
          `POST /echo HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\n${encoding}\r\n0\r\n\r\n${SMUGGLED}`,
          { waitMs: PATIENCE },
        );
        expect(data, encoding).toMatch(/^HTTP\/1\.1 400 /);
      }
    },
  },
  {
    name: 'closes the connection after a reply to a request that says Connection: close',
    async run({ server }) {
      await resetStats(server);
      const { data, closed } = await rawInTwo(
        server.port,
        `GET /json HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
        SMUGGLED,
      );
      const [response] = parseResponses(data);
      expect(response).toMatchObject({ status: 200 });
      expect(response!.headers.map(([name, value]) => `${name.toLowerCase()}: ${value.toLowerCase()}`)).toContain(
        'connection: close',
      );
      expect(closed).toBe(true);
      expect((await stats(server)).flags).toBe(0);
    },
  },
  {
    name: 'serves HTTP/1.0 and closes after the reply',
    gaps: { uws: 'this build never passes HTTP/1.0 requests to JS and drops them after its idle timeout' },
    async run({ server }) {
      const { data, closed } = await raw(server.port, 'GET /text HTTP/1.0\r\n\r\n', { waitMs: PATIENCE });
      expect(data).toMatch(/^HTTP\/1\.[01] 200 /);
      expect(data).toContain('hello text');
      expect(closed).toBe(true);
    },
  },
  {
    name: 'routes an absolute-form target by its path, with the same guard result (HP-12)',
    gaps: { uws: 'this build never passes absolute-form request lines to JS and drops them after its idle timeout' },
    async run({ server }) {
      const { data } = await raw(
        server.port,
        `GET http://evil.example/admin/secret HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
        { waitMs: PATIENCE, done: hasHead },
      );
      expect(data).toMatch(/^HTTP\/1\.1 (401|400) /);
      expect(data).not.toContain('the secret');
    },
  },
  {
    name: 'answers every request of a fixed list of malformed ones, or closes at once',
    timeout: 20_000,
    async run({ server }) {
      await resetStats(server);
      const silent: string[] = [];
      const requests = malformedRequests();
      // A few at a time: each one the server ignores costs the full wait.
      for (let i = 0; i < requests.length; i += 20) {
        await Promise.all(
          requests.slice(i, i + 20).map(async ({ kind, payload }) => {
            const started = Date.now();
            const { data, closed } = await raw(server.port, payload, { waitMs: FUZZ_PATIENCE, done: hasHead });
            const prompt = Date.now() - started < FUZZ_PATIENCE;
            if (!(prompt && (data.startsWith('HTTP/1.') || closed))) silent.push(kind);
          }),
        );
      }
      const unanswered = [...new Set(silent)].sort();
      expect(unanswered).toEqual(server.driver === 'uws' ? UWS_SILENT_KINDS : []);
      expect((await stats(server)).flags).toBe(0);
      // The server still serves after all that.
      expect((await fetch(`${server.url}/json`)).status).toBe(200);
    },
  },
  {
    name: 'stop() resolves right after the last in-flight request, with silent and idle connections open',
    timeout: 20_000,
    async run({ fresh }) {
      const scene = await shutdownScene(await fresh(10_000));
      expect(scene.response).toMatchObject({ status: 200, body: 'done' });
      expect(scene.response.headers.map(([name, value]) => `${name.toLowerCase()}: ${value}`)).toContain(
        'connection: close',
      );
      // The deadline is 10 s away: stop() must not wait for the connections that have nothing in flight.
      expect(scene.stoppedAfterReply).toBeLessThan(2000);
    },
  },
  {
    name: 'stop() closes silent and idle connections at once while a request is in flight',
    gaps: {
      uws: 'uWS does not show JS the connections without a request in flight, so they are closed when the last request ends',
    },
    timeout: 20_000,
    async run({ fresh }) {
      const scene = await shutdownScene(await fresh(10_000));
      // The slow request still had about 1.4 s to run when stop() began.
      expect(scene.silentClosedAfter).toBeLessThan(700);
      expect(scene.idleClosedAfter).toBeLessThan(700);
      expect(scene.response).toMatchObject({ status: 200, body: 'done' });
    },
  },
  {
    name: 'graceful shutdown: in-flight requests finish, idle sockets close, new connections are refused',
    async run({ fresh }) {
      const server = await fresh();
      const port = server.port;
      // An idle keep-alive connection: answered once, then left open by the client.
      const idle = connect(port, '127.0.0.1');
      idle.setEncoding('latin1');
      const idleClosed = once(idle, 'close');
      idle.write(`GET /json HTTP/1.1\r\n${HOST}\r\n`);
      await once(idle, 'data');
      const inFlight = raw(port, `GET /slow?ms=500 HTTP/1.1\r\n${HOST}\r\n`, { waitMs: 10_000 });
      await sleep(100);
      server.terminate();
      await server.waitFor('stopping');
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      expect(refused).toBe('ECONNREFUSED');
      const finished = await inFlight;
      const [response] = parseResponses(finished.data);
      expect(response).toMatchObject({ status: 200, body: 'done' });
      expect(response!.headers.map(([name, value]) => `${name.toLowerCase()}: ${value}`)).toContain(
        'connection: close',
      );
      await server.waitFor('stopped');
      await idleClosed;
      expect(await server.exited).toBe(0);
    },
  },
  {
    name: 'shutdown deadline: a request still running is cut off and a warning logged (SF-02)',
    async run({ fresh }) {
      const server = await fresh(300);
      const hanging = raw(server.port, `GET /hang HTTP/1.1\r\n${HOST}\r\n`, { waitMs: 10_000 });
      await sleep(100);
      server.terminate();
      const result = await hanging;
      expect(result).toEqual({ data: '', closed: true });
      await server.waitFor('stopped');
      const warnings = server.events.filter((event) => event.event === 'log' && event.level === 'warn');
      expect(warnings.map((event) => event.msg)).toEqual([
        'shutdown deadline of 300 ms reached; closing remaining connections',
      ]);
    },
  },
];
