// The local registry: verdaccio as a child process on a free loopback port, in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { addUser, npmrcFor } from './internal/add-user.ts';
import { describeExit, type Exit, type Launched, launch, stopProcess, tail } from './internal/child.ts';
import { writeRegistryConfig } from './internal/config.ts';
import { cleanEnv } from './internal/env.ts';
import { freePort } from './internal/free-port.ts';

/**
 * The package names this repository publishes. The local registry serves them only from its own
 * storage and never asks the npm registry, so an install gets exactly what was published locally
 * (`create-framework` is also a name on the public registry, held by someone else).
 *
 * @example
 * import { LOCAL_PACKAGES } from '@framework/local-registry';
 * LOCAL_PACKAGES; // ['@framework/*', 'create-framework']
 */
export const LOCAL_PACKAGES: readonly string[] = ['@framework/*', 'create-framework'];

/**
 * The registry every other package is proxied from.
 *
 * @example
 * import { NPM_REGISTRY, startLocalRegistry } from '@framework/local-registry';
 * const registry = await startLocalRegistry({ upstream: NPM_REGISTRY });
 */
export const NPM_REGISTRY = 'https://registry.npmjs.org/';

/** Options of {@link startLocalRegistry}. */
export interface LocalRegistryOptions {
  /** How long, in milliseconds, the registry may take to answer its first request. Default: 30 000. */
  startTimeoutMs?: number;
  /** More package name patterns served only locally, besides {@link LOCAL_PACKAGES} (`'my-plugin'`, `'@acme/*'`). */
  local?: readonly string[];
  /** The registry every other package is proxied from. Default: {@link NPM_REGISTRY}. */
  upstream?: string;
  /** verdaccio's own log level, shown in the error when it fails to start. Default: `'warn'`. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'http';
}

/** A running local registry. */
export interface LocalRegistry {
  /** Its address, with a trailing slash: `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Its process id. */
  readonly pid: number;
  /** The token of a user added at start, allowed to publish. */
  readonly token: string;
  /**
   * An npmrc file pointing npm at this registry with that token: give it to npm as
   * `npm_config_userconfig` (or `--userconfig`) and `npm publish` / `pnpm publish` need no login.
   */
  readonly npmrc: string;
  /** Its temp dir (configuration, storage, users); deleted by `stop()`. */
  readonly dir: string;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and deletes the temp dir. Calling it again does nothing. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const ATTEMPTS = 3;

/** The registries started by this process and not stopped yet, for the exit hook. */
const running = new Map<Launched, string>();

// Last resort when this process exits without stop() (a crash, process.exit() in a test): nothing
// asynchronous runs any more, so the registry is killed outright and its temp dir deleted at once.
process.on('exit', () => {
  for (const [launched, dir] of running) {
    launched.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
});

/** verdaccio's command-line entry point in this package's dependencies. */
function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('verdaccio/package.json');
  const manifest: { bin?: string | Record<string, string> } = require(manifestPath);
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.verdaccio;
  if (bin === undefined) throw new Error(`verdaccio's package.json (${manifestPath}) names no verdaccio command`);
  return resolve(dirname(manifestPath), bin);
}

async function answersPing(url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

class PortTakenError extends Error {}

/** Starts verdaccio on `port` and waits until it answers, failing with its output otherwise. */
async function launchOn(
  port: number,
  config: string,
  dir: string,
  timeoutMs: number,
): Promise<{ launched: Launched; url: string }> {
  const url = `http://${HOST}:${port}/`;
  const launched = launch(process.execPath, [verdaccioBin(), '--config', config, '--listen', `${HOST}:${port}`], {
    cwd: dir,
    env: cleanEnv(process.env),
    dieWithParent: true,
  });
  let exit: Exit | undefined;
  void launched.exited.then((value) => {
    exit = value;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit !== undefined) {
      const message = `the local registry (verdaccio) ${describeExit(exit)} while starting on ${url}. Its output:${tail(launched.output())}`;
      throw /EADDRINUSE|address already in use/i.test(launched.output())
        ? new PortTakenError(message)
        : new Error(message);
    }
    if (await answersPing(url)) return { launched, url };
    if (Date.now() > deadline) {
      await stopProcess(launched);
      throw new Error(
        `the local registry (verdaccio) did not answer on ${url} within ${timeoutMs / 1000} s and was stopped. ` +
          `Its output:${tail(launched.output())}`,
      );
    }
    await Promise.race([sleep(100), launched.exited]);
  }
}

/**
 * Starts a throwaway npm registry (verdaccio) on a free 127.0.0.1 port with its storage in a new
 * temp dir. It serves the packages published to it; `@framework/*` and `create-framework` (see
 * {@link LOCAL_PACKAGES}) come only from there, every other package is proxied from the npm
 * registry, so `npm install zod` works through it. A user is added at start and an npmrc written
 * with its token, so publishing needs no login.
 *
 * Rejects with verdaccio's output when it exits while starting or does not answer within
 * `startTimeoutMs` (it is stopped then); a port taken in the meantime by another process is retried
 * with another. When this process exits without `stop()`, the registry is killed and its temp dir
 * deleted (also on SIGKILL of this process, where Linux's parent-death signal is available).
 *
 * @example
 * import { startLocalRegistry } from '@framework/local-registry';
 *
 * const registry = await startLocalRegistry();
 * try {
 *   // npm install zod --registry <registry.url>; pnpm publish with npm_config_userconfig=<registry.npmrc>
 *   console.log(registry.url); // http://127.0.0.1:41234/
 * } finally {
 *   await registry.stop();
 * }
 */
export async function startLocalRegistry(options: LocalRegistryOptions = {}): Promise<LocalRegistry> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'framework-registry-'));
  let launched: Launched | undefined;
  let url = '';
  try {
    const config = writeRegistryConfig({
      dir,
      local: [...LOCAL_PACKAGES, ...(options.local ?? [])],
      upstream: options.upstream ?? NPM_REGISTRY,
      logLevel: options.logLevel ?? 'warn',
    });
    for (let attempt = 1; launched === undefined; attempt++) {
      try {
        ({ launched, url } = await launchOn(await freePort(HOST), config, dir, timeoutMs));
      } catch (error) {
        if (!(error instanceof PortTakenError) || attempt >= ATTEMPTS) throw error;
      }
    }
    running.set(launched, dir);
    const token = await addUser(url);
    const npmrc = join(dir, 'npmrc');
    writeFileSync(npmrc, npmrcFor(url, token));
    const verdaccio = launched;
    let stopping: Promise<void> | undefined;
    return {
      url,
      pid: verdaccio.child.pid ?? 0,
      token,
      npmrc,
      dir,
      stop() {
        stopping ??= (async () => {
          await stopProcess(verdaccio);
          running.delete(verdaccio);
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (launched !== undefined) {
      await stopProcess(launched);
      running.delete(launched);
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }
}
