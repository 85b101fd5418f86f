import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closedPort as freePort } from '@framework/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from './helpers.ts';

async function waitForServer(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the example did not start listening on ${url}`);
}

describe('the spec §8.1 Express migration sample, in its own process on a real port', () => {
  let child: ChildProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const fixture = fileURLToPath(new URL('./fixtures/express-migration.ts', import.meta.url));
    child = spawn(process.execPath, [fixture], {
      env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await waitForServer(`${base}/`);
  });

  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('serves the route with JSON', async () => {
    const res = await fetch(`${base}/users/42`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ user: { id: '42', name: 'user 42' } });
  });

  it('catches the error and answers 500 without internals in production', async () => {
    const res = await fetch(`${base}/users/crash`);
    expect(res.status).toBe(500);
    const body = await readJson(res);
    expect(body.detail).toBe('An unexpected error occurred; it has been logged.');
    expect(JSON.stringify(body)).not.toContain('connection refused');
  });

  it('answers unknown paths with 404 problem+json', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });
});
