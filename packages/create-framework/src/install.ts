import { spawn } from 'node:child_process';
import { CreateError } from './errors.ts';
import type { PackageManager } from './package-manager.ts';

/**
 * How `installDependencies` runs the package manager.
 *
 * @example
 * ```ts
 * await installDependencies('my-app', 'npm', { stdio: 'ignore' });
 * ```
 */
export interface InstallOptions {
  /** Where the child's output goes. Default: this process's (the package manager shows its own progress). */
  stdio?: 'inherit' | 'ignore';
  /** The environment of the install. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `npm install` or `pnpm install` in `directory`, its progress shown as the package manager
 * prints it; resolves with the time it took in milliseconds. Rejects with `FW_CREATE_INSTALL`,
 * saying what to run, when the package manager fails or cannot be started.
 *
 * @example
 * ```ts
 * import { createProject, installDependencies } from 'create-framework';
 *
 * const project = await createProject({ directory: 'my-app' });
 * const ms = await installDependencies(project.directory, 'npm');
 * console.log(`installed in ${Math.round(ms / 1000)} s`);
 * ```
 */
export function installDependencies(
  directory: string,
  packageManager: PackageManager,
  options: InstallOptions = {},
): Promise<number> {
  const started = performance.now();
  const retry = `cd ${directory} && ${packageManager} install`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(packageManager, ['install'], {
      cwd: directory,
      stdio: options.stdio ?? 'inherit',
      env: options.env ?? process.env,
      // npm and pnpm are .cmd scripts on Windows, which only a shell runs.
      shell: process.platform === 'win32',
    });
    child.once('error', (error) => {
      reject(
        new CreateError(
          'FW_CREATE_INSTALL',
          `Could not run ${packageManager} (${error.message}). Install it, then run: ${retry}`,
        ),
      );
    });
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise(performance.now() - started);
      else {
        const how = signal === null ? `exited with code ${code}` : `was stopped by ${signal}`;
        reject(
          new CreateError(
            'FW_CREATE_INSTALL',
            `${packageManager} install ${how}. The project is written; fix the problem above, then run: ${retry}`,
          ),
        );
      }
    });
  });
}
