import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { openClient, type SqlClient } from '../src/index.ts';
import type { ChangeEvent, TableWatcher } from '../src/watch/watch-table.ts';

const url = process.env.DATABASE_URL;

/** The two targets every watch test runs on. */
export const targets = [
  ['pglite', () => openClient({ kind: 'pglite' })],
  ['postgres', () => openClient({ kind: 'postgres', url: url ?? '' })],
] as const;

export type Opener = (typeof targets)[number][1];

/**
 * A database for one describe block: its own schema (so files and tests can share the PostgreSQL
 * server), unique table names, and every client closed at the end.
 */
export function useDatabase(open: Opener) {
  const schema = `fw_watch_${randomBytes(5).toString('hex')}`;
  const clients: SqlClient[] = [];
  let main: SqlClient | undefined;
  let counter = 0;
  beforeAll(async () => {
    main = await open();
    clients.push(main);
    await main.query(`create schema ${schema}`);
  }, 60_000); // PGlite takes seconds to start when several test files start it at once

  afterAll(async () => {
    await main?.query(`drop schema ${schema} cascade`);
    await Promise.all(clients.map((client) => client.close()));
  });
  const client = (): SqlClient => {
    if (main === undefined) throw new Error('The database is not open yet.');
    return main;
  };
  return {
    schema,
    client,
    /** Another client on the same database (PGlite: the same embedded database, the only one there is). */
    async another(): Promise<SqlClient> {
      if (client().kind === 'pglite') return client();
      const opened = await open();
      clients.push(opened);
      return opened;
    },
    /** Creates a table with a unique name in the schema; returns its bare name. */
    async table(columns: string, base = 'posts'): Promise<string> {
      counter += 1;
      const name = `${base}_${counter}`;
      await client().query(`create table ${schema}."${name.replaceAll('"', '""')}" (${columns})`);
      return name;
    },
  };
}

/** Records what a watcher delivers. */
export function record<Row>(watcher: TableWatcher<Row>): ChangeEvent<Row>[] {
  const events: ChangeEvent<Row>[] = [];
  watcher.on('change', (event) => {
    events.push(event);
  });
  return events;
}

/** The type and data of each event, for compact expectations. */
export function summary<Row>(events: ChangeEvent<Row>[]): Array<[string, unknown]> {
  return events.map((event) => [event.type, event.data]);
}
