import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, create, removeTempDirs, tempDir } from './helpers.ts';

afterAll(removeTempDirs);

describe('create-framework flags', () => {
  it('prints the usage for --help and exits 0', async () => {
    const result = await create(['--help'], tempDir());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: create-framework [dir] [options]');
    expect(result.stdout).toContain('--template <name>');
  });

  it.each([
    [['--frobnicate'], "create-framework: Unknown option '--frobnicate'."],
    [['app', '--template', 'spa'], 'create-framework: --template must be one of api, fullstack, plugin, not "spa".'],
    [
      ['app', '--packages', 'db,graphql'],
      'create-framework: --packages must be one of db, cache, queue, auth, not "graphql".',
    ],
    [['app', '--pm', 'yarn'], 'create-framework: --pm must be one of npm, pnpm, not "yarn".'],
    [['one', 'two'], 'create-framework: One directory at most, got 2: one two.'],
    [['app', '--template'], "create-framework: Option '-t, --template <value>' argument missing"],
    [
      ['app', '--template', 'plugin', '--packages', 'db', '--yes'],
      'create-framework: The plugin template takes no batteries',
    ],
  ])('refuses %j with one line and the usage, exit 2', async (args, line) => {
    const cwd = tempDir();
    const result = await create(args, cwd);
    expect(result.code).toBe(2);
    const [first, second] = result.stderr.split('\n');
    expect(first).toContain(line);
    expect(second).toBe('');
    expect(result.stderr).toContain('Usage: create-framework');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a directory that has files in it, and leaves them alone', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'notes.txt'), 'mine');
    const result = await create(['taken', '--yes', '--no-install'], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^create-framework: .*taken is not empty \(it has notes\.txt\); choose a new or empty directory\.\n$/,
    );
    expect(readdirSync(join(cwd, 'taken'))).toEqual(['notes.txt']);
  });

  it('fills an existing empty directory', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'empty'));
    const result = await create(['empty', '--yes', '--no-install'], cwd);
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'empty', 'src', 'app.ts'))).toBe(true);
  });

  it('fills the current directory when it is empty, named after it', async () => {
    const cwd = join(tempDir(), 'here-app');
    mkdirSync(cwd);
    const result = await create(['.', '--yes', '--no-install'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Next steps:\n  npm install\n  npm run dev');
    expect(JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')).name).toBe('here-app');
  });

  it('refuses a directory name npm would refuse as a package name, suggesting one', async () => {
    const cwd = tempDir();
    const result = await create(['My App', '--yes', '--no-install'], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '"My App" cannot be the package name: it has uppercase letters. Use a directory named like "my-app".',
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('takes the defaults without a terminal: an api app in my-app, for npm', async () => {
    const cwd = tempDir();
    const result = await create(['--no-install'], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created my-app (api) in my-app');
    expect(result.stdout).toContain('Next steps:\n  cd my-app\n  npm install\n  npm run dev');
    const manifest = JSON.parse(readFileSync(join(cwd, 'my-app', 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@framework/cli', '@framework/core', 'zod']);
    expect(readFileSync(join(cwd, 'my-app', 'Dockerfile'), 'utf8')).toContain('RUN npm ci --omit=dev');
  });

  it('uses pnpm when pnpm runs it (pnpm create framework)', async () => {
    const cwd = tempDir();
    const env = cleanEnv({ npm_config_user_agent: 'pnpm/10.34.9 npm/? node/v24.21.0 linux x64' });
    const result = await create(['app', '--yes', '--no-install'], cwd, env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  pnpm install\n  pnpm dev');
    const dockerfile = readFileSync(join(cwd, 'app', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('RUN corepack enable pnpm');
    expect(dockerfile).toContain('COPY package.json pnpm-lock.yaml ./');
    expect(readFileSync(join(cwd, 'app', 'README.md'), 'utf8')).toContain('pnpm dev');
  });

  it('says what to run when the install fails, and keeps the files', async () => {
    const cwd = tempDir();
    // An empty PATH: the package manager cannot be found.
    const result = await create(['app', '--yes'], cwd, cleanEnv({ PATH: '' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Could not run npm`);
    expect(result.stderr).toContain(`then run: cd ${join(cwd, 'app')} && npm install`);
    expect(existsSync(join(cwd, 'app', 'package.json'))).toBe(true);
  });
});
