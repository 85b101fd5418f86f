import { describe, expect, it } from 'vitest';
import {
  type AppOptions,
  checkOptions,
  createApp,
  definePlugin,
  type Logger,
  ServiceUnavailableError,
} from '../src/index.ts';

function recording(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    logger: { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} },
  };
}

describe('unknown option keys (issue 12)', () => {
  it('createApp() refuses a misspelled option, naming it and the closest known one', () => {
    const options = { bodyLimt: 10 } as unknown as AppOptions;
    expect(() => createApp(options)).toThrow(/createApp\(\) has no option "bodyLimt"\. Did you mean "bodyLimit"\?/);
  });

  it('checks nested option objects too', () => {
    const options = { server: { shutdownTimout: 5 } } as unknown as AppOptions;
    expect(() => createApp(options)).toThrow(
      /createApp\(\{ server \}\) has no option "shutdownTimout"\. Did you mean "shutdownTimeout"\?/,
    );
  });

  it('lists the known options when nothing is close', () => {
    expect(() => checkOptions('greeter()', { colour: 'red' } as { word?: string }, { word: true })).toThrow(
      'greeter() has no option "colour". Known options: word. Remove "colour" or rename it.',
    );
  });

  it('accepts known keys and undefined', () => {
    expect(() => checkOptions('greeter()', { word: 'hi' }, { word: true })).not.toThrow();
    expect(() => checkOptions<{ word?: string }>('greeter()', undefined, { word: true })).not.toThrow();
  });

  it('refuses a value that is not an object', () => {
    expect(() => checkOptions('greeter()', 'hi' as unknown as { word?: string }, { word: true })).toThrow(
      'greeter() takes an options object, got string.',
    );
  });
});

describe('app.onReady() (issue 12)', () => {
  it('lets a plugin with a synchronous setup decorate the app at once and still wait at start-up', async () => {
    const order: string[] = [];
    const connected = definePlugin({
      name: 'connected',
      setup(app) {
        app.onReady(async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          order.push('connected');
        });
        return { decorate: { connection: { id: 1 } } };
      },
    });
    const app = createApp({ logger: false }).use(connected());
    expect(app.connection).toEqual({ id: 1 });
    app.get('/', () => 'ok');
    await app.ready();
    expect(order).toEqual(['connected']);
    await app.ready();
    expect(order).toEqual(['connected']);
  });

  it('fails the start when a ready hook rejects', async () => {
    const app = createApp({ logger: false });
    app.onReady(() => Promise.reject(new Error('database unreachable')));
    await expect(app.start({ port: 0, host: '127.0.0.1' })).rejects.toThrow('database unreachable');
  });
});

describe('app.productionDefault() (issue 12)', () => {
  const withEnv = async (env: Record<string, string | undefined>, run: () => Promise<void>) => {
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
    try {
      await run();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };
  const entry = { what: 'jobs run in process', fix: 'Set REDIS_URL=redis://host:6379' };

  it('logs each development default once, loudly, in production', async () => {
    await withEnv({ NODE_ENV: 'production', FRAMEWORK_STRICT: undefined }, async () => {
      const { logger, warnings } = recording();
      // With a cookie secret, so that CSRF's per-process key is not a development default too.
      const app = createApp({ logger, cookies: { secret: 'a-cookie-secret-of-at-least-32-characters' } });
      app.productionDefault(entry);
      await app.ready();
      await app.ready();
      expect(warnings).toEqual([expect.stringMatching(/^PRODUCTION WARNING: jobs run in process\. Set REDIS_URL=/)]);
    });
  });

  it('refuses to start in strict mode, from the option or FRAMEWORK_STRICT', async () => {
    await withEnv({ NODE_ENV: 'production', FRAMEWORK_STRICT: undefined }, async () => {
      const app = createApp({ logger: false, strict: true });
      app.productionDefault(entry);
      await expect(app.ready()).rejects.toThrow(
        /Refusing to start in production \(strict mode\)[\s\S]*- jobs run in process\. Set REDIS_URL/,
      );
    });
    await withEnv({ NODE_ENV: 'production', FRAMEWORK_STRICT: '1' }, async () => {
      const app = createApp({ logger: false });
      expect(app.strict).toBe(true);
      app.productionDefault(entry);
      await expect(app.ready()).rejects.toMatchObject({ code: 'FW_ERR_PRODUCTION_DEFAULT' });
    });
  });

  it('says nothing outside production', async () => {
    await withEnv({ NODE_ENV: 'development', FRAMEWORK_STRICT: '1' }, async () => {
      const { logger, warnings } = recording();
      const app = createApp({ logger });
      expect(app.env).toBe('development');
      app.productionDefault(entry);
      await app.ready();
      expect(warnings).toEqual([]);
    });
  });
});

describe('app.stop() and onClose hooks (issue 12)', () => {
  it('finishes within closeTimeout when a hook never settles, logs it, and still calls every hook', async () => {
    const { logger } = recording();
    const errors: string[] = [];
    logger.error = (_fields, message) => errors.push(message);
    const app = createApp({ logger, closeTimeout: 200 });
    const called: string[] = [];
    app.onClose(() => {
      called.push('first');
    });
    app.onClose(() => {
      called.push('hung');
      return new Promise(() => {});
    });
    app.onClose(() => {
      called.push('last');
    });
    await app.start({ port: 0, host: '127.0.0.1' });
    const started = Date.now();
    await app.stop();
    const took = Date.now() - started;
    expect(took).toBeLessThan(2_000);
    expect(took).toBeGreaterThanOrEqual(150);
    expect(called).toEqual(['last', 'hung', 'first']);
    expect(errors).toEqual([expect.stringContaining('an onClose hook did not finish within closeTimeout (200 ms)')]);
  });

  it('refuses a closeTimeout that is not a duration', () => {
    expect(() => createApp({ closeTimeout: -1 })).toThrow(/closeTimeout.*e\.g\. 10_000/);
  });
});

describe('HttpError log option (issue 12)', () => {
  it('logs a 5xx answer by default, and not one marked log: false (an outage a component already logged)', async () => {
    const errors: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (_fields, message) => errors.push(message) };
    const app = createApp({ logger });
    app.get('/down', () => {
      throw new ServiceUnavailableError('Redis is not answering', { log: false });
    });
    app.get('/broken', () => {
      throw new ServiceUnavailableError('The mail service is down');
    });
    expect((await app.request('/down')).status).toBe(503);
    expect(errors).toEqual([]);
    expect((await app.request('/broken')).status).toBe(503);
    expect(errors).toEqual(['The mail service is down']);
  });
});
