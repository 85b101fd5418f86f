import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createApp } from '@framework/core';
import { type Services, startServices } from '@framework/test-services';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, DatabaseConnectionError, database } from '../src/index.ts';
import { users } from './schema.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Registers the plugin on `url` and starts the app; returns why registration or start failed. */
async function startFailure(options: { url?: string; runOnStart?: boolean }): Promise<unknown> {
  const app = createApp({ logger: false });
  try {
    app.use(database({ url: options.url, schema: { users }, migrations: { runOnStart: options.runOnStart ?? false } }));
  } catch (error) {
    return error;
  }
  const error = await app.start({ port: 0 }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  await app.stop().catch(() => undefined);
  return error;
}

describe('a wrong or unreachable database URL (issue 12)', () => {
  let services: Services;
  let serverUrl: string;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    services = await startServices({ postgres: true, env: {}, log: () => {} });
    serverUrl = services.env.DATABASE_URL ?? '';
    // A user that must give its password (the test server trusts everyone else).
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe("create role fw_pw_user login password 'right-password'");
    const dir = services.services.postgres?.dir ?? '';
    const hba = join(dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, `host all fw_pw_user 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    appendFileSync(hba, '\n');
    await admin`select pg_reload_conf()`;
    await admin.end();
  });
  afterAll(async () => {
    process.env.DATABASE_URL = saved;
    await services?.stop();
  });

  it('rejects a malformed url option at creation, naming the option, without the password', async () => {
    const url = 'postgres://app:s3cret-pw@localhost:notaport/app';
    const error = await createDatabase({ url, schema: { users } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect(error).toMatchObject({ code: 'FW_DB_INVALID_URL', setting: 'the url option' });
    const message = (error as Error).message;
    expect(message).toContain('the url option is not a valid URL');
    expect(message).toContain('percent-encoded');
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain('Invalid URL');
  });

  it('names DATABASE_URL when the URL came from it, and refuses a non-PostgreSQL scheme at registration', async () => {
    process.env.DATABASE_URL = 'mysql://root:hunter2@db:3306/app';
    try {
      const error = await startFailure({});
      expect(error).toBeInstanceOf(DatabaseConnectionError);
      expect((error as Error).message).toMatch(
        /^DATABASE_URL is not a PostgreSQL URL \("mysql:\/\/root:\*\*\*@db:3306\/app"\)/,
      );
      expect((error as Error).message).not.toContain('hunter2');
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });

  it('fails the start (not the process) with host, port and cause when nothing listens, also with runOnStart', async () => {
    const port = await closedPort();
    for (const runOnStart of [false, true]) {
      const error = await startFailure({ url: `postgres://app:s3cret-pw@127.0.0.1:${port}/app`, runOnStart });
      expect(error).toBeInstanceOf(DatabaseConnectionError);
      const message = (error as Error).message;
      expect(message).toBe(
        `Cannot connect to PostgreSQL at 127.0.0.1:${port} (database "app", from the url option): ` +
          'connection refused (nothing listens on that port). Start PostgreSQL there, or fix the url option to point at the right host and port.',
      );
    }
  });

  it('says the host does not resolve for an unknown host name', async () => {
    const error = await startFailure({ url: 'postgres://app:s3cret-pw@db.example.invalid:5432/app' });
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    expect((error as Error).message).toContain(
      'Cannot connect to PostgreSQL at db.example.invalid:5432 (database "app", from the url option): the host name "db.example.invalid" does not resolve.',
    );
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('says the credentials were refused for a wrong password, without the password', async () => {
    const url = new URL(serverUrl);
    url.username = 'fw_pw_user';
    url.password = 'wrong-password';
    url.pathname = '/postgres';
    const error = await startFailure({ url: url.toString() });
    expect(error).toBeInstanceOf(DatabaseConnectionError);
    const message = (error as Error).message;
    expect(message).toContain(`the server refused the credentials of user "fw_pw_user"`);
    expect(message).toContain('Correct the user or password in the url option');
    expect(message).not.toContain('wrong-password');
    url.password = 'right-password';
    expect(await startFailure({ url: url.toString() })).toBeUndefined();
  });

  it('says the database does not exist, with the command that creates it', async () => {
    const url = new URL(serverUrl);
    url.pathname = '/fw_no_such_db';
    const error = await startFailure({ url: url.toString() });
    expect((error as Error).message).toContain(
      'the database "fw_no_such_db" does not exist. Create it (createdb fw_no_such_db)',
    );
  });
});
