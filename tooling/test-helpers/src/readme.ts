import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type Folder, toPath } from './internal/to-path.ts';

const execFileAsync = promisify(execFile);

/**
 * The code blocks of one section of a README, in the order they are written.
 *
 * @example
 * ```ts
 * const { code, prints } = readReadmeSection(packageDir, '## A first example');
 * ```
 */
export interface ReadmeSection {
  /** The body of every fenced block tagged `ts`. */
  readonly code: readonly string[];
  /**
   * The body of the untagged block that follows a line reading `prints`: what the section's
   * example writes to stdout. `undefined` when the section does not say.
   */
  readonly prints: string | undefined;
}

/**
 * How {@link runNode} and {@link runReadmeExample} run a script.
 *
 * @example
 * ```ts
 * const options: RunOptions = { env: { DATABASE_URL: '', NODE_ENV: 'production' }, timeoutMs: 60_000 };
 * ```
 */
export interface RunOptions {
  /**
   * Variables set over `process.env` for the script; `''` clears one (a README example must not
   * pick up the test run's `DATABASE_URL` or `REDIS_URL`).
   */
  env?: Record<string, string>;
  /** Milliseconds the script may run before it is killed and the run fails. Default: 60000. */
  timeoutMs?: number;
}

/**
 * How {@link runReadmeExample} finds the example, and runs it.
 *
 * @example
 * ```ts
 * await runReadmeExample(packageDir, { heading: '## The plugin', env: { REDIS_URL: '' } });
 * ```
 */
export interface RunReadmeExampleOptions extends RunOptions {
  /** The heading line of the section, as written in the README. Default: `'## A first example'`. */
  heading?: string;
}

/**
 * What {@link runReadmeExample} ran and what came of it.
 *
 * @example
 * ```ts
 * const { stdout, prints }: ReadmeExampleRun = await runReadmeExample(packageDir);
 * ```
 */
export interface ReadmeExampleRun {
  /** The example, as written in the README. */
  readonly code: string;
  /** What the README says the example prints (see {@link ReadmeSection.prints}). */
  readonly prints: string | undefined;
  /** What the example wrote to stdout. */
  readonly stdout: string;
}

/**
 * Reads one section of `README.md` in `packageDir`: from the line `heading` to the next heading of
 * the same or a higher level. Throws when the README has no such heading, so a renamed section
 * fails the test that runs it instead of running nothing.
 *
 * @example
 * ```ts
 * const migrations = readReadmeSection(new URL('..', import.meta.url), '## Migrations');
 * const script = migrations.code.find((block) => block.startsWith('// migrate.ts'));
 * ```
 */
export function readReadmeSection(packageDir: Folder, heading: string): ReadmeSection {
  const file = join(toPath(packageDir), 'README.md');
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start === -1) throw new Error(`${file} has no section "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 1;
  let end = lines.length;
  let inBlock = false;
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    // A `# comment` inside a shell block is not a heading.
    if (line.startsWith('```')) inBlock = !inBlock;
    const marks = inBlock ? undefined : /^(#+) /.exec(line)?.[1]?.length;
    if (marks !== undefined && marks <= level) {
      end = index;
      break;
    }
  }
  const section = lines.slice(start + 1, end).join('\n');
  const code = [...section.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
  const prints = /^prints\n\n```\n([\s\S]*?)^```/m.exec(section)?.[1];
  return { code, prints };
}

/**
 * Runs `script` (a `.ts` or `.js` file) with the Node that runs the tests and returns what it wrote
 * to stdout and stderr. Rejects when the script exits with another code than 0 or outlives
 * `timeoutMs`; the error message carries its stderr.
 *
 * @example
 * ```ts
 * const { stdout } = await runNode('migrate.ts', { cwd: app, env: { DATABASE_URL: '' }, timeoutMs: 120_000 });
 * ```
 */
export async function runNode(
  script: string,
  options: RunOptions & { cwd: Folder },
): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await execFileAsync(process.execPath, [script], {
    cwd: toPath(options.cwd),
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 60_000,
  });
  return { stdout, stderr };
}

/**
 * Creates a throwaway folder inside `packageDir`, writes `files` into it (paths relative to it,
 * folders created as needed), calls `use` with its path and deletes it afterwards, whatever
 * happened. Inside the package, a script importing the package by its name gets this package, as
 * an app that depends on it would.
 *
 * @example
 * ```ts
 * await withScratchApp(packageDir, { 'migrations/001_users.ts': migration, 'migrate.ts': script }, async (app) => {
 *   await runNode('migrate.ts', { cwd: app });
 * });
 * ```
 */
export async function withScratchApp<T>(
  packageDir: Folder,
  files: Record<string, string>,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(toPath(packageDir), '.readme-app-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    return await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the first `ts` block of a README section as written, from a throwaway folder inside
 * `packageDir` (see {@link withScratchApp}), and returns its stdout with what the README says it
 * prints. Rejects when the section or its code block is missing, or when the example throws or
 * exits with another code than 0.
 *
 * @example
 * ```ts
 * const { stdout, prints } = await runReadmeExample(new URL('..', import.meta.url), { env: { REDIS_URL: '' } });
 * expect(stdout.trim()).toBe(prints?.trim());
 * ```
 */
export async function runReadmeExample(
  packageDir: Folder,
  options: RunReadmeExampleOptions = {},
): Promise<ReadmeExampleRun> {
  const { heading = '## A first example', ...run } = options;
  const section = readReadmeSection(packageDir, heading);
  const code = section.code[0];
  if (code === undefined) throw new Error(`The README section "${heading}" has no \`\`\`ts block`);
  const { stdout } = await withScratchApp(packageDir, { 'example.ts': code }, (dir) =>
    runNode('example.ts', { ...run, cwd: dir }),
  );
  return { code, prints: section.prints, stdout };
}
