import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from '../src/index.ts';

async function get(url: URL): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startLocalRegistry()', () => {
  let registry: LocalRegistry;
  beforeAll(async () => {
    registry = await startLocalRegistry();
  });
  afterAll(() => registry?.stop());

  it('listens on loopback only and answers', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await get(new URL('-/ping', registry.url))).status).toBe(200);
  });

  it('proxies third-party packages from the npm registry', async () => {
    const { status, body } = await get(new URL('zod', registry.url));
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'zod', versions: expect.objectContaining({ '4.1.0': expect.anything() }) });
  });

  it('serves @framework/* and create-framework only from its own storage, never from the npm registry', async () => {
    expect((await get(new URL('@framework%2fcore', registry.url))).status).toBe(404);
    // create-framework is a name on the npm registry too (someone else's package): not proxied.
    expect((await get(new URL('create-framework', registry.url))).status).toBe(404);
  });

  it('hands out an npmrc that points npm at it with a token allowed to publish', () => {
    const npmrc = readFileSync(registry.npmrc, 'utf8');
    const host = registry.url.replace(/^http:/, '');
    expect(npmrc).toContain(`registry=${registry.url}`);
    expect(npmrc).toContain(`${host}:_authToken=${registry.token}`);
  });

  it('stops its process and deletes its temp dir', async () => {
    const other = await startLocalRegistry();
    expect(isAlive(other.pid)).toBe(true);
    await other.stop();
    expect(isAlive(other.pid)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
    await expect(fetch(new URL('-/ping', other.url))).rejects.toThrow();
    await other.stop(); // twice is fine
  });
});

describe('startLocalRegistry() failing to start', () => {
  it('gives up after startTimeoutMs with a message saying so, and leaves no temp dir behind', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('framework-registry-')));
    await expect(startLocalRegistry({ startTimeoutMs: 1 })).rejects.toThrow(
      /did not answer on http:\/\/127\.0\.0\.1:\d+\/ within 0\.001 s and was stopped/,
    );
    const left = readdirSync(tmpdir()).filter((name) => name.startsWith('framework-registry-') && !before.has(name));
    expect(left).toEqual([]);
  });
});
