import { describe, expect, it } from 'vitest';
import { createBreaker, type Logger } from '../src/index.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const refused = () => Promise.reject(new Error('ECONNREFUSED'));

function recording() {
  const lines: string[] = [];
  const logger: Pick<Logger, 'warn' | 'info'> = {
    warn: (_fields, message) => lines.push(`warn ${message}`),
    info: (_fields, message) => lines.push(`info ${message}`),
  };
  return { lines, logger };
}

describe('createBreaker', () => {
  it('opens after the configured consecutive failures and then fails at once with a 503 and Retry-After', async () => {
    const breaker = createBreaker({ name: 'Redis', failures: 2, coolDown: 5_000 });
    let calls = 0;
    const call = () =>
      breaker.run(() => {
        calls++;
        return refused();
      });
    await expect(call()).rejects.toThrow('ECONNREFUSED');
    expect(breaker.state).toBe('closed');
    await expect(call()).rejects.toThrow('ECONNREFUSED');
    expect(breaker.state).toBe('open');
    const error = await call().catch((caught: unknown) => caught);
    expect(calls).toBe(2);
    expect(error).toMatchObject({ status: 503, code: 'FW_ERR_DEPENDENCY_UNAVAILABLE' });
    expect((error as { headers: Record<string, string> }).headers['retry-after']).toBe('5');
    expect((error as Error).message).toBe('Redis is not answering; try again in 5 s.');
  });

  it('a success in between resets the count', async () => {
    const breaker = createBreaker({ name: 'Redis', failures: 2 });
    await breaker.run(refused).catch(() => {});
    await breaker.run(() => Promise.resolve(1));
    await breaker.run(refused).catch(() => {});
    expect(breaker.state).toBe('closed');
  });

  it('errors that do not count (the server answered) keep it closed', async () => {
    const breaker = createBreaker({ name: 'PostgreSQL', failures: 1 });
    const duplicate = () => Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' }));
    await breaker.run(duplicate, (error) => (error as { code?: string }).code !== '23505').catch(() => {});
    expect(breaker.state).toBe('closed');
  });

  it('probes in the background after the cool-down and closes when the dependency answers, logging once each way', async () => {
    const { lines, logger } = recording();
    let up = false;
    let probes = 0;
    const breaker = createBreaker({
      name: 'Redis',
      failures: 1,
      coolDown: 30,
      logger,
      probe: async () => {
        probes++;
        if (!up) throw new Error('still down');
      },
    });
    await breaker.run(refused).catch(() => {});
    expect(breaker.isOpen).toBe(true);
    await sleep(120);
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(breaker.isOpen).toBe(true);
    up = true;
    await sleep(80);
    expect(breaker.state).toBe('closed');
    await expect(breaker.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(lines).toEqual([
      'warn Redis is not answering; calls fail at once (503) and it is checked again every 30 ms',
      'info Redis is answering again',
    ]);
    breaker.close();
  });

  it('counts a probe that hangs past probeTimeout as a failure', async () => {
    const breaker = createBreaker({
      name: 'Redis',
      failures: 1,
      coolDown: 20,
      probeTimeout: 30,
      probe: () => new Promise(() => {}),
    });
    await breaker.run(refused).catch(() => {});
    await sleep(100);
    expect(breaker.isOpen).toBe(true);
    breaker.close();
  });

  it('without a probe, lets one call through after the cool-down (half-open) and its outcome decides', async () => {
    const breaker = createBreaker({ name: 'Redis', failures: 1, coolDown: 30 });
    await breaker.run(refused).catch(() => {});
    await sleep(40);
    expect(breaker.state).toBe('half-open');
    let concurrent = 0;
    const slow = breaker.run(async () => {
      concurrent++;
      await sleep(20);
      throw new Error('still down');
    });
    await expect(breaker.run(() => Promise.resolve('other'))).rejects.toMatchObject({ status: 503 });
    await expect(slow).rejects.toThrow('still down');
    expect(concurrent).toBe(1);
    expect(breaker.state).toBe('open');
    await sleep(40);
    await expect(breaker.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
