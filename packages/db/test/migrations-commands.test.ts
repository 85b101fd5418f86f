import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationCommands } from '../src/migrations/commands.ts';
import { kinds, openTestDatabase, type TestDatabase } from './fixtures/migrations/targets.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (line: string) => out.push(line), stderr: (line: string) => err.push(line) } };
}

const fixtures = join(import.meta.dirname, 'fixtures/migrations');

describe.each(kinds)('migration commands on %s', (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.close();
  });
  const setup = async () => {
    db = await openTestDatabase(kind);
    return migrationCommands({ client: db.client, directory: db.dir, schema: join(fixtures, 'schema-v1.ts') });
  };
  const run = async (commands: Awaited<ReturnType<typeof setup>>, name: keyof typeof commands, args: string[] = []) => {
    const { out, err, io } = capture();
    const code = await commands[name].run(args, io);
    return { code, out, err };
  };

  it('migrate:create, migrate:status, db:migrate, db:rollback', async () => {
    const commands = await setup();
    const created = await run(commands, 'migrate:create', ['add users table', '--sql']);
    expect(created.code).toBe(0);
    const path = created.out[0]?.replace(/^Created /, '') ?? '';
    expect(path).toMatch(/\d{8}T\d{6}_add_users_table\.up\.sql$/);
    const up = path.startsWith('/') ? path : join(process.cwd(), path);
    await writeFile(up, 'create table cmd_users (id int);');
    await writeFile(up.replace('.up.sql', '.down.sql'), 'drop table cmd_users;');
    const name = up.split('/').at(-1)?.replace('.up.sql', '') ?? '';

    expect(await run(commands, 'migrate:status')).toEqual({
      code: 0,
      out: [`pending  ${name}`, '0 applied, 1 pending, 0 changed, 0 missing.'],
      err: [],
    });
    expect(await run(commands, 'db:migrate')).toEqual({
      code: 0,
      out: [`Applied ${name}`, 'Batch 1: 1 migration(s) applied.'],
      err: [],
    });
    expect((await run(commands, 'db:migrate')).out).toEqual(['Nothing to migrate: the database is up to date.']);
    const status = await run(commands, 'migrate:status');
    expect(status.code).toBe(0);
    expect(status.out[0]).toMatch(new RegExp(`^applied  ${name}  batch 1  \\d{4}-\\d\\d-\\d\\dT`));
    expect(await db.columns('cmd_users')).toEqual(['id integer']);

    expect(await run(commands, 'db:rollback')).toEqual({ code: 0, out: [`Rolled back ${name}`], err: [] });
    expect(await db.columns('cmd_users')).toEqual([]);
    expect((await run(commands, 'migrate:down')).out).toEqual(['Nothing to roll back.']);
  });

  it('migrate:status and db:migrate fail with exit code 1 and advice when an applied file changed', async () => {
    const commands = await setup();
    const path = await db.write('001_a.sql'.replace('.sql', '.up.sql'), 'create table cmd_a (id int);');
    expect((await run(commands, 'migrate:up')).code).toBe(0);
    await writeFile(path, 'create table cmd_a (id bigint);');
    const status = await run(commands, 'migrate:status');
    expect(status.code).toBe(1);
    expect(status.out[0]).toMatch(/^changed {2}001_a {2}batch 1/);
    expect(status.err[0]).toContain('restore them');
    const migrate = await run(commands, 'db:migrate');
    expect(migrate.code).toBe(1);
    expect(migrate.err[0]).toContain('Refusing to migrate');
  });

  it('db:generate writes SQL from the schema module, db:seed runs seeds, db:reset reapplies', async () => {
    const commands = await setup();
    const generated = await run(commands, 'db:generate', ['create posts']);
    expect(generated.code).toBe(0);
    expect(generated.out[0]).toMatch(/^Created .*_create_posts\.up\.sql \(1 statement\(s\)\)$/);
    expect((await run(commands, 'db:generate', ['again'])).out).toEqual(['No schema changes: nothing generated.']);
    await db.write('000_seeded.up.sql', 'create table seeded (label text);');
    await db.write('000_seeded.down.sql', 'drop table seeded;');
    expect((await run(commands, 'db:migrate')).out.at(-1)).toBe('Batch 1: 2 migration(s) applied.');
    expect(await db.columns('posts')).toEqual(['id integer', 'title text']);

    expect(await run(commands, 'db:seed', ['--dir', join(fixtures, 'seeds')])).toEqual({
      code: 0,
      out: ['Seeded 001_users.ts', 'Seeded 002_more.sql'],
      err: [],
    });
    expect(await db.client.query('select count(*)::int as n from seeded')).toEqual([{ n: 3 }]);

    const reset = await run(commands, 'db:reset');
    expect(reset.code).toBe(0);
    expect(reset.out.at(-1)).toBe('Reset: 2 rolled back, 2 applied.');
    expect(await db.client.query('select count(*)::int as n from seeded')).toEqual([{ n: 0 }]);
  });

  it('answers misuse with exit code 2 and the usage line', async () => {
    const commands = await setup();
    expect(await run(commands, 'db:rollback', ['--steps', 'two'])).toEqual({
      code: 2,
      out: [],
      err: [
        '--steps needs a positive whole number, got two.',
        'Usage: framework db:rollback [--steps N | --to NAME | --all]',
      ],
    });
    expect((await run(commands, 'db:migrate', ['--force'])).err[0]).toBe('Unknown option --force.');
    expect((await run(commands, 'migrate:create', [])).code).toBe(2);
    expect((await run(commands, 'db:rollback', ['--steps=1', '--all'])).err[0]).toBe(
      'Pass only one of --steps, --to and --all.',
    );
    const missing = await run(commands, 'db:seed', ['--dir', join(db.dir, 'no-such-dir')]);
    expect(missing.code).toBe(1);
    expect(missing.err[0]).toContain('create it or pass `directory`');
    for (const command of Object.values(commands)) {
      expect(command.description.length).toBeGreaterThan(0);
      expect(command.usage).toMatch(/^(db|migrate):/);
    }
  });
});
