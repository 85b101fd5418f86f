// Child processes: started with their output kept (the last part, for error messages), run to
// completion with a bound, and stopped by process id.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const OUTPUT_LIMIT = 32 * 1024;

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** A started process, its collected output and the promise of its end. */
export interface Launched {
  child: ChildProcess;
  exited: Promise<Exit>;
  output(): string;
  /** Whether it leads its own process group, which stopProcess() signals as a whole. */
  group: boolean;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

// Linux's parent-death signal (util-linux's setpriv) stops a long-running child even when this
// process is SIGKILLed and never gets to call stop().
const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;

/**
 * Starts `file` with its stdout and stderr collected; `dieWithParent` adds the parent-death signal;
 * `group` starts it in a process group of its own (for `npm start`, whose children npm does not
 * always stop with it).
 */
export function launch(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; dieWithParent?: boolean; group?: boolean },
): Launched {
  const [command, argv] =
    options.dieWithParent && setpriv !== undefined
      ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', file, ...args]]
      : [file, [...args]];
  const group = options.group ?? false;
  const child = spawn(command, argv, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  let output = '';
  const collect = (chunk: string): void => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  return { child, exited, output: () => output, group };
}

/** The last lines of a process's output, indented, for an error message. */
export function tail(output: string, lines = 30): string {
  const text = output.trimEnd().split('\n').slice(-lines).join('\n    ');
  return text === '' ? ' (no output)' : `\n    ${text}`;
}

/** "exited with code 1", "was killed by SIGTERM", "could not be started: ..." */
export function describeExit(exit: Exit): string {
  if (exit.error !== undefined) return `could not be started: ${exit.error.message}`;
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Runs a command to completion and resolves to its output; rejects, with the last lines of that
 * output, when it fails or is still running after `timeoutMs` (it is killed then, with its whole
 * process group when `group` is set).
 */
export async function run(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; group?: boolean },
): Promise<string> {
  const launched = launch(file, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signal(launched, 'SIGKILL');
  }, options.timeoutMs);
  const exit = await launched.exited;
  clearTimeout(timer);
  const command = [file, ...args].join(' ');
  if (timedOut) {
    throw new Error(
      `\`${command}\` did not finish within ${options.timeoutMs / 1000} s and was stopped. Its output:${tail(launched.output())}`,
    );
  }
  if (exit.code !== 0) {
    throw new Error(`\`${command}\` ${describeExit(exit)} (in ${options.cwd}). Its output:${tail(launched.output())}`);
  }
  return launched.output();
}

function signal(launched: Launched, name: NodeJS.Signals): void {
  const { pid } = launched.child;
  if (pid === undefined) return;
  try {
    process.kill(launched.group ? -pid : pid, name);
  } catch {
    // Already gone.
  }
}

function isAlive(launched: Launched): boolean {
  const { child } = launched;
  if (!launched.group || child.pid === undefined) return child.exitCode === null && child.signalCode === null;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM to the process (to its whole group when it has one) and SIGKILL when it, or a
 * process of its group, is still there after `graceMs`; resolves once the process is gone.
 */
export async function stopProcess(launched: Launched, graceMs = 5_000): Promise<void> {
  if (!isAlive(launched)) return;
  signal(launched, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(launched) && Date.now() < deadline) await sleep(50);
  if (isAlive(launched)) signal(launched, 'SIGKILL');
  await launched.exited;
}
