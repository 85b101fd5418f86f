import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, isRoot, run, tail, withLockFile } from './process.mjs';

/**
 * @typedef {{ aptPackage: string, systemService: string }} Installable
 */

export const canInstall = () => process.platform === 'linux' && isRoot() && findOnPath('apt-get') !== undefined;

// With this file in place, maintainer scripts do not start the services they install (see invoke-rc.d(8)).
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Installs Debian packages with apt-get, one run at a time across parallel test runs. `isMissing` is
 * asked again once the lock is held, as a parallel run may have installed them meanwhile.
 * @template {Installable} T
 * @param {T[]} packages
 * @param {(packages: T[]) => T[]} stillMissing
 * @param {(message: string) => void} log
 */
export async function aptInstall(packages, stillMissing, log) {
  await withLockFile(join(tmpdir(), 'test-services-apt.lock'), async () => {
    const missing = stillMissing(packages);
    if (missing.length === 0) return;
    const names = missing.map((p) => p.aptPackage);
    const started = Date.now();
    log(`installing ${names.join(' ')} with apt-get`);

    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const args = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...names];
    const createdPolicy = !existsSync(POLICY_RC_D);
    if (createdPolicy)
      writeFileSync(POLICY_RC_D, '#!/bin/sh\n# Written by test-services during apt-get install.\nexit 101\n', {
        mode: 0o755,
      });
    try {
      let result = await run('apt-get', args, { env });
      if (result.code !== 0) {
        // Usually a missing or stale package list (as in a fresh container).
        log('apt-get install failed; running apt-get update and trying again');
        await run('apt-get', ['update'], { env });
        result = await run('apt-get', args, { env });
      }
      if (result.code !== 0) {
        throw new Error(
          `\`apt-get install ${names.join(' ')}\` failed (exit code ${result.code}):${tail(result.output)}`,
        );
      }
    } finally {
      if (createdPolicy) rmSync(POLICY_RC_D, { force: true });
    }
    for (const { systemService } of missing) await disableSystemService(systemService);
    log(`installed ${names.join(' ')} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  });
}

/**
 * The package's own service (on the default port) is not wanted: stop it in case it was started anyway
 * and keep it from starting at boot. Failures are fine: usually there is nothing to stop.
 * @param {string} name
 */
async function disableSystemService(name) {
  if (existsSync('/run/systemd/system')) {
    await run('systemctl', ['disable', '--now', name]);
    return;
  }
  if (existsSync(`/etc/init.d/${name}`)) await run('service', [name, 'stop']);
  if (findOnPath('update-rc.d')) await run('update-rc.d', [name, 'disable']);
}
