/** A note as the API shows it. */
export interface Note {
  id: number;
  title: string;
}

/** Where notes are kept: in this process's memory (add `@framework/db` to keep them in PostgreSQL). */
export interface Notes {
  list(): Promise<Note[]>;
  find(id: number): Promise<Note | undefined>;
  add(input: { title: string }): Promise<Note>;
}

/** Notes in memory: gone when the process stops, and not shared between instances. */
export function createNotes(): Notes {
  const notes = new Map<number, Note>();
  let lastId = 0;
  return {
    list: async () => [...notes.values()],
    find: async (id) => notes.get(id),
    add: async ({ title }) => {
      const note = { id: ++lastId, title };
      notes.set(note.id, note);
      return note;
    },
  };
}
