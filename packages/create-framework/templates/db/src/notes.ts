import type { Database } from '@framework/db';
import type { schema } from './schema.ts';

/** A note as the API shows it. */
export interface Note {
  id: number;
  title: string;
}

/** Where notes are kept: the `notes` table. */
export interface Notes {
  list(): Promise<Note[]>;
  find(id: number): Promise<Note | undefined>;
  add(input: { title: string }): Promise<Note>;
}

/** Notes in the database (PostgreSQL at DATABASE_URL, else PGlite). */
export function createNotes(db: Database<typeof schema>): Notes {
  return {
    list: async () => db.notes.orderBy('id'),
    find: async (id) => (await db.notes.find(id)) ?? undefined,
    add: async (input) => db.notes.insert(input),
  };
}
