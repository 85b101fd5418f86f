import { authBattery } from './auth-battery.ts';
import type { Battery } from './battery.ts';
import { UsageError } from './failure.ts';

/** Internal: the batteries by the name `framework add <name>` takes. */
export const BATTERIES: { readonly [name: string]: Battery } = {
  db: {
    package: '@framework/db',
    factory: 'database',
    use: "database({ schema: {}, migrations: { directory: 'migrations', runOnStart: true } })",
    env: { DATABASE_URL: 'z.url().optional()' },
    example: [
      '# PostgreSQL; without it the app uses PGlite in .data/pglite.',
      '# DATABASE_URL=postgres://user:password@127.0.0.1:5432/app',
    ],
    directories: ['migrations'],
    next: 'Declare a table with framework generate:model <Name>, add it to database({ schema }), then framework generate:migration create_<table>.',
  },
  cache: {
    package: '@framework/cache',
    factory: 'cache',
    use: 'cache()',
    env: { REDIS_URL: 'z.url().optional()' },
    example: [
      '# Redis for the cache and the queues; without it they run in this process.',
      '# REDIS_URL=redis://127.0.0.1:6379',
    ],
    directories: [],
    next: 'Handlers now have ctx.cache (ctx.cache.wrap(key, load), invalidateTags); framework cache:clear empties it.',
  },
  queue: {
    package: '@framework/queue',
    factory: 'queue',
    use: 'queue({})',
    env: { REDIS_URL: 'z.url().optional()' },
    example: [
      '# Redis for the cache and the queues; without it they run in this process.',
      '# REDIS_URL=redis://127.0.0.1:6379',
    ],
    directories: [],
    next: 'Declare queues in queue({ emails: { jobs: { welcome: z.object({ to: z.string() }) } } }); framework queue:work runs the workers.',
  },
  auth: authBattery,
};

/** Internal: the battery `name` names, or a usage error listing them. */
export function battery(name: string): Battery {
  const found = Object.hasOwn(BATTERIES, name) ? BATTERIES[name] : undefined;
  if (found === undefined) {
    throw new UsageError(`unknown battery "${name}": use one of ${Object.keys(BATTERIES).join(', ')}.`);
  }
  return found;
}
