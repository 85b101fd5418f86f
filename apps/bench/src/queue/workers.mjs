// The harness's side of a queue contender process (src/queue/worker.mjs).
import { fileURLToPath } from 'node:url';
import { startContender } from '../lib/contender-process.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Starts the contender `name` with the benchmark's Redis; see lib/contender-process.mjs. */
export function startWorker(name, { redisUrl, redisPid = null, ...options } = {}) {
  const env = { BENCH_REDIS_URL: redisUrl ?? '', BENCH_REDIS_PID: redisPid ? String(redisPid) : '' };
  return startContender(WORKER, 'queue', name, { ...options, env });
}
