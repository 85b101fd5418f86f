import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { booleanFlag, type Command } from '../command.ts';
import { ModuleSource } from '../internal/app-source.ts';
import { BATTERIES } from '../internal/batteries.ts';
import { openBatteryEdit } from '../internal/battery-edit.ts';
import { wireOut } from '../internal/battery-wiring.ts';
import { CliFailure } from '../internal/failure.ts';
import { changeDependency, editDependency } from '../internal/package-manager.ts';
import { shown } from '../project.ts';

/** What a battery adds to the context and the app, to find the code that still uses it. */
const USES: { readonly [name: string]: RegExp } = {
  db: /\b(ctx|app)\.db\b/,
  cache: /\b(ctx|app)\.cache\b/,
  queue: /\b(ctx|app)\.queues\b/,
  auth: /\bctx\.(user|login|logout|can)\b|\b(ctx|app)\.auth\b/,
};

/** `framework remove <battery>`: takes a battery out of the app. */
export const remove: Command = {
  name: 'remove',
  summary: 'Remove a battery: unregister it from src/app.ts, drop its env entries, uninstall it',
  usage: 'remove <battery> [--no-install]',
  details: [
    'Takes .use(<plugin>(...)) and the import out of the app module (an AST edit), removes the variables',
    'only it reads from the env schema of framework.config.ts, and uninstalls the package. Code that',
    'still uses what it provided (ctx.cache, ctx.db, ...) is listed, file and line, to change by hand.',
    'auth also loses the routes and the accounts module framework add auth wrote (the module stays if you',
    'changed it) and config.auth.',
  ],
  flags: { 'no-install': { type: 'boolean', description: 'Edit package.json only; do not run the package manager' } },
  positionals: { min: 1, max: 1 },
  async run(context) {
    const { io } = context;
    const edit = await openBatteryEdit(context, 'remove');
    const { name, chosen, project, appFile, app } = edit;
    const local = app.importedAs(chosen.package, chosen.factory);
    if (local === undefined)
      throw new CliFailure(`${name} is not in the app: ${appFile} does not import it from ${chosen.package}.`);
    app.removeUse(local);
    app.removeImport(local);

    const configPath = join(project.root, 'framework.config.ts');
    const config = existsSync(configPath) ? new ModuleSource(await readFile(configPath, 'utf8')) : undefined;
    // A variable another battery still in the app reads stays (REDIS_URL serves cache and queue).
    const stillNeeded = new Set(
      Object.entries(BATTERIES)
        .filter(([other, item]) => other !== name && app.importedAs(item.package, item.factory) !== undefined)
        .flatMap(([, item]) => Object.keys(item.env)),
    );
    const wired = chosen.wiring === undefined ? undefined : await wireOut(edit, chosen.wiring, config);
    const configText = config === undefined ? '' : config.code();
    // A variable the config itself still reads (env.REDIS_URL in a section) stays, or it would not compile.
    const readByConfig = Object.keys(chosen.env).filter((variable) =>
      new RegExp(`\\benv\\.${variable}\\b`).test(configText),
    );
    const envNames = Object.keys(chosen.env).filter(
      (variable) => !stillNeeded.has(variable) && !readByConfig.includes(variable),
    );
    const envEdited = config !== undefined && envNames.every((variable) => config.setEnv(variable, undefined));

    if (booleanFlag(context, 'no-install')) await editDependency(project.root, 'remove', chosen.package, '');
    else await changeDependency(project.root, 'remove', chosen.package, io);

    const code = app.code();
    await writeFile(project.app, code);
    io.out(`framework remove: ${chosen.factory}() taken out of ${appFile}`);
    for (const path of wired?.stale ?? []) {
      await rm(path);
      io.out(`framework remove: deleted ${shown(project, path)}`);
    }
    for (const note of wired?.notes ?? []) io.out(note);
    if (config !== undefined && envEdited && config.changed()) {
      await writeFile(configPath, config.code());
      const shared = chosen.wiring?.shared?.key;
      if (shared !== undefined) io.out(`framework remove: config.${shared} taken out of framework.config.ts`);
      if (envNames.length > 0) {
        io.out(`framework remove: ${envNames.join(', ')} removed from the env schema in framework.config.ts`);
      }
    }
    for (const variable of readByConfig.filter((item) => !stillNeeded.has(item))) {
      io.out(
        `framework remove: ${variable} stays in framework.config.ts, which still reads env.${variable}; remove both if nothing needs it.`,
      );
    }
    const pattern = USES[name];
    const uses =
      pattern === undefined
        ? []
        : code
            .split('\n')
            .flatMap((line, index) => (pattern.test(line) ? [`${appFile}:${index + 1}: ${line.trim()}`] : []));
    if (uses.length > 0) {
      io.err(`framework remove: code still uses what ${name} provided; change it before the next build:`);
      for (const use of uses) io.err(`  ${use}`);
      return 1;
    }
    return 0;
  },
};
