import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, FIXTURE, runCli } from './helpers.ts';

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
    // Thresholds far from what loopback does, so a busy machine does not make the test flaky.
    const { code, stdout } = await runCli(
      ['test:load', '--path', '/', '--duration', '2s', '--rps', '1', '--p95', '5000'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('All thresholds met.');
  });
});

describe('progress on a terminal', () => {
  it('shows a spinner with the elapsed time while a load test runs, and clears it', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell would.
    const command = [
      process.execPath,
      BIN,
      'test:load',
      '--path',
      '/',
      '--duration',
      '2s',
      '--rps',
      '1',
      '--p95',
      '5000',
    ].join(' ');
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: FIXTURE, env: cliEnv() });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const clearLine = '\u001b[K';
    expect(output).toMatch(/\r[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] loading http:\/\/127\.0\.0\.1:\d+\/ \(1 s\)/);
    expect(output).toContain(`(1 s)${clearLine}`);
    expect(output).toContain(`\r${clearLine}pass  p95 latency`);
    expect(output).toContain('All thresholds met.');
  });
});
