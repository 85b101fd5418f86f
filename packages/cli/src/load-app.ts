import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '@framework/core';
import { tsImport } from 'tsx/esm/api';
import { CliFailure } from './internal/failure.ts';
import { describeError, type Io } from './internal/io.ts';
import { showProgress } from './internal/progress.ts';
import { type Project, shown } from './project.ts';

/** Internal: what the CLI uses of the app `buildApp()` returns. */
export type LoadedApp = Pick<App, 'ready' | 'stop' | 'routes' | 'health' | 'commands'>;

function isLoadedApp(value: unknown): value is LoadedApp {
  if (typeof value !== 'object' || value === null) return false;
  return ['ready', 'stop', 'routes', 'health', 'commands'].every(
    (name) => name in value && typeof Reflect.get(value, name) === 'function',
  );
}

/**
 * Internal: imports the app module through tsx (TypeScript run directly, on Node 20 and 24),
 * calls its `buildApp()` and waits for `app.ready()`, so plugins have registered their routes,
 * health checks and commands. The caller stops the app.
 */
export async function loadApp(project: Project): Promise<LoadedApp> {
  const file = shown(project, project.app);
  if (!existsSync(project.app)) {
    throw new CliFailure(
      `${file} not found: the CLI loads the app from the module package.json "framework.app" names (default src/app.ts), which exports buildApp().`,
    );
  }
  const tsconfig = join(project.root, 'tsconfig.json');
  let module: unknown;
  try {
    module = await tsImport(pathToFileURL(project.app).href, {
      parentURL: pathToFileURL(join(project.root, 'package.json')).href,
      tsconfig: existsSync(tsconfig) ? tsconfig : false,
    });
  } catch (error) {
    throw new CliFailure(`Loading ${file} failed: ${describeError(error)}`);
  }
  const buildApp: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, 'buildApp') : undefined;
  if (typeof buildApp !== 'function') {
    throw new CliFailure(
      `${file} does not export a function buildApp(): export one that creates the app, registers its routes and plugins, and returns it without starting it.`,
    );
  }
  let app: unknown;
  try {
    app = await buildApp();
  } catch (error) {
    throw new CliFailure(`buildApp() in ${file} threw: ${describeError(error)}`);
  }
  if (!isLoadedApp(app)) {
    throw new CliFailure(`buildApp() in ${file} did not return an app: return the value of createApp() (not started).`);
  }
  try {
    await app.ready();
  } catch (error) {
    await app.stop().catch(() => undefined);
    throw new CliFailure(`The app failed to get ready: ${describeError(error)}`);
  }
  return app;
}

/** Internal: loads the app, runs `work` with it, and stops it whatever happens. */
export async function withApp<T>(project: Project, io: Io, work: (app: LoadedApp) => Promise<T>): Promise<T> {
  const progress = showProgress(io, `loading ${shown(project, project.app)}`);
  let app: LoadedApp;
  try {
    app = await loadApp(project);
  } finally {
    progress.done();
  }
  try {
    return await work(app);
  } finally {
    await app.stop();
  }
}
