import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { booleanFlag, type Command, stringFlag } from '../command.ts';
import { exited, forwardSignals, spawnNode } from '../internal/child.ts';
import { CliFailure, UsageError } from '../internal/failure.ts';
import { parsePort } from '../internal/ports.ts';
import { builtFile, type Project, requireProject, shown } from '../project.ts';

/** The cluster primary script, next to this module (TypeScript in the repository, JavaScript once built). */
const PRIMARY = fileURLToPath(
  new URL(`../internal/cluster-primary${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

/** The URL of the app's own `@framework/core`, which owns the cluster. */
function appCore(project: Project): string {
  try {
    return pathToFileURL(createRequire(join(project.root, 'package.json')).resolve('@framework/core')).href;
  } catch {
    throw new CliFailure('--cluster needs @framework/core in the app: npm install @framework/core.');
  }
}

function workerCount(value: string | undefined): string {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--workers takes a number of workers from 1 up, or auto, not "${value}".`);
  }
  return value;
}

/** `framework start`: runs the built app with plain Node. */
export const start: Command = {
  name: 'start',
  summary: 'Run the built app (node dist/main.js) with NODE_ENV=production',
  usage: 'start [--cluster [--workers N]] [--port N]',
  details: [
    'Runs the JavaScript framework build wrote for the main module with NODE_ENV=production unless NODE_ENV is',
    "set; nothing but Node and the app's dependencies is needed. SIGINT, SIGTERM and SIGHUP are passed on to",
    "the app, and its exit code is the command's. With --cluster, the app's @framework/core runs the main",
    'module in one worker per CPU (or --workers N) sharing the port: SIGHUP replaces the workers one at a',
    'time with no request dropped, and a crashed worker is restarted with back-off.',
  ],
  flags: {
    cluster: { type: 'boolean', description: 'Serve from several worker processes sharing the port' },
    workers: { type: 'string', value: 'N', description: 'How many workers with --cluster (default auto: one per CPU)' },
    port: { type: 'string', short: 'p', value: 'N', description: 'Port to serve on (sets PORT)' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const port = parsePort(stringFlag(context, 'port'));
    const clustered = booleanFlag(context, 'cluster');
    const workers = workerCount(stringFlag(context, 'workers'));
    if (!clustered && stringFlag(context, 'workers') !== undefined)
      throw new UsageError('--workers goes with --cluster.');
    const project = await requireProject(context.cwd);
    const main = builtFile(project, project.main);
    if (!existsSync(main)) {
      throw new CliFailure(`${shown(project, main)} not found: run framework build first.`);
    }
    const env: NodeJS.ProcessEnv = { ...context.env, NODE_ENV: context.env.NODE_ENV ?? 'production' };
    if (port !== undefined) env.PORT = String(port);
    const args = clustered
      ? ['--enable-source-maps', PRIMARY, appCore(project), main, workers]
      : ['--enable-source-maps', main];
    const child = spawnNode(args, { cwd: project.root, env, io: context.io, detached: true });
    forwardSignals(child, ['SIGINT', 'SIGTERM', 'SIGHUP']);
    return exited(child);
  },
};
