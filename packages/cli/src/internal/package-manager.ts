import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliFailure } from './failure.ts';
import type { Io } from './io.ts';

/** Internal: the package manager the app uses, from its lockfile (npm when there is none). */
export function packageManager(root: string): 'npm' | 'pnpm' | 'yarn' {
  if (existsSync(join(root, 'pnpm-lock.yaml'))) return 'pnpm';
  if (existsSync(join(root, 'yarn.lock'))) return 'yarn';
  return 'npm';
}

/** Internal: installs (`add`) or uninstalls (`remove`) a dependency with the app's package manager. */
export async function changeDependency(root: string, action: 'add' | 'remove', name: string, io: Io): Promise<void> {
  const manager = packageManager(root);
  const args = manager === 'npm' ? [action === 'add' ? 'install' : 'uninstall', name] : [action, name];
  io.out(`framework: ${manager} ${args.join(' ')}`);
  const child = spawn(manager, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (text: string) => io.stdout.write(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => io.stderr.write(text));
  const code = await new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (exit) => resolve(exit ?? 1));
  });
  if (code !== 0)
    throw new CliFailure(`${manager} ${args.join(' ')} failed (exit code ${code}); the app's files are unchanged.`);
}

/**
 * Internal: writes the dependency into package.json without installing it (`--no-install`), or
 * takes it out of dependencies and devDependencies.
 */
export async function editDependency(
  root: string,
  action: 'add' | 'remove',
  name: string,
  range: string,
): Promise<void> {
  const path = join(root, 'package.json');
  const text = await readFile(path, 'utf8');
  const manifest: unknown = JSON.parse(text);
  if (typeof manifest !== 'object' || manifest === null) throw new CliFailure(`${path} does not hold a JSON object.`);
  for (const key of action === 'add' ? ['dependencies'] : ['dependencies', 'devDependencies']) {
    const current: unknown = Reflect.get(manifest, key);
    const list: Record<string, unknown> = typeof current === 'object' && current !== null ? { ...current } : {};
    if (action === 'add') list[name] = range;
    else delete list[name];
    const sorted = Object.fromEntries(Object.entries(list).sort(([a], [b]) => a.localeCompare(b)));
    if (action === 'add' || current !== undefined) Reflect.set(manifest, key, sorted);
  }
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}
