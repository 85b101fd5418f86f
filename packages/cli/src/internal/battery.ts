import type { GeneratedFile } from './write-files.ts';

/** Internal: what a battery's registration may depend on in the app it is added to. */
export interface AppFacts {
  /** The app registers @framework/cache (so `app.redis` with REDIS_URL). */
  readonly cache: boolean;
  /** framework.config.ts has `redis: { url }` (as create-framework writes it), which the cache is given. */
  readonly redisConfig: boolean;
}

/** Internal: names a battery's code imports, from a module (`from`) or a file of the app relative to its root (`file`). */
export type WiredImport =
  | { readonly from: string; readonly names: readonly string[] }
  | { readonly file: string; readonly names: readonly string[] };

/** Internal: what a battery wires in besides its plugin (auth: its users, routes and config entry). */
export interface BatteryWiring {
  /** Named imports for the app module (`type User` for a type): from a package, or from a file of the app. */
  readonly imports: readonly WiredImport[];
  /** Statements added before the app is returned; they name the app `app` and the config `config`. */
  readonly statements: string;
  /** The paths of the routes the statements add, and the names they declare: what `remove` takes out. */
  readonly routes: readonly string[];
  readonly declares: readonly string[];
  /** An entry of `shared` in framework.config.ts (`config.<key>`), reading the environment as `env`. */
  readonly shared?: { readonly key: string; readonly code: string };
  /** Files written when missing; `remove` deletes them while they are as written. */
  readonly files: readonly GeneratedFile[];
}

/** Internal: a first-party package that `framework add` wires into an app and `framework remove` takes out. */
export interface Battery {
  /** The npm package. */
  readonly package: string;
  /** The plugin factory it exports, imported under this name. */
  readonly factory: string;
  /** The registration added to the app's `createApp()` chain. */
  readonly use: string | ((app: AppFacts) => string);
  /** Environment variables it reads, with the schema added to `framework.config.ts`. */
  readonly env: { readonly [name: string]: string };
  /** Lines for `.env.example`. */
  readonly example: readonly string[];
  /** Directories it needs in the app. */
  readonly directories: readonly string[];
  /** What to do next, printed after adding it. */
  readonly next: string;
  readonly wiring?: BatteryWiring;
}
