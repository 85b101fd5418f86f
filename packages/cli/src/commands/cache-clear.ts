import type { Command } from '../command.ts';
import { CliFailure } from '../internal/failure.ts';
import { withApp } from '../load-app.ts';
import { requireProject } from '../project.ts';

/** `framework cache:clear`: empties the cache the app's cache plugin owns. */
export const cacheClear: Command = {
  name: 'cache:clear',
  summary: "Empty the app's cache (every key under its prefix, in memory and in Redis)",
  usage: 'cache:clear',
  details: [
    'Loads the app (no server) and calls app.cache.clear(). With Redis (REDIS_URL), the keys of every',
    'instance go; the in-process memory tier of running instances empties as its entries expire.',
  ],
  flags: {},
  positionals: { min: 0, max: 0 },
  async run(context) {
    const project = await requireProject(context.cwd);
    await withApp(project, context.io, async (app) => {
      const cache: unknown = Reflect.get(app, 'cache');
      const clear: unknown = typeof cache === 'object' && cache !== null ? Reflect.get(cache, 'clear') : undefined;
      if (typeof clear !== 'function') {
        throw new CliFailure(
          'The app has no cache: register the cache plugin (app.use(cache())) from @framework/cache.',
        );
      }
      await Reflect.apply(clear, cache, []);
    });
    context.io.out('framework cache:clear: the cache is empty.');
    return 0;
  },
};
