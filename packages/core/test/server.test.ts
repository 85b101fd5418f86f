import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/index.ts';
import { readJson } from './helpers.ts';

const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

async function start(app: App, options: Parameters<App['start']>[0] = {}) {
  const address = await app.start({ port: 0, ...options });
  started.push(app);
  return address;
}

/** Sends raw bytes and resolves with everything the server sent back before closing (or after `waitMs`). */
function raw(port: number, payload: string, waitMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('error', reject);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data);
    }, waitMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.write(payload);
  });
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('node server', () => {
  it('starts on a free port and serves requests over a real socket', async () => {
    const app = createApp({ logger: false });
    app.get('/users/:id', (ctx) => ({ id: ctx.params.id, ip: ctx.ip, host: ctx.url.host }));
    const address = await start(app);
    expect(address.port).toBeGreaterThan(0);
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
    const res = await fetch(`${address.url}/users/7`);
    expect(await readJson(res)).toEqual({ id: '7', ip: '127.0.0.1', host: `127.0.0.1:${address.port}` });
  });

  it('sends a Content-Length, not chunked framing, for a body known in full', async () => {
    const app = createApp({ logger: false });
    app.get('/', () => ({ word: 'héllo' }));
    const { port } = await start(app);
    const response = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(response.toLowerCase()).toContain(`content-length: ${Buffer.byteLength('{"word":"héllo"}')}`);
    expect(response.toLowerCase()).not.toContain('transfer-encoding');
  });

  it('closes the connection instead of crashing when a middleware sets an invalid header', async () => {
    const app = createApp({ logger: false });
    app.use(async (_ctx, next) => {
      const reply = await next();
      reply.headers['x-bad'] = 'a\r\nb';
      return reply;
    });
    app.get('/', () => 'x');
    const { url } = await start(app);
    await expect(fetch(url)).rejects.toThrow();
    // The process is still up and serving (an unknown path never reaches the failing rewrite).
    expect((await fetch(`${url}/missing`)).status).toBe(404);
  });

  it('refuses to start twice', async () => {
    const app = createApp({ logger: false });
    await start(app);
    await expect(app.start({ port: 0 })).rejects.toThrow('already started');
  });

  it('streams with backpressure: a slow reader holds the producer back', async () => {
    const app = createApp({ logger: false });
    let produced = 0;
    let finished = false;
    const chunk = 'x'.repeat(64 * 1024);
    app.get('/big', (ctx) =>
      ctx.stream(
        (async function* () {
          try {
            for (let i = 0; i < 1000; i++) {
              produced += chunk.length;
              yield chunk;
            }
          } finally {
            finished = true;
          }
        })(),
      ),
    );
    const { port } = await start(app);
    const req = httpRequest({ port, path: '/big', host: '127.0.0.1' });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    res.pause();
    await sleep(300);
    // 64 MB would be produced without backpressure; socket buffers hold a few MB at most.
    expect(produced).toBeLessThan(16 * 1024 * 1024);
    let received = 0;
    res.on('data', (data: Buffer) => {
      received += data.length;
    });
    res.resume();
    await once(res, 'end');
    expect(received).toBe(1000 * chunk.length);
    expect(finished).toBe(true);
  });

  it('streams Node readable streams', async () => {
    const app = createApp({ logger: false });
    app.get('/file', (ctx) => ctx.stream(Readable.from(['line 1\n', 'line 2\n']), { type: 'text/plain' }));
    const { url } = await start(app);
    const res = await fetch(`${url}/file`);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('line 1\nline 2\n');
  });

  it('aborts ctx.signal and stops the stream when the client goes away', async () => {
    const app = createApp({ logger: false });
    let aborted = false;
    let cleaned = false;
    app.get('/forever', (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = true;
      });
      return ctx.stream(
        (async function* () {
          try {
            for (;;) {
              yield 'tick\n';
              await sleep(5);
            }
          } finally {
            cleaned = true;
          }
        })(),
      );
    });
    const { port } = await start(app);
    const req = httpRequest({ port, path: '/forever', host: '127.0.0.1' });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    await once(res, 'data');
    req.destroy();
    for (let i = 0; i < 100 && !(aborted && cleaned); i++) await sleep(10);
    expect(aborted).toBe(true);
    expect(cleaned).toBe(true);
    const health = await fetch(`http://127.0.0.1:${port}/missing`);
    expect(health.status).toBe(404);
  });

  it('answers 413 for a chunked body over the limit and closes the connection', async () => {
    const app = createApp({ logger: false, bodyLimit: 1000 });
    let called = 0;
    app.post('/upload', (ctx) => {
      called++;
      return { size: ctx.rawBody?.length };
    });
    const { port } = await start(app);
    const body = 'x'.repeat(600);
    const response = await raw(
      port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `258\r\n${body}\r\n258\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(called).toBe(0);
  });

  it('answers Expect: 100-continue over the limit with 413 before reading the body (HP-14)', async () => {
    const app = createApp({ logger: false, bodyLimit: 1000 });
    app.post('/upload', () => 'ok');
    const { port } = await start(app);
    const response = await raw(
      port,
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n',
      1000,
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).not.toContain('100 Continue');
  });

  it('answers 431 to more than 100 headers and to a 20 KiB header (HP-05, HP-06)', async () => {
    const app = createApp({ logger: false });
    app.get('/', () => 'ok');
    const { port } = await start(app);
    const many = Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('');
    expect(await raw(port, `GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    expect(await raw(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431 /,
    );
  });

  it('answers 400 to HTTP/1.1 without Host and to CL+TE smuggling (HP-07, HP-01)', async () => {
    const app = createApp({ logger: false });
    let called = 0;
    app.post('/', () => {
      called++;
      return 'ok';
    });
    app.get('/', () => 'ok');
    const { port } = await start(app);
    expect(await raw(port, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    const smuggle = await raw(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /flag HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(smuggle).toMatch(/^HTTP\/1\.1 400 /);
    expect(called).toBe(0);
  });

  it('routes absolute-form targets by their path (HP-12)', async () => {
    const app = createApp({ logger: false });
    app.get('/admin', (ctx) => ({ path: ctx.path, host: ctx.headers.host }));
    const { port } = await start(app);
    const response = await raw(
      port,
      'GET http://evil.example/admin HTTP/1.1\r\nHost: good.example\r\nConnection: close\r\n\r\n',
    );
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toContain('{"path":"/admin","host":"good.example"}');
  });
});

describe('graceful shutdown', () => {
  it('lets in-flight requests finish, refuses new connections, then runs onClose', async () => {
    const events: string[] = [];
    const app = createApp({ logger: false });
    app.get('/slow', async () => {
      await sleep(300);
      events.push('slow finished');
      return 'done';
    });
    app.onClose(() => {
      events.push('onClose');
    });
    const { url } = await app.start({ port: 0 });
    const inFlight = fetch(`${url}/slow`).then((res) => res.text());
    await sleep(50);
    const stopping = app.stop().then(() => events.push('stopped'));
    await sleep(20);
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
    expect(await inFlight).toBe('done');
    await stopping;
    expect(events).toEqual(['slow finished', 'onClose', 'stopped']);
  });

  it('closes idle keep-alive connections instead of waiting for them', async () => {
    const app = createApp({ logger: false });
    app.get('/', () => 'hi');
    const { port } = await app.start({ port: 0 });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const began = Date.now();
    await app.stop();
    // The keep-alive timeout is 72 s; stopping must not wait for it.
    expect(Date.now() - began).toBeLessThan(5000);
    agent.destroy();
  });

  it('destroys connections still busy at the shutdown deadline', async () => {
    const warnings: string[] = [];
    const app = createApp({
      logger: { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} },
      server: { shutdownTimeout: 200 },
    });
    app.get('/hang', () => new Promise(() => {}));
    const { url } = await app.start({ port: 0 });
    const hanging = fetch(`${url}/hang`).then(
      () => 'answered',
      () => 'connection closed',
    );
    await sleep(50);
    await app.stop();
    expect(await hanging).toBe('connection closed');
    expect(warnings[0]).toContain('shutdown deadline of 200 ms reached');
  });
});
