import type { Io } from './internal/io.ts';

/** Internal: one flag of a built-in command, as `node:util` `parseArgs` takes it, plus its help text. */
export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's name in the help (`--port N`). */
  readonly value?: string;
  readonly description: string;
}

/** Internal: what a command runs with. */
export interface CommandContext {
  /** The directory the CLI runs in. */
  readonly cwd: string;
  /** The environment the command and its child processes see. */
  readonly env: NodeJS.ProcessEnv;
  /** Parsed flags, by name. */
  readonly values: { readonly [name: string]: string | boolean | undefined };
  readonly positionals: readonly string[];
  readonly io: Io;
}

/** Internal: a built-in command. One per file in `commands/`, listed in `commands/index.ts`. */
export interface Command {
  readonly name: string;
  /** One line for `framework --help`. */
  readonly summary: string;
  /** What follows `framework` on the command line, e.g. `dev [--port N] [--debug]`. */
  readonly usage: string;
  /** Paragraphs for `framework <command> --help` after the flags. */
  readonly details?: readonly string[];
  readonly flags: { readonly [name: string]: Flag };
  /** How many positional arguments it takes; `max: Infinity` passes the rest through. */
  readonly positionals: { readonly min: number; readonly max: number };
  /** Resolves to the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Internal: a string flag's value, if given. */
export function stringFlag(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Internal: whether a boolean flag was given. */
export function booleanFlag(context: CommandContext, name: string): boolean {
  return context.values[name] === true;
}
