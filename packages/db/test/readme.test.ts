import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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
});
