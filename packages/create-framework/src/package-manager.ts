/**
 * The package managers a generated project can be set up with.
 *
 * @example
 * ```ts
 * import type { PackageManager } from 'create-framework';
 * const pm: PackageManager = 'pnpm';
 * ```
 */
export type PackageManager = 'npm' | 'pnpm';

/**
 * The commands a README, the Dockerfile and the next steps show, per package manager.
 *
 * @example
 * ```ts
 * commandsOf('pnpm').run('dev'); // 'pnpm dev'
 * ```
 */
export function commandsOf(pm: PackageManager) {
  return pm === 'pnpm'
    ? {
        install: 'pnpm install',
        exec: 'pnpm exec',
        run: (script: string) => `pnpm ${script}`,
        lockfile: 'pnpm-lock.yaml',
        installProduction: 'pnpm install --frozen-lockfile --prod',
        installAll: 'pnpm install --frozen-lockfile',
        dockerSetup: ['RUN corepack enable pnpm'],
      }
    : {
        install: 'npm install',
        exec: 'npx',
        run: (script: string) => (script === 'start' || script === 'test' ? `npm ${script}` : `npm run ${script}`),
        lockfile: 'package-lock.json',
        installProduction: 'npm ci --omit=dev',
        installAll: 'npm ci',
        dockerSetup: [],
      };
}

/**
 * The package manager that runs this process (`npm create` / `pnpm create`), read from
 * `npm_config_user_agent`; npm when it is neither.
 *
 * @example
 * ```ts
 * import { detectPackageManager } from 'create-framework';
 * detectPackageManager('pnpm/10.34.9 npm/? node/v24.21.0 linux x64'); // 'pnpm'
 * ```
 */
export function detectPackageManager(
  userAgent: string | undefined = process.env.npm_config_user_agent,
): PackageManager {
  return userAgent?.startsWith('pnpm/') ? 'pnpm' : 'npm';
}
