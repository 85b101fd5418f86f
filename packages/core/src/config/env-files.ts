import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The variables the environment files set, and which file set each one. */
export interface LoadedEnv {
  /** Every variable after loading: the process's own, then the files' for those it does not set. */
  readonly values: Readonly<Record<string, string | undefined>>;
  /** Where each variable came from: `'the environment'` or a file name such as `.env.local`. */
  readonly sources: ReadonlyMap<string, string>;
}

/** The files `defineConfig` reads, lowest precedence first. */
export function envFileNames(nodeEnv: string): string[] {
  return ['.env', '.env.local', `.env.${nodeEnv}`, `.env.${nodeEnv}.local`];
}

/**
 * Reads `.env`, `.env.local`, `.env.<NODE_ENV>` and `.env.<NODE_ENV>.local` from `dir`, a later
 * file overriding an earlier one, and sets in `env` every variable it does not already have: what
 * the process was started with always wins over the files. `NODE_ENV` is never taken from a file,
 * since it chooses the files.
 */
export function loadEnvFiles(dir: string, nodeEnv: string, env: NodeJS.ProcessEnv): LoadedEnv {
  const sources = new Map<string, string>();
  for (const name of Object.keys(env)) if (env[name] !== undefined) sources.set(name, 'the environment');
  const fromFiles = new Map<string, { value: string; file: string }>();
  for (const file of envFileNames(nodeEnv)) {
    let content: string;
    try {
      content = readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const [name, value] of Object.entries(parseEnv(content))) {
      if (value !== undefined && name !== 'NODE_ENV') fromFiles.set(name, { value, file });
    }
  }
  for (const [name, { value, file }] of fromFiles) {
    if (sources.has(name)) continue;
    env[name] = value;
    sources.set(name, file);
  }
  return { values: { ...env }, sources };
}
