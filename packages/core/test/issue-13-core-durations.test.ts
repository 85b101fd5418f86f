import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { clamav, createApp, createBreaker, definePlugin, type Logger } from '../src/index.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const refused = () => Promise.reject(new Error('ECONNREFUSED'));

function recording() {
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_fields, message) => warnings.push(message),
    error: (_fields, message) => errors.push(message),
  };
  return { logger, warnings, errors };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server that accepts connections and never answers, like a hung clamd. */
async function silentServer(): Promise<number> {
  const server = createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('createApp time options take a duration string', () => {
  it("closeTimeout: '50ms' bounds an onClose hook that never settles", async () => {
    const { logger, errors } = recording();
    const app = createApp({ logger, closeTimeout: '50ms' });
    app.onClose(() => new Promise(() => {}));
    await app.start({ port: 0, host: '127.0.0.1' });
    await app.stop();
    expect(errors).toEqual([expect.stringContaining('did not finish within closeTimeout (50 ms)')]);
  });

  it("server: { shutdownTimeout: '200ms' } cuts off a request still running when stop() is called", async () => {
    const { logger, warnings } = recording();
    const app = createApp({ logger, server: { shutdownTimeout: '200ms' } });
    app.get('/hang', () => new Promise(() => {}));
    const { url } = await app.start({ port: 0, host: '127.0.0.1' });
    const hanging = fetch(`${url}/hang`).then(
      () => 'answered',
      () => 'connection closed',
    );
    await sleep(50);
    await app.stop();
    expect(await hanging).toBe('connection closed');
    expect(warnings).toEqual([expect.stringContaining('shutdown deadline of 200 ms reached')]);
  });

  it('still takes milliseconds as a number', async () => {
    const { logger, errors } = recording();
    const app = createApp({ logger, closeTimeout: 50, server: { shutdownTimeout: 1_000 } });
    app.onClose(() => new Promise(() => {}));
    await app.start({ port: 0, host: '127.0.0.1' });
    await app.stop();
    expect(errors).toEqual([expect.stringContaining('did not finish within closeTimeout (50 ms)')]);
  });

  it('refuses a string that is not a duration at creation, naming the option', () => {
    // @ts-expect-error: not a duration
    expect(() => createApp({ closeTimeout: '10 seconds' })).toThrow(
      expect.objectContaining({
        code: 'FW_ERR_INVALID_OPTION',
        message: expect.stringContaining('createApp({ closeTimeout }) must be a duration'),
      }),
    );
    // @ts-expect-error: not a duration
    expect(() => createApp({ server: { requestTimeout: 'half a minute' } })).toThrow(
      /createApp\(\{ server: \{ requestTimeout \} \}\) must be a duration.*got "half a minute"/,
    );
    expect(() => createApp({ server: { keepAliveTimeout: -1 } })).toThrow(
      /createApp\(\{ server: \{ keepAliveTimeout \} \}\) must be a duration/,
    );
  });
});

describe('app.health(timeout) takes a duration string', () => {
  it("bounds each check by '50ms'", async () => {
    const hung = definePlugin({ name: 'hung', setup: () => ({ health: { queue: () => new Promise(() => {}) } }) });
    const report = await createApp({ logger: false }).use(hung()).health('50ms');
    expect(report.status).toBe('down');
    expect(report.checks.queue).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });

  it('rejects a string that is not a duration, naming the option', async () => {
    // @ts-expect-error: not a duration
    await expect(createApp({ logger: false }).health('soon')).rejects.toThrow(
      /app\.health\(timeout\) must be a duration/,
    );
  });
});

describe('createBreaker time options take a duration string', () => {
  it("coolDown: '1s' behaves like 1000: Retry-After 1 s and a log line that says 1000 ms", async () => {
    const lines: string[] = [];
    const breaker = createBreaker({
      name: 'Redis',
      failures: 1,
      coolDown: '1s',
      logger: { warn: (_fields, message) => lines.push(message), info() {} },
    });
    await breaker.run(refused).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfter()).toBe(1);
    expect(breaker.unavailable().headers['retry-after']).toBe('1');
    expect(lines).toEqual([expect.stringContaining('checked again every 1000 ms')]);
    breaker.close();
  });

  it("probeTimeout: '30ms' counts a probe that hangs as a failure", async () => {
    const breaker = createBreaker({
      name: 'Redis',
      failures: 1,
      coolDown: '20ms',
      probeTimeout: '30ms',
      probe: () => new Promise(() => {}),
    });
    await breaker.run(refused).catch(() => {});
    await sleep(100);
    expect(breaker.isOpen).toBe(true);
    breaker.close();
  });

  it('refuses a string that is not a duration at creation, naming the option', () => {
    // @ts-expect-error: not a duration
    expect(() => createBreaker({ name: 'Redis', coolDown: '2 minutes' })).toThrow(
      /createBreaker\(\{ coolDown \}\) must be a duration/,
    );
    // @ts-expect-error: not a duration
    expect(() => createBreaker({ name: 'Redis', probeTimeout: 'fast' })).toThrow(
      /createBreaker\(\{ probeTimeout \}\) must be a duration/,
    );
  });
});

describe('clamav({ timeout }) takes a duration string', () => {
  it("gives up on a clamd that does not answer after '100ms'", async () => {
    const port = await silentServer();
    const scanner = clamav({ port, timeout: '100ms' });
    await expect(scanner.scan(Readable.from([Buffer.from('hello')]))).rejects.toThrow(
      `clamd at 127.0.0.1:${port} did not answer within 100 ms.`,
    );
  });

  it('refuses a string that is not a duration when the scanner is created', () => {
    // @ts-expect-error: not a duration
    expect(() => clamav({ timeout: 'a while' })).toThrow(/clamav\(\{ timeout \}\) must be a duration/);
  });
});
