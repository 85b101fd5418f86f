import type { FrameworkPackage } from '../versions.ts';

/** An environment variable a feature adds to `framework.config.ts` and `.env.example`. */
export interface EnvVariable {
  name: string;
  /** The zod schema, as code: `z.url().optional()`. */
  schema: string;
  /** Lines for `.env.example` (commented out when the variable is optional). */
  example: readonly string[];
  /** When set, the variable must be set in production; the message says what to write. */
  requiredInProduction?: string;
}

/**
 * What a battery (or the fullstack page) adds to a generated app. Each part lands at a marker of
 * the api template; the code is kept here, in one place per feature, so that adding or removing a
 * battery is one file.
 */
export interface Feature {
  /** The package users install, when the feature is one. */
  package?: FrameworkPackage;
  /** Template folders copied over the base template, in order (later files win). */
  layers: readonly string[];
  /** Import lines for `src/app.ts`. */
  imports: readonly string[];
  /** `createApp()` options, as code. */
  appOptions?: string;
  /** A comment and the `.use(...)` argument (its lines) for `src/app.ts`, in registration order. */
  plugin?: { comment: readonly string[]; use: readonly string[] };
  /** Replaces `createNotes()` when the notes live elsewhere. */
  notes?: string;
  /** Replaces the `GET /notes` handler. */
  list?: string;
  /** A table the feature adds to `src/schema.ts` (with the db battery): its name in `schema`, and its code. */
  table?: { name: string; code: readonly string[] };
  /** Lines in `buildApp()` after the plugins are registered. */
  setup: readonly string[];
  /** Lines in `POST /notes` after the note is stored. */
  created: readonly string[];
  /** Routes added after the notes'. */
  routes: readonly string[];
  env: readonly EnvVariable[];
  /** Variables never printed. */
  secrets: readonly string[];
  /** Entries of `shared` in `framework.config.ts` (one per section). */
  shared: Readonly<Record<string, string>>;
  /** Entries of the `test` section. */
  test: Readonly<Record<string, string>>;
  /** Names `test/app.test.ts` imports from vitest besides the usual ones. */
  testImports: readonly string[];
  /** Import lines for `test/app.test.ts` besides vitest's and the app's. */
  testModules?: readonly string[];
  /** Test cases for `test/app.test.ts`. */
  tests: readonly string[];
  /** Dockerfile lines copying what the built app reads at run time. */
  dockerCopy: readonly string[];
  /** Rows for the README's table of paths, and paragraphs for its settings. */
  readme: { paths: readonly string[]; settings: readonly string[] };
}
