import type { Command } from '../command.ts';
import { add } from './add.ts';
import { build } from './build.ts';
import { cacheClear } from './cache-clear.ts';
import { dev } from './dev.ts';
import { generateMigration } from './generate-migration.ts';
import { generateModel } from './generate-model.ts';
import { generateRoute } from './generate-route.ts';
import { health } from './health.ts';
import { remove } from './remove.ts';
import { routes } from './routes.ts';
import { start } from './start.ts';
import { test } from './test.ts';
import { testLoad } from './test-load.ts';

/** Internal: the built-in commands, in the order `framework --help` lists them. */
export const BUILT_IN: readonly Command[] = [
  dev,
  build,
  start,
  test,
  testLoad,
  routes,
  health,
  generateRoute,
  generateModel,
  generateMigration,
  cacheClear,
  add,
  remove,
];

/** Internal: a built-in command by name. */
export const BUILT_IN_BY_NAME: ReadonlyMap<string, Command> = new Map(
  BUILT_IN.map((command) => [command.name, command]),
);
