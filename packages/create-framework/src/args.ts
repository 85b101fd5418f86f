import { parseArgs } from 'node:util';
import { BATTERIES, type BatteryName, TEMPLATES, type TemplateName } from './create-project.ts';
import { CreateError } from './errors.ts';
import type { PackageManager } from './package-manager.ts';

/**
 * What the command line asked for; what it left out is asked for, or defaulted.
 *
 * @example
 * ```ts
 * const line: CommandLine = parseCommandLine(['my-app', '--yes']);
 * ```
 */
export interface CommandLine {
  directory?: string;
  template?: TemplateName;
  packages?: BatteryName[];
  packageManager?: PackageManager;
  /** Take the defaults instead of asking. */
  yes: boolean;
  /** Run the package manager's install after writing the files. */
  install: boolean;
  help: boolean;
}

/**
 * The help text of the command.
 *
 * @example
 * ```ts
 * import { USAGE } from 'create-framework';
 * console.log(USAGE);
 * ```
 */
export const USAGE = `Usage: create-framework [dir] [options]

Creates a framework app (or plugin) in dir (default: my-app). In a terminal it asks for what the
flags leave out; with --yes, or without a terminal, it takes the defaults.

Options:
  --template <name>   api (default), fullstack (api + a page in public/), plugin (a package to publish)
  --packages <list>   batteries, comma-separated: ${BATTERIES.join(', ')} (default: none)
  --pm <name>         npm or pnpm (default: the one running create-framework)
  --yes, -y           do not ask; take the defaults
  --no-install        write the files only; install later
  --help, -h          show this help

Example:
  npm create framework@latest my-app -- --template api --packages db,cache,queue,auth --yes`;

function usageError(message: string): CreateError {
  return new CreateError('FW_CREATE_USAGE', message);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw usageError(`--${flag} must be one of ${allowed.join(', ')}, not "${value}".`);
  return found;
}

/**
 * Reads the command line of `create-framework`. Throws `FW_CREATE_USAGE` (exit code 2) with a
 * one-line reason for an unknown flag, a missing or unknown value, or more than one directory.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from 'create-framework';
 *
 * parseCommandLine(['my-app', '--template', 'api', '--packages', 'db,cache', '--yes']);
 * // { directory: 'my-app', template: 'api', packages: ['db', 'cache'], yes: true, install: true, help: false }
 * ```
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // Node's messages go on with advice about positionals; the first sentence is the reason.
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(message.split(/(?<=\.) /)[0] ?? message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw usageError(`One directory at most, got ${positionals.length}: ${positionals.join(' ')}.`);
  }
  const line: CommandLine = {
    yes: values.yes === true,
    install: values['no-install'] !== true,
    help: values.help === true,
  };
  if (positionals[0] !== undefined) line.directory = positionals[0];
  if (values.template !== undefined) line.template = oneOf('template', values.template, TEMPLATES);
  if (values.pm !== undefined) line.packageManager = oneOf('pm', values.pm, ['npm', 'pnpm'] as const);
  if (values.packages !== undefined) {
    const names = values.packages
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    line.packages = [...new Set(names.map((name) => oneOf('packages', name, BATTERIES)))];
  }
  return line;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      template: { type: 'string', short: 't' },
      packages: { type: 'string', short: 'p' },
      pm: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'no-install': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
