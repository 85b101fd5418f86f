import type { Feature } from './types.ts';

/**
 * @framework/db: the notes move to a `notes` table (PostgreSQL at DATABASE_URL, PGlite without
 * one), created by the first migration, which runs at start.
 */
export const db: Feature = {
  package: '@framework/db',
  layers: ['db'],
  imports: ["import { database } from '@framework/db';", "import { schema } from './schema.ts';"],
  plugin: {
    comment: [
      '// PostgreSQL at DATABASE_URL; without it (and always under tests) PGlite: in .data/pglite, in',
      '// memory under tests. Pending migrations in migrations/ run at start.',
    ],
    use: [
      'database({',
      '  schema,',
      '  url: config.database.url,',
      "  driver: config.database.url ? 'postgres' : 'pglite',",
      '  migrations: { runOnStart: true },',
      '}),',
    ],
  },
  notes: 'const notes = createNotes(app.db);',
  setup: [],
  created: [],
  routes: [],
  env: [
    {
      name: 'DATABASE_URL',
      schema: 'z.url().optional()',
      example: [
        '# PostgreSQL; without it the app uses PGlite in .data/pglite (required in production).',
        '# DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/{{name}}',
      ],
      requiredInProduction: 'Required in production: set DATABASE_URL=postgres://user:password@host:5432/name',
    },
  ],
  secrets: [],
  shared: { database: '{ url: env.DATABASE_URL }' },
  test: { database: '{ url: undefined }' },
  testImports: [],
  tests: [],
  dockerCopy: ['COPY --chown=framework:nodejs migrations ./migrations'],
  readme: {
    paths: ['| `src/schema.ts`, `migrations/` | the tables (@framework/db), and the migrations that create them |'],
    settings: [
      '**Database** (@framework/db): `DATABASE_URL` points at PostgreSQL. Without it, development runs',
      'on PGlite (PostgreSQL in WebAssembly) in `.data/pglite` and tests on an in-memory PGlite, so you',
      'need no server to start; production requires it. The migrations in `migrations/` run when the',
      'app starts; `{{exec}} framework migrate:create <name>` adds one, `{{exec}} framework db:migrate` runs',
      'them by hand.',
    ],
  },
};
