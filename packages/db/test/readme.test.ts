import { readReadmeSection, runNode, runReadmeExample, withScratchApp } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

describe('the README', () => {
  it('has a first example that runs as written', async () => {
    // From a folder inside the package, so that '@framework/db' resolves to this package (self-reference).
    const { stdout } = await runReadmeExample(packageDir, {
      env: { DATABASE_URL: '', NODE_ENV: 'production' },
      timeoutMs: 60_000,
    });
    expect(stdout.trim()).toBe("[ { name: 'Ada', age: 36 } ]");
  });

  it("has a migration sample and a migrate script that run as written, on the plugin's data directory", async () => {
    const blocks = readReadmeSection(packageDir, '## Migrations').code;
    const migration = blocks.find((block) => block.startsWith('// migrations/001_create_users.ts'));
    const script = blocks.find((block) => block.startsWith('// migrate.ts'));
    expect(migration, 'the README lost its migration sample').toBeDefined();
    expect(script, 'the README lost its migrate script').toBeDefined();
    expect(migration).not.toContain('drizzle-orm');
    // A throwaway app inside the package, so that '@framework/db' resolves as an app's dependency would.
    const files = {
      'migrations/001_create_users.ts': migration ?? '',
      // The sample rolls back at the end; keep the table to look at it from the plugin's side.
      'migrate.ts': (script ?? '').replace(/^await migrator\.rollback\(\).*$/m, ''),
      'check.ts': [
        "import { openClient } from '@framework/db';",
        "const client = await openClient({ kind: 'pglite', dataDir: '.data/pglite' });",
        'console.log(JSON.stringify(await client.query("select column_name from information_schema.columns where table_name = \'users\' order by ordinal_position")));',
        'await client.close();',
      ].join('\n'),
    };
    await withScratchApp(packageDir, files, async (app) => {
      const options = { cwd: app, env: { DATABASE_URL: '', NODE_ENV: 'development' }, timeoutMs: 120_000 };
      const migrated = await runNode('migrate.ts', options);
      expect(migrated.stdout).toContain("name: '001_create_users'");
      const { stdout } = await runNode('check.ts', options);
      expect(JSON.parse(stdout)).toEqual([
        { column_name: 'id' },
        { column_name: 'email' },
        { column_name: 'passwordHash' },
        { column_name: 'createdAt' },
      ]);
    });
  });
});
