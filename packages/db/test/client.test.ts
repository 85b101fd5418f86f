import { afterAll, describe, expect, it } from 'vitest';
import { openClient, type SqlClient } from '../src/index.ts';

const url = process.env.DATABASE_URL;
const targets = [
  ['pglite', () => openClient({ kind: 'pglite' })],
  ['postgres', () => openClient({ kind: 'postgres', url: url ?? '' })],
] as const;

describe('test services', () => {
  it('hands the tests a PostgreSQL server (run through test-services --postgres)', () => {
    expect(url, 'DATABASE_URL is unset: run the tests with `pnpm test` (test-services --postgres)').toMatch(
      /^postgres(ql)?:\/\//,
    );
  });
});

describe.each(targets)('the %s client', (_name, open) => {
  const clients: SqlClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });
  const client = async () => {
    const opened = await open();
    clients.push(opened);
    return opened;
  };

  it('runs parameterised statements and returns rows', async () => {
    const db = await client();
    const rows = await db.query<{ sum: number; text: string }>('select $1::int + $2::int as sum, $3::text as text', [
      2,
      3,
      "O'Brien",
    ]);
    expect(rows).toEqual([{ sum: 5, text: "O'Brien" }]);
  });

  it('keeps one session for a dedicated block (a session-level setting survives between statements)', async () => {
    const db = await client();
    const seen = await db.session(async (session) => {
      await session.query("select set_config('application_name', 'fw-session-test', false)");
      return session.query<{ name: string }>("select current_setting('application_name') as name");
    });
    expect(seen).toEqual([{ name: 'fw-session-test' }]);
  });

  it('delivers NOTIFY payloads to a listener and stops when told', async () => {
    const db = await client();
    const payloads: string[] = [];
    const stop = await db.listen('fw_client_test', (payload) => payloads.push(payload));
    await db.query("select pg_notify('fw_client_test', 'hello')");
    await expect.poll(() => payloads, { timeout: 2000 }).toEqual(['hello']);
    await stop();
    await db.query("select pg_notify('fw_client_test', 'after')");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(payloads).toEqual(['hello']);
  });
});

describe('PGlite on disk', () => {
  it('creates the missing directories of its data dir and keeps the data across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'fw-pglite-'));
    const dataDir = join(root, 'nested', '.data', 'pglite');
    try {
      const first = await openClient({ kind: 'pglite', dataDir });
      await first.query('create table notes (body text)');
      await first.query('insert into notes values ($1)', ['kept']);
      await first.close();
      const second = await openClient({ kind: 'pglite', dataDir });
      expect(await second.query('select body from notes')).toEqual([{ body: 'kept' }]);
      await second.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
