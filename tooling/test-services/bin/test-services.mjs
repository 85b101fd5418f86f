#!/usr/bin/env node
// test-services [--postgres] [--redis] -- <command...>
// Starts the servers, runs the command with DATABASE_URL / REDIS_URL added, stops the servers and
// exits with the command's exit code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { startServices } from '../src/index.mjs';

const USAGE = `usage: test-services [--postgres] [--redis] -- <command> [args...]

Starts a throwaway PostgreSQL (--postgres) and/or Redis (--redis) on free loopback ports, runs the
command with DATABASE_URL / REDIS_URL set, then stops the servers and deletes their data.
A DATABASE_URL / REDIS_URL that is already set is used instead of starting that server.`;

/** @type {NodeJS.Signals[]} */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// How long the command gets to exit after a forwarded signal before it is killed.
const COMMAND_KILL_TIMEOUT_MS = 10_000;

/** @param {string} message */
const fail = (message) => {
  process.stderr.write(`test-services: ${message}\n`);
  return 1;
};

/** @param {string[]} argv */
function parseArgs(argv) {
  const options = { postgres: false, redis: false, help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '--postgres') options.postgres = true;
    else if (arg === '--redis') options.redis = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg?.startsWith('-')) throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    else break;
  }
  return { ...options, command: argv.slice(i) };
}

/**
 * Exits the way the command did: with its code, or by the same signal.
 * @param {{ code: number | null, signal: NodeJS.Signals | null }} exit
 */
function exitLike({ code, signal }) {
  if (signal) {
    for (const name of FORWARDED_SIGNALS) process.removeAllListeners(name);
    process.kill(process.pid, signal);
    // Still alive: the signal is one that does not terminate by default.
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    return exitLike({ code: fail(/** @type {Error} */ (error).message), signal: null });
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return exitLike({ code: 0, signal: null });
  }
  const [file, ...fileArgs] = args.command;
  if (!file) return exitLike({ code: fail(`no command given\n\n${USAGE}`), signal: null });

  /** @type {NodeJS.Signals | undefined} */
  let interrupted;
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  /** @type {NodeJS.Timeout | undefined} */
  let killTimer;
  /** @param {NodeJS.Signals} signal */
  const onSignal = (signal) => {
    interrupted ??= signal;
    if (!child) return; // Still starting: stop as soon as startup is done.
    child.kill(signal);
    killTimer ??= setTimeout(() => child?.kill('SIGKILL'), COMMAND_KILL_TIMEOUT_MS).unref();
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);

  let services;
  try {
    services = await startServices({ postgres: args.postgres, redis: args.redis });
  } catch (error) {
    return exitLike({ code: fail(/** @type {Error} */ (error).message), signal: null });
  }
  if (interrupted) {
    await services.stop();
    return exitLike({ code: null, signal: interrupted });
  }

  /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */
  const exit = await new Promise((resolve) => {
    child = spawn(file, fileArgs, { stdio: 'inherit', env: { ...process.env, ...services.env } });
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => {
      fail(`could not run ${file}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
  });
  clearTimeout(killTimer);

  try {
    await services.stop();
  } catch (error) {
    fail(`stopping the servers failed: ${/** @type {Error} */ (error).message}`);
  }
  exitLike(exit);
}

await main();
