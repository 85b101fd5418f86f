import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureNode, NODE20_VERSION } from '../../../tooling/bootstrap/run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = fileURLToPath(new URL('../.test-dist/node20', import.meta.url));

describe('core on Node 20', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds and serves requests on Node 20, the oldest Node it supports', () => {
    const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
    const node20 = process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION);
    const output = execFileSync(node20, ['test/fixtures/node20-smoke.mjs'], { cwd: root, encoding: 'utf8' });
    const results = JSON.parse(output);
    expect(results.get[0]).toBe(200);
    expect(results.get[1].id).toBe('7');
    expect(results.get[1].node).toMatch(/^20\./);
    expect(results.post).toEqual([201, { name: 'Ada' }, 'seen=1; Path=/; HttpOnly; SameSite=Lax']);
    expect(results.bad).toEqual([400, 'FW_ERR_VALIDATION']);
    expect(results.stream).toBe('ab');
    expect(results.inMemory).toBe(404);
  }, 60_000);
});
