import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Io } from './io.ts';

/** Internal: how to run a child process. */
export interface ChildOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  /**
   * Its own process group, so a terminal's Ctrl-C reaches only the CLI, which forwards it once
   * (an app that handles SIGINT once would otherwise get it twice and die mid-shutdown).
   */
  readonly detached?: boolean;
  /** A message channel to the child (`child.send`, `process.send` in it). */
  readonly ipc?: boolean;
}

/**
 * Internal: starts `node <args>` with the Node running the CLI. Output goes straight to the
 * terminal when the CLI writes to the process's own streams (colours and TTY kept), else through
 * the CLI's outputs (tests, programmatic use).
 */
export function spawnNode(args: readonly string[], options: ChildOptions): ChildProcess {
  const direct = options.io.stdout === process.stdout && options.io.stderr === process.stderr;
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [
      'inherit',
      direct ? 'inherit' : 'pipe',
      direct ? 'inherit' : 'pipe',
      ...(options.ipc === true ? (['ipc'] as const) : []),
    ],
    detached: options.detached ?? false,
  });
  child.stdout?.setEncoding('utf8').on('data', (text: string) => options.io.stdout.write(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => options.io.stderr.write(text));
  return child;
}

/** Internal: the exit code a shell would show: the code, or 128 + the signal's number. */
export function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

/** Internal: resolves with the child's exit code when it has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(exitCode(child.exitCode, child.signalCode));
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(exitCode(code, signal)));
    child.once('error', () => resolve(1));
  });
}

/**
 * Internal: stops a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves
 * when it has exited.
 */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<number> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return done;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (late) child.kill('SIGKILL');
  return done;
}

/**
 * Internal: sends the signals the CLI receives on to `child` until it exits, so `kill -HUP <cli>`
 * or Ctrl-C reach the app. `handle` replaces forwarding for some signals. Returns a function that
 * removes the handlers.
 */
export function forwardSignals(
  child: ChildProcess,
  signals: readonly NodeJS.Signals[],
  handle: Partial<Record<NodeJS.Signals, () => void>> = {},
): () => void {
  const handlers = signals.map((signal) => {
    const handler = handle[signal] ?? (() => child.kill(signal));
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const remove = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('exit', killOnExit);
  };
  child.once('exit', remove);
  return remove;
}
