// Publishing the workspace's packages to a registry, as `pnpm publish` publishes them.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addUser, npmrcFor } from './internal/add-user.ts';
import { run } from './internal/child.ts';
import { cleanEnv } from './internal/env.ts';

/** A package of the workspace that is published (its package.json is not `private`). */
export interface WorkspacePackage {
  name: string;
  version: string;
  /** Its folder. */
  dir: string;
}

/** Options of {@link publishWorkspace}. */
export interface PublishOptions {
  /** The registry's address (`http://127.0.0.1:41234/`). */
  registry: string;
  /** A token allowed to publish there. Default: a user is added to the registry and its token used. */
  token?: string;
  /** The workspace root. Default: this repository. */
  root?: string;
  /** Publish only these packages (by name). Default: every published package of the workspace. */
  only?: readonly string[];
  /** Receives one line per package. Default: nothing is printed. */
  log?: (line: string) => void;
  /** How long, in milliseconds, one package's `pnpm publish` may take. Default: 120 000. */
  timeoutMs?: number;
}

/** What {@link publishWorkspace} did with one package. */
export interface PublishedPackage extends WorkspacePackage {
  /** `published`, or `existing` when the registry already had this version (a registry is never overwritten). */
  status: 'published' | 'existing';
}

/** The repository this file belongs to. */
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

/** The pnpm that runs this process (a `pnpm run` script), else the one on PATH. */
function pnpm(args: readonly string[]): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath?.includes('pnpm') ? [process.execPath, [execPath, ...args]] : ['pnpm', [...args]];
}

/**
 * The workspace's published packages (not `private`), sorted by name, as pnpm lists them: so a new
 * package (packages/cli, packages/create-framework) is found as soon as it exists.
 *
 * @example
 * import { listPublishedPackages } from '@framework/local-registry';
 * const names = (await listPublishedPackages()).map((pkg) => pkg.name);
 * // ['@framework/cache', '@framework/core', '@framework/db', '@framework/queue', ...]
 */
export async function listPublishedPackages(root: string = REPOSITORY): Promise<WorkspacePackage[]> {
  const [command, args] = pnpm(['ls', '--recursive', '--depth', '-1', '--json']);
  const output = await run(command, args, { cwd: root, env: cleanEnv(process.env), timeoutMs: 60_000 });
  const listed: unknown = JSON.parse(output.slice(output.indexOf('[')));
  if (!Array.isArray(listed)) throw new Error(`\`pnpm ls\` printed no list of packages:\n${output}`);
  const packages: WorkspacePackage[] = [];
  for (const entry of listed as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, version, path, private: isPrivate } = entry as Record<string, unknown>;
    if (isPrivate === true || typeof name !== 'string' || typeof version !== 'string' || typeof path !== 'string') {
      continue;
    }
    packages.push({ name, version, dir: path });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every file path an `exports` map points at, whatever the conditions. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(exportTargets);
}

/** The files a package's published manifest points at (exports, bin) that are not there. */
function missingFiles(dir: string): string[] {
  const manifest: {
    exports?: unknown;
    bin?: unknown;
    publishConfig?: { exports?: unknown; bin?: unknown };
  } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const targets = [
    ...exportTargets(manifest.publishConfig?.exports ?? manifest.exports),
    ...exportTargets(manifest.publishConfig?.bin ?? manifest.bin),
  ];
  // Patterns (`./dist/*.js`) name no single file.
  return targets.filter((target) => !target.includes('*') && !existsSync(join(dir, target)));
}

/** Whether the registry already holds `name@version`. */
async function isPublished(registry: string, name: string, version: string): Promise<boolean> {
  const response = await fetch(new URL(name.replace('/', '%2f'), registry), {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status === 404) {
    await response.arrayBuffer();
    return false;
  }
  if (!response.ok) throw new Error(`the registry at ${registry} answered ${response.status} for ${name}`);
  const document: unknown = await response.json();
  const versions =
    typeof document === 'object' && document !== null && 'versions' in document ? document.versions : undefined;
  return typeof versions === 'object' && versions !== null && version in versions;
}

/**
 * Publishes every published package of the workspace (see {@link listPublishedPackages}), or the
 * ones named in `only`, to `registry` with `pnpm publish`, which replaces `workspace:` ranges with
 * real versions and applies each package's `publishConfig` (exports pointing at `dist`), exactly as
 * a release does. A version the registry already has is left alone, so running it twice against
 * one registry is safe.
 *
 * The packages must be built first (`pnpm build`): when a file that a package's published `exports`
 * or `bin` points at is missing, it rejects before publishing anything, naming the packages and
 * files. Rejects with pnpm's output on the first package that fails to publish, or when
 * `pnpm publish` takes longer than `timeoutMs`.
 *
 * @example
 * import { publishWorkspace, startLocalRegistry } from '@framework/local-registry';
 *
 * const registry = await startLocalRegistry();
 * const published = await publishWorkspace({ registry: registry.url, token: registry.token, log: console.log });
 * // [{ name: '@framework/cache', version: '0.1.0', dir: '…/packages/cache', status: 'published' }, …]
 */
export async function publishWorkspace(options: PublishOptions): Promise<PublishedPackage[]> {
  const registry = options.registry.endsWith('/') ? options.registry : `${options.registry}/`;
  const log = options.log ?? (() => {});
  const listed = await listPublishedPackages(options.root ?? REPOSITORY);
  const packages = options.only === undefined ? listed : listed.filter((pkg) => options.only?.includes(pkg.name));
  const unknown = (options.only ?? []).filter((name) => !listed.some((pkg) => pkg.name === name));
  if (unknown.length > 0) throw new Error(`not a published package of the workspace: ${unknown.join(', ')}`);
  // Checked for every package before the first is published, so a missing build publishes nothing.
  const unbuilt = packages.flatMap((pkg) => {
    const missing = missingFiles(pkg.dir);
    return missing.length === 0 ? [] : [`${pkg.name} (${pkg.dir}): ${missing.join(', ')}`];
  });
  if (unbuilt.length > 0) {
    throw new Error(
      `these packages are not built, their published manifest points at missing files:\n  ${unbuilt.join('\n  ')}\n` +
        'Build them first (`pnpm build`; `pnpm release:local` builds everything unless given --skip-build).',
    );
  }
  const token = options.token ?? (await addUser(registry));
  // npm reads the token from a user config file; a fresh one also keeps a developer's own
  // ~/.npmrc (another registry, another token) out of this publish.
  const scratch = mkdtempSync(join(tmpdir(), 'framework-publish-'));
  const npmrc = join(scratch, 'npmrc');
  writeFileSync(npmrc, npmrcFor(registry, token));
  const env = cleanEnv(process.env, { npm_config_userconfig: npmrc });
  const results: PublishedPackage[] = [];
  try {
    for (const pkg of packages) {
      if (await isPublished(registry, pkg.name, pkg.version)) {
        log(`${pkg.name}@${pkg.version} is already in the registry`);
        results.push({ ...pkg, status: 'existing' });
        continue;
      }
      const [command, args] = pnpm(['publish', '--registry', registry, '--no-git-checks', '--access', 'public']);
      await run(command, args, { cwd: pkg.dir, env, timeoutMs: options.timeoutMs ?? 120_000 });
      log(`published ${pkg.name}@${pkg.version}`);
      results.push({ ...pkg, status: 'published' });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return results;
}
