import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNode, NODE20_VERSION } from '../../../tooling/bootstrap/run.mjs';
import { frameworkVersions } from '../src/versions.ts';
import { cleanEnv, PACKAGE_ROOT, removeTempDirs, runCommand, tempDir } from './helpers.ts';

// The package as published: built JavaScript beside its templates and versions.json, inside the
// package so that @clack/prompts resolves from its node_modules.
const published = join(PACKAGE_ROOT, '.test-dist', 'node20');
let node20 = '';

beforeAll(() => {
  rmSync(published, { recursive: true, force: true });
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(published, 'dist')], {
    cwd: PACKAGE_ROOT,
  });
  writeFileSync(join(published, 'dist', 'versions.json'), JSON.stringify(frameworkVersions()));
  mkdirSync(published, { recursive: true });
  symlinkSync(join(PACKAGE_ROOT, 'templates'), join(published, 'templates'), 'dir');
  node20 = process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION);
}, 120_000);

afterAll(() => {
  rmSync(published, { recursive: true, force: true });
  removeTempDirs();
});

const runBuilt = (args: readonly string[], cwd: string) =>
  runCommand(node20, [join(published, 'dist', 'bin.js'), ...args], { cwd, env: cleanEnv() });

describe('the built create-framework on Node 20, the oldest Node it supports', () => {
  it('writes a project with the versions it was built with', async () => {
    expect(execFileSync(node20, ['--version'], { encoding: 'utf8' })).toMatch(/^v20\./);
    const cwd = tempDir();
    const result = await runBuilt(
      ['app', '--template', 'fullstack', '--packages', 'db,queue', '--yes', '--no-install'],
      cwd,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'app', 'public', 'index.html'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(cwd, 'app', 'package.json'), 'utf8'));
    expect(manifest.dependencies['@framework/db']).toBe(`^${frameworkVersions()['@framework/db']}`);
  });

  it('refuses an unknown flag with one line and the usage, exit 2', async () => {
    const result = await runBuilt(['--frobnicate'], tempDir());
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("create-framework: Unknown option '--frobnicate'.");
  });
});
