import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineConfig, type Redacted, redact } from '../src/index.ts';

const Env = z.object({
  PORT: z.coerce.number().default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  SESSION_SECRET: z.string().min(32),
});

describe('defineConfig() types', () => {
  it('types the config from shared and the sections, and the env from the schema', () => {
    const config = defineConfig({
      env: Env,
      secrets: ['SESSION_SECRET'],
      shared: (env) => {
        expectTypeOf(env.PORT).toEqualTypeOf<number>();
        expectTypeOf(env.DATABASE_URL).toEqualTypeOf<string | undefined>();
        return { server: { port: env.PORT, host: env.HOST }, database: { url: env.DATABASE_URL } };
      },
      development: { logging: { level: 'debug' } },
      production: (env) => ({ server: { host: '0.0.0.0' }, logging: { level: 'info' }, secret: env.SESSION_SECRET }),
      test: { database: { url: undefined }, logging: { level: 'silent' } },
    });
    expectTypeOf(config.server.port).toEqualTypeOf<number>();
    expectTypeOf(config.server.host).toEqualTypeOf<string>();
    expectTypeOf(config.database.url).toEqualTypeOf<string | undefined>();
    // Every section sets logging, so it is always there.
    expectTypeOf(config.logging.level).toEqualTypeOf<string>();
    // Only production sets it: undefined elsewhere.
    expectTypeOf(config.secret).toEqualTypeOf<string | undefined>();

    // @ts-expect-error no section defines cache
    config.cache;
    // @ts-expect-error the config is read-only
    config.server.port = 4000;
  });

  it('makes a key that some NODE_ENV leaves out possibly undefined', () => {
    const config = defineConfig({ development: { debug: { inspector: true } }, production: {} });
    expectTypeOf(config.debug).toEqualTypeOf<{ readonly inspector: boolean } | undefined>();
    // @ts-expect-error debug is undefined in production and test
    config.debug.inspector;
  });

  it('checks the env schema output where the sections use it', () => {
    defineConfig({
      env: Env,
      // @ts-expect-error PORT is a number once the schema coerced it
      shared: (env) => ({ port: env.PORT.toUpperCase() }),
    });
    // @ts-expect-error secrets name variables of the schema
    defineConfig({ env: Env, secrets: ['SESION_SECRET'] });
    defineConfig({
      env: Env,
      // @ts-expect-error the schema has no REDIS_URL
      shared: (env) => ({ redis: env.REDIS_URL }),
    });
  });

  it('gives the raw variables without a schema', () => {
    defineConfig({
      shared: (env) => {
        expectTypeOf(env.ANYTHING).toEqualTypeOf<string | undefined>();
        return {};
      },
    });
  });

  it('keeps the shape through redact()', () => {
    const safe = redact({ port: 3000, url: 'postgres://u:p@h/db', nested: { token: 'x' } });
    expectTypeOf(safe).toEqualTypeOf<Redacted<{ port: number; url: string; nested: { token: string } }>>();
    expectTypeOf(safe.nested.token).toEqualTypeOf<string>();
    expectTypeOf(safe.port).toEqualTypeOf<number | string>();
  });
});
