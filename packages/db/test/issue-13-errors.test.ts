import { join } from 'node:path';
import { createApp, ERROR_CODES, FrameworkError, isFrameworkError, isHttpError } from '@framework/core';
import { errorCodesIn } from '@framework/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DatabaseConnectionError,
  DB_ERROR_CODES,
  database,
  isMigrationError,
  isWatchError,
  MIGRATION_ERROR_CODES,
  MigrationError,
  QueryError,
  toDatabaseError,
  WATCH_ERROR_CODES,
  WatchError,
} from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

describe('the db errors are framework errors with registered codes', () => {
  it('every code the package raises is in DB_ERROR_CODES, with the FW_DB_ prefix', () => {
    const thrown = [...errorCodesIn(new URL('../src', import.meta.url))];
    // Core's codes the package uses on purpose: its options check (checkOptions).
    const fromCore = thrown.filter((code) => code in ERROR_CODES);
    expect(thrown.filter((code) => !(code in DB_ERROR_CODES) && !fromCore.includes(code))).toEqual([]);
    expect(fromCore.filter((code) => code !== 'FW_ERR_UNKNOWN_OPTION' && code !== 'FW_ERR_INVALID_OPTION')).toEqual([]);
    for (const code of [...Object.keys(MIGRATION_ERROR_CODES), ...Object.keys(WATCH_ERROR_CODES)]) {
      expect(code in DB_ERROR_CODES, code).toBe(true);
    }
  });

  it('every error class of the package extends the core base', () => {
    const errors = [
      new QueryError('FW_DB_BAD_LIMIT', 'limit() takes a whole number ≥ 0, got -1.'),
      new DatabaseConnectionError('FW_DB_INVALID_URL', 'DATABASE_URL', 'x'),
      new MigrationError('FW_DB_MIGRATION_LOCK', 'x'),
      new WatchError('FW_DB_WATCH_TABLE', 'x'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(FrameworkError);
      expect(isFrameworkError(error, DB_ERROR_CODES)).toBe(true);
    }
    expect(isMigrationError(errors[2])).toBe(true);
    expect(isWatchError(errors[3])).toBe(true);
  });

  it("toDatabaseError leaves another copy of core's HttpError alone (it used instanceof)", async () => {
    const secondCopy = `${join(import.meta.dirname, '../../core/src/errors.ts')}?second-copy`;
    const copy: typeof import('../../core/src/errors.ts') = await import(/* @vite-ignore */ secondCopy);
    // An app error whose code looks like a driver's: it must not become "the database is unavailable".
    const mine = new copy.HttpError(502, 'The payment provider refused the connection.', { code: 'ECONNREFUSED' });
    expect(toDatabaseError(mine)).toBe(mine);
    const misuse = new copy.FrameworkError('FW_ERR_INVALID_OPTION', 'x');
    expect(toDatabaseError(misuse)).toBe(misuse);
  });
});

describe.each(TARGETS)('registered codes from the real code paths on %s', (target) => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it('a unique violation and a query misuse carry DB_ERROR_CODES codes; HTTP answers unchanged', async () => {
    const app = createApp({ logger: false }).use(
      database({ driver: target, url: await freshUrl(target), schema: { users, posts } }),
    );
    app.post('/dup', async (ctx) => ctx.db.query("insert into users (email) values ('dup@example.com')"));
    await app.ready();
    stops.push(() => app.stop());
    for (const statement of DDL) await app.db.query(statement);
    await app.db.query("insert into users (email) values ('dup@example.com')");

    const error = await app.db.query("insert into users (email) values ('dup@example.com')").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isFrameworkError(error, DB_ERROR_CODES) && error.code).toBe('FW_DB_UNIQUE_VIOLATION');
    expect(isHttpError(error) && error.status).toBe(409);

    const response = await app.request('/dup', { method: 'POST' });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ status: 409, code: 'FW_DB_UNIQUE_VIOLATION' });

    // Awaiting the query runs it; the unknown column is refused before any SQL is sent.
    const misuse = await (async () => app.db.users.where(JSON.parse('{"nope":1}')))().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isFrameworkError(misuse, DB_ERROR_CODES) && misuse.code).toBe('FW_DB_UNKNOWN_COLUMN');
  });
});
