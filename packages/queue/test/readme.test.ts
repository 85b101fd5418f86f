import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('the README', () => {
  it('has a first example that runs as written and prints what it says', async () => {
    const readme = readFileSync(`${packageDir}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## A first example'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const printed = /prints\n\n```\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'the README lost its first example').toBeDefined();
    expect(printed, 'the README lost what its first example prints').toBeDefined();
    // Inside the package so that '@framework/queue' resolves to this package (self-reference).
    const file = `${packageDir}.readme-example.ts`;
    writeFileSync(file, code ?? '');
    try {
      const { stdout } = await run(process.execPath, [file], {
        cwd: packageDir,
        env: { ...process.env, REDIS_URL: '' },
        timeout: 30_000,
      });
      expect(stdout.trim()).toBe(printed?.trim());
    } finally {
      rmSync(file, { force: true });
    }
  });
});
