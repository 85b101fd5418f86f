import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, freePort, get, runCli, startCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
  const added = await runCli(['add', 'db', '--no-install'], { cwd: app.root });
  expect(added.code, added.stderr).toBe(0);
  await writeFile(
    join(app.root, 'migrations', '001_create_visits.up.sql'),
    'create table visits (id serial primary key);\n',
  );
  await writeFile(join(app.root, 'migrations', '001_create_visits.down.sql'), 'drop table visits;\n');
  const source = join(app.root, 'src', 'app.ts');
  await writeFile(
    source,
    (await readFile(source, 'utf8')).replace(
      '  return app;',
      `  app.post('/visits', async (ctx) => {
    await ctx.db.client.query('insert into visits default values');
    const [row] = await ctx.db.client.query<{ visits: number }>('select count(*)::int as visits from visits');
    return { visits: row?.visits, via: process.env.DATABASE_URL?.replace(/:\\d+\\//, ':PORT/') };
  });
  return app;`,
    ),
  );
}, 120_000);
afterAll(async () => {
  await app.remove();
});

function post(url: string): Promise<string> {
  return fetch(url, { method: 'POST' }).then((res) => res.text());
}

describe('framework dev with @framework/db and no DATABASE_URL', () => {
  it('opens PGlite once and serves it to each restart of the app, which keeps its data', async () => {
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port)], { cwd: app.root });
    try {
      await cli.waitFor(/ready in \d+ ms/, 120_000);
      expect(cli.output()).toMatch(
        /opened PGlite in \.data\/pglite in \d+ ms; the app connects to it at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/,
      );
      const url = `http://127.0.0.1:${port}/visits`;
      expect(JSON.parse(await post(url))).toEqual({ visits: 1, via: 'postgres://postgres@127.0.0.1:PORT/postgres' });
      // Several connections of the app's pool at once take their turns on the one session.
      const together = await Promise.all([post(url), post(url), post(url), post(url)]);
      // (insert and count are two statements: as on PostgreSQL, a count may see another request's row)
      expect(Math.max(...together.map((body) => JSON.parse(body).visits))).toBe(5);

      const before = cli.output().length;
      const source = join(app.root, 'src', 'app.ts');
      await writeFile(source, (await readFile(source, 'utf8')).replace('fixture v1', 'fixture v2'));
      await cli.waitFor(
        /restarted \(src\/app\.ts changed\) in \d+ ms \(stopping the old process \d+ ms, starting \d+ ms\)/,
        60_000,
        before,
      );
      expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe('{"message":"fixture v2"}');
      // The same database, not opened again: the rows are there and no second "opened PGlite" line.
      expect(JSON.parse(await post(url)).visits).toBe(6);
      expect(cli.output().match(/opened PGlite/g)).toHaveLength(1);
      expect(await cli.stop()).toBe(0);
    } finally {
      await cli.stop();
    }
    // Closed cleanly on the way out: the data is in .data/pglite for the next run.
    expect(existsSync(join(app.root, '.data', 'pglite', 'PG_VERSION'))).toBe(true);
    const again = startCli(['dev', '--port', String(port)], { cwd: app.root });
    try {
      await again.waitFor(/ready in \d+ ms/, 120_000);
      expect(JSON.parse(await post(`http://127.0.0.1:${port}/visits`)).visits).toBe(7);
    } finally {
      await again.stop();
    }
  }, 300_000);

  it('leaves the database to DATABASE_URL when it is set', async () => {
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port)], {
      cwd: app.root,
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    try {
      await cli.waitFor(/starting src\/main\.ts/, 60_000);
      expect(cli.output()).not.toContain('opened PGlite');
    } finally {
      await cli.stop();
    }
  }, 120_000);
});
