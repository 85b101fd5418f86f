import { readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  haltServer,
  isExecutable,
  isRoot,
  launch,
  makeServerDir,
  removeServer,
  run,
  stopProcess,
  tail,
  unref,
  waitUntilReady,
  withFreePort,
} from './process.mjs';

/** @typedef {import('./process.mjs').User} User */

/**
 * `<parent>/<entry>/bin` for every entry of `parent` matching `pattern`, highest version first.
 * @param {string} parent
 * @param {RegExp} pattern its first group is the version
 */
function versionedBinDirs(parent, pattern) {
  let entries;
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries
    .map((entry) => ({ entry, version: Number.parseFloat(pattern.exec(entry)?.[1] ?? 'NaN') }))
    .filter(({ version }) => !Number.isNaN(version))
    .sort((a, b) => b.version - a.version)
    .map(({ entry }) => join(parent, entry, 'bin'));
}

/** The directory holding `initdb` and `postgres`: PATH first, then the usual install dirs, newest version first. */
export function findPostgres() {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    ...versionedBinDirs('/usr/lib/postgresql', /^(\d+(?:\.\d+)?)$/),
    // Homebrew's postgresql@N formulas are keg-only: not on PATH unless linked.
    ...versionedBinDirs('/opt/homebrew/opt', /^postgresql@(\d+)$/),
    ...versionedBinDirs('/usr/local/opt', /^postgresql@(\d+)$/),
  ];
  return dirs.find((dir) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres')));
}

/**
 * @param {string} name
 * @returns {User | undefined}
 */
function lookupUser(name) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user (created by
 * Debian's package; created here when missing).
 * @returns {Promise<User | undefined>}
 */
async function serverUser() {
  if (!isRoot()) return undefined;
  const existing = lookupUser('postgres');
  if (existing) return existing;
  const result = await run('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    'postgres',
  ]);
  const created = lookupUser('postgres');
  if (!created)
    throw new Error(`PostgreSQL cannot run as root and creating a postgres user failed:${tail(result.output)}`);
  return created;
}

// Durability is pointless for a database that is deleted after the run; these make it start and write fast.
const SERVER_SETTINGS = [
  'listen_addresses=127.0.0.1',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'wal_level=minimal',
  'max_wal_senders=0',
  'jit=off',
  'huge_pages=off',
];

/**
 * @param {string} binDir
 * @param {{ timeoutMs: number, pickPort?: () => Promise<number> }} options
 */
export async function startPostgres(binDir, { timeoutMs, pickPort }) {
  const user = await serverUser();
  const server = await makeServerDir('postgres', user);
  const dataDir = join(server.dir, 'data');
  try {
    const init = await run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--no-locale'],
      { cwd: server.dir, user },
    );
    if (init.code !== 0) throw new Error(`initdb failed (exit code ${init.code}). Its output:${tail(init.output)}`);
    const version = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();

    let pid = 0;
    /**
     * Runs the postmaster on `port` over `dataDir`; the first start and resume() alike.
     * @param {number} port
     */
    const launchOn = async (port) => {
      const args = ['-D', dataDir, '-p', String(port), '-k', server.dir, ...SERVER_SETTINGS.flatMap((s) => ['-c', s])];
      // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes its backends down with it.
      const launched = launch(join(binDir, 'postgres'), args, { cwd: server.dir, user, deathSignal: 'SIGQUIT' });
      server.launched = launched;
      try {
        await waitUntilReady(`PostgreSQL ${version}`, launched, () => isReady(dataDir, launched.child.pid), timeoutMs);
      } catch (error) {
        await stopProcess(launched, 'SIGQUIT', 2000);
        server.launched = undefined;
        throw error;
      }
      unref(launched);
      pid = /** @type {number} */ (launched.child.pid);
      return port;
    };
    const port = await withFreePort(launchOn, pickPort);
    return {
      name: 'PostgreSQL',
      version,
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      dir: server.dir,
      /** The running postmaster's pid (the last one while halted). */
      get pid() {
        return pid;
      },
      // SIGINT is a fast shutdown: clients are disconnected instead of waited for. The data dir stays,
      // so the data survives; after SIGKILL/SIGQUIT the next start runs crash recovery.
      /** @param {NodeJS.Signals} [signal] */
      halt: (signal = 'SIGINT') => haltServer(server, signal),
      resume: async () => {
        await launchOn(port);
      },
      stop: () => removeServer(server, 'SIGINT'),
    };
  } catch (error) {
    await removeServer(server, 'SIGQUIT', 2000);
    throw error;
  }
}

/**
 * Reads the status line the postmaster writes into postmaster.pid (as pg_ctl does), so a server that
 * some parallel run started on the same port can never be mistaken for ours.
 * @param {string} dataDir
 * @param {number | undefined} pid
 */
function isReady(dataDir, pid) {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return lines[0] === String(pid) && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}
