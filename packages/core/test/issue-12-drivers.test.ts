import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/index.ts';

// The node driver in this process; test/parity runs the same behaviours on both drivers.
const HOST = 'Host: issue-12\r\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let app: App | undefined;

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function start(): Promise<{ port: number; hits: { flag: number } }> {
  const hits = { flag: 0 };
  app = createApp({ logger: false, server: { shutdownTimeout: 10_000 } });
  app.get('/json', () => ({ ok: true }));
  app.post('/echo', (ctx) => ({ body: ctx.body }));
  app.get('/flag', () => {
    hits.flag++;
    return 'the flag';
  });
  app.get('/slow', async () => {
    await sleep(1500);
    return 'done';
  });
  const { port } = await app.start({ port: 0 });
  return { port, hits };
}

/** Resolves with what came back and when the server closed the socket (ms after `since`). */
function watch(socket: Socket): { data: () => string; closed: Promise<number> } {
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  socket.on('error', () => {});
  return { data: () => data, closed: once(socket, 'close').then(() => Date.now()) };
}

describe('node driver: framing errors close the connection (issue 12)', () => {
  for (const encoding of ['chunked, gzip', 'xchunked']) {
    it(`answers 400 to Transfer-Encoding: ${encoding}, closes, and never serves what follows`, async () => {
      const { port, hits } = await start();
      const socket = connect(port, '127.0.0.1');
      const seen = watch(socket);
      socket.write(`POST /echo HTTP/1.1\r\n${HOST}Transfer-Encoding: ${encoding}\r\n\r\n0\r\n\r\n`);
      socket.write(`GET /flag HTTP/1.1\r\n${HOST}\r\n`);
      const closedAt = await Promise.race([seen.closed, sleep(3000).then(() => 0)]);
      expect(closedAt, 'the server left the connection open').toBeGreaterThan(0);
      expect(seen.data()).toMatch(/^HTTP\/1\.1 400 /);
      expect(seen.data().match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(hits.flag).toBe(0);
    });
  }
});

describe('node driver: stop() with connections that have nothing in flight (issue 12)', () => {
  it('closes silent and idle connections at once and resolves right after the in-flight request', async () => {
    const { port } = await start();
    const silent = connect(port, '127.0.0.1');
    await once(silent, 'connect');
    const silentSeen = watch(silent);
    const idle = connect(port, '127.0.0.1');
    const idleSeen = watch(idle);
    idle.write(`GET /json HTTP/1.1\r\n${HOST}\r\n`);
    await once(idle, 'data');
    const slow = connect(port, '127.0.0.1');
    const slowSeen = watch(slow);
    slow.write(`GET /slow HTTP/1.1\r\n${HOST}\r\n`);
    await sleep(100);
    const began = Date.now();
    const stopped = app!.stop().then(() => Date.now());
    const slowClosedAt = await slowSeen.closed;
    // The slow request still had about 1.4 s to run.
    expect((await silentSeen.closed) - began).toBeLessThan(700);
    expect((await idleSeen.closed) - began).toBeLessThan(700);
    expect(slowSeen.data()).toMatch(/^HTTP\/1\.1 200 /);
    expect(slowSeen.data().toLowerCase()).toContain('connection: close');
    expect(slowSeen.data()).toContain('done');
    // Not at the 10 s deadline.
    expect((await stopped) - slowClosedAt).toBeLessThan(1000);
    app = undefined;
  });
});
