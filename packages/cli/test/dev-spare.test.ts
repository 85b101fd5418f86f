import { readdirSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, freePort, get, startCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
  const source = join(app.root, 'src', 'app.ts');
  await writeFile(
    source,
    (await readFile(source, 'utf8')).replace(
      '  return app;',
      "  app.get('/main', () => ({ main: process.argv[1], connected: process.connected }));\n  return app;",
    ),
  );
});
afterAll(async () => {
  await app.remove();
});

/** The command lines of the processes still running from this app's folder. */
function processesOf(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (command.includes(root)) found.push(command);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('framework dev restarts', () => {
  it('run the changed app in a process that loaded its dependencies ahead, as if node ran the main module', async () => {
    const port = await freePort();
    const cli = startCli(['dev', '--port', String(port)], { cwd: app.root });
    const source = join(app.root, 'src', 'app.ts');
    try {
      await cli.waitFor(/ready in \d+ ms/, 60_000);
      let line = '';
      let version = 1;
      // The spare process is prepared after each start: give it the time it needs on a busy machine.
      for (let attempt = 0; attempt < 20 && !line.includes('dependencies loaded ahead'); attempt++) {
        await sleep(1_000);
        const before = cli.output().length;
        const text = await readFile(source, 'utf8');
        await writeFile(source, text.replace(`fixture v${version}`, `fixture v${version + 1}`));
        version++;
        line = await cli.waitFor(/restarted \(src\/app\.ts changed\) in \d+ ms \([^)]*\)/, 60_000, before);
        expect((await get(`http://127.0.0.1:${port}/`))?.body).toBe(`{"message":"fixture v${version}"}`);
      }
      expect(line).toMatch(/starting \d+ ms, dependencies loaded ahead\)$/);
      expect(JSON.parse((await get(`http://127.0.0.1:${port}/main`))?.body ?? '{}')).toEqual({
        main: join(app.root, 'src', 'main.ts'),
        connected: false,
      });

      // A change to package.json may change the dependencies: the next start loads them afresh.
      await sleep(2_000);
      const before = cli.output().length;
      const manifest = join(app.root, 'package.json');
      await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('"private": true', '"private": true '));
      const fresh = await cli.waitFor(/restarted \(package\.json changed\) in \d+ ms \([^)]*\)/, 60_000, before);
      expect(fresh).not.toContain('dependencies loaded ahead');
      expect((await get(`http://127.0.0.1:${port}/`))?.status).toBe(200);

      await sleep(2_000);
      expect(await cli.stop()).toBe(0);
      // Neither the app nor a spare is left running.
      await sleep(500);
      expect(processesOf(app.root)).toEqual([]);
    } finally {
      await cli.stop();
    }
  }, 240_000);
});
