import { aptInstall, canInstall } from './install.mjs';
import { findPostgres, startPostgres } from './postgres.mjs';
import { PortInUseError } from './process.mjs';
import { findRedis, startRedis } from './redis.mjs';

/**
 * @typedef {import('./index.d.ts').StartServicesOptions} StartServicesOptions
 * @typedef {import('./index.d.ts').Services} Services
 * @typedef {import('./index.d.ts').ServiceInfo} ServiceInfo
 * @typedef {import('./index.d.ts').ServiceName} ServiceName
 * @typedef {{
 *   name: string,
 *   version: string,
 *   url: string,
 *   port: number,
 *   dir: string,
 *   readonly pid: number,
 *   halt(signal?: NodeJS.Signals): Promise<void>,
 *   resume(): Promise<void>,
 *   stop(): Promise<void>,
 * }} Started
 * @typedef {{
 *   key: ServiceName,
 *   name: string,
 *   envVar: 'DATABASE_URL' | 'REDIS_URL',
 *   aptPackage: string,
 *   systemService: string,
 *   find(): string | undefined,
 *   start(binary: string, options: { timeoutMs: number, persistent?: boolean }): Promise<Started>,
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
  const wanted = { postgres, redis: Boolean(redis) };
  const redisSettings = typeof redis === 'object' ? redis : {};
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
      const settings = service.key === 'redis' ? redisSettings : {};
      const started = await service.start(/** @type {string} */ (service.find()), { timeoutMs, ...settings });
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

  /**
   * What halt() / resume() know of a started server: `busy` while one of them is under way.
   * @typedef {{ service: Service, started: Started, halted: boolean, busy?: 'halted' | 'resumed' }} Control
   */
  /** @type {Map<ServiceName, Control>} */
  const controls = new Map();
  for (const { service, started } of running) {
    urls[service.envVar] = started.url;
    infos[service.key] = {
      port: started.port,
      dir: started.dir,
      get pid() {
        return started.pid;
      },
    };
    controls.set(service.key, { service, started, halted: false });
  }
  /** @type {Promise<void> | undefined} */
  let stopping;
  /** @type {Set<Promise<unknown>>} */
  const pending = new Set();

  /**
   * The started server `name` refers to, or an error that says why halt()/resume() cannot touch it.
   * @param {'halt' | 'resume'} method
   * @param {ServiceName} name
   */
  const control = (method, name) => {
    const call = `${method}('${name}')`;
    const service = SERVICES.find((s) => s.key === name);
    if (!service) throw new Error(`${call}: unknown service; use 'postgres' or 'redis'.`);
    if (stopping) throw new Error(`${call}: the services were stopped; call it before stop().`);
    const found = controls.get(service.key);
    if (found) return found;
    if (!wanted[service.key]) {
      throw new Error(`${call}: ${service.name} was not started; pass { ${name}: true } to startServices().`);
    }
    throw new Error(
      `${call}: ${service.name} was not started by startServices() but taken from ${service.envVar}, so it ` +
        `cannot be halted or resumed from here. Leave ${service.envVar} unset (or pass an \`env\` without it) to ` +
        `get a server of its own.`,
    );
  };

  /**
   * Runs `operation` as the only halt/resume of that server under way; stop() waits for it.
   * @param {Control} entry
   * @param {'halted' | 'resumed'} busy
   * @param {() => Promise<void>} operation
   */
  const exclusive = async (entry, busy, operation) => {
    entry.busy = busy;
    const done = operation();
    pending.add(done);
    try {
      await done;
    } finally {
      pending.delete(done);
      entry.busy = undefined;
    }
  };

  return {
    env: urls,
    services: infos,
    async halt(name, { signal } = {}) {
      const entry = control('halt', name);
      if (entry.busy) {
        throw new Error(`halt('${name}'): ${entry.service.name} is still being ${entry.busy}; await that call first.`);
      }
      if (entry.halted) {
        throw new Error(`halt('${name}'): ${entry.service.name} is already halted; call resume('${name}') first.`);
      }
      await exclusive(entry, 'halted', async () => {
        await entry.started.halt(signal);
        entry.halted = true;
      });
    },
    async resume(name) {
      const entry = control('resume', name);
      if (entry.busy) {
        throw new Error(
          `resume('${name}'): ${entry.service.name} is still being ${entry.busy}; await that call first.`,
        );
      }
      if (!entry.halted) {
        throw new Error(`resume('${name}'): ${entry.service.name} is running; call halt('${name}') first.`);
      }
      const { service, started } = entry;
      await exclusive(entry, 'resumed', async () => {
        try {
          await started.resume();
        } catch (error) {
          if (!(error instanceof PortInUseError)) throw error;
          // No fallback to another port: the tests hold the URL with this one.
          throw new Error(
            `resume('${name}'): port ${started.port} was taken by another process while ${service.name} was ` +
              `halted, and it must come back on that port for ${service.envVar} to stay valid. Free the port and ` +
              `call resume('${name}') again.`,
            { cause: error },
          );
        }
        entry.halted = false;
      });
    },
    stop() {
      stopping ??= Promise.allSettled(pending)
        .then(() => Promise.all(running.map(({ started }) => started.stop())))
        .then(() => {});
      return stopping;
    },
  };
}
