import { CreateError } from '../errors.ts';
import type { FrameworkPackage, FrameworkVersions } from '../versions.ts';

/** Versions of the third-party packages a generated project uses. */
const THIRD_PARTY = {
  zod: '^4.1.0',
  typescript: '^5.9.3',
  vitest: '^4.1.12',
  '@types/node': '^20.19.0',
} as const;

function sorted(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
}

function versionOf(versions: FrameworkVersions, name: FrameworkPackage): string {
  const version = versions[name];
  if (version === undefined) {
    throw new CreateError(
      'FW_CREATE_VERSIONS',
      `This create-framework does not know which version of ${name} to install: it was built without it. Install the latest create-framework (npm create framework@latest).`,
    );
  }
  return version;
}

/** A caret range, or, for a 0.x peer, every 0.x from this one on (a 0.x minor does not force a new plugin). */
function peerRange(version: string): string {
  return version.startsWith('0.') ? `>=${version} <1.0.0` : `^${version}`;
}

/** The package.json of a generated app: the scripts run the `framework` CLI, which is a dependency. */
export function appPackageJson(name: string, packages: readonly FrameworkPackage[], versions: FrameworkVersions) {
  const dependencies: Record<string, string> = { zod: THIRD_PARTY.zod };
  for (const dependency of ['@framework/cli', '@framework/core', ...packages] as const) {
    dependencies[dependency] = `^${versionOf(versions, dependency)}`;
  }
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    framework: { app: 'src/app.ts', main: 'src/main.ts', build: 'dist' },
    scripts: {
      dev: 'framework dev',
      build: 'framework build',
      start: 'framework start',
      test: 'framework test',
      typecheck: 'tsc --noEmit',
    },
    dependencies: sorted(dependencies),
    devDependencies: sorted({
      '@types/node': THIRD_PARTY['@types/node'],
      typescript: THIRD_PARTY.typescript,
      vitest: THIRD_PARTY.vitest,
    }),
  };
}

/** The package.json of a generated plugin: built to dist, @framework/core as a peer dependency. */
export function pluginPackageJson(name: string, versions: FrameworkVersions) {
  const core = versionOf(versions, '@framework/core');
  return {
    name,
    version: '0.1.0',
    description: 'A plugin for framework.',
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    keywords: ['framework-plugin', 'framework'],
    engines: { node: '>=20.19' },
    files: ['dist', 'README.md'],
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc --noEmit',
      test: 'vitest run',
      prepublishOnly: 'npm run build && npm test',
    },
    peerDependencies: { '@framework/core': peerRange(core) },
    devDependencies: sorted({
      '@framework/core': `^${core}`,
      '@types/node': THIRD_PARTY['@types/node'],
      typescript: THIRD_PARTY.typescript,
      vitest: THIRD_PARTY.vitest,
    }),
  };
}
