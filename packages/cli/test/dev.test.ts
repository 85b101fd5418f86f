import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, freePort, get, type RunningCli, runCli, startCli } from './helpers.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('framework dev', () => {
  it('serves the app from TypeScript and restarts it after a source file changes, ignoring build output and dotfiles other than .env files', async () => {
    const app = await copyFixture();
    cleanups.push(app.remove);
    const port = await freePort();
    const cli: RunningCli = startCli(['dev', '--port', String(port)], { cwd: app.root });
    cleanups.push(() => cli.stop());

    await cli.waitFor(/ready in \d+ ms, serving http:\/\/127\.0\.0\.1:\d+\//);
    expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe('{"message":"fixture v1"}');
    expect(cli.output()).toContain('NODE_ENV=development');

    const before = cli.output().length;
    await mkdir(join(app.root, 'dist'), { recursive: true });
    await writeFile(join(app.root, 'dist', 'ignored.js'), 'export {};\n');
    await writeFile(join(app.root, '.eslintcache'), '{}\n');
    const source = join(app.root, 'src', 'app.ts');
    await writeFile(source, (await readFile(source, 'utf8')).replace('fixture v1', 'fixture v2'));

    const line = await cli.waitFor(/restarted \(.*\) in \d+ ms/, 30_000, before);
    expect(line).toMatch(/^restarted \(src\/app\.ts changed\) in \d+ ms$/);
    expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe('{"message":"fixture v2"}');
    expect(cli.output().slice(before)).not.toMatch(/dist|\.eslintcache/);

    expect(await cli.stop()).toBe(0);
    expect(await get(`http://127.0.0.1:${port}/`)).toBeUndefined();
  });

  it('keeps watching after the app crashes, and starts it again once the error is fixed', async () => {
    const app = await copyFixture();
    cleanups.push(app.remove);
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port)], { cwd: app.root });
    cleanups.push(() => cli.stop());
    await cli.waitFor(/ready in \d+ ms/);

    const source = join(app.root, 'src', 'app.ts');
    const good = await readFile(source, 'utf8');
    const before = cli.output().length;
    await writeFile(
      source,
      good.replace(
        'export function buildApp() {',
        "export function buildApp() {\n  throw new Error('broken on purpose');",
      ),
    );
    await cli.waitFor(/the app exited with code 1; fix it and save a file to start it again/, 30_000, before);
    expect(cli.output().slice(before)).toContain('broken on purpose');

    const fixed = cli.output().length;
    await writeFile(source, good);
    await cli.waitFor(/restarted \(src\/app\.ts changed\) in \d+ ms/, 30_000, fixed);
    expect((await get(`http://127.0.0.1:${port}/`))?.status).toBe(200);
  });

  it('starts the app with the inspector under --debug', async () => {
    const app = await copyFixture();
    cleanups.push(app.remove);
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port), '--debug'], { cwd: app.root });
    cleanups.push(() => cli.stop());
    await cli.waitFor(/Debugger listening on ws:\/\//);
    await cli.waitFor(/ready in \d+ ms/);
  });
});

describe('framework dev with an app that ignores SIGTERM', () => {
  it('kills it after the grace period and restarts it, also when a .env file changes', async () => {
    const app = await copyFixture();
    cleanups.push(app.remove);
    const main = join(app.root, 'src', 'main.ts');
    await writeFile(
      main,
      (await readFile(main, 'utf8')).replace(
        "for (const signal of ['SIGINT', 'SIGTERM'] as const) {",
        "process.on('SIGTERM', () => console.log('not stopping'));\nfor (const signal of ['SIGINT'] as const) {",
      ),
    );
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port)], { cwd: app.root });
    cleanups.push(() => cli.stop());
    await cli.waitFor(/ready in \d+ ms/);
    const before = cli.output().length;
    await writeFile(join(app.root, '.env'), 'GREETING=hi\n');
    await cli.waitFor(/not stopping/, 30_000, before);
    const line = await cli.waitFor(/restarted \(.*\) in \d+ ms/, 30_000, before);
    expect(line).toMatch(/^restarted \(\.env changed\) in \d+ ms$/);
    expect((await get(`http://127.0.0.1:${port}/`))?.status).toBe(200);
  });
});

describe('framework dev on a busy port', () => {
  it('says the port is in use instead of reporting another server as the app', async () => {
    const app = await copyFixture();
    cleanups.push(app.remove);
    const server = createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { code, stderr } = await runCli(['dev', '--port', String(port)], { cwd: app.root });
    expect(code).toBe(1);
    expect(stderr).toBe(
      `framework dev: port ${port} is in use: stop what serves http://127.0.0.1:${port}/, or pick another port with --port.\n`,
    );
  });
});
