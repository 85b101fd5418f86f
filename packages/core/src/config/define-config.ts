import { FrameworkError } from '../errors.ts';
import type { StandardSchemaV1 } from '../standard-schema.ts';
import type { Config, ConfigDefinition, EnvOf } from './config-types.ts';
import { checkEnv, type EnvProblem, envProblems } from './env-check.ts';
import { loadEnvFiles } from './env-files.ts';
import { isSecretName, redactWhenPrinted, rememberSecret } from './redact.ts';

const SECTIONS = ['development', 'production', 'test'] as const;
const KNOWN_KEYS = new Set(['env', 'secrets', 'shared', ...SECTIONS]);

/**
 * Declares the app's configuration, once, in `framework.config.ts`. When it runs it:
 * 1. reads `.env`, `.env.local`, `.env.<NODE_ENV>` and `.env.<NODE_ENV>.local` from the current
 *    directory, a later file overriding an earlier one, and sets the variables the process does
 *    not already have (what the process was started with always wins; `NODE_ENV` is never read
 *    from a file);
 * 2. validates the variables with the `env` schema (zod or any Standard Schema);
 * 3. builds `shared` and the section named by `NODE_ENV` (`development` when unset), calling each
 *    that is a function with the validated env, and deep-merges the section over `shared` (plain
 *    objects merge key by key; arrays and other values replace);
 * 4. returns the result frozen, and typed from what was given.
 *
 * Problems are reported all at once: one `FrameworkError` with code `FW_ERR_CONFIG` lists every
 * missing or invalid variable with the file (or the environment) it came from and what to write,
 * never a value. A `NODE_ENV` other than `development`, `production` or `test` is one of those problems.
 *
 * Secrets are never printed: the config redacts itself in `JSON.stringify`, `console.log` and
 * `util.inspect` (values under keys that look secret, the variables named in `secrets` or whose
 * name looks secret, URL passwords), and `redact()` does the same for anything else.
 *
 * @example
 * ```ts
 * // framework.config.ts
 * import { defineConfig } from '@framework/core';
 * import { z } from 'zod';
 *
 * export default defineConfig({
 *   env: z.object({
 *     PORT: z.coerce.number().default(3000),
 *     HOST: z.string().default('127.0.0.1'),
 *     DATABASE_URL: z.string().url().optional(),
 *     SESSION_SECRET: z.string().min(32),
 *   }),
 *   secrets: ['SESSION_SECRET'],
 *   shared: (env) => ({ server: { port: env.PORT, host: env.HOST }, database: { url: env.DATABASE_URL } }),
 *   development: { logging: { level: 'debug' } },
 *   production: () => ({ server: { host: '0.0.0.0' }, logging: { level: 'info' } }),
 *   test: { database: { url: undefined } },
 * });
 *
 * // src/main.ts
 * import config from '../framework.config.ts';
 * await buildApp().start({ port: config.server.port, host: config.server.host });
 * ```
 */
export function defineConfig<
  S extends StandardSchemaV1 | undefined = undefined,
  Shared extends object = {},
  Development extends object = {},
  Production extends object = {},
  Test extends object = {},
>(
  definition: ConfigDefinition<S, Shared, Development, Production, Test>,
): Config<Shared, Development, Production, Test>;
export function defineConfig(definition: ConfigDefinition<unknown, object, object, object, object>): unknown {
  checkDefinition(definition);
  const nodeEnv =
    process.env.NODE_ENV === undefined || process.env.NODE_ENV === '' ? 'development' : process.env.NODE_ENV;
  const loaded = loadEnvFiles(process.cwd(), nodeEnv, process.env);
  const problems: EnvProblem[] = [];
  if (!(SECTIONS as readonly string[]).includes(nodeEnv)) {
    problems.push({
      name: 'NODE_ENV',
      source: 'the environment',
      problem: 'is not development, production or test',
      fix: 'set NODE_ENV=production (or development, or test); name deployment stages with a variable of your own, e.g. APP_STAGE=staging',
    });
  }
  // Declared secrets, and the schema's variables whose names look secret (not every variable of
  // the machine: a GPG_KEY=1 there would hide every "1").
  const secretNames = new Set<string>(definition.secrets ?? []);
  if (definition.env !== undefined) {
    for (const name of schemaKeys(definition.env)) if (isSecretName(name)) secretNames.add(name);
  }
  for (const name of secretNames) rememberSecret(loaded.values[name]);

  let env: unknown = loaded.values;
  if (definition.env !== undefined) {
    const checked = checkEnv(definition.env, loaded);
    problems.push(...checked.problems);
    env = checked.value;
  }
  if (problems.length > 0) throw configError(problems);
  if (definition.env !== undefined && typeof env === 'object' && env !== null) {
    for (const [name, value] of Object.entries(env))
      if (secretNames.has(name) || isSecretName(name)) rememberSecret(value);
  }

  const frozenEnv = Object.freeze({ ...(env as object) });
  const shared = build(definition.shared, frozenEnv, 'shared');
  const section = build(definition[nodeEnv as (typeof SECTIONS)[number]], frozenEnv, nodeEnv);
  const config = deepMerge(shared, section);
  redactWhenPrinted(config);
  return deepFreeze(config);
}

/** The variable names an object schema declares (zod's `shape`, valibot's `entries`), where it says. */
function schemaKeys(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const { shape, entries } = schema as { shape?: unknown; entries?: unknown };
  const keys =
    typeof shape === 'object' && shape !== null
      ? shape
      : typeof entries === 'object' && entries !== null
        ? entries
        : {};
  return Object.keys(keys);
}

function checkDefinition(definition: unknown): void {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new FrameworkError(
      'FW_ERR_CONFIG',
      'defineConfig() takes an object: defineConfig({ env, shared, production }).',
    );
  }
  for (const key of Object.keys(definition)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new FrameworkError(
        'FW_ERR_CONFIG',
        `defineConfig() has no key "${key}". Known keys: ${[...KNOWN_KEYS].join(', ')}; put settings for every environment under shared.`,
      );
    }
  }
}

function build(section: unknown, env: EnvOf<unknown>, name: string): Record<string, unknown> {
  const value: unknown = typeof section === 'function' ? section(env) : section;
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new FrameworkError(
      'FW_ERR_CONFIG',
      `defineConfig(): the ${name} section must be an object (or a function of the env returning one).`,
    );
  }
  return value;
}

function configError(problems: readonly EnvProblem[]): FrameworkError {
  const lines = envProblems(problems);
  return new FrameworkError(
    'FW_ERR_CONFIG',
    `The configuration cannot load: ${problems.length === 1 ? 'one variable needs' : `${problems.length} variables need`} fixing.\n${lines}`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // A __proto__ key would replace the merged object's prototype instead of adding a setting.
  for (const [key, value] of Object.entries(base))
    if (key !== '__proto__') out[key] = isPlainObject(value) ? deepMerge(value, {}) : value;
  for (const [key, value] of Object.entries(over)) {
    if (key === '__proto__') continue;
    const current = out[key];
    out[key] = isPlainObject(value) ? deepMerge(isPlainObject(current) ? current : {}, value) : value;
  }
  return out;
}

/** Freezes plain objects and arrays all the way down; other objects (a logger, a date) are the app's own. */
function deepFreeze<T>(value: T): T {
  if ((isPlainObject(value) || Array.isArray(value)) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
