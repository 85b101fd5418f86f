import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateError } from './errors.ts';
import { authBattery } from './features/auth.ts';
import { cache } from './features/cache.ts';
import { cookies } from './features/cookies.ts';
import { db } from './features/db.ts';
import { page } from './features/page.ts';
import { queue } from './features/queue.ts';
import type { Feature } from './features/types.ts';
import { appValues } from './internal/app-values.ts';
import { packageNameProblem, pluginIdentifier, suggestPackageName } from './internal/names.ts';
import { appPackageJson, pluginPackageJson } from './internal/package-json.ts';
import { isBinary, type RenderValues, render } from './internal/render.ts';
import { commandsOf, type PackageManager } from './package-manager.ts';
import { type FrameworkVersions, frameworkVersions } from './versions.ts';

/**
 * The templates: an API, an API with a page, or a publishable plugin package.
 *
 * @example
 * ```ts
 * import { TEMPLATES } from 'create-framework';
 * TEMPLATES.includes('api'); // true
 * ```
 */
export const TEMPLATES = ['api', 'fullstack', 'plugin'] as const;
/**
 * One of `TEMPLATES`.
 *
 * @example
 * ```ts
 * const template: TemplateName = 'fullstack';
 * ```
 */
export type TemplateName = (typeof TEMPLATES)[number];

/**
 * The batteries an app can start with, in the order they are registered.
 *
 * @example
 * ```ts
 * import { BATTERIES } from 'create-framework';
 * console.log(BATTERIES); // ['db', 'cache', 'queue', 'auth']
 * ```
 */
export const BATTERIES = ['db', 'cache', 'queue', 'auth'] as const;
/**
 * One of `BATTERIES`.
 *
 * @example
 * ```ts
 * const batteries: BatteryName[] = ['db', 'queue'];
 * ```
 */
export type BatteryName = (typeof BATTERIES)[number];

/** Each battery's feature, given every battery chosen (auth keeps its users in the db when there is one). */
const FEATURES: Record<BatteryName, (chosen: readonly BatteryName[]) => Feature> = {
  db: () => db,
  cache: () => cache,
  queue: () => queue,
  auth: (chosen) => authBattery({ db: chosen.includes('db'), cache: chosen.includes('cache') }),
};

/**
 * What `createProject()` makes.
 *
 * @example
 * ```ts
 * const options: ProjectOptions = { directory: 'my-app', template: 'api', packages: ['db'], packageManager: 'pnpm' };
 * ```
 */
export interface ProjectOptions {
  /** Where: created when missing, refused when it has files in it. */
  directory: string;
  /** The npm package name. Default: the directory's name. */
  name?: string;
  /** Default `'api'`. */
  template?: TemplateName;
  /** Batteries of an api or fullstack app. Default none. */
  packages?: readonly BatteryName[];
  /** Shapes the README, the Dockerfile and the next steps. Default `'npm'`. */
  packageManager?: PackageManager;
  /** The versions of the framework packages to depend on. Default: the ones this create-framework was released with. */
  versions?: FrameworkVersions;
}

/**
 * What `createProject()` made.
 *
 * @example
 * ```ts
 * const project: CreatedProject = await createProject({ directory: 'my-app' });
 * console.log(`${project.files.length} files in ${project.directory}`);
 * ```
 */
export interface CreatedProject {
  directory: string;
  name: string;
  template: TemplateName;
  packages: readonly BatteryName[];
  packageManager: PackageManager;
  /** The files written, relative to `directory`, sorted. */
  files: string[];
}

const TEMPLATE_ROOT = fileURLToPath(new URL('../templates/', import.meta.url));
// npm leaves .gitignore files out of published packages, so the templates keep it under another name.
const RENAMED: Record<string, string> = { _gitignore: '.gitignore' };

function filesOf(root: string, directory = root): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesOf(root, path) : [relative(root, path)];
  });
}

/** Whether `directory` may receive a project: missing, or empty. */
function checkTarget(directory: string): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory()) {
    throw new CreateError(
      'FW_CREATE_TARGET_NOT_EMPTY',
      `${directory} is a file; choose a directory name for the project.`,
    );
  }
  const entries = readdirSync(directory);
  if (entries.length > 0) {
    throw new CreateError(
      'FW_CREATE_TARGET_NOT_EMPTY',
      `${directory} is not empty (it has ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose a new or empty directory.`,
    );
  }
}

function checkName(name: string): void {
  const problem = packageNameProblem(name);
  if (problem !== undefined) {
    throw new CreateError(
      'FW_CREATE_INVALID_NAME',
      `"${name}" cannot be the package name: ${problem}. Use a directory named like "${suggestPackageName(name)}".`,
    );
  }
}

function pluginValues(name: string, pm: PackageManager): RenderValues {
  const identifier = pluginIdentifier(name);
  const commands = commandsOf(pm);
  return {
    tokens: {
      name,
      identifier,
      install: commands.install,
      'run test': commands.run('test'),
      'run build': commands.run('build'),
    },
    markers: {},
    identifiers: { identifier, Type: identifier[0]!.toUpperCase() + identifier.slice(1) },
  };
}

/**
 * Writes a new project from a template: the files of the template with the project's name, the
 * chosen batteries wired into `src/app.ts`, `framework.config.ts`, the test, the Dockerfile and
 * the README, and a `package.json` whose framework dependencies are the versions this
 * create-framework was released with. Installs nothing (see `installDependencies`).
 *
 * @example
 * ```ts
 * import { createProject } from 'create-framework';
 *
 * const project = await createProject({ directory: 'my-app', template: 'api', packages: ['db', 'cache'] });
 * console.log(project.files); // [ '.dockerignore', '.env.example', ..., 'src/app.ts', 'src/schema.ts', ... ]
 * ```
 */
export async function createProject(options: ProjectOptions): Promise<CreatedProject> {
  const directory = resolve(options.directory);
  const name = options.name ?? basename(directory);
  const template = options.template ?? 'api';
  const packageManager = options.packageManager ?? 'npm';
  const packages = BATTERIES.filter((battery) => options.packages?.includes(battery));
  checkName(name);
  if (template === 'plugin' && packages.length > 0) {
    throw new CreateError(
      'FW_CREATE_USAGE',
      'The plugin template takes no batteries: a plugin declares what it needs from the app (definePlugin({ requires })).',
    );
  }
  checkTarget(directory);
  const versions = options.versions ?? frameworkVersions();

  const features =
    template === 'plugin'
      ? []
      : [
          cookies,
          ...packages.map((battery) => FEATURES[battery](packages)),
          ...(template === 'fullstack' ? [page] : []),
        ];
  const layers = template === 'plugin' ? ['plugin'] : ['api', ...features.flatMap((feature) => feature.layers)];
  const values = template === 'plugin' ? pluginValues(name, packageManager) : appValues(name, features, packageManager);
  const manifest =
    template === 'plugin'
      ? pluginPackageJson(name, versions)
      : appPackageJson(
          name,
          features.flatMap((feature) => (feature.package === undefined ? [] : [feature.package])),
          versions,
        );

  // Everything is rendered before anything is written: a template error leaves no half project.
  const sources = new Map<string, string>();
  for (const layer of layers) {
    const root = join(TEMPLATE_ROOT, layer);
    for (const file of filesOf(root)) {
      const target = join(dirname(file), RENAMED[basename(file)] ?? basename(file));
      sources.set(target, join(root, file));
    }
  }
  const output = new Map<string, string | Buffer>();
  for (const [target, source] of sources) {
    output.set(target, isBinary(source) ? readFileSync(source) : render(readFileSync(source, 'utf8'), values, target));
  }
  output.set('package.json', `${JSON.stringify(manifest, null, 2)}\n`);

  for (const [target, content] of output) {
    const path = join(directory, target);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return {
    directory,
    name,
    template,
    packages,
    packageManager,
    files: [...output.keys()].map((file) => file.split('\\').join('/')).sort(),
  };
}
