import { booleanFlag, type Command } from '../command.ts';
import { exited, spawnNode } from '../internal/child.ts';
import { resolveAppBin } from '../internal/resolve-tool.ts';
import { requireProject } from '../project.ts';

/** `framework test`: the app's vitest, with NODE_ENV=test. */
export const test: Command = {
  name: 'test',
  summary: "Run the app's tests with its vitest (NODE_ENV=test)",
  usage: 'test [--watch] [--coverage] [files or vitest options after --]',
  details: [
    "Runs vitest from the app's own dependencies once (vitest run), or in watch mode with --watch. Arguments",
    "are passed to vitest: file filters as they are, vitest's own options after -- (framework test -- -t users).",
    '--coverage needs @vitest/coverage-v8 in the app.',
  ],
  flags: {
    watch: { type: 'boolean', short: 'w', description: 'Run again when a file changes' },
    coverage: { type: 'boolean', description: 'Report test coverage (needs @vitest/coverage-v8)' },
  },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  async run(context) {
    const project = await requireProject(context.cwd);
    const vitest = resolveAppBin(project.root, 'vitest', 'vitest', 'npm install --save-dev vitest');
    const args = [
      vitest,
      booleanFlag(context, 'watch') ? 'watch' : 'run',
      ...(booleanFlag(context, 'coverage') ? ['--coverage'] : []),
      ...context.positionals,
    ];
    const env = { ...context.env, NODE_ENV: context.env.NODE_ENV ?? 'test' };
    // Not a process group of its own: watch mode reads keys from the terminal. Ctrl-C reaches
    // vitest from the terminal, so the CLI only waits for it to finish.
    const child = spawnNode(args, { cwd: project.root, env, io: context.io });
    const ignore = () => undefined;
    const terminate = () => child.kill('SIGTERM');
    process.on('SIGINT', ignore);
    process.on('SIGTERM', terminate);
    try {
      return await exited(child);
    } finally {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', terminate);
    }
  },
};
