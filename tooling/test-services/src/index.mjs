import { aptInstall, canInstall } from './install.mjs';
import { findPostgres, startPostgres } from './postgres.mjs';
import { findRedis, startRedis } from './redis.mjs';

/**
 * @typedef {import('./index.d.ts').StartServicesOptions} StartServicesOptions
 * @typedef {import('./index.d.ts').Services} Services
 * @typedef {import('./index.d.ts').ServiceInfo} ServiceInfo
 * @typedef {{ name: string, version: string, url: string, port: number, dir: string, pid: number, stop(): Promise<void> }} Started
 * @typedef {{
 *   key: 'postgres' | 'redis',
 *   name: string,
 *   envVar: 'DATABASE_URL' | 'REDIS_URL',
 *   aptPackage: string,
 *   systemService: string,
 *   find(): string | undefined,
 *   start(binary: string, options: { timeoutMs: number }): Promise<Started>,
 * }} Service
 */

/** @type {Service[]} */
const SERVICES = [
  {
    key: 'postgres',
    name: 'PostgreSQL',
    envVar: 'DATABASE_URL',
    aptPackage: 'postgresql',
    systemService: 'postgresql',
    find: findPostgres,
    start: startPostgres,
  },
  {
    key: 'redis',
    name: 'Redis',
    envVar: 'REDIS_URL',
    aptPackage: 'redis-server',
    systemService: 'redis-server',
    find: findRedis,
    start: startRedis,
  },
];

/** @param {string} message */
const logToStderr = (message) => process.stderr.write(`[test-services] ${message}\n`);

/**
 * @param {Service[]} missing
 * @param {string} why
 */
function missingError(missing, why) {
  const names = missing.map((s) => s.name).join(' and ');
  const vars = missing.map((s) => s.envVar).join(' / ');
  const apt = missing.map((s) => s.aptPackage).join(' ');
  const brew = missing.map((s) => (s.key === 'postgres' ? 'postgresql' : 'redis')).join(' ');
  return new Error(
    `${names} not found${why}. Install it with \`sudo apt-get install ${apt}\` (Debian/Ubuntu) or ` +
      `\`brew install ${brew}\` (macOS), or set ${vars} to a server of your own.`,
  );
}

/**
 * Starts the requested servers, each on a free loopback port with its own temp dir. A service whose
 * variable is already set in `env` is not started: the tests use that server.
 * @param {StartServicesOptions} [options]
 * @returns {Promise<Services>}
 */
export async function startServices({ postgres = false, redis = false, log = logToStderr, env = process.env } = {}) {
  const wanted = { postgres, redis };
  /** @type {Services['env']} */
  const urls = {};
  /** @type {Services['services']} */
  const infos = {};
  /** @type {Service[]} */
  const toStart = [];
  for (const service of SERVICES) {
    if (!wanted[service.key]) continue;
    const preset = env[service.envVar];
    if (preset) {
      urls[service.envVar] = preset;
      log(`using ${service.envVar} from the environment instead of starting ${service.name}`);
    } else {
      toStart.push(service);
    }
  }

  /** @param {Service[]} services */
  const stillMissing = (services) => services.filter((s) => s.find() === undefined);
  if (stillMissing(toStart).length > 0) {
    if (!canInstall()) throw missingError(stillMissing(toStart), ' (installing it needs root and apt-get)');
    await aptInstall(stillMissing(toStart), stillMissing, log);
    if (stillMissing(toStart).length > 0) throw missingError(stillMissing(toStart), ' even after apt-get install');
  }

  const timeoutMs = 60_000;
  const results = await Promise.allSettled(
    toStart.map(async (service) => {
      const began = Date.now();
      const started = await service.start(/** @type {string} */ (service.find()), { timeoutMs });
      log(`${started.name} ${started.version} on port ${started.port} (${Date.now() - began} ms)`);
      return { service, started };
    }),
  );
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled(running.map(({ started }) => started.stop()));
    throw failure.reason;
  }

  for (const { service, started } of running) {
    urls[service.envVar] = started.url;
    infos[service.key] = { port: started.port, dir: started.dir, pid: started.pid };
  }
  /** @type {Promise<void> | undefined} */
  let stopping;
  return {
    env: urls,
    services: infos,
    stop() {
      stopping ??= Promise.all(running.map(({ started }) => started.stop())).then(() => {});
      return stopping;
    },
  };
}
