import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'release-check-'));

interface Manifest {
  name: string;
  private?: boolean;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every package under packages/ that is published (not private), by folder name. */
const publishable = readdirSync(join(root, 'packages'))
  .filter((folder) => existsSync(join(root, 'packages', folder, 'package.json')))
  .filter((folder) => readManifest(join(root, 'packages', folder)).private !== true)
  .sort();

/** The pnpm that runs this test (turbo starts it through `pnpm run test`), else the one on PATH. */
function pnpm(args: string[]): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath?.includes('pnpm') ? [process.execPath, [execPath, ...args]] : ['pnpm', args];
}

/** Packs `packages/<folder>` as `pnpm publish` would and unpacks the tarball; returns the unpacked folder. */
async function packAndUnpack(folder: string): Promise<string> {
  const into = join(scratch, folder);
  mkdirSync(into);
  const [command, args] = pnpm(['pack', '--pack-destination', into]);
  await run(command, args, { cwd: join(root, 'packages', folder) });
  const tarball = readdirSync(into).find((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for packages/${folder}`);
  await run('tar', ['-xzf', join(into, tarball), '-C', into]);
  return join(into, 'package');
}

/** Every file path an `exports` map points at, whatever the conditions. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(exportTargets);
}

const unpacked = new Map<string, string>();
beforeAll(async () => {
  for (const folder of publishable) unpacked.set(folder, await packAndUnpack(folder));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the published packages', () => {
  it('are all built before this test runs (each is a dev dependency, so turbo builds it first)', () => {
    const own = readManifest(fileURLToPath(new URL('..', import.meta.url)));
    const names = publishable.map((folder) => readManifest(join(root, 'packages', folder)).name);
    expect(names.filter((name) => own.devDependencies?.[name] === undefined)).toEqual([]);
    expect(publishable.length).toBeGreaterThan(0);
  });

  describe.each(publishable)('packages/%s, as packed', (folder) => {
    it('passes publint with no error and no warning', async () => {
      const dir = unpacked.get(folder) ?? '';
      const { messages, pkg } = await publint({ pkgDir: dir, pack: false, strict: true });
      const found = messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`);
      if (found.length > 0) console.log(`publint on packages/${folder}:\n${found.join('\n')}`);
      expect(found.filter((line) => !line.startsWith('suggestion:'))).toEqual([]);
    });

    it('points its exports at the built JavaScript and declarations, and names no workspace: versions', () => {
      const manifest = readManifest(unpacked.get(folder) ?? '');
      // Node does not strip types in node_modules: a published export must not be a .ts source.
      const targets = exportTargets(manifest.exports).filter((target) => target !== './package.json');
      expect(targets.length).toBeGreaterThan(0);
      expect(targets.filter((target) => !/^\.\/dist\/.*(\.js|\.d\.ts)$/.test(target))).toEqual([]);
      const ranges = [manifest.dependencies, manifest.peerDependencies, manifest.optionalDependencies].flatMap((deps) =>
        Object.entries(deps ?? {}),
      );
      expect(ranges.filter(([, range]) => range.startsWith('workspace:'))).toEqual([]);
    });
  });
});
