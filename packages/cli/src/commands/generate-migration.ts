import type { Command } from '../command.ts';
import { CliFailure } from '../internal/failure.ts';
import { nameWords, snake } from '../internal/names.ts';
import { withApp } from '../load-app.ts';
import { requireProject } from '../project.ts';

/** `framework generate:migration <name>`: an empty migration in the database plugin's directory. */
export const generateMigration: Command = {
  name: 'generate:migration',
  summary: 'Write an empty timestamped migration (needs @framework/db)',
  usage: 'generate:migration <name> [--sql]',
  details: [
    'Loads the app and asks its database plugin to create the migration (the same as migrate:create), in',
    'the migrations directory the plugin is configured with. --sql writes an up/down SQL pair instead of a',
    'TypeScript module.',
  ],
  flags: { sql: { type: 'boolean', description: 'Write <name>.up.sql and <name>.down.sql instead of a .ts module' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const project = await requireProject(context.cwd);
    const name = snake(nameWords(context.positionals[0] ?? '', 'add_users_table'));
    return withApp(project, context.io, async (app) => {
      const create = app.commands().get('migrate:create');
      if (create === undefined) {
        throw new CliFailure(
          "The app has no migrations: register @framework/db's database() plugin with a migrations directory first.",
        );
      }
      const args = [name, ...(context.values.sql === true ? ['--sql'] : [])];
      return create.run(args, { stdout: context.io.out, stderr: context.io.err });
    });
  },
};
