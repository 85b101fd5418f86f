import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, NODE_ARGS, removeTempDirs, tempDir } from './helpers.ts';

afterAll(removeTempDirs);

const DOWN = '\x1b[B';
const ENTER = '\r';

/**
 * Runs create-framework in a pseudo-terminal (util-linux `script`), so that it sees a TTY and asks;
 * `answer(prompt, keys)` waits until the prompt is on screen, then types.
 */
function inTerminal(cwd: string, args: string[]) {
  // A pseudo-terminal made by `script` from a pipe has no size; give it one, as a real terminal has.
  const command = `stty cols 100 rows 40 && exec ${[process.execPath, ...NODE_ARGS, ...args].map((part) => `'${part}'`).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd,
    env: cleanEnv({ TERM: 'xterm-256color' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    screen += chunk;
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve(code);
    }),
  );
  return {
    async answer(prompt: string, keys: string[]) {
      // Each prompt's question is shown once and differs from the others.
      for (let waited = 0; !screen.includes(prompt); waited += 50) {
        if (waited > 30_000) throw new Error(`"${prompt}" never appeared; the screen shows:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const key of keys) {
        child.stdin.write(key);
        // One key per read, as a person types: the prompt redraws between them.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async exit() {
      const code = await exited;
      return { code, screen };
    },
  };
}

describe('create-framework in a terminal', () => {
  it('asks for the directory, template, batteries and package manager', async () => {
    const cwd = tempDir();
    const session = inTerminal(cwd, ['--no-install']);
    await session.answer('Where should the project go?', [...'prompted-app', ENTER]);
    await session.answer('Which template?', [DOWN, ENTER]); // fullstack
    await session.answer('Which batteries?', [' ', DOWN, DOWN, ' ', ENTER]); // db and queue
    await session.answer('Which package manager?', [DOWN, ENTER]); // pnpm
    const { code, screen } = await session.exit();
    expect(code, screen).toBe(0);
    expect(screen).toContain('Created prompted-app (fullstack with db, queue) in prompted-app');
    const root = join(cwd, 'prompted-app');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual([
      '@framework/cli',
      '@framework/core',
      '@framework/db',
      '@framework/queue',
      'zod',
    ]);
    expect(existsSync(join(root, 'public', 'index.html'))).toBe(true);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('pnpm dev');
  });

  it('asks only for what the flags leave out', async () => {
    const cwd = tempDir();
    const session = inTerminal(cwd, ['flagged', '--template', 'plugin', '--no-install']);
    await session.answer('Which package manager?', [ENTER]);
    const { code, screen } = await session.exit();
    expect(code, screen).toBe(0);
    expect(screen).not.toContain('Which template?');
    expect(screen).not.toContain('Which batteries?');
    expect(existsSync(join(cwd, 'flagged', 'src', 'index.ts'))).toBe(true);
  });

  it('writes nothing when cancelled with Ctrl-C', async () => {
    const cwd = tempDir();
    const session = inTerminal(cwd, ['--no-install']);
    await session.answer('Where should the project go?', ['\x03']);
    const { code, screen } = await session.exit();
    expect(code).toBe(1);
    expect(screen).toContain('Cancelled; nothing was written.');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
