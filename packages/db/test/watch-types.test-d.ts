import { describe, expectTypeOf, it } from 'vitest';
import type { SqlClient } from '../src/client.ts';
import type { WatchError } from '../src/watch/watch-error.ts';
import {
  type ChangeEvent,
  type PartialDeleteEvent,
  type RowChangeEvent,
  watchTable,
} from '../src/watch/watch-table.ts';

declare const client: SqlClient;
type Json = Record<string, unknown>;
interface Post {
  id: number;
  title: string;
}
const parse = (row: Json): Post => ({ id: Number(row.id), title: String(row.title) });

describe('watchTable types', () => {
  it('gives raw column records without parse', () => {
    const watcher = watchTable(client, { table: 'posts', primaryKey: ['id'] }, (event) => {
      expectTypeOf(event).toEqualTypeOf<ChangeEvent<Json>>();
    });
    watcher.on('insert', (row, event) => {
      expectTypeOf(row).toEqualTypeOf<Json>();
      expectTypeOf(event).toEqualTypeOf<RowChangeEvent<Json>>();
    });
  });

  it('types rows by what parse returns, and narrows a partial delete', () => {
    const watcher = watchTable(client, { table: 'posts', primaryKey: ['id'], parse });
    watcher
      .on('update', (post, event) => {
        expectTypeOf(post).toEqualTypeOf<Post>();
        expectTypeOf(event.old).toEqualTypeOf<Post | undefined>();
      })
      .on('delete', (post, event) => {
        expectTypeOf(post).toEqualTypeOf<Post | undefined>();
        if (event.partial) {
          expectTypeOf(event).toEqualTypeOf<PartialDeleteEvent>();
          expectTypeOf(event.data).toEqualTypeOf<Json>();
        } else expectTypeOf(event.data).toEqualTypeOf<Post>();
      })
      .on('change', (event) => {
        if (event.type === 'insert') expectTypeOf(event.data).toEqualTypeOf<Post>();
      });
  });

  it('refuses misuse', () => {
    // @ts-expect-error the primary key is required
    watchTable(client, { table: 'posts' });
    // @ts-expect-error filters compare scalars, not objects
    watchTable(client, { table: 'posts', primaryKey: ['id'], filter: { tags: ['a'] } });
    const watcher = watchTable(client, { table: 'posts', primaryKey: ['id'], parse });
    // @ts-expect-error there is no 'upsert' event
    watcher.on('upsert', () => {});
    // @ts-expect-error parse fixes the row type
    watcher.on('insert', (post: { other: string }) => post);
    watchTable(client, {
      table: 'posts',
      primaryKey: ['id'],
      onError: (error) => expectTypeOf(error).toEqualTypeOf<WatchError>(),
    });
  });
});
