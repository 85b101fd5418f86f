// Issue 12, neighbours: `framework queue:work` got SIGTERM while Redis was frozen (SIGSTOP) and
// never exited. It must exit within its closeTimeout, whatever Redis does.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startServices } from '@framework/test-services';
import { describe, expect, it } from 'vitest';
import { createQueue } from '../src/index.ts';
import { eventually, recordingLogger } from './helpers.ts';

const WORKER = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
const CLOSE_TIMEOUT = 3_000;

describe('queue:work with Redis frozen', () => {
  it('SIGTERM with a job running: the process exits within closeTimeout', { timeout: 60_000 }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const pid = services.services.redis!.pid;
    const name = `q-${randomUUID()}`;
    const producer = createQueue(name, {
      redis: services.env.REDIS_URL!,
      env: {},
      work: false,
      logger: recordingLogger(),
    });
    const child = spawn(process.execPath, [WORKER, 'command', name], {
      env: { ...process.env, REDIS_URL: services.env.REDIS_URL, CLOSE_TIMEOUT: String(CLOSE_TIMEOUT) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let frozen = false;
    try {
      await eventually(() => expect(output).toContain('working on'), 30_000);
      await producer.add('second', { n: 1 });
      await eventually(() => expect(output).toContain('started'), 30_000);
      process.kill(pid, 'SIGSTOP');
      frozen = true;
      const signalled = performance.now();
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000)),
      ]);
      const ms = performance.now() - signalled;
      expect(code).toBe(0);
      expect(ms).toBeLessThan(CLOSE_TIMEOUT + 2_000);
      expect(output).toContain('stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (frozen) process.kill(pid, 'SIGCONT');
      await producer.close(2_000);
      await services.stop();
    }
  });
});

describe('a closed queue with Redis gone', () => {
  it('leaves nothing behind: the process exits on its own', { timeout: 60_000 }, async () => {
    const services = await startServices({ redis: true, env: {}, log: () => {} });
    const name = `q-${randomUUID()}`;
    const child = spawn(process.execPath, [WORKER, 'idle', name], {
      env: { ...process.env, REDIS_URL: services.env.REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const producer = createQueue(name, {
      redis: services.env.REDIS_URL!,
      env: {},
      work: false,
      logger: recordingLogger(),
    });
    try {
      await eventually(() => expect(output).toContain('ready'), 30_000);
      await producer.add('ping', {});
      await eventually(() => expect(output).toContain('completed'), 30_000);
      await producer.close(1_000);
      await services.halt('redis', { signal: 'SIGKILL' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      child.kill('SIGUSR2');
      await eventually(() => expect(output).toContain('closed'), 10_000);
      // No reconnecting client, stall checker or lock renewal keeps it alive (BullMQ's event-stream
      // watchdog may run out its block time first).
      const code = await Promise.race([
        exited,
        new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 20_000)),
      ]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await services.stop();
    }
  });
});
