import { relative, resolve } from 'node:path';
import { parseCommandLine, USAGE } from './args.ts';
import { createProject } from './create-project.ts';
import { CreateError } from './errors.ts';
import { installDependencies } from './install.ts';
import { commandsOf, detectPackageManager } from './package-manager.ts';
import { type Answers, askForAnswers } from './prompts.ts';

/**
 * Where `run()` writes and what it knows of the terminal; the defaults are this process's.
 *
 * @example
 * ```ts
 * let out = '';
 * await run(['my-app', '--no-install'], { stdout: (text) => (out += text), interactive: false });
 * ```
 */
export interface RunContext {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** Whether to ask in the terminal (when `--yes` is not given). Default: whether stdin is a TTY. */
  interactive?: boolean;
  /** The environment: `npm_config_user_agent` picks the default package manager. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function nextSteps(answers: Answers, directory: string, installed: boolean): string[] {
  const commands = commandsOf(answers.packageManager);
  const steps = directory === '.' ? [] : [`cd ${directory}`];
  if (!installed) steps.push(commands.install);
  if (answers.template === 'plugin') steps.push(commands.run('test'), commands.run('build'));
  else steps.push(`${commands.run('dev')}   # then open http://127.0.0.1:3000/health/ready`);
  return steps;
}

/**
 * Runs `create-framework` with the given arguments (without `node` and the script) and resolves
 * with the exit code: 0 when the project is written (and installed), 2 for a usage error (one
 * line and the usage on stderr), 1 for any other failure (what to do on stderr).
 *
 * @example
 * ```ts
 * import { run } from 'create-framework';
 *
 * process.exitCode = await run(['my-app', '--template', 'api', '--packages', 'db', '--yes', '--no-install']);
 * ```
 */
export async function run(argv: readonly string[], context: RunContext = {}): Promise<number> {
  const stdout = context.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = context.stderr ?? ((text: string) => process.stderr.write(text));
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  try {
    const line = parseCommandLine(argv);
    if (line.help) {
      stdout(`${USAGE}\n`);
      return 0;
    }
    const detected = detectPackageManager(env.npm_config_user_agent);
    const interactive = !line.yes && (context.interactive ?? process.stdin.isTTY === true);
    const answers: Answers = interactive
      ? await askForAnswers(line, detected)
      : {
          directory: line.directory ?? 'my-app',
          template: line.template ?? 'api',
          packages: line.packages ?? [],
          packageManager: line.packageManager ?? detected,
        };
    const project = await createProject({
      directory: resolve(cwd, answers.directory),
      template: answers.template,
      packages: answers.packages,
      packageManager: answers.packageManager,
    });
    const shown = relative(cwd, project.directory) || '.';
    const batteries = project.packages.length === 0 ? '' : ` with ${project.packages.join(', ')}`;
    stdout(`\nCreated ${project.name} (${project.template}${batteries}) in ${shown}: ${project.files.length} files.\n`);
    if (line.install) {
      stdout(`Installing the dependencies with ${project.packageManager} install...\n`);
      const ms = await installDependencies(project.directory, project.packageManager, { env });
      stdout(`Installed in ${(ms / 1000).toFixed(1)} s.\n`);
    }
    stdout(
      `\nNext steps:\n${nextSteps(answers, shown, line.install)
        .map((step) => `  ${step}`)
        .join('\n')}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CreateError) {
      stderr(`create-framework: ${error.message}\n`);
      if (error.code === 'FW_CREATE_USAGE') stderr(`\n${USAGE}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
