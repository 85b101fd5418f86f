import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { booleanFlag, type Command } from '../command.ts';
import { ModuleSource } from '../internal/app-source.ts';
import { openBatteryEdit } from '../internal/battery-edit.ts';
import { type WiredIn, wireIn } from '../internal/battery-wiring.ts';
import { CliFailure } from '../internal/failure.ts';
import { changeDependency, editDependency } from '../internal/package-manager.ts';
import { writeNewFiles } from '../internal/write-files.ts';

/** `framework add <battery>`: installs a battery and wires it into the app. */
export const add: Command = {
  name: 'add',
  summary: 'Add a battery (db, cache, queue, auth): install it, register it in src/app.ts, declare its env',
  usage: 'add <battery> [--no-install]',
  details: [
    "Installs the package with the app's package manager (npm, pnpm or yarn, from its lockfile), appends",
    '.use(<plugin>()) to the createApp() chain of the app module (an AST edit: the rest of the file keeps',
    'its formatting), adds its variables to the env schema of framework.config.ts and to .env.example, and',
    'creates the folders it needs. auth also gets its accounts (src/users.ts, in memory), sign-up, login,',
    'logout, /me and an admin-only route, and config.auth (SESSION_SECRET, JWT_SECRET).',
    'framework remove <battery> takes it out again.',
  ],
  flags: { 'no-install': { type: 'boolean', description: 'Write package.json only; install later' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const { io } = context;
    const edit = await openBatteryEdit(context, 'add');
    const { name, chosen, project, appFile, app } = edit;
    // Every edit is computed before anything is written or installed.
    if (app.importedAs(chosen.package, chosen.factory) !== undefined) {
      throw new CliFailure(
        `${name} is already in the app: ${appFile} imports ${chosen.factory} from ${chosen.package}.`,
      );
    }
    const configPath = join(project.root, 'framework.config.ts');
    const config = existsSync(configPath) ? new ModuleSource(await readFile(configPath, 'utf8')) : undefined;
    const facts = {
      cache: app.importedAs('@framework/cache', 'cache') !== undefined,
      redisConfig: config !== undefined && /\bredis: \{ url: /.test(config.code()),
    };
    const written = typeof chosen.use === 'string' ? chosen.use : chosen.use(facts);
    app.addImport(chosen.package, chosen.factory);
    // Before the use is appended: the wiring looks for the statement holding createApp().
    const wired: WiredIn | undefined =
      chosen.wiring === undefined ? undefined : wireIn(edit, chosen.wiring, written, config);
    const use = wired?.use ?? written;
    const shown = use.includes('\n') ? `${chosen.factory}(...)` : use;
    if (!app.appendUse(use)) {
      throw new CliFailure(
        `no createApp() call in ${appFile}: add import { ${chosen.factory} } from '${chosen.package}' and app.use(${shown}) by hand.`,
      );
    }
    const envNames = Object.keys(chosen.env);
    const envEdited =
      config !== undefined && Object.entries(chosen.env).every(([variable, schema]) => config.setEnv(variable, schema));

    if (booleanFlag(context, 'no-install')) await editDependency(project.root, 'add', chosen.package, 'latest');
    else await changeDependency(project.root, 'add', chosen.package, io);

    await writeFile(project.app, app.code());
    if (wired !== undefined) await writeNewFiles(project.root, wired.files);
    io.out(`framework add: registered ${shown} in ${appFile}`);
    for (const file of wired?.files ?? []) io.out(`framework add: wrote ${file.path}`);
    for (const note of wired?.notes ?? []) io.out(note);
    if (config?.changed()) {
      await writeFile(configPath, config.code());
      if (envEdited && envNames.length > 0) {
        io.out(`framework add: ${envNames.join(', ')} added to the env schema in framework.config.ts`);
      }
    }
    if (envNames.length > 0) {
      if (config === undefined || !envEdited) {
        io.out(
          `framework add: add ${envNames.map((variable) => `${variable}: ${chosen.env[variable]}`).join(', ')} to your env schema`,
        );
      }
      const example = join(project.root, '.env.example');
      if (existsSync(example)) {
        const text = await readFile(example, 'utf8');
        const missing = chosen.example.filter((line) => !text.includes(line));
        if (missing.length > 0) await appendFile(example, `${text.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
      }
    }
    for (const directory of chosen.directories) await mkdir(join(project.root, directory), { recursive: true });
    io.out(chosen.next);
    return 0;
  },
};
