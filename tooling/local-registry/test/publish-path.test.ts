// The publish path as users meet it: every package published to the local registry with
// `pnpm publish`, then installed with npm into an empty folder outside this repository and run
// from there on Node 20 and on the toolchain's Node.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalRegistry,
  listPublishedPackages,
  type PublishedPackage,
  publishWorkspace,
  startLocalRegistry,
  type WorkspacePackage,
} from '../src/index.ts';
import { launch, run, stopProcess, tail } from '../src/internal/child.ts';
import { cleanEnv } from '../src/internal/env.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'framework-publish-path-'));
const appDir = join(scratch, 'app');
const node20 = process.env.FRAMEWORK_NODE20 || '/usr/bin/node';

// A user's npm: its own empty config and a fresh cache, so nothing comes from this machine's.
const npmEnv = cleanEnv(process.env, {
  npm_config_userconfig: join(scratch, 'npmrc'),
  npm_config_cache: join(scratch, 'npm-cache'),
});

function npm(args: string[], timeoutMs: number): Promise<string> {
  return run('npm', args, { cwd: appDir, env: npmEnv, timeoutMs });
}

interface Manifest {
  name: string;
  exports?: unknown;
  peerDependencies?: Record<string, string>;
}

function installed(name: string): Manifest {
  return JSON.parse(readFileSync(join(appDir, 'node_modules', name, 'package.json'), 'utf8')) as Manifest;
}

// A small app written against the installed packages only: plain JavaScript, so Node 20 runs it
// as it is, and it can only work if the published exports point at built JavaScript.
const APP = `
import { createApp } from '@framework/core';
import { database, serial, table, varchar } from '@framework/db';
import { z } from 'zod';

const notes = table('notes', { id: serial().primaryKey(), text: varchar({ length: 200 }).notNull() });
const app = createApp().use(database({ schema: { notes }, driver: 'pglite', pglite: { dataDir: false } }));
app.onReady(() => app.db.query('create table notes (id serial primary key, text varchar(200) not null)'));

app.post('/notes', {
  schema: { body: z.object({ text: z.string().min(1) }) },
  status: 201,
  handler: async (ctx) => {
    await ctx.db.notes.insert([{ text: ctx.body.text }]);
    return { saved: ctx.body.text };
  },
});
app.get('/notes', async (ctx) => ({ node: process.version, notes: await ctx.db.notes.select('text').orderBy('id') }));

const { url } = await app.start({ port: 0, host: '127.0.0.1' });
console.log('listening on ' + url);
process.once('SIGTERM', () => app.stop().then(() => process.exit(0)));
`;

// turbo builds this package's dev dependencies before its test: those are the ones published here.
const own: { devDependencies: Record<string, string> } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
);

let registry: LocalRegistry | undefined;
let workspace: WorkspacePackage[] = [];
let published: PublishedPackage[] = [];

beforeAll(async () => {
  registry = await startLocalRegistry();
  workspace = await listPublishedPackages(root);
  const built = workspace.map((pkg) => pkg.name).filter((name) => own.devDependencies[name] !== undefined);
  published = await publishWorkspace({ registry: registry.url, token: registry.token, root, only: built });
  mkdirSync(appDir);
  writeFileSync(join(scratch, 'npmrc'), '');
  await npm(['init', '-y'], 60_000);
  await npm(
    ['install', '@framework/core', '@framework/db', 'zod', '--registry', registry.url, '--no-audit', '--no-fund'],
    300_000,
  );
  writeFileSync(join(appDir, 'app.mjs'), APP);
}, 480_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
});

describe('pnpm publish to the local registry', () => {
  it('finds every package of the workspace that is not private', () => {
    const names = workspace.map((pkg) => pkg.name);
    expect(names).toEqual(
      expect.arrayContaining(['@framework/cache', '@framework/core', '@framework/db', '@framework/queue']),
    );
    expect(names).not.toContain('@framework/local-registry');
    expect(names).not.toContain('@framework/example');
  });

  it('publishes each of them (every one is a dev dependency here, so turbo builds it before this test)', () => {
    const notBuiltFirst = workspace.filter((pkg) => own.devDependencies[pkg.name] === undefined);
    expect(notBuiltFirst.map((pkg) => `${pkg.name}: add it to tooling/local-registry devDependencies`)).toEqual([]);
    expect(published.map((pkg) => [pkg.name, pkg.status])).toEqual(workspace.map((pkg) => [pkg.name, 'published']));
  });

  it('leaves a version the registry already has alone when run again', async () => {
    const names = published.map((pkg) => pkg.name);
    const again = await publishWorkspace({ registry: registry?.url ?? '', root, only: names });
    expect(again.map((pkg) => [pkg.name, pkg.status])).toEqual(published.map((pkg) => [pkg.name, 'existing']));
  });

  it('publishes nothing when a package is not built, and names the missing files', async () => {
    const fake = join(scratch, 'unbuilt-workspace');
    mkdirSync(join(fake, 'packages', 'built'), { recursive: true });
    mkdirSync(join(fake, 'packages', 'unbuilt', 'dist'), { recursive: true });
    writeFileSync(join(fake, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: 'fake-root', private: true }));
    writeFileSync(
      join(fake, 'packages', 'built', 'package.json'),
      JSON.stringify({ name: '@framework/fake-built', version: '1.0.0', exports: './index.js' }),
    );
    writeFileSync(join(fake, 'packages', 'built', 'index.js'), 'export {};\n');
    writeFileSync(
      join(fake, 'packages', 'unbuilt', 'package.json'),
      JSON.stringify({
        name: '@framework/fake-unbuilt',
        version: '1.0.0',
        bin: { fake: './dist/bin.js' },
        exports: './src/index.ts',
        publishConfig: { exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } },
      }),
    );
    const url = registry?.url ?? '';
    await expect(publishWorkspace({ registry: url, root: fake })).rejects.toThrow(
      /not built[\s\S]*@framework\/fake-unbuilt[^\n]*\.\/dist\/index\.d\.ts, \.\/dist\/index\.js, \.\/dist\/bin\.js/,
    );
    const response = await fetch(new URL('@framework%2ffake-built', url));
    await response.arrayBuffer();
    expect(response.status).toBe(404);
  });
});

describe('npm install @framework/core @framework/db zod from the local registry', () => {
  it('installs manifests with real versions (no workspace: range) and exports pointing at dist', () => {
    for (const name of ['@framework/core', '@framework/db']) {
      const text = readFileSync(join(appDir, 'node_modules', name, 'package.json'), 'utf8');
      expect(text).not.toContain('workspace:');
      expect(JSON.stringify(installed(name).exports)).toContain('./dist/index.js');
    }
  });

  it('installs @framework/db with @framework/core as its peer dependency, satisfied by the installed core', () => {
    const range = installed('@framework/db').peerDependencies?.['@framework/core'];
    expect(range).toBeDefined();
    const app = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(app.dependencies).sort()).toEqual(['@framework/core', '@framework/db', 'zod']);
  });

  it.each([
    ['Node 20', node20, /^v20\./],
    ["the toolchain's Node", process.execPath, new RegExp(`^${process.version.replace(/\./g, '\\.')}$`)],
  ])('runs an app with a route and a PGlite database on %s', async (_label, node, version) => {
    const app = launch(node, ['app.mjs'], { cwd: appDir, env: cleanEnv(process.env, { NODE_ENV: 'production' }) });
    try {
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (url === undefined) {
        url = /listening on (http:\/\/\S+)/.exec(app.output())?.[1];
        if (url !== undefined) break;
        if (app.child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the app did not start. Its output:${tail(app.output())}`);
        }
        await sleep(50);
      }
      const created = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'installed from the local registry' }),
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ saved: 'installed from the local registry' });

      const invalid = await fetch(`${url}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: '' }),
      });
      expect(invalid.status).toBe(400);
      await invalid.arrayBuffer();

      const listed = await fetch(`${url}/notes`);
      expect(listed.status).toBe(200);
      const body = (await listed.json()) as { node: string; notes: unknown };
      expect(body.node).toMatch(version);
      expect(body.notes).toEqual([{ text: 'installed from the local registry' }]);

      app.child.kill('SIGTERM');
      const exit = await app.exited;
      expect(exit.code, app.output()).toBe(0);
    } finally {
      await stopProcess(app);
    }
  });
});

describe('npm create framework@latest from the local registry', () => {
  it('scaffolds an api app that depends on the published versions', async () => {
    const into = join(scratch, 'create');
    mkdirSync(into);
    // npx asks before it downloads create-framework; a user answers yes, so does npm_config_yes.
    const env = { ...npmEnv, npm_config_registry: registry?.url ?? '', npm_config_yes: 'true' };
    await run('npm', ['create', 'framework@latest', 'my-app', '--', '--template', 'api', '--yes', '--no-install'], {
      cwd: into,
      env,
      timeoutMs: 180_000,
    });
    const app = join(into, 'my-app');
    for (const file of ['package.json', 'src/app.ts', 'src/main.ts', 'framework.config.ts', 'test/app.test.ts']) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const core = published.find((pkg) => pkg.name === '@framework/core');
    expect(manifest.dependencies['@framework/core']).toContain(core?.version ?? 'missing');
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });
});
