import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CliFailure } from './failure.ts';

/**
 * Internal: the script of the `bin` command of package `name`, resolved from the app's own
 * dependencies (its TypeScript, its vitest) so the app's versions run; a failure that says what to
 * install otherwise.
 */
export function resolveAppBin(root: string, name: string, bin: string, install: string): string {
  let manifestPath: string;
  try {
    manifestPath = createRequire(join(root, 'package.json')).resolve(`${name}/package.json`);
  } catch {
    throw new CliFailure(`${name} is not installed in this app: run ${install}.`);
  }
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bins = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'bin') : undefined;
  const script: unknown =
    typeof bins === 'string' ? bins : typeof bins === 'object' && bins !== null ? Reflect.get(bins, bin) : undefined;
  if (typeof script !== 'string') throw new CliFailure(`${name} has no "${bin}" command; reinstall it (${install}).`);
  return join(dirname(manifestPath), script);
}
