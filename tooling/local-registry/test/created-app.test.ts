// What the README of create-framework promises, as a user on Node 20 gets it: an app created with
// `npm create framework@latest`, its dependencies installed from the registry, passes its own
// tests, builds, and serves from built JavaScript with `npm start` (`framework start`,
// production), needing nothing of this repository.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type Services, startServices } from '@framework/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, publishWorkspace, startLocalRegistry } from '../src/index.ts';
import { type Launched, launch, run, stopProcess, tail } from '../src/internal/child.ts';
import { cleanEnv } from '../src/internal/env.ts';
import { freePort } from '../src/internal/free-port.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'framework-created-app-'));
const app = join(scratch, 'my-app');
const node20 = process.env.FRAMEWORK_NODE20 || '/usr/bin/node';

let registry: LocalRegistry | undefined;
let services: Services | undefined;
/** What production requires of the app besides its services: the keys of its cookies, sessions and tokens. */
const secrets = {
  COOKIE_SECRET: 'created-app-cookie-secret-0123456789abcdef',
  SESSION_SECRET: 'created-app-session-secret-0123456789abcdef',
  JWT_SECRET: 'created-app-jwt-secret-0123456789abcdef-0123456789',
};

/**
 * A user's shell: `node` and `npm` from `node`'s folder (then the system's), npm pointed at the
 * local registry with an empty config of its own and a fresh cache; nothing of this repository on
 * PATH.
 */
function userEnv(node: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv(process.env, {
    PATH: [dirname(node), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    npm_config_registry: registry?.url ?? '',
    npm_config_userconfig: join(scratch, 'npmrc'),
    npm_config_cache: join(scratch, 'npm-cache'),
    // npx asks before it fetches create-framework; a user answers yes.
    npm_config_yes: 'true',
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    // Plain output, whatever the terminal this test runs in: the assertions read it.
    NO_COLOR: '1',
    ...extra,
  });
  delete env.FORCE_COLOR;
  return env;
}

function npm(args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return run('npm', args, { cwd, env: userEnv(node20), timeoutMs, group: true });
}

async function waitUntilReady(url: string, server: Launched, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    if (status === 200) return;
    if (server.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${url} did not answer 200 (last: ${status}). The app's output:${tail(server.output())}`);
    }
    await sleep(200);
  }
}

beforeAll(async () => {
  registry = await startLocalRegistry();
  await publishWorkspace({
    registry: registry.url,
    token: registry.token,
    root,
    only: [
      '@framework/auth',
      '@framework/cache',
      '@framework/cli',
      '@framework/core',
      '@framework/db',
      '@framework/queue',
      'create-framework',
    ],
  });
  rmSync(join(scratch, 'npmrc'), { force: true });
  services = await startServices({ postgres: true, redis: true, log: () => {} });
}, 240_000);

afterAll(async () => {
  await services?.stop();
  await registry?.stop();
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
});

describe('npm create framework@latest my-app -- --template api --packages db,cache,queue,auth --yes', () => {
  it('creates the app and installs its dependencies from the registry', async () => {
    await npm(
      ['create', 'framework@latest', 'my-app', '--', '--template', 'api', '--packages', 'db,cache,queue,auth', '--yes'],
      scratch,
      400_000,
    );
    for (const name of ['cli', 'auth']) {
      expect(existsSync(join(app, 'node_modules', '@framework', name, 'package.json'))).toBe(true);
    }
    expect(existsSync(join(app, 'package-lock.json'))).toBe(true);
  }, 420_000);

  it('passes its own tests (npm test), sign-up and login among them', async () => {
    const output = await npm(['test'], app, 240_000);
    expect(output).toMatch(/Tests\s+5 passed/);
  }, 250_000);

  it('builds to JavaScript (npm run build)', async () => {
    await npm(['run', 'build'], app, 180_000);
    expect(existsSync(join(app, 'dist', 'src', 'main.js'))).toBe(true);
  }, 190_000);

  it.each([
    ['Node 20', node20],
    ["the toolchain's Node", process.execPath],
  ])(
    'serves from the build with npm start in production on %s',
    async (_label, node) => {
      const port = await freePort('127.0.0.1');
      const server = launch('npm', ['start'], {
        cwd: app,
        env: userEnv(node, { ...services?.env, ...secrets, PORT: String(port), HOST: '127.0.0.1' }),
        group: true,
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitUntilReady(`${base}/health/ready`, server, 60_000);
        const title = `served by ${node}`;
        const created = await fetch(`${base}/notes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        });
        expect(created.status).toBe(201);
        const listed = await fetch(`${base}/notes`);
        expect(listed.status).toBe(200);
        expect(await listed.json()).toEqual(expect.arrayContaining([expect.objectContaining({ title })]));
        // An account in PostgreSQL, a session in Redis: the cookie of the login answers /me.
        const credentials = JSON.stringify({ email: `${port}@example.com`, password: 'correct horse battery staple' });
        const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: credentials };
        expect((await fetch(`${base}/auth/signup`, post)).status).toBe(201);
        const login = await fetch(`${base}/auth/login`, post);
        expect(login.status).toBe(200);
        const cookie = login.headers
          .getSetCookie()
          .map((line) => line.split(';')[0])
          .join('; ');
        const me = await fetch(`${base}/me`, { headers: { cookie } });
        expect(await me.json()).toMatchObject({ email: `${port}@example.com`, roles: ['user'] });
      } finally {
        await stopProcess(server, 10_000);
      }
    },
    120_000,
  );
});
