import { existsSync } from 'node:fs';
import { booleanFlag, type Command, stringFlag } from '../command.ts';
import { exited, forwardSignals, spawnNode } from '../internal/child.ts';
import { CliFailure } from '../internal/failure.ts';
import { parsePort } from '../internal/ports.ts';
import { builtFile, requireProject, shown } from '../project.ts';

/** `framework start`: runs the built app with plain Node. */
export const start: Command = {
  name: 'start',
  summary: 'Run the built app (node dist/main.js) with NODE_ENV=production',
  usage: 'start [--cluster] [--port N]',
  details: [
    'Runs the JavaScript framework build wrote for the main module with NODE_ENV=production unless NODE_ENV is',
    "set; nothing but Node and the app's dependencies is needed. SIGINT, SIGTERM and SIGHUP are passed on to",
    "the app, and its exit code is the command's. --cluster sets FRAMEWORK_CLUSTER=1, which app.start() reads",
    'to serve from one worker per CPU.',
  ],
  flags: {
    cluster: { type: 'boolean', description: 'Serve from several worker processes (sets FRAMEWORK_CLUSTER=1)' },
    port: { type: 'string', short: 'p', value: 'N', description: 'Port to serve on (sets PORT)' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const port = parsePort(stringFlag(context, 'port'));
    const project = await requireProject(context.cwd);
    const main = builtFile(project, project.main);
    if (!existsSync(main)) {
      throw new CliFailure(`${shown(project, main)} not found: run framework build first.`);
    }
    const env: NodeJS.ProcessEnv = { ...context.env, NODE_ENV: context.env.NODE_ENV ?? 'production' };
    if (port !== undefined) env.PORT = String(port);
    if (booleanFlag(context, 'cluster')) env.FRAMEWORK_CLUSTER = '1';
    const child = spawnNode(['--enable-source-maps', main], { cwd: project.root, env, io: context.io, detached: true });
    forwardSignals(child, ['SIGINT', 'SIGTERM', 'SIGHUP']);
    return exited(child);
  },
};
