import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, freePort, runCli, startCli } from './helpers.ts';

let app: Awaited<ReturnType<typeof copyFixture>>;
beforeAll(async () => {
  app = await copyFixture();
  const built = await runCli(['build'], { cwd: app.root, timeoutMs: 120_000 });
  expect(built.code, built.stdout + built.stderr).toBe(0);
}, 150_000);
afterAll(async () => {
  await app.remove();
});

/** What a client on kept-alive connections saw: the worker pids that answered, and every failure. */
interface Traffic {
  pids: number[];
  failures: string[];
}

/** GET /pid on a kept-alive connection of `agent`. */
function pidOf(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = request(url, { agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(body).pid) : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    probe.on('timeout', () => probe.destroy(new Error('timed out')));
    probe.on('error', reject);
    probe.end();
  });
}

/** Two clients sending requests one after another on kept-alive connections until `until` resolves. */
async function traffic(url: string, until: Promise<unknown>): Promise<Traffic> {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  const seen: Traffic = { pids: [], failures: [] };
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const client = async () => {
    while (!done) {
      try {
        seen.pids.push(await pidOf(url, agent));
      } catch (error) {
        seen.failures.push(error instanceof Error ? `${error.message}` : String(error));
      }
    }
  };
  await Promise.all([client(), client()]);
  agent.destroy();
  return seen;
}

describe('framework start --cluster', () => {
  it('replaces the workers on SIGHUP without dropping a kept-alive request, and replaces a killed worker', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/pid`;
    const cli = startCli(['start', '--cluster', '--workers', '2', '--port', String(port)], { cwd: app.root });
    try {
      await cli.waitFor(/fixture listening on[\s\S]*fixture listening on/, 60_000);
      const before = await traffic(url, sleep(500));
      expect(before.failures).toEqual([]);
      const first = new Set(before.pids);
      expect(first.size, cli.output()).toBe(2);

      // SIGHUP to `framework start`, as a process manager sends it: the CLI passes it to the primary.
      const from = cli.output().length;
      const reloaded = cli.waitFor(/rolling restart done/, 60_000, from);
      const running = traffic(url, Promise.all([reloaded, sleep(3_000)]));
      await sleep(300);
      expect(cli.child.kill('SIGHUP')).toBe(true);
      const during = await running;
      expect(during.failures, cli.output()).toEqual([]);
      expect(during.pids.length).toBeGreaterThan(10);
      const after = new Set((await traffic(url, sleep(500))).pids);
      expect(
        [...after].filter((pid) => first.has(pid)),
        'old workers still answer',
      ).toEqual([]);

      // A worker killed outright comes back: another pid answers in its place.
      const [victim] = [...after];
      process.kill(victim ?? 0, 'SIGKILL');
      const replaced = new Set<number>();
      for (let i = 0; i < 100 && replaced.size < 2; i++) {
        const seen = await traffic(url, sleep(200));
        for (const pid of seen.pids) if (pid !== victim) replaced.add(pid);
        if (seen.pids.includes(victim ?? 0)) throw new Error('the killed worker answered');
      }
      expect(replaced.size, cli.output()).toBe(2);
      expect(await cli.stop()).toBe(0);
    } finally {
      await cli.stop();
    }
  }, 240_000);
});
