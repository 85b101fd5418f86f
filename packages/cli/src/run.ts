import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { PluginCommand } from '@framework/core';
import type { Command } from './command.ts';
import { BUILT_IN, BUILT_IN_BY_NAME } from './commands/index.ts';
import { closest, commandHelp, generalHelp, pluginCommandHelp, USAGE } from './help.ts';
import { CliFailure, UsageError } from './internal/failure.ts';
import { createIo, describeError, type Io } from './internal/io.ts';
import { loadApp } from './load-app.ts';
import type { Output } from './output.ts';
import { findProject } from './project.ts';

/**
 * Where `run()` works and writes. Every option defaults to the process's own.
 *
 * @example
 * ```ts
 * let text = '';
 * const code = await run(['routes'], { cwd: '/path/to/app', stdout: { write: (chunk: string) => (text += chunk) } });
 * ```
 */
export interface RunOptions {
  /** The directory to run in (the app is found from its nearest package.json). Default: `process.cwd()`. */
  cwd?: string;
  /** The environment commands and their child processes see. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where output goes. Child processes (the app, tsc, vitest) write here too. Default: `process.stdout`. */
  stdout?: Output;
  /** Where errors go. Default: `process.stderr`. */
  stderr?: Output;
}

/** Whether `--help` or `-h` comes before any `--`. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** node:util's parse errors, as one short sentence. */
function parseFailure(error: unknown): UsageError {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1];
    return new UsageError(`unknown option ${option ?? message}.`);
  }
  return new UsageError(message.split(/(?<=\.)\s/)[0] ?? message);
}

function parseCommandArgs(command: Command, args: readonly string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, flag] of Object.entries(command.flags)) {
    options[name] = flag.short === undefined ? { type: flag.type } : { type: flag.type, short: flag.short };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw parseFailure(error);
  }
  const values: { [name: string]: string | boolean } = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' || typeof value === 'boolean') values[name] = value;
  }
  const { positionals } = parsed;
  if (positionals.length < command.positionals.min) {
    throw new UsageError(
      `missing argument: ${command.usage.split(' ').filter((part) => part.startsWith('<'))[positionals.length] ?? 'one more'}.`,
    );
  }
  if (positionals.length > command.positionals.max) {
    throw new UsageError(`unexpected argument ${positionals[command.positionals.max]}.`);
  }
  return { values, positionals };
}

async function version(): Promise<string> {
  const manifest: unknown = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  const value: unknown =
    typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
  return typeof value === 'string' ? value : 'unknown';
}

function unknownCommand(io: Io, name: string, known: Iterable<string>): number {
  const suggestion = closest(name, known);
  io.err(`framework: unknown command "${name}".${suggestion === undefined ? '' : ` Did you mean ${suggestion}?`}`);
  io.err(USAGE);
  return 2;
}

/** The app's plugin commands for `--help`, or why they are not listed. */
async function appCommands(cwd: string): Promise<{ commands?: ReadonlyMap<string, PluginCommand>; note?: string }> {
  const project = await findProject(cwd).catch(() => undefined);
  if (project === undefined || !existsSync(project.app)) {
    return { note: 'Inside an app, the commands its plugins contribute (db:migrate, queue:work, ...) are listed too.' };
  }
  try {
    const app = await loadApp(project);
    try {
      return { commands: new Map(app.commands()) };
    } finally {
      await app.stop();
    }
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { note: `The app's plugin commands are not listed: ${reason}` };
  }
}

async function runPluginCommand(name: string, args: readonly string[], cwd: string, io: Io): Promise<number> {
  const project = await findProject(cwd);
  if (project === undefined || !existsSync(project.app)) return unknownCommand(io, name, BUILT_IN_BY_NAME.keys());
  let app: Awaited<ReturnType<typeof loadApp>>;
  try {
    app = await loadApp(project);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliFailure(`not a built-in command, and the app's plugin commands could not be read: ${reason}`);
  }
  try {
    const command = app.commands().get(name);
    if (command === undefined) return unknownCommand(io, name, [...BUILT_IN_BY_NAME.keys(), ...app.commands().keys()]);
    if (wantsHelp(args)) {
      for (const line of pluginCommandHelp(name, command)) io.out(line);
      return 0;
    }
    try {
      return await command.run(args, { stdout: io.out, stderr: io.err });
    } catch (error) {
      io.err(`framework ${name}: ${describeError(error)}`);
      return 1;
    }
  } finally {
    await app.stop();
  }
}

/**
 * Runs one `framework` command line and resolves to its exit code: 0 on success, 1 when the command
 * failed, 2 for a usage error (unknown command or flag, missing argument; one line plus the usage).
 * A name that is not built in is looked up among the commands the app's plugins contribute
 * (`db:migrate`, `queue:work`, ...), which run with the app loaded and stopped afterwards.
 * Long-running commands (`dev`, `start`, `test --watch`) resolve when their process ends.
 *
 * @example
 * ```ts
 * import { run } from '@framework/cli';
 *
 * process.exitCode = await run(['routes'], { cwd: '/path/to/my-app' });
 * ```
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = createIo(options.stdout ?? process.stdout, options.stderr ?? process.stderr);
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err('framework: no command given.');
    io.err(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const { commands, note } = await appCommands(cwd);
    for (const line of generalHelp(BUILT_IN, commands, note)) io.out(line);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(await version());
    return 0;
  }
  if (name.startsWith('-')) {
    io.err(`framework: unknown option ${name}.`);
    io.err(USAGE);
    return 2;
  }
  const command = BUILT_IN_BY_NAME.get(name);
  try {
    if (command === undefined) return await runPluginCommand(name, args, cwd, io);
    if (wantsHelp(args)) {
      for (const line of commandHelp(command)) io.out(line);
      return 0;
    }
    const { values, positionals } = parseCommandArgs(command, args);
    return await command.run({ cwd, env, values, positionals, io });
  } catch (error) {
    if (error instanceof CliFailure) {
      io.err(`framework ${name}: ${error.message}`);
      if (error instanceof UsageError && command !== undefined) io.err(`Usage: framework ${command.usage}`);
      return error.exitCode;
    }
    io.err(`framework ${name}: ${describeError(error)}`);
    return 1;
  }
}
