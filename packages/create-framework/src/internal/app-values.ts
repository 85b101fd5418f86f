import type { EnvVariable, Feature } from '../features/types.ts';
import { commandsOf, type PackageManager } from '../package-manager.ts';
import type { RenderValues } from './render.ts';

const BASE_IMPORTS = [
  "import { createApp, NotFoundError } from '@framework/core';",
  "import { z } from 'zod';",
  "import { createNotes } from './notes.ts';",
];
const CONFIG_IMPORT = "import config from '../framework.config.ts';";
const BASE_ENV: EnvVariable[] = [
  { name: 'PORT', schema: 'z.coerce.number().int().min(0).max(65_535).default(3000)', example: [] },
  { name: 'HOST', schema: 'z.string().min(1).optional()', example: [] },
];

function specifier(line: string): string {
  return /from '([^']+)'/.exec(line)?.[1] ?? line;
}

const NAMED_IMPORT = /^import \{ (.+) \} from '([^']+)';$/;

/** `type User` sorts as `User`, and case does not count, as Biome's organizer keeps them. */
function byName(a: string, b: string): number {
  const name = (item: string) => item.replace(/^type /, '').toLowerCase();
  return name(a).localeCompare(name(b));
}

/**
 * Imports in the order Biome's organizer keeps them: `node:` modules, packages, then relative
 * paths; the names several features import from one module go in one import of it.
 */
function sortImports(lines: readonly string[]): string[] {
  const named = new Map<string, Set<string>>();
  const other = new Set<string>();
  for (const line of lines) {
    const match = NAMED_IMPORT.exec(line);
    if (match === null) other.add(line);
    else {
      const [, names = '', from = ''] = match;
      const known = named.get(from) ?? new Set<string>();
      for (const name of names.split(', ')) known.add(name);
      named.set(from, known);
    }
  }
  const merged = [...named].map(([from, names]) => `import { ${[...names].sort(byName).join(', ')} } from '${from}';`);
  const rank = (line: string) => {
    const from = specifier(line);
    return from.startsWith('node:') ? 0 : from.startsWith('.') ? 2 : 1;
  };
  return [...merged, ...other].sort((a, b) => rank(a) - rank(b) || specifier(a).localeCompare(specifier(b)));
}

function pluginLines(features: readonly Feature[], appOptions: string): string[] {
  const plugins = features.flatMap((feature) => (feature.plugin === undefined ? [] : [feature.plugin]));
  if (plugins.length === 0) return [`const app = createApp(${appOptions});`];
  const lines = [`const app = createApp(${appOptions})`];
  for (const [index, plugin] of plugins.entries()) {
    const end = index === plugins.length - 1 ? ';' : '';
    lines.push(...plugin.comment.map((line) => `  ${line}`));
    const [first, ...rest] = plugin.use;
    if (rest.length === 0) lines.push(`  .use(${first})${end}`);
    else lines.push('  .use(', `    ${first}`, ...rest.map((line) => `    ${line}`), `  )${end}`);
  }
  return lines;
}

function mergedEnv(features: readonly Feature[]): EnvVariable[] {
  const byName = new Map<string, EnvVariable>();
  for (const variable of [...BASE_ENV, ...features.flatMap((feature) => feature.env)]) {
    const known = byName.get(variable.name);
    byName.set(variable.name, {
      ...(known ?? variable),
      requiredInProduction: known?.requiredInProduction ?? variable.requiredInProduction,
    });
  }
  return [...byName.values()];
}

function envSchema(variables: readonly EnvVariable[]): string[] {
  const rules = variables.filter((variable) => variable.requiredInProduction !== undefined);
  const fields = variables.map((variable) => `${variable.name}: ${variable.schema},`);
  if (rules.length === 0) return ['const Env = z.object({', ...fields.map((field) => `  ${field}`), '});'];
  const lines = [
    'const Env = z',
    '  .object({',
    '    NODE_ENV: z.string().optional(),',
    ...fields.map((field) => `    ${field}`),
    '  })',
    '  // Required in production only: development and tests run on embedded defaults without them.',
  ];
  for (const [index, rule] of rules.entries()) {
    lines.push(
      `  .refine((env) => env.NODE_ENV !== 'production' || env.${rule.name} !== undefined, {`,
      `    path: ['${rule.name}'],`,
      `    message: '${rule.requiredInProduction}',`,
      `  })${index === rules.length - 1 ? ';' : ''}`,
    );
  }
  return lines;
}

function entries(features: readonly Feature[], part: 'shared' | 'test'): [string, string][] {
  const merged = new Map<string, string>();
  for (const feature of features) for (const [key, value] of Object.entries(feature[part])) merged.set(key, value);
  return [...merged.entries()];
}

function paragraphs(blocks: readonly (readonly string[])[]): string[] {
  return blocks.filter((block) => block.length > 0).flatMap((block, index) => (index === 0 ? block : ['', ...block]));
}

/**
 * Everything that fills the api and fullstack templates for a set of features (batteries, the
 * page): the code at each marker of `src/app.ts`, `framework.config.ts`, the test, the Dockerfile,
 * `.env.example` and the README, and the tokens.
 */
export function appValues(name: string, features: readonly Feature[], pm: PackageManager): RenderValues {
  const commands = commandsOf(pm);
  const appOptions = features.find((feature) => feature.appOptions !== undefined)?.appOptions ?? '';
  const usesConfig =
    appOptions.includes('config.') || features.some((feature) => feature.plugin?.use.join('\n').includes('config.'));
  const variables = mergedEnv(features);
  const secrets = [...new Set(features.flatMap((feature) => feature.secrets))];
  const test = entries(features, 'test');
  const testImports = [...new Set(features.flatMap((feature) => feature.testImports))];
  const packages = features.flatMap((feature) => (feature.package === undefined ? [] : [feature.package]));
  const notes = features.find((feature) => feature.notes !== undefined)?.notes;
  const list = features.find((feature) => feature.list !== undefined)?.list;
  const examples = variables.filter((variable) => variable.example.length > 0);
  const tables = features.flatMap((feature) => (feature.table === undefined ? [] : [feature.table]));
  return {
    tokens: {
      name,
      kind: features.some((feature) => feature.layers.includes('fullstack'))
        ? 'A web app (an API and a page)'
        : 'An API',
      install: commands.install,
      exec: commands.exec,
      'run dev': commands.run('dev'),
      'run start': commands.run('start'),
      'run test': commands.run('test'),
      'run build': commands.run('build'),
      lockfile: commands.lockfile,
      installProduction: commands.installProduction,
      installAll: commands.installAll,
      runBuild: commands.run('build'),
      batteryList: packages.length === 0 ? '' : ` with ${packages.join(', ').replace(/, ([^,]*)$/, ' and $1')}`,
    },
    markers: {
      imports: sortImports([
        ...BASE_IMPORTS,
        ...(usesConfig ? [CONFIG_IMPORT] : []),
        ...features.flatMap((feature) => feature.imports),
      ]),
      app: pluginLines(features, appOptions),
      notes: notes === undefined ? undefined : [notes],
      setup: features.flatMap((feature) => feature.setup),
      tables: tables.flatMap((table) => table.code),
      schema:
        tables.length === 0
          ? undefined
          : [`export const schema = { ${['notes', ...tables.map((table) => table.name)].join(', ')} };`],
      list: list === undefined ? undefined : [list],
      created: features.flatMap((feature) => feature.created),
      routes: features.flatMap((feature) => feature.routes),
      'env-schema': envSchema(variables),
      secrets: secrets.length === 0 ? undefined : [`secrets: [${secrets.map((secret) => `'${secret}'`).join(', ')}],`],
      shared: entries(features, 'shared').map(([key, value]) => `${key}: ${value},`),
      test: test.length === 0 ? [] : [`test: { ${test.map(([key, value]) => `${key}: ${value}`).join(', ')} },`],
      'test-imports':
        testImports.length === 0
          ? undefined
          : [`import { afterEach, describe, expect, it, ${testImports.sort().join(', ')} } from 'vitest';`],
      'test-modules': features.flatMap((feature) => feature.testModules ?? []),
      tests: features.flatMap((feature) => feature.tests),
      env: examples.flatMap((variable) => ['', ...variable.example]),
      'docker-base': commands.dockerSetup,
      'docker-copy': features.flatMap((feature) => feature.dockerCopy),
      paths: features.flatMap((feature) => feature.readme.paths),
      settings: paragraphs(features.map((feature) => feature.readme.settings)),
    },
  };
}
