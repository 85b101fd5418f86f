import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { CommandContext } from '../command.ts';
import { type Project, requireProject, shown } from '../project.ts';
import { ModuleSource } from './app-source.ts';
import { battery } from './batteries.ts';
import type { Battery } from './battery.ts';
import { CliFailure } from './failure.ts';

/** What `framework add` and `framework remove` start from: the battery, the project and its app module. */
export interface BatteryEdit {
  readonly name: string;
  readonly chosen: Battery;
  readonly project: Project;
  /** The app module's path as shown to the user. */
  readonly appFile: string;
  readonly app: ModuleSource;
}

/**
 * Internal: resolves the battery named on the command line and reads the app module it edits;
 * throws a `CliFailure` naming the command when the module is missing.
 */
export async function openBatteryEdit(context: CommandContext, command: 'add' | 'remove'): Promise<BatteryEdit> {
  const name = context.positionals[0] ?? '';
  const chosen = battery(name);
  const project = await requireProject(context.cwd);
  const appFile = shown(project, project.app);
  if (!existsSync(project.app))
    throw new CliFailure(`${appFile} not found: framework ${command} edits the app module.`);
  const app = new ModuleSource(await readFile(project.app, 'utf8'));
  return { name, chosen, project, appFile, app };
}
