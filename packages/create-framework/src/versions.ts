import { existsSync, readFileSync } from 'node:fs';

/**
 * The framework packages a generated project may depend on, by npm name, with their folder in this
 * repository.
 *
 * @example
 * ```ts
 * import { FRAMEWORK_PACKAGES } from 'create-framework';
 * Object.keys(FRAMEWORK_PACKAGES); // ['@framework/cli', '@framework/core', '@framework/db', ...]
 * ```
 */
export const FRAMEWORK_PACKAGES = {
  '@framework/cli': 'cli',
  '@framework/core': 'core',
  '@framework/db': 'db',
  '@framework/cache': 'cache',
  '@framework/queue': 'queue',
  '@framework/auth': 'auth',
} as const;

/**
 * An npm name of `FRAMEWORK_PACKAGES`.
 *
 * @example
 * ```ts
 * const name: FrameworkPackage = '@framework/db';
 * ```
 */
export type FrameworkPackage = keyof typeof FRAMEWORK_PACKAGES;

/**
 * The versions of the framework packages, by name; a name is missing when the package was not there.
 *
 * @example
 * ```ts
 * const versions: FrameworkVersions = { '@framework/cli': '0.1.0', '@framework/core': '0.1.0' };
 * ```
 */
export type FrameworkVersions = Partial<Record<FrameworkPackage, string>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function versionOf(manifest: unknown): string | undefined {
  return isRecord(manifest) && typeof manifest.version === 'string' ? manifest.version : undefined;
}

/**
 * The versions of the framework packages that generated projects depend on (as `^x.y.z`). The build
 * writes them to `dist/versions.json` from the packages beside this one, so a published
 * create-framework names the versions released with it; run from the repository's sources, they
 * are read from those packages' `package.json` directly.
 *
 * @example
 * ```ts
 * import { frameworkVersions } from 'create-framework';
 * console.log(frameworkVersions()['@framework/core']); // '0.1.0'
 * ```
 */
export function frameworkVersions(): FrameworkVersions {
  const built = new URL('./versions.json', import.meta.url);
  if (existsSync(built)) {
    const read = readJson(built);
    const versions: FrameworkVersions = {};
    for (const name of Object.keys(FRAMEWORK_PACKAGES) as FrameworkPackage[]) {
      const version = isRecord(read) ? read[name] : undefined;
      if (typeof version === 'string') versions[name] = version;
    }
    return versions;
  }
  const versions: FrameworkVersions = {};
  for (const [name, folder] of Object.entries(FRAMEWORK_PACKAGES) as [FrameworkPackage, string][]) {
    const manifest = new URL(`../../${folder}/package.json`, import.meta.url);
    const version = existsSync(manifest) ? versionOf(readJson(manifest)) : undefined;
    if (version !== undefined) versions[name] = version;
  }
  return versions;
}
