// The harness's side of a cache contender process (src/cache/worker.mjs).
import { fileURLToPath } from 'node:url';
import { startContender } from '../lib/contender-process.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Starts the contender `name` with the benchmark's Redis; see lib/contender-process.mjs. */
export function startWorker(name, { redisUrl, ...options } = {}) {
  return startContender(WORKER, 'cache', name, { ...options, env: { BENCH_REDIS_URL: redisUrl ?? '' } });
}
