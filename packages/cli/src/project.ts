import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CliFailure } from './internal/failure.ts';

/** Internal: where an app's files are, from its package.json `"framework"` field (or the defaults). */
export interface Project {
  /** The app's root: the directory of its package.json. */
  readonly root: string;
  /** The module exporting `buildApp()` (default `src/app.ts`), absolute. */
  readonly app: string;
  /** The module that starts the app (default `src/main.ts`), absolute. */
  readonly main: string;
  /** The build output directory (default `dist`), absolute. */
  readonly build: string;
  /** The app's package.json dependencies and devDependencies, by name. */
  readonly dependencies: ReadonlySet<string>;
}

const DEFAULTS = { app: 'src/app.ts', main: 'src/main.ts', build: 'dist' } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Internal: the nearest package.json at or above `cwd`, or `undefined`. */
function findPackageJson(cwd: string): string | undefined {
  let directory = resolve(cwd);
  for (;;) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function setting(field: Record<string, unknown>, key: keyof typeof DEFAULTS, file: string): string {
  const value = field[key];
  if (value === undefined) return DEFAULTS[key];
  if (typeof value !== 'string' || value === '') {
    throw new CliFailure(`${file}: "framework.${key}" must be a path relative to the app, like "${DEFAULTS[key]}".`);
  }
  return value;
}

/**
 * Internal: the app around `cwd`: the nearest package.json, its `"framework": { app, main, build }`
 * paths resolved against it. `undefined` when there is no package.json at all.
 */
export async function findProject(cwd: string): Promise<Project | undefined> {
  const file = findPackageJson(cwd);
  if (file === undefined) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliFailure(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(manifest)) throw new CliFailure(`${file} does not hold a JSON object.`);
  const field = manifest.framework ?? {};
  if (!isRecord(field)) throw new CliFailure(`${file}: "framework" must be an object such as { "app": "src/app.ts" }.`);
  const root = dirname(file);
  const dependencies = new Set<string>();
  for (const key of ['dependencies', 'devDependencies']) {
    const list = manifest[key];
    if (isRecord(list)) for (const name of Object.keys(list)) dependencies.add(name);
  }
  return {
    root,
    app: resolve(root, setting(field, 'app', file)),
    main: resolve(root, setting(field, 'main', file)),
    build: resolve(root, setting(field, 'build', file)),
    dependencies,
  };
}

/** Internal: the app around `cwd`, or a failure that says what the CLI looks for. */
export async function requireProject(cwd: string): Promise<Project> {
  const project = await findProject(cwd);
  if (project === undefined) {
    throw new CliFailure(
      `No package.json in ${resolve(cwd)} or above: run framework inside an app (npm create framework@latest makes one).`,
    );
  }
  return project;
}

/** Internal: `path` relative to the app root, for messages. */
export function shown(project: Project, path: string): string {
  const relation = relative(project.root, path);
  return relation === '' || relation.startsWith('..') || isAbsolute(relation) ? path : relation.split(sep).join('/');
}

/**
 * Internal: where the build put the JavaScript of `source`: `dist/main.js` when the TypeScript
 * root is `src`, `dist/src/main.js` when it is the app root (the case when `framework.config.ts`
 * at the root is compiled too). The first that exists, else the first candidate.
 */
export function builtFile(project: Project, source: string): string {
  const path = relative(project.root, source)
    .replace(/\.ts$/, '.js')
    .replace(/\.mts$/, '.mjs')
    .replace(/\.cts$/, '.cjs');
  const parts = path.split(sep);
  const candidates = parts.length > 1 ? [join(project.build, ...parts.slice(1)), join(project.build, path)] : [];
  candidates.push(join(project.build, path));
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0] ?? join(project.build, path);
}
