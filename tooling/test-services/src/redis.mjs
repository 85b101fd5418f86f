import { connect } from 'node:net';
import { join } from 'node:path';
import {
  findOnPath,
  haltServer,
  isExecutable,
  launch,
  makeServerDir,
  removeServer,
  stopProcess,
  unref,
  waitUntilReady,
  withFreePort,
} from './process.mjs';

/** `redis-server` from PATH, else from the usual install dirs. */
export function findRedis() {
  return (
    findOnPath('redis-server') ??
    ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'].map((dir) => join(dir, 'redis-server')).find(isExecutable)
  );
}

/**
 * Sends PING and INFO over a raw socket. Resolves with the server's pid and version once it answers
 * PONG, or undefined while it is not (yet) reachable.
 * @param {number} port
 * @returns {Promise<{ pid: number, version: string } | undefined>}
 */
export function probeRedis(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    /** @param {{ pid: number, version: string }} [result] */
    const finish = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => finish());
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.setEncoding('utf8').on('data', (chunk) => {
      reply += chunk;
      // "-LOADING ..." and other errors: not ready yet.
      if (reply.startsWith('-')) return finish();
      const pid = /\r\nprocess_id:(\d+)\r\n/.exec(reply)?.[1];
      const version = /\r\nredis_version:([^\r]+)\r\n/.exec(reply)?.[1];
      if (reply.startsWith('+PONG\r\n') && pid && version) finish({ pid: Number(pid), version });
    });
  });
}

/**
 * @param {string} redisServer
 * @param {{ timeoutMs: number, pickPort?: () => Promise<number>, persistent?: boolean }} options
 *   persistent: an append-only file written on every command, so data survives halt() and resume()
 */
export async function startRedis(redisServer, { timeoutMs, pickPort, persistent = false }) {
  const server = await makeServerDir('redis');
  let version = '';
  let pid = 0;
  /**
   * Runs redis-server on `port` with `server.dir` as its dir; the first start and resume() alike.
   * @param {number} port
   */
  const launchOn = async (port) => {
    const args = [
      ...['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes'],
      ...['--save', '', '--dir', server.dir, '--daemonize', 'no'],
      ...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ...['--pidfile', join(server.dir, 'redis.pid')],
    ];
    const launched = launch(redisServer, args, { cwd: server.dir, deathSignal: 'SIGKILL' });
    server.launched = launched;
    // A PONG alone could come from a parallel run's server that took this port first: check the pid.
    const isOurs = async () => {
      const info = await probeRedis(port);
      if (!info || info.pid !== launched.child.pid) return false;
      version = info.version;
      return true;
    };
    try {
      await waitUntilReady('Redis', launched, isOurs, timeoutMs);
    } catch (error) {
      await stopProcess(launched, 'SIGKILL');
      server.launched = undefined;
      throw error;
    }
    unref(launched);
    pid = /** @type {number} */ (launched.child.pid);
    return port;
  };
  try {
    const port = await withFreePort(launchOn, pickPort);
    return {
      name: 'Redis',
      version,
      url: `redis://127.0.0.1:${port}`,
      port,
      dir: server.dir,
      /** The running server's pid (the last one while halted). */
      get pid() {
        return pid;
      },
      // Nothing is persisted (--save '', no AOF): whatever the signal, the data is gone after a halt.
      /** @param {NodeJS.Signals} [signal] */
      halt: (signal = 'SIGTERM') => haltServer(server, signal),
      resume: async () => {
        await launchOn(port);
      },
      stop: () => removeServer(server, 'SIGTERM'),
    };
  } catch (error) {
    await removeServer(server, 'SIGKILL');
    throw error;
  }
}
