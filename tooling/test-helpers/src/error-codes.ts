import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Folder, toPath } from './internal/to-path.ts';

/**
 * Every `'FW_…'` string literal in the code of the TypeScript files under `directory` (its
 * subfolders included), comment lines left out: the error codes a package raises, to compare with
 * its registry of codes.
 *
 * @example
 * ```ts
 * const raised = errorCodesIn(new URL('../src', import.meta.url));
 * expect([...raised].filter((code) => !(code in CACHE_ERROR_CODES))).toEqual([]);
 * ```
 */
export function errorCodesIn(directory: Folder): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(toPath(directory), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    for (const line of readFileSync(join(entry.parentPath, entry.name), 'utf8').split('\n')) {
      if (/^\s*(\*|\/\*|\/\/)/.test(line)) continue;
      for (const match of line.matchAll(/['"`](FW_[A-Z0-9_]*[A-Z0-9])['"`]/g)) found.add(match[1] ?? '');
    }
  }
  return found;
}
