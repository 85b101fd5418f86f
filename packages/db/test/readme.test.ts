import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('the README', () => {
  it('has a first example that runs as written', async () => {
    const readme = readFileSync(`${packageDir}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## A first example'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'the README lost its first example').toBeDefined();
    // Inside the package so that '@framework/db' resolves to this package (self-reference).
    const file = `${packageDir}.readme-example.ts`;
    writeFileSync(file, code ?? '');
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: '', NODE_ENV: 'production' },
        timeout: 60_000,
      });
      expect(stdout.trim()).toBe("[ { name: 'Ada', age: 36 } ]");
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("has a migration sample and a migrate script that run as written, on the plugin's data directory", async () => {
    const readme = readFileSync(`${packageDir}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Migrations'));
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const migration = blocks.find((block) => block.startsWith('// migrations/001_create_users.ts'));
    const script = blocks.find((block) => block.startsWith('// migrate.ts'));
    expect(migration, 'the README lost its migration sample').toBeDefined();
    expect(script, 'the README lost its migrate script').toBeDefined();
    expect(migration).not.toContain('drizzle-orm');
    // A throwaway app inside the package, so that '@framework/db' resolves as an app's dependency would.
    const app = mkdtempSync(join(packageDir, '.readme-app-'));
    try {
      mkdirSync(join(app, 'migrations'));
      writeFileSync(join(app, 'migrations', '001_create_users.ts'), migration ?? '');
      writeFileSync(
        join(app, 'migrate.ts'),
        // The sample rolls back at the end; keep the table to look at it from the plugin's side.
        (script ?? '').replace(/^await migrator\.rollback\(\).*$/m, ''),
      );
      writeFileSync(
        join(app, 'check.ts'),
        [
          "import { openClient } from '@framework/db';",
          "const client = await openClient({ kind: 'pglite', dataDir: '.data/pglite' });",
          'console.log(JSON.stringify(await client.query("select column_name from information_schema.columns where table_name = \'users\' order by ordinal_position")));',
          'await client.close();',
        ].join('\n'),
      );
      const env = { ...process.env, DATABASE_URL: '', NODE_ENV: 'development' };
      const migrated = await run(process.execPath, ['migrate.ts'], { cwd: app, env, timeout: 120_000 });
      expect(migrated.stdout).toContain("name: '001_create_users'");
      const { stdout } = await run(process.execPath, ['check.ts'], { cwd: app, env, timeout: 120_000 });
      expect(JSON.parse(stdout)).toEqual([
        { column_name: 'id' },
        { column_name: 'email' },
        { column_name: 'passwordHash' },
        { column_name: 'createdAt' },
      ]);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
