import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { cancel, intro, isCancel, multiselect, select, text } from '@clack/prompts';
import type { CommandLine } from './args.ts';
import { BATTERIES, type BatteryName, type TemplateName } from './create-project.ts';
import { CreateError } from './errors.ts';
import { packageNameProblem } from './internal/names.ts';
import type { PackageManager } from './package-manager.ts';

/** The answers a project needs, from the flags or the prompts. */
export interface Answers {
  directory: string;
  template: TemplateName;
  packages: BatteryName[];
  packageManager: PackageManager;
}

const TEMPLATE_CHOICES: { value: TemplateName; label: string; hint: string }[] = [
  { value: 'api', label: 'API', hint: 'routes, validation, health checks, tests, Dockerfile' },
  { value: 'fullstack', label: 'Fullstack', hint: 'the API plus a page served from public/' },
  { value: 'plugin', label: 'Plugin', hint: 'a package that adds to any framework app, ready to publish' },
];

const BATTERY_CHOICES: Record<BatteryName, { label: string; hint: string }> = {
  db: { label: '@framework/db', hint: 'PostgreSQL (PGlite without a server), migrations' },
  cache: { label: '@framework/cache', hint: 'memory or Redis, tags, wrap()' },
  queue: { label: '@framework/queue', hint: 'background jobs on BullMQ, in process without Redis' },
  auth: { label: '@framework/auth', hint: 'sign-up, login (session or JWT), /me, an admin-only route' },
};

function directoryProblem(value: string | undefined): string | undefined {
  const directory = value?.trim() ?? '';
  if (directory === '') return 'Type a directory name, like my-app.';
  const problem = packageNameProblem(basename(resolve(directory)));
  if (problem !== undefined) return `The directory name is the package name, and ${problem}.`;
  const path = resolve(directory);
  if (existsSync(path) && readdirSync(path).length > 0)
    return `${directory} is not empty; choose a new or empty directory.`;
  return undefined;
}

function cancelled(): never {
  cancel('Cancelled; nothing was written.');
  throw new CreateError('FW_CREATE_CANCELLED', 'The prompts were cancelled; nothing was written.');
}

function answered<T extends string>(value: T | symbol): T {
  return isCancel(value) || typeof value === 'symbol' ? cancelled() : value;
}

function answeredAll<T extends string>(value: T[] | symbol): T[] {
  return isCancel(value) || typeof value === 'symbol' ? cancelled() : value;
}

/**
 * Asks, in the terminal, for what the command line left out: the directory, the template, the
 * batteries (not for a plugin) and the package manager (`detected` preselected).
 */
export async function askForAnswers(line: CommandLine, detected: PackageManager): Promise<Answers> {
  intro('create-framework');
  const directory =
    line.directory ??
    answered(
      await text({
        message: 'Where should the project go?',
        placeholder: 'my-app',
        defaultValue: 'my-app',
        validate: (value) => (value === undefined || value === '' ? undefined : directoryProblem(value)),
      }),
    ).trim();
  const template =
    line.template ??
    answered<TemplateName>(
      await select<TemplateName>({ message: 'Which template?', options: TEMPLATE_CHOICES, initialValue: 'api' }),
    );
  const packages =
    line.packages ??
    (template === 'plugin'
      ? []
      : answeredAll<BatteryName>(
          await multiselect<BatteryName>({
            message: 'Which batteries? (space selects, enter confirms; none is fine)',
            options: BATTERIES.map((value) => ({ value, ...BATTERY_CHOICES[value] })),
            required: false,
          }),
        ));
  const packageManager =
    line.packageManager ??
    answered<PackageManager>(
      await select<PackageManager>({
        message: 'Which package manager?',
        options: [
          { value: 'npm', label: 'npm' },
          { value: 'pnpm', label: 'pnpm' },
        ],
        initialValue: detected,
      }),
    );
  return { directory, template, packages, packageManager };
}
