import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNode, NODE20_VERSION } from '../../../tooling/bootstrap/run.mjs';
import { type CliResult, cliEnv, copyFixture, FIXTURE, freePort, get } from './helpers.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the package, so the built CLI resolves tsx and the rest from the package's node_modules.
const outDir = fileURLToPath(new URL('../.test-dist/node20', import.meta.url));
let node20 = '';

beforeAll(() => {
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
  node20 = process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION);
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function runBuilt(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node20, [join(outDir, 'bin.js'), ...args], { cwd, env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the built CLI on Node 20, the oldest Node it supports', () => {
  it('loads the TypeScript app: routes and plugin commands work', async () => {
    expect(execFileSync(node20, ['--version'], { encoding: 'utf8' })).toMatch(/^v20\./);
    const routes = await runBuilt(['routes'], FIXTURE);
    expect(routes.stderr).toBe('');
    expect(routes.stdout).toMatch(/^GET +\/users\/:id +0 +params +- +Read a user \[users\]$/m);
    const greet = await runBuilt(['greet', 'twenty'], FIXTURE);
    expect(greet).toEqual({ code: 0, stdout: 'hello twenty\n', stderr: '' });
  });

  it('dev runs the app from TypeScript and answers', async () => {
    const app = await copyFixture();
    const port = await freePort();
    const child = spawn(node20, [join(outDir, 'bin.js'), 'dev', '--port', String(port)], {
      cwd: app.root,
      env: cliEnv(),
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!/ready in \d+ ms/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(output).toMatch(/ready in \d+ ms/);
      expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe('{"message":"fixture v1"}');
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await closed;
      clearTimeout(timer);
      await app.remove();
    }
  });
});
