import type { StandardSchemaV1 } from '../standard-schema.ts';

/**
 * The environment a section function receives: the env schema's output, or the raw variables
 * (`string | undefined` each) without one.
 *
 * @example
 * ```ts
 * const Env = z.object({ PORT: z.coerce.number().default(3000) });
 * type AppEnv = EnvOf<typeof Env>; // { PORT: number }
 * type RawEnv = EnvOf<undefined>;  // Readonly<Record<string, string | undefined>>
 * ```
 */
export type EnvOf<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : Readonly<Record<string, string | undefined>>;

/**
 * One section of a config: an object, or a function of the validated environment returning one.
 *
 * @example
 * ```ts
 * const production: ConfigSection<{ PORT: number }, { server: { port: number } }> = (env) => ({ server: { port: env.PORT } });
 * const test: ConfigSection<{ PORT: number }, { server: { port: number } }> = { server: { port: 0 } };
 * ```
 */
export type ConfigSection<E, T> = T | ((env: E) => T);

/**
 * What `defineConfig()` takes: an optional env schema, the secret variable names, the `shared`
 * section and one section per `NODE_ENV`, each an object or a function of the validated env.
 *
 * @example
 * ```ts
 * const definition: ConfigDefinition<typeof Env, { server: { port: number } }, {}, {}, {}> = {
 *   env: Env,
 *   shared: (env) => ({ server: { port: env.PORT } }),
 * };
 * ```
 */
export interface ConfigDefinition<S, Shared, Development, Production, Test> {
  /**
   * A schema (zod, valibot, ArkType: any Standard Schema) for the environment variables, validated
   * once when `defineConfig()` runs; its output is what the section functions receive.
   */
  env?: S;
  /** Variables whose values are never printed: not in errors, logs, `JSON.stringify(config)` or `redact()` output. */
  secrets?: readonly (keyof EnvOf<S> & string)[];
  /** Settings for every environment; the `NODE_ENV` section is deep-merged over it. */
  shared?: ConfigSection<EnvOf<S>, Shared>;
  /** Settings when `NODE_ENV` is `development` (or not set). */
  development?: ConfigSection<EnvOf<S>, Development>;
  /** Settings when `NODE_ENV` is `production`. */
  production?: ConfigSection<EnvOf<S>, Production>;
  /** Settings when `NODE_ENV` is `test`. */
  test?: ConfigSection<EnvOf<S>, Test>;
}

declare const missing: unique symbol;
declare const inherit: unique symbol;
/** A layer that does not have a key. */
type Missing = typeof missing;
/**
 * A section that does not have the parent object at all: for this key it takes what `shared` has,
 * so it does not make the key possibly undefined.
 */
type Inherit = typeof inherit;
type KeysOf<T> = T extends object ? keyof T : never;
type At<T, K extends PropertyKey> = [T] extends [Inherit]
  ? Inherit
  : T extends object
    ? K extends keyof T
      ? T[K]
      : Missing
    : Missing;
/** Values replaced as a whole by a section rather than merged key by key. */
type Leaf =
  | string
  | number
  | boolean
  | bigint
  | symbol
  | null
  | undefined
  | readonly unknown[]
  | Date
  | RegExp
  | ((...args: never[]) => unknown);

type Slot<S, D, P, T> = MergeValue<Exclude<S | D | P | T, Missing | Inherit>, S, D, P, T> | Absent<S, D, P, T>;
/** `undefined` when some NODE_ENV leaves the key out: it is in neither `shared` nor every section. */
type Absent<S, D, P, T> = [S] extends [Missing] ? (Missing extends D | P | T ? undefined : never) : never;
type SharedLayer<S> = [S] extends [Missing] ? Missing : Extract<S, object>;
type SectionLayer<X> = [X] extends [Missing | Inherit] ? Inherit : Extract<X, object>;
type MergeValue<V, S, D, P, T> = [V] extends [never]
  ? never
  : [V] extends [Leaf]
    ? V
    : [V] extends [object]
      ? Merge<SharedLayer<S>, SectionLayer<D>, SectionLayer<P>, SectionLayer<T>>
      : V;

/** The keys of `shared` and of each section, values deep-merged: what `defineConfig` returns. */
type Merge<S, D, P, T> = {
  readonly [K in KeysOf<S> | KeysOf<D> | KeysOf<P> | KeysOf<T>]: Slot<At<S, K>, At<D, K>, At<P, K>, At<T, K>>;
};

/**
 * The config `defineConfig()` returns: every key of `shared` and of the sections, deep-merged and
 * read-only. A key only some sections set is `undefined` in the others.
 *
 * @example
 * ```ts
 * type AppConfig = Config<{ server: { port: number } }, { logging: { level: string } }, {}, {}>;
 * // { readonly server: { readonly port: number }; readonly logging: { readonly level: string } | undefined }
 * ```
 */
export type Config<Shared, Development, Production, Test> = Merge<Shared, Development, Production, Test>;
