import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, runCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
  await mkdir(join(app.root, 'test'), { recursive: true });
  await writeFile(
    join(app.root, 'test', 'env.test.ts'),
    `import { expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';

it('runs with NODE_ENV=test', () => {
  expect(process.env.NODE_ENV).toBe('test');
});

it('answers in memory', async () => {
  expect(await (await buildApp().request('/')).json()).toEqual({ message: 'fixture v1' });
});

it('fails on purpose', () => {
  expect(1).toBe(2);
});
`,
  );
});
afterAll(async () => {
  await app.remove();
});

describe('framework test', () => {
  it("runs the app's vitest with NODE_ENV=test and passes vitest's options on after --", async () => {
    const { code, stdout } = await runCli(['test', '--', '-t', 'NODE_ENV|memory'], {
      cwd: app.root,
      timeoutMs: 120_000,
    });
    expect(stdout).toMatch(/Tests +2 passed \| 1 skipped \(3\)/);
    expect(code).toBe(0);
  });

  it("exits with vitest's code when a test fails", async () => {
    const { code, stdout } = await runCli(['test'], { cwd: app.root, timeoutMs: 120_000 });
    expect(stdout).toMatch(/Tests +1 failed \| 2 passed \(3\)/);
    expect(code).toBe(1);
  });
});
