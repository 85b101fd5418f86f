import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.ts';
import { freshUrl } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

// Two separate databases stand in for a primary and its replica, so the test can see where each
// statement went: a real replica would hold the primary's data a moment later.
describe('read replicas (spec §4.7)', () => {
  let primaryUrl: string;
  let replicaUrl: string;
  let db: Database<{ users: typeof users; posts: typeof posts }>;
  let replica: Database<{ users: typeof users; posts: typeof posts }>;

  beforeAll(async () => {
    primaryUrl = (await freshUrl('postgres')) ?? '';
    replicaUrl = (await freshUrl('postgres')) ?? '';
    replica = await createDatabase({ driver: 'postgres', url: replicaUrl, schema: { users, posts } });
    for (const statement of DDL) await replica.query(statement);
    await replica.users.insert({ email: 'on-replica@example.com' });
    db = await createDatabase({
      driver: 'postgres',
      url: primaryUrl,
      replicas: [replicaUrl],
      readPreference: 'replica',
      schema: { users, posts },
    });
    for (const statement of DDL) await db.query(statement);
  });
  afterAll(async () => {
    await db.close();
    await replica.close();
  });

  it('sends reads to the replica and writes to the primary', async () => {
    const written = await db.users.insert({ email: 'on-primary@example.com' });
    expect(written.email).toBe('on-primary@example.com');
    expect((await db.users.select('email')).map((row) => row.email)).toEqual(['on-replica@example.com']);
    // Both databases have a row 1: the lookup by primary key is answered by the replica's.
    expect((await db.users.find(written.id))?.email).toBe('on-replica@example.com');
    const onPrimary = await db.query<{ email: string }>('select email from users');
    expect(onPrimary).toEqual([{ email: 'on-primary@example.com' }]);
  });

  it('reads from the primary inside a transaction', async () => {
    await db.transaction(async (trx) => {
      const emails = (await trx.users.select('email')).map((row) => row.email);
      expect(emails).toContain('on-primary@example.com');
      expect(emails).not.toContain('on-replica@example.com');
    });
  });

  it("reads from the primary with readPreference 'primary'", async () => {
    const pinned = await createDatabase({
      driver: 'postgres',
      url: primaryUrl,
      replicas: [replicaUrl],
      readPreference: 'primary',
      schema: { users },
    });
    expect((await pinned.users.select('email')).map((row) => row.email)).toEqual(['on-primary@example.com']);
    await pinned.close();
  });
});
