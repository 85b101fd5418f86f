import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import { type Command, stringFlag } from '../command.ts';
import { spawnNode, stopChild } from '../internal/child.ts';
import { CliFailure, UsageError } from '../internal/failure.ts';
import { freePort } from '../internal/free-port.ts';
import { showProgress } from '../internal/progress.ts';
import { tsxLoader } from '../internal/tsx.ts';
import { waitForHttp } from '../internal/wait-for-http.ts';
import { builtFile, requireProject, shown } from '../project.ts';

/** What a load run measured. */
interface LoadResult {
  requests: number;
  failed: number;
  seconds: number;
  p95: number;
}

function positiveNumber(context: Parameters<Command['run']>[0], name: string, fallback: number): number {
  const text = stringFlag(context, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`--${name} takes a number, not "${text}".`);
  }
  return value;
}

function seconds(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new UsageError(`--duration takes a duration such as 10s or 1m, not "${text}".`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 'ms' ? 0.001 : unit === 'm' ? 60 : 1) || fallback;
}

/** The 95th percentile of `values` (nearest rank). */
function percentile95(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

/** Runs autocannon against `url`; every response's time is kept, so p95 is exact. */
function load(url: string, connections: number, duration: number): Promise<LoadResult> {
  const times: number[] = [];
  let failed = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration }, (error, result) => {
      if (error) {
        reject(error);
        return;
      }
      const errors = result.errors + result.timeouts;
      resolve({
        requests: times.length + errors,
        failed: failed + errors,
        seconds: result.duration,
        p95: percentile95(times),
      });
    });
    instance.on('response', (_client, status, _bytes, time) => {
      times.push(time);
      if (status >= 400) failed++;
    });
  });
}

/** `framework test:load`: a load test with pass/fail thresholds. */
export const testLoad: Command = {
  name: 'test:load',
  summary: 'Load-test the app (autocannon) and exit 1 if p95 latency, error rate or throughput miss their thresholds',
  usage:
    'test:load [--path /] [--url URL] [--duration 10s] [--connections 10] [--p95 500] [--error-rate 0.01] [--rps 100]',
  details: [
    'Without --url it starts the app itself with NODE_ENV=production on a free port (the build when there is',
    'one, else the TypeScript) and stops it afterwards. The thresholds default to: 95% of requests under',
    '500 ms, under 1% failed (network errors, timeouts and 4xx/5xx answers), more than 100 requests a second.',
  ],
  flags: {
    path: { type: 'string', value: 'PATH', description: 'Path to request (default /)' },
    url: { type: 'string', value: 'URL', description: 'Load-test a running server instead of starting the app' },
    duration: { type: 'string', short: 'd', value: 'DURATION', description: 'How long to run (default 10s)' },
    connections: { type: 'string', short: 'c', value: 'N', description: 'Concurrent connections (default 10)' },
    p95: { type: 'string', value: 'MS', description: 'Highest 95th percentile latency in ms (default 500)' },
    'error-rate': { type: 'string', value: 'RATE', description: 'Highest share of failed requests (default 0.01)' },
    rps: { type: 'string', value: 'N', description: 'Lowest throughput in requests a second (default 100)' },
  },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io } = context;
    const duration = seconds(stringFlag(context, 'duration'), 10);
    const connections = Math.max(1, Math.floor(positiveNumber(context, 'connections', 10)));
    const maxP95 = positiveNumber(context, 'p95', 500);
    const maxErrorRate = positiveNumber(context, 'error-rate', 0.01);
    const minRps = positiveNumber(context, 'rps', 100);
    const path = stringFlag(context, 'path') ?? '/';
    if (!path.startsWith('/')) throw new UsageError(`--path takes a path starting with /, not "${path}".`);

    let child: ChildProcess | undefined;
    let base = stringFlag(context, 'url');
    try {
      if (base === undefined) {
        const project = await requireProject(context.cwd);
        const built = builtFile(project, project.main);
        const port = await freePort();
        const env = {
          ...context.env,
          NODE_ENV: context.env.NODE_ENV ?? 'production',
          PORT: String(port),
          HOST: '127.0.0.1',
        };
        const args = existsSync(built) ? [built] : ['--import', tsxLoader(), project.main];
        io.out(`framework test:load: starting ${shown(project, args.at(-1) ?? project.main)} on port ${port}`);
        const started = spawnNode(args, { cwd: project.root, env, io, detached: true });
        child = started;
        base = `http://127.0.0.1:${port}`;
        const alive = () => started.exitCode === null && started.signalCode === null;
        if (!(await waitForHttp(`${base}/`, 30_000, alive))) {
          throw new CliFailure(`the app did not answer on ${base} within 30 s${alive() ? '' : ' (it exited)'}.`);
        }
      }
      const url = new URL(path, base).href;
      io.out(`framework test:load: ${connections} connection(s) for ${duration} s against ${url}`);
      const progress = showProgress(io, `loading ${url}`);
      const result = await load(url, connections, duration).finally(() => progress.done());
      const rate = result.requests === 0 ? 1 : result.failed / result.requests;
      const rps = result.requests / (result.seconds || duration);
      const checks = [
        {
          name: 'p95 latency',
          ok: result.p95 < maxP95,
          text: `${result.p95.toFixed(1)} ms (threshold < ${maxP95} ms)`,
        },
        {
          name: 'failed',
          ok: rate < maxErrorRate || (rate === 0 && maxErrorRate === 0),
          text: `${(rate * 100).toFixed(2)}% of ${result.requests} (threshold < ${maxErrorRate * 100}%)`,
        },
        { name: 'throughput', ok: rps > minRps, text: `${rps.toFixed(0)} req/s (threshold > ${minRps} req/s)` },
      ];
      for (const check of checks) io.out(`${check.ok ? 'pass' : 'FAIL'}  ${check.name}: ${check.text}`);
      const missed = checks.filter((check) => !check.ok).length;
      io.out(missed === 0 ? 'All thresholds met.' : `${missed} threshold(s) missed.`);
      return missed === 0 ? 0 : 1;
    } finally {
      if (child !== undefined) await stopChild(child);
    }
  },
};
