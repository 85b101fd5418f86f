import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('framework test:load', () => {
  it('exits 1 and names the threshold a route misses', async () => {
    // /slow takes 60 ms per request, so its p95 cannot be under 20 ms.
    const { code, stdout } = await runCli(
      ['test:load', '--path', '/slow', '--duration', '2s', '--p95', '20', '--rps', '1'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL {2}p95 latency: \d+\.\d ms \(threshold < 20 ms\)$/m);
    expect(stdout).toMatch(/^pass {2}failed: 0\.00% of \d+ /m);
    expect(stdout).toContain('1 threshold(s) missed.');
  });

  it('counts error answers as failed requests', async () => {
    const { code, stdout } = await runCli(['test:load', '--path', '/missing', '--duration', '1s', '--rps', '1'], {
      timeoutMs: 60_000,
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL {2}failed: 100\.00% of \d+ \(threshold < 1%\)$/m);
  });

  it('exits 0 when every threshold is met', async () => {
    const { code, stdout } = await runCli(['test:load', '--path', '/', '--duration', '2s', '--rps', '1'], {
      timeoutMs: 60_000,
    });
    expect(code).toBe(0);
    expect(stdout).toContain('All thresholds met.');
  });
});
