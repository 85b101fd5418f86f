import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliFailure } from './failure.ts';

/** Internal: a file to generate, its path relative to the app root. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Internal: writes every file, or none: when any of them exists already, nothing is written and
 * the failure names it (generators never overwrite).
 */
export async function writeNewFiles(root: string, files: readonly GeneratedFile[]): Promise<void> {
  const existing = files.filter((file) => existsSync(join(root, file.path)));
  if (existing.length > 0) {
    throw new CliFailure(
      `${existing.map((file) => file.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Pick another name or remove ${existing.length === 1 ? 'it' : 'them'} first.`,
    );
  }
  for (const file of files) {
    const path = join(root, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text, { flag: 'wx' });
  }
}
