import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanFlag, type Command, stringFlag } from '../command.ts';
import { exited, spawnNode, stopChild } from '../internal/child.ts';
import { type DevDatabase, startDevDatabase } from '../internal/dev-database.ts';
import { CliFailure } from '../internal/failure.ts';
import { parsePort, probeHost } from '../internal/ports.ts';
import { tsxLoader } from '../internal/tsx.ts';
import { answers, waitForHttp } from '../internal/wait-for-http.ts';
import { watchTree } from '../internal/watch-tree.ts';
import { type Project, requireProject, shown } from '../project.ts';

/** How long a restarted app may take to answer before the CLI says so (it keeps running). */
const ANSWER_TIMEOUT_MS = 30_000;
/** Editors write a file in several steps: changes this close together make one restart. */
const SETTLE_MS = 25;

/** The script of the spare process, next to this module (TypeScript in the repository, JavaScript once built). */
const SPARE = fileURLToPath(
  new URL(`../internal/dev-spare${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);
/** Files whose change can change what the app's dependencies are: a spare loaded before is dropped. */
const MANIFESTS = new Set(['package.json', 'package-lock.json', 'pnpm-lock.yaml', 'yarn.lock']);

/**
 * The entry files of the app's runtime dependencies (package.json `dependencies`, the CLI itself
 * excepted), which a spare process loads ahead of the next restart.
 */
function dependencyEntries(project: Project): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(project.root, 'package.json'), 'utf8'));
  } catch {
    return [];
  }
  const dependencies = typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'dependencies') : {};
  const names = typeof dependencies === 'object' && dependencies !== null ? Object.keys(dependencies) : [];
  const require = createRequire(join(project.root, 'package.json'));
  const entries: string[] = [];
  for (const name of names) {
    if (name === '@framework/cli') continue;
    try {
      entries.push(require.resolve(name));
    } catch {
      // Types-only or bin-only packages have nothing to load.
    }
  }
  return entries;
}

/** `framework dev`: runs the app from its TypeScript, restarting it when a file changes. */
export const dev: Command = {
  name: 'dev',
  summary: 'Run the app from its TypeScript and restart it on every file change',
  usage: 'dev [--port N] [--debug]',
  details: [
    'Runs the app\'s main module (package.json "framework.main", default src/main.ts) with NODE_ENV=development',
    'unless NODE_ENV is set. Files under the app are watched, except node_modules, the build output and dotfiles;',
    'after a change the app is stopped (SIGTERM, then SIGKILL after 5 s) and started again, and the time from the',
    'change to its first answer on PORT is printed. Ctrl-C stops it.',
    'When the app uses @framework/db and DATABASE_URL is not set, its PGlite database (.data/pglite) is opened',
    'once by framework dev and served to the app over the PostgreSQL protocol (DATABASE_URL points to it), so a',
    'restart does not open it again.',
  ],
  flags: {
    port: { type: 'string', short: 'p', value: 'N', description: 'Port to serve on (sets PORT; default PORT or 3000)' },
    debug: { type: 'boolean', description: 'Start the app with the inspector (node --inspect) to attach a debugger' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io } = context;
    const flagPort = parsePort(stringFlag(context, 'port'));
    const project = await requireProject(context.cwd);
    if (!existsSync(project.main)) {
      throw new CliFailure(
        `${shown(project, project.main)} not found: framework dev runs the module package.json "framework.main" names (default src/main.ts).`,
      );
    }
    const port = flagPort ?? parsePort(context.env.PORT, 'PORT') ?? 3000;
    const host = context.env.HOST ?? '127.0.0.1';
    const url = `http://${probeHost(host)}:${port}/`;
    // Something else answering there would pass for the app and hide its EADDRINUSE.
    if (await answers(url)) {
      throw new CliFailure(`port ${port} is in use: stop what serves ${url}, or pick another port with --port.`);
    }
    const env: NodeJS.ProcessEnv = {
      ...context.env,
      NODE_ENV: context.env.NODE_ENV ?? 'development',
      PORT: String(port),
    };
    let database: DevDatabase | undefined;
    if (project.dependencies.has('@framework/db') && context.env.DATABASE_URL === undefined) {
      database = await startDevDatabase(project.root);
      if (database !== undefined) {
        env.DATABASE_URL = database.url;
        io.out(
          `framework dev: opened PGlite in .data/pglite in ${database.openedInMs} ms; the app connects to it at ${database.url} and it stays open across restarts`,
        );
      }
    }
    const debug = booleanFlag(context, 'debug');
    const node = [...(debug ? ['--inspect'] : []), '--enable-source-maps', '--import', tsxLoader()];
    const args = [...node, project.main];

    let child: ChildProcess | undefined;
    let stopping = false;
    let generation = 0;
    let changedAt: number | undefined;
    let changedPath = '';
    let settle: NodeJS.Timeout | undefined;
    let restarting = Promise.resolve();
    let finish: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => {
      finish = resolve;
    });

    // The next app process, started ahead with the app's dependencies loaded: a restart then only
    // loads the app's own files. Not under --debug (two inspectors would want the same port).
    let spare: { child: ChildProcess; ready: boolean } | undefined;
    const prepareSpare = () => {
      if (debug || stopping || spare !== undefined) return;
      const entry = {
        child: spawnNode([...node, SPARE, project.main, JSON.stringify(dependencyEntries(project))], {
          cwd: project.root,
          env,
          io,
          detached: true,
          ipc: true,
        }),
        ready: false,
      };
      entry.child.on('message', (message) => {
        if (message === 'ready') entry.ready = true;
      });
      entry.child.once('exit', () => {
        if (spare === entry) spare = undefined;
      });
      spare = entry;
    };
    const dropSpare = async () => {
      const dropped = spare;
      spare = undefined;
      if (dropped !== undefined) await stopChild(dropped.child);
    };
    /** The spare, told to run the app, when it is ready; else a new process. */
    const startApp = (): { child: ChildProcess; ahead: boolean } => {
      const ready = spare;
      if (ready?.ready === true && ready.child.connected) {
        spare = undefined;
        ready.child.send('start');
        return { child: ready.child, ahead: true };
      }
      void dropSpare();
      return { child: spawnNode(args, { cwd: project.root, env, io, detached: true }), ahead: false };
    };

    /** `before`: the time from the change until the old process had exited, shown apart. */
    const launch = (since: number, reason: string, before?: number) => {
      const current = ++generation;
      const { child: started, ahead } = startApp();
      child = started;
      let alive = true;
      void exited(started).then((code) => {
        alive = false;
        if (current === generation && !stopping) {
          io.err(`framework dev: the app exited with code ${code}; fix it and save a file to start it again.`);
        }
      });
      void waitForHttp(url, ANSWER_TIMEOUT_MS, () => alive && current === generation).then((answered) => {
        if (current !== generation) return;
        const ms = Date.now() - since + (before ?? 0);
        const parts =
          before === undefined
            ? ''
            : ` (stopping the old process ${before} ms, starting ${ms - before} ms${ahead ? ', dependencies loaded ahead' : ''})`;
        if (answered) io.out(`framework dev: ${reason} in ${ms} ms${parts}, serving ${url}`);
        else if (alive)
          io.err(`framework dev: the app has not answered on ${url} after ${ms} ms; is it listening on PORT?`);
        // Only now, so that loading it does not slow down the start it waited for.
        prepareSpare();
      });
    };

    const restart = () => {
      const since = changedAt ?? Date.now();
      const path = changedPath;
      changedAt = undefined;
      restarting = restarting.then(async () => {
        if (stopping) return;
        generation++;
        if (MANIFESTS.has(basename(path))) await dropSpare();
        if (child !== undefined) await stopChild(child);
        const stopped = Date.now();
        if (!stopping) {
          launch(stopped, `restarted (${shown(project, path)} changed)`, stopped - since);
        }
      });
    };

    const watcher = watchTree(
      project.root,
      (path) => {
        if (stopping) return;
        changedAt ??= Date.now();
        changedPath = path;
        clearTimeout(settle);
        settle = setTimeout(restart, SETTLE_MS);
      },
      [project.build],
    );

    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(settle);
      watcher.close();
      void restarting
        .then(() => Promise.all([child === undefined ? 0 : stopChild(child), dropSpare()]))
        .then(() => database?.close())
        .catch(() => undefined)
        .then(() => finish(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const killOnExit = () => {
      child?.kill('SIGKILL');
      spare?.child.kill('SIGKILL');
    };
    process.on('exit', killOnExit);

    io.out(`framework dev: starting ${shown(project, project.main)} (NODE_ENV=${env.NODE_ENV})`);
    launch(Date.now(), 'ready');
    try {
      return await finished;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('exit', killOnExit);
    }
  },
};
