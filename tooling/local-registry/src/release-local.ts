// `pnpm release:local`: builds every package, publishes them to a local registry and says how to
// install from it. Run with Node 22.18 or later (it strips this file's types); the root script
// runs it through tooling/bootstrap, which provides that Node.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publishWorkspace } from './publish.ts';
import { startLocalRegistry } from './registry.ts';

const USAGE = `usage: pnpm release:local [-- --registry <url>] [--skip-build]

Builds every package (turbo run build), starts a local npm registry on 127.0.0.1 (verdaccio; the
@framework/* packages and create-framework come only from it, everything else from the npm
registry), publishes every package that is not private to it, prints how to install from it and
keeps it running until Ctrl-C.

  --registry <url>  publish to this running registry instead, and exit (a version it already has
                    is skipped)
  --skip-build      publish what is built already
  --help            this text`;

const root = fileURLToPath(new URL('../../../', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`release:local: ${message}\n`);
  process.exit(1);
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build'], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`turbo run build ${signal ?? `exited with code ${code}`}`)),
    );
  });
}

function howToUse(url: string): string {
  return [
    '',
    `Local registry: ${url}`,
    'From an empty directory outside this repository:',
    `  npm_config_registry=${url} npm create framework@latest my-app`,
    `  npm install @framework/core @framework/db zod --registry ${url}`,
    `  pnpm add @framework/core --registry ${url}`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let values: { registry?: string; 'skip-build'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        registry: { type: 'string' },
        'skip-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      // `pnpm release:local -- --registry x` passes the `--` on.
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values['skip-build'] !== true) await build();
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  if (values.registry !== undefined) {
    await publishWorkspace({ registry: values.registry, log });
    process.stdout.write(howToUse(values.registry.endsWith('/') ? values.registry : `${values.registry}/`));
    return;
  }

  log('starting the local registry');
  const registry = await startLocalRegistry();
  const stop = (): void => {
    void registry.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await publishWorkspace({ registry: registry.url, token: registry.token, log });
  } catch (error) {
    await registry.stop();
    throw error;
  }
  process.stdout.write(`${howToUse(registry.url)}It runs until you press Ctrl-C (its storage is deleted then).\n`);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
