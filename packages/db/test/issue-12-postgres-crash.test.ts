import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUrl } from './helpers.ts';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(packageDir, 'test', 'fixtures', 'postgres-crash');
const workspacePatch = fileURLToPath(new URL('../../../patches/postgres@3.4.9.patch', import.meta.url));

/** Whether a postgres.js copy has the guard of the workspace patch in its connection code. */
function guarded(copy: string): boolean {
  return readFileSync(join(copy, 'src', 'connection.js'), 'utf8').includes('if (socket === null)');
}

/** Runs the scenario in a child process on `copy`; resolves to its exit code and output. */
async function scenario(mode: 'framework' | 'driver', copy: string, url: string) {
  return run(process.execPath, ['--import', './register.mjs', 'scenario.ts'], {
    cwd: fixture,
    env: { ...process.env, MODE: mode, POSTGRES_COPY: copy, DATABASE_URL: url },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

describe('a write after a closed connection does not end the process without the workspace patch (issue 12)', () => {
  let root: string;
  let unpatched: string;
  let url: string;

  beforeAll(async () => {
    url = (await freshUrl('postgres')) ?? '';
    // What an app installing @framework/db from a registry gets: postgres.js as released. The
    // installed copy carries the workspace patch; undo it on a copy.
    root = mkdtempSync(join(tmpdir(), 'fw-postgres-unpatched-'));
    unpatched = join(root, 'postgres');
    cpSync(realpathSync(join(packageDir, 'node_modules', 'postgres')), unpatched, { recursive: true });
    if (guarded(unpatched)) {
      await run('git', ['apply', '-R', '-p1', workspacePatch], { cwd: unpatched });
    }
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('uses a postgres.js copy without the guard', () => {
    expect(guarded(unpatched)).toBe(false);
  });

  it('the scenario ends a process that uses postgres.js alone (the crash is real)', async () => {
    const result = await scenario('driver', unpatched, url);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Cannot read properties of null (reading 'write')");
  });

  it('the same scenario through @framework/db: the transaction fails with 503 and the process lives on', async () => {
    const result = await scenario('framework', unpatched, url);
    expect(result.stderr).not.toContain("reading 'write'");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('survived FW_DB_UNAVAILABLE');
  });
});
