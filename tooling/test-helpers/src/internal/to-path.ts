import { fileURLToPath } from 'node:url';

/**
 * A folder given as a path or as a `file:` URL.
 *
 * @example
 * ```ts
 * const packageDir: Folder = new URL('..', import.meta.url);
 * ```
 */
export type Folder = string | URL;

/** The folder as a file system path. */
export function toPath(folder: Folder): string {
  return typeof folder === 'string' ? folder : fileURLToPath(folder);
}
