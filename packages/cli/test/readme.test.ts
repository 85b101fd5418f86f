import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('the README', () => {
  it('has a first example that prints what it says when run as written', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.split('## A first example')[1]?.split('\n## ')[0] ?? '';
    const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((match) => ({
      lang: match[1],
      text: match[2] ?? '',
    }));
    const app = blocks.find((block) => block.lang === 'ts')?.text;
    const command = blocks.find((block) => block.lang === 'sh')?.text.trim();
    const prints = blocks.find((block) => block.lang === '')?.text;
    expect(app, 'the first example lost its src/app.ts').toBeDefined();
    expect(command).toBe('npx framework routes');

    const root = await mkdtemp(join(tmpdir(), 'framework-cli-readme-'));
    try {
      await writeFile(
        join(root, 'package.json'),
        JSON.stringify({ name: 'readme-app', private: true, type: 'module' }),
      );
      await mkdir(join(root, 'src'));
      await writeFile(join(root, 'src', 'app.ts'), app ?? '');
      await symlink(fileURLToPath(new URL('../node_modules', import.meta.url)), join(root, 'node_modules'), 'dir');
      const { code, stdout, stderr } = await runCli(['routes'], { cwd: root });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe(prints);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
