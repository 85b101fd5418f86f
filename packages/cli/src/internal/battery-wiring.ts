import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Project } from '../project.ts';
import { addImportStatement, type ModuleSource } from './app-source.ts';
import {
  addNamedImports,
  appVariable,
  insertStatements,
  isReferenced,
  removeStatements,
  setShared,
} from './app-wiring.ts';
import type { BatteryWiring, WiredImport } from './battery.ts';
import type { BatteryEdit } from './battery-edit.ts';
import { CliFailure } from './failure.ts';
import type { GeneratedFile } from './write-files.ts';

const CONFIG_FILE = 'framework.config.ts';

/** How the app module imports `file` (a path from the app's root). */
function specifierOf(project: Project, file: string): string {
  const path = relative(dirname(project.app), join(project.root, file)).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

function moduleOf(project: Project, item: WiredImport): string {
  return 'file' in item ? specifierOf(project, item.file) : item.from;
}

/** What `framework add` writes besides the app module and the env schema. */
export interface WiredIn {
  /** The registration, with the app's own names for the app and its config. */
  readonly use: string;
  /** Files to write (the ones missing). */
  readonly files: readonly GeneratedFile[];
  /** Lines to print. */
  readonly notes: readonly string[];
}

/**
 * Internal: wires a battery's routes, imports and config entry into the app module and the config
 * (in memory: nothing is written). Throws a `CliFailure` when the app module has no
 * `const <app> = createApp()` to add routes to.
 */
export function wireIn(
  edit: BatteryEdit,
  wiring: BatteryWiring,
  use: string,
  config: ModuleSource | undefined,
): WiredIn {
  const { app, appFile, name, project } = edit;
  const root = app.ast();
  const appName = appVariable(root);
  if (appName === undefined) {
    throw new CliFailure(
      `no "const app = createApp()..." in ${appFile}: framework add ${name} adds its routes after it. Assign the app to a variable, then run it again.`,
    );
  }
  let configName = app.defaultImportOf(CONFIG_FILE);
  if (configName === undefined) {
    configName = 'config';
    addImportStatement(root, `import config from '${specifierOf(project, CONFIG_FILE)}';`);
  }
  const named = (code: string) =>
    code.replaceAll(/\bapp\./g, `${appName}.`).replaceAll(/\bconfig\./g, `${configName}.`);
  for (const item of wiring.imports) addNamedImports(root, moduleOf(project, item), item.names);
  insertStatements(root, named(wiring.statements));
  const notes: string[] = [];
  if (
    wiring.shared !== undefined &&
    (config === undefined || !setShared(config.ast(), wiring.shared.key, wiring.shared.code))
  ) {
    notes.push(
      `framework add: add ${wiring.shared.key}: ${wiring.shared.code} to the shared section of ${CONFIG_FILE} (the app reads config.${wiring.shared.key})`,
    );
  }
  const files = wiring.files.filter((file) => !existsSync(join(project.root, file.path)));
  for (const file of wiring.files.filter((item) => !files.includes(item))) {
    notes.push(
      `framework add: ${file.path} exists, so it was kept; the code added imports ${file.path.replace(/^.*\//, '')}'s exports as framework add writes them`,
    );
  }
  return { use: named(use), files, notes };
}

/**
 * Internal: takes a battery's routes, declarations, imports (those nothing else uses) and config
 * entry out (in memory). Resolves to lines to print and the files to delete: those it wrote, while
 * they are as it wrote them.
 */
export async function wireOut(
  edit: BatteryEdit,
  wiring: BatteryWiring,
  config: ModuleSource | undefined,
): Promise<{ notes: string[]; stale: string[] }> {
  const { app, project } = edit;
  const root = app.ast();
  const notes: string[] = [];
  const removed = removeStatements(root, wiring.routes, wiring.declares);
  if (removed > 0)
    notes.push(`framework remove: ${removed} statements it added (routes ${wiring.routes.join(', ')}) taken out`);
  for (const item of wiring.imports) {
    for (const name of item.names.map((entry) => entry.replace(/^type /, ''))) {
      if (!isReferenced(root, name)) app.removeImport(name);
    }
  }
  if (wiring.shared !== undefined && config !== undefined) setShared(config.ast(), wiring.shared.key, undefined);
  const stale: string[] = [];
  for (const file of wiring.files) {
    const path = join(project.root, file.path);
    if (!existsSync(path)) continue;
    if ((await readFile(path, 'utf8')) === file.text) stale.push(path);
    else notes.push(`framework remove: ${file.path} was changed, so it stays; delete it when nothing needs it`);
  }
  return { notes, stale };
}
