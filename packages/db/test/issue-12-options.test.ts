import { createApp, type LogFields } from '@framework/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, database } from '../src/index.ts';
import { users } from './schema.ts';

/** Plain JavaScript callers (JSON config, spread objects) are not type-checked: pass options as data. */
function untyped(options: Record<string, unknown>): Parameters<typeof database<{ users: typeof users }>>[0] {
  return { schema: { users }, ...options } as Parameters<typeof database<{ users: typeof users }>>[0];
}

describe('misspelled options are errors at registration, with "did you mean" (issue 12)', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a top-level key', { schemas: {} }, 'database() has no option "schemas". Did you mean "schema"?'],
    ['a pool key', { pool: { maxx: 3 } }, 'database({ pool }) has no option "maxx". Did you mean "max"?'],
    [
      'a pglite key',
      { pglite: { dataDirr: false } },
      'database({ pglite }) has no option "dataDirr". Did you mean "dataDir"?',
    ],
    [
      'a migrations key',
      { migrations: { runOnStrat: true } },
      'database({ migrations }) has no option "runOnStrat". Did you mean "runOnStart"?',
    ],
    ['a retry key', { retry: { attempt: 2 } }, 'database({ retry }) has no option "attempt". Did you mean "attempts"?'],
  ];
  it.each(cases)('%s', (_name, options, message) => {
    const app = createApp({ logger: false });
    expect(() => app.use(database(untyped({ driver: 'pglite', ...options })))).toThrow(message);
  });

  it('createDatabase() checks its options too', async () => {
    await expect(createDatabase(untyped({ driver: 'pglite', pol: { max: 1 } }))).rejects.toThrow(
      'createDatabase() has no option "pol". Did you mean "pool"?',
    );
  });
});

describe('the implicit PGlite database in production (issue 12)', () => {
  const saved = { NODE_ENV: process.env.NODE_ENV, DATABASE_URL: process.env.DATABASE_URL };
  beforeEach(() => {
    process.env.NODE_ENV = 'production';
    process.env.DATABASE_URL = '';
  });
  afterEach(() => {
    process.env.NODE_ENV = saved.NODE_ENV;
    process.env.DATABASE_URL = saved.DATABASE_URL;
  });

  function appWith(options: Record<string, unknown>, strict = false) {
    const lines: Array<{ level: string; message: string }> = [];
    const at = (level: string) => (_fields: LogFields, message: string) => {
      lines.push({ level, message });
    };
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const app = createApp({ logger, strict, cookies: { secret: 'a-test-cookie-secret-of-32-chars-or-more' } }).use(
      database(untyped({ pglite: { dataDir: false }, ...options })),
    );
    return { app, lines };
  }

  it('logs one warning naming DATABASE_URL when no URL is set, and app.db exists right after use()', async () => {
    const { app, lines } = appWith({});
    expect(app.db.kind).toBe('pglite');
    await app.ready();
    const warnings = lines.filter((line) => line.message.includes('DATABASE_URL'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe('warn');
    expect(warnings[0]?.message).toContain('Set DATABASE_URL=postgres://user:password@host:5432/app');
    expect(warnings[0]?.message).toContain("database({ driver: 'pglite' })");
    expect(await app.db.query('select 1 as one')).toEqual([{ one: 1 }]);
    await app.stop();
  });

  it('refuses to start in strict mode', async () => {
    const { app } = appWith({}, true);
    await expect(app.ready()).rejects.toThrow(/strict mode[\s\S]*DATABASE_URL is unset/);
    await app.stop().catch(() => undefined);
  });

  it('says nothing when PGlite is chosen explicitly', async () => {
    const { app, lines } = appWith({ driver: 'pglite' }, true);
    await app.ready();
    expect(lines.filter((line) => line.message.includes('DATABASE_URL'))).toEqual([]);
    await app.stop();
  });
});
