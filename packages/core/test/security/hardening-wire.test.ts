import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { App, AppOptions } from '../../src/app.ts';
import { createApp } from '../../src/create-app.ts';
import { UnauthorizedError } from '../../src/errors.ts';

// Attacks on the wire, against the node driver over real sockets. The same limits on the
// uWebSockets.js driver are in test/parity/cases.ts.

const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

async function serve(options: AppOptions, register: (app: App) => void): Promise<number> {
  const app = createApp({ logger: false, ...options });
  register(app);
  const { port } = await app.start({ port: 0 });
  started.push(app);
  return port;
}

interface Exchange {
  data: string;
  /** Whether the server closed the connection before the wait ran out. */
  closed: boolean;
  /** Milliseconds from connecting to the close (or the end of the wait). */
  elapsed: number;
}

/**
 * Connects, sends `parts` one by one `gapMs` apart (stopping once the server closes), and resolves
 * when the server closes the connection or after `waitMs`.
 */
function exchange(port: number, parts: string[], options: { gapMs?: number; waitMs?: number } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const began = Date.now();
    let data = '';
    let settled = false;
    let feeder: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(feeder);
      socket.destroy();
      resolve({ data, closed, elapsed: Date.now() - began });
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3000);
    const queue = [...parts];
    socket.write(queue.shift() ?? '');
    feeder = setInterval(() => {
      const next = queue.shift();
      if (next === undefined) clearInterval(feeder);
      else if (!socket.destroyed) socket.write(next);
    }, options.gapMs ?? 0);
  });
}

function status(data: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
}

/** Open TCP sockets in this thread (the server's and the test's ends of each connection). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}

async function socketsBackTo(baseline: number): Promise<number> {
  for (let i = 0; i < 40 && openSockets() > baseline; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return openSockets();
}

describe('slow clients (node driver)', () => {
  const timeouts = { server: { headersTimeout: 500, requestTimeout: 1000 } };

  it('destroys a slowloris connection at headersTimeout, never calls the handler, releases the socket (HP-08)', async () => {
    let calls = 0;
    const port = await serve(timeouts, (app) => {
      app.get('/', () => {
        calls++;
        return 'ok';
      });
    });
    const baseline = openSockets();
    // One header byte every 150 ms: the headers would take about 6 s to arrive.
    const header = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n';
    const result = await exchange(port, header.split(''), { gapMs: 150, waitMs: 6000 });
    expect(result.closed).toBe(true);
    // headersTimeout 500 ms, checked every second by node: closed well before the headers could finish.
    expect(result.elapsed).toBeLessThan(3000);
    expect([0, 408]).toContain(status(result.data));
    expect(calls).toBe(0);
    expect(await socketsBackTo(baseline)).toBe(baseline);
  });

  it('closes a body trickled 1 byte at a time at requestTimeout; the handler never runs (HP-09)', async () => {
    let calls = 0;
    const port = await serve(timeouts, (app) => {
      app.post('/upload', (ctx) => {
        calls++;
        return { size: ctx.rawBody?.length ?? 0 };
      });
    });
    const baseline = openSockets();
    const head = 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\n';
    const result = await exchange(port, [head, ...'x'.repeat(40).split('')], { gapMs: 150, waitMs: 8000 });
    expect(result.closed).toBe(true);
    expect(result.elapsed).toBeLessThan(3500);
    expect([0, 400, 408]).toContain(status(result.data));
    expect(calls).toBe(0);
    expect(await socketsBackTo(baseline)).toBe(baseline);
  });

  it('serves the same slow client when the timeouts are raised', async () => {
    const port = await serve({ server: { headersTimeout: 10_000, requestTimeout: 20_000 } }, (app) => {
      app.get('/', () => 'ok');
    });
    const header = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const result = await exchange(port, header.match(/.{1,4}/gs) ?? [], { gapMs: 100, waitMs: 8000 });
    expect(status(result.data)).toBe(200);
  });
});

describe('header and URL limits (node driver)', () => {
  const twentyKiB = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`;
  const many = `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('')}Connection: close\r\n\r\n`;

  it('answers 431 at once to a 20 KiB header and to 150 headers, without calling the handler (HP-05, HP-06)', async () => {
    let calls = 0;
    const port = await serve({}, (app) => {
      app.get('/', () => {
        calls++;
        return 'ok';
      });
    });
    const big = await exchange(port, [twentyKiB]);
    const count = await exchange(port, [many]);
    expect([status(big.data), status(count.data)]).toEqual([431, 431]);
    expect(big.elapsed).toBeLessThan(1000);
    expect(count.elapsed).toBeLessThan(1000);
    expect(calls).toBe(0);
  });

  it('serves both once maxHeaderSize and maxHeadersCount are raised', async () => {
    const port = await serve({ server: { maxHeaderSize: 64 * 1024, maxHeadersCount: 200 } }, (app) => {
      app.get('/', () => 'ok');
    });
    expect(status((await exchange(port, [twentyKiB])).data)).toBe(200);
    expect(status((await exchange(port, [many])).data)).toBe(200);
  });

  it('answers 414 to a 10 KiB URL, and serves it with a larger maxUrlLength', async () => {
    const long = `GET /?q=${'a'.repeat(10 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    let calls = 0;
    const port = await serve({}, (app) => {
      app.get('/', () => {
        calls++;
        return 'ok';
      });
    });
    const refused = await exchange(port, [long]);
    expect(status(refused.data)).toBe(414);
    expect(refused.data).toContain('FW_ERR_URI_TOO_LONG');
    expect(calls).toBe(0);
    const loose = await serve({ server: { maxUrlLength: 12 * 1024 } }, (app) => {
      app.get('/', () => 'ok');
    });
    expect(status((await exchange(loose, [long])).data)).toBe(200);
  });
});

describe('path normalisation on the wire', () => {
  // A guard on /admin, and a catch-all under /public such as a static file server would use.
  const register = (app: App) => {
    app.use('/admin', (ctx, next) => {
      if (ctx.headers.authorization !== 'Bearer admin') throw new UnauthorizedError('Sign in as an admin.');
      return next();
    });
    app.get('/admin/secret', () => 'the secret');
    app.get('/public/*', (ctx) => ({ file: ctx.params['*'] }));
  };
  const get = async (port: number, target: string) =>
    exchange(port, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);

  it('never reaches the /admin route past its guard through dot-segments, encodings or slashes', async () => {
    const port = await serve({}, register);
    const vectors: Array<[string, number]> = [
      ['/admin/secret', 401],
      ['/public/../admin/secret', 400],
      ['/public/%2e%2e/admin/secret', 400],
      ['/public/..%2fadmin/secret', 400],
      ['/public/..%5cadmin/secret', 400],
      ['/public/..\\admin/secret', 400],
      ['/public/./x', 400],
      ['//admin/secret', 400],
      ['/admin%2fsecret', 404],
      ['/admin%2f..', 400],
      ['/%61dmin/secret', 401],
      ['/public/a%2Fb', 200],
    ];
    const seen: Array<[string, number]> = [];
    for (const [target] of vectors) {
      const result = await get(port, target);
      seen.push([target, status(result.data)]);
      expect(result.data).not.toContain('the secret');
    }
    expect(seen).toEqual(vectors);
  });

  it('keeps an encoded slash inside a parameter instead of splitting the path', async () => {
    const port = await serve({}, register);
    const result = await get(port, '/public/a%2Fb');
    expect(result.data).toContain('{"file":"a/b"}');
  });

  it('routes the raw path when strictPaths is off (what the check prevents)', async () => {
    const port = await serve({ strictPaths: false }, register);
    const result = await get(port, '/public/../admin/secret');
    expect(status(result.data)).toBe(200);
    expect(result.data).toContain('{"file":"../admin/secret"}');
  });
});

describe('request headers on the wire', () => {
  it('gives a null-prototype headers object; a __proto__ header pollutes nothing', async () => {
    const port = await serve({}, (app) => {
      app.get('/', (ctx) => ({
        proto: Object.getPrototypeOf(ctx.headers) === null,
        own: Object.keys(ctx.headers).includes('__proto__'),
        polluted: Reflect.get({}, 'polluted') ?? null,
      }));
    });
    const result = await exchange(port, [
      'GET / HTTP/1.1\r\nHost: x\r\n__proto__: polluted\r\nconstructor: x\r\nConnection: close\r\n\r\n',
    ]);
    expect(status(result.data)).toBe(200);
    expect(result.data).toContain('{"proto":true,"own":false,"polluted":null}');
  });
});
