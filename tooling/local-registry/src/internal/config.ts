// The registry's configuration file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the configuration file needs to know. */
export interface RegistryConfigInput {
  /** The registry's temp dir: storage and the user file are created inside it. */
  dir: string;
  /** Package name patterns served only locally. */
  local: readonly string[];
  /** The registry other packages are proxied from. */
  upstream: string;
  /** verdaccio's log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'http';
}

interface PackageRule {
  access: string;
  publish: string;
  unpublish: string;
  proxy?: string;
}

/** verdaccio's configuration as an object (verdaccio reads JSON, which is YAML). */
export function registryConfig(input: RegistryConfigInput): Record<string, unknown> {
  const ownRule: PackageRule = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  const packages: Record<string, PackageRule> = {};
  // verdaccio applies the first pattern that matches, so the local-only names come before `**`.
  for (const pattern of input.local) packages[pattern] = ownRule;
  packages['**'] = { ...ownRule, proxy: 'npmjs' };
  return {
    storage: join(input.dir, 'storage'),
    // Anyone may add a user (the registry listens on loopback only and lives for one run): the
    // publisher adds one with a random password and publishes with its token, no login asked.
    auth: { htpasswd: { file: join(input.dir, 'htpasswd'), max_users: 1000 } },
    uplinks: {
      npmjs: { url: input.upstream, timeout: '60s', max_fails: 5, fail_timeout: '10s', maxage: '30m' },
    },
    packages,
    web: { enable: false },
    max_body_size: '200mb',
    log: { type: 'stdout', format: 'pretty', level: input.logLevel },
  };
}

/** Writes the configuration file into `input.dir` and returns its path. */
export function writeRegistryConfig(input: RegistryConfigInput): string {
  const file = join(input.dir, 'config.yaml');
  writeFileSync(file, `${JSON.stringify(registryConfig(input), null, 2)}\n`);
  return file;
}
