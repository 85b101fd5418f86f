import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Folder, toPath } from './internal/to-path.ts';

/**
 * The sorted public names of each entry point, keyed like the `exports` map (`'.'`, `'./redis'`).
 *
 * @example
 * ```ts
 * const names: NamesByEntry = { '.': ['createCache'], './memory': ['MemoryCacheStore'] };
 * ```
 */
export type NamesByEntry = Record<string, string[]>;

type Condition = 'types' | 'default';

/** The file each entry point of the package's `exports` map (as used in development) resolves to. */
function entryFiles(packageDir: string, condition: Condition): Record<string, string> {
  const manifest: unknown = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const exportsMap = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'exports') : undefined;
  if (typeof exportsMap !== 'object' || exportsMap === null) {
    throw new Error(`${join(packageDir, 'package.json')} has no exports map`);
  }
  const files: Record<string, string> = {};
  for (const [entry, target] of Object.entries(exportsMap)) {
    if (entry === './package.json') continue;
    const file: unknown = typeof target === 'string' ? target : Reflect.get(Object(target), condition);
    if (typeof file !== 'string') throw new Error(`exports["${entry}"] of ${packageDir} has no "${condition}" file`);
    files[entry] = join(packageDir, file);
  }
  return files;
}

/**
 * Imports every entry point of the package's `exports` map (its `default` file, `./package.json`
 * left out) and lists the names each one exports at runtime, sorted. Snapshot the result so a
 * rename, a removal or an addition shows up in review.
 *
 * @example
 * ```ts
 * expect(await runtimeExports(new URL('..', import.meta.url))).toMatchInlineSnapshot();
 * ```
 */
export async function runtimeExports(packageDir: Folder): Promise<NamesByEntry> {
  const names: NamesByEntry = {};
  for (const [entry, file] of Object.entries(entryFiles(toPath(packageDir), 'default'))) {
    const module: object = await import(/* @vite-ignore */ pathToFileURL(file).href);
    names[entry] = Object.keys(module).sort();
  }
  return names;
}

/**
 * Lists the names each entry point of the package's `exports` map re-exports as types only
 * (`export type { ... }` in its `types` file), sorted.
 *
 * @example
 * ```ts
 * expect(typeExports(new URL('..', import.meta.url))).toMatchInlineSnapshot();
 * ```
 */
export function typeExports(packageDir: Folder): NamesByEntry {
  const names: NamesByEntry = {};
  for (const [entry, file] of Object.entries(entryFiles(toPath(packageDir), 'types'))) {
    const source = readFileSync(file, 'utf8');
    names[entry] = [...source.matchAll(/export type \{([^}]*)\}/g)]
      .flatMap((match) => (match[1] ?? '').split(','))
      .map((name) => name.trim())
      .filter((name) => name !== '')
      .sort();
  }
  return names;
}
