import { createApp } from '@framework/core';
import { afterAll, describe, expect, it } from 'vitest';
import { database } from '../src/index.ts';
import { freshUrl, TARGETS } from './helpers.ts';
import { DDL, posts, users } from './schema.ts';

/** The statements each constraint error comes from, sent through HTTP. */
const WRITES: Record<string, string> = {
  unique: "insert into users (email) values ('dup@example.com')",
  notNull: "insert into users (name) values ('No Email')",
  foreignKey: "insert into posts (user_id, title) values (999, 'Orphan')",
  check: "insert into users (email, age) values ('old@example.com', 200)",
};

describe.each(TARGETS)('constraint errors on %s (issue 12)', (target) => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  /** The plugin follows `createApp({ exposeErrors })` unless `database({ exposeErrors })` says otherwise. */
  async function answers(exposeErrors: boolean, on: 'app' | 'plugin') {
    const app = createApp({ logger: false, exposeErrors: on === 'app' ? exposeErrors : !exposeErrors }).use(
      database({
        driver: target,
        url: await freshUrl(target),
        schema: { users, posts },
        ...(on === 'plugin' ? { exposeErrors } : {}),
      }),
    );
    app.post('/write/:kind', async (ctx) => ctx.db.query(WRITES[ctx.params.kind] ?? 'select 1'));
    await app.ready();
    stops.push(() => app.stop());
    for (const statement of DDL) await app.db.query(statement);
    await app.db.query(WRITES.unique ?? '');
    const bodies: Record<string, { status: number; body: Record<string, unknown> }> = {};
    // The session settings the README promises, on both drivers (PGlite records them; see README).
    bodies.settings = {
      status: 200,
      body:
        (
          await app.db.query<Record<string, unknown>>(
            "select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle",
          )
        )[0] ?? {},
    };
    for (const kind of Object.keys(WRITES)) {
      const res = await app.request(`/write/${kind}`, { method: 'POST' });
      bodies[kind] = { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }
    return bodies;
  }

  it('name the table, the column and the constraint in development, the same on both drivers', async () => {
    const bodies = await answers(true, 'plugin');
    expect(bodies.settings?.body).toEqual({ statement: '30s', idle: '1min' });
    expect(bodies.unique).toEqual({
      status: 409,
      body: expect.objectContaining({
        detail: 'A users row with this email already exists; use another value or update the existing row.',
        constraint: 'users_email_key',
        columns: ['email'],
      }),
    });
    expect(bodies.notNull).toEqual({
      status: 422,
      body: expect.objectContaining({ detail: 'users.email needs a value; send one.', column: 'email' }),
    });
    expect(bodies.foreignKey?.status).toBe(409);
    expect(bodies.foreignKey?.body.detail).toBe(
      'The write on posts refers to a row that does not exist, or removes one that others still refer to ' +
        '(posts_user_id_fkey); create the referenced row first or remove the referring rows.',
    );
    expect(bodies.check).toEqual({
      status: 422,
      body: expect.objectContaining({
        detail: 'A value breaks the check users_age_check on users; send a value within its bounds.',
        constraint: 'users_age_check',
      }),
    });
  });

  it('keep only the column the client sent in production: no table, constraint, SQL or detail', async () => {
    const bodies = await answers(false, 'app');
    expect(bodies.unique).toEqual({
      status: 409,
      body: {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        code: 'FW_DB_UNIQUE_VIOLATION',
        detail: 'A row with this email already exists; use another value or update the existing row.',
        columns: ['email'],
      },
    });
    expect(bodies.notNull?.body).toMatchObject({ detail: 'email needs a value; send one.', column: 'email' });
    expect(bodies.foreignKey?.body.detail).toBe(
      'The write refers to a row that does not exist, or removes one that others still refer to; ' +
        'create the referenced row first or remove the referring rows.',
    );
    expect(bodies.check?.body.detail).toBe('A value breaks the check constraint; send a value within its bounds.');
    delete bodies.settings;
    for (const { body } of Object.values(bodies)) {
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/users|posts|_key|_fkey|_check|insert|Key \(/);
      expect(body).not.toHaveProperty('constraint');
    }
  });
});
