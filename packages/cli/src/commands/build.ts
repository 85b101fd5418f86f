import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Command } from '../command.ts';
import { exited, spawnNode } from '../internal/child.ts';
import { CliFailure } from '../internal/failure.ts';
import { showProgress } from '../internal/progress.ts';
import { resolveAppBin } from '../internal/resolve-tool.ts';
import { builtFile, type Project, requireProject, shown } from '../project.ts';

/** Whether `inner` is `outer` or below it. */
function within(outer: string, inner: string): boolean {
  const relation = relative(outer, inner);
  return relation === '' || (relation !== '..' && !relation.startsWith(`..${sep}`) && !isAbsolute(relation));
}

/**
 * The build directory is emptied first so no file deleted from the sources survives in it; only
 * when it is a folder of its own inside the app that holds none of the sources.
 */
function cleanable(project: Project): boolean {
  return (
    project.build !== project.root &&
    within(project.root, project.build) &&
    !within(project.build, project.app) &&
    !within(project.build, project.main)
  );
}

/** `framework build`: compiles the app with its TypeScript into the build directory. */
export const build: Command = {
  name: 'build',
  summary: 'Compile the app with its own TypeScript (tsc) into dist, for framework start',
  usage: 'build',
  details: [
    "Runs the app's tsc with tsconfig.build.json when the app has one, else tsconfig.json, writing to the",
    'directory package.json "framework.build" names (default dist), which is emptied first. Relative imports',
    'written with .ts are rewritten to .js by tsc (rewriteRelativeImportExtensions), so the output runs on',
    "plain Node. A type error fails the build with tsc's messages and exit code 1.",
  ],
  flags: {},
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io } = context;
    const project = await requireProject(context.cwd);
    const tsconfig = ['tsconfig.build.json', 'tsconfig.json']
      .map((name) => join(project.root, name))
      .find((path) => existsSync(path));
    if (tsconfig === undefined) {
      throw new CliFailure(
        `No tsconfig.json in ${project.root}: framework build compiles the app with tsc -p tsconfig.json.`,
      );
    }
    const tsc = resolveAppBin(project.root, 'typescript', 'tsc', 'npm install --save-dev typescript');
    const started = Date.now();
    if (cleanable(project)) await rm(project.build, { recursive: true, force: true });
    // --noEmit false: a tsconfig.json written for type-checking only still builds.
    const child = spawnNode([tsc, '-p', tsconfig, '--outDir', project.build, '--noEmit', 'false'], {
      cwd: project.root,
      env: context.env,
      io,
    });
    const progress = showProgress(io, `compiling with tsc (${shown(project, tsconfig)})`);
    const code = await exited(child).finally(() => progress.done());
    if (code !== 0) {
      io.err(`framework build: tsc found errors (above); nothing usable was built.`);
      return 1;
    }
    const main = builtFile(project, project.main);
    if (!existsSync(main)) {
      io.err(
        `framework build: tsc succeeded but ${shown(project, main)} is missing; check that tsconfig includes ${shown(project, project.main)}.`,
      );
      return 1;
    }
    io.out(
      `framework build: built ${shown(project, project.build)} in ${Date.now() - started} ms; run it with framework start.`,
    );
    return 0;
  },
};
