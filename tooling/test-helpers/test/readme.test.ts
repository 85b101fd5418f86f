import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readReadmeSection, runNode, runReadmeExample, withScratchApp } from '../src/index.ts';

const fixture = new URL('./fixtures/package/', import.meta.url);
const scratchDirs = () => readdirSync(fixture).filter((name) => name.startsWith('.readme-app-'));

describe('readReadmeSection', () => {
  it('reads the ts blocks and what the example prints, up to the next heading of the same level', () => {
    expect(readReadmeSection(fixture, '## A first example')).toEqual({
      code: ["import { greet } from '@fixture/package';\n\nconsole.log(greet('Ada'));\n"],
      prints: 'Hello, Ada\n',
    });
  });

  it('keeps subsections and is not cut short by a # line inside a code block', () => {
    expect(readReadmeSection(fixture, '## Install')).toEqual({
      code: ["console.log('an option');\n"],
      prints: undefined,
    });
  });

  it('refuses a heading the README does not have', () => {
    expect(() => readReadmeSection(fixture, '## Renamed')).toThrow(/README\.md has no section "## Renamed"/);
  });
});

describe('runReadmeExample', () => {
  it('runs the first example as written, the package importable by its name', async () => {
    const run = await runReadmeExample(fixture);
    expect(run.stdout).toBe('Hello, Ada\n');
    expect(run.prints).toBe('Hello, Ada\n');
    expect(scratchDirs()).toEqual([]);
  });

  it('fails with the error of an example that throws, and leaves nothing behind', async () => {
    await expect(runReadmeExample(fixture, { heading: '## A broken example' })).rejects.toThrow(/empty name/);
    expect(scratchDirs()).toEqual([]);
  });

  it('fails when the section has no ts block', async () => {
    await expect(runReadmeExample(fixture, { heading: '## Last' })).rejects.toThrow(/"## Last" has no ```ts block/);
  });
});

describe('withScratchApp and runNode', () => {
  it('writes the files (folders included), hands over the env and deletes the folder afterwards', async () => {
    const files = {
      'lib/name.ts': "export const name = process.env.WHO ?? 'nobody';",
      'main.ts': "import { name } from './lib/name.ts';\nconsole.log(name);",
    };
    const dir = await withScratchApp(fixture, files, async (app) => {
      const { stdout } = await runNode('main.ts', { cwd: app, env: { WHO: 'Grace' } });
      expect(stdout).toBe('Grace\n');
      return app;
    });
    expect(existsSync(dir)).toBe(false);
  });
});
