import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Internal: resolves `true` when `url` answers with any HTTP status, `false` on a refused connection or error. */
export function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    // No keep-alive: an idle pooled socket would hold the app's graceful shutdown open.
    const probe = request(
      url,
      { method: 'GET', agent: false, headers: { connection: 'close' }, timeout: 2_000 },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });
}

/**
 * Internal: polls `url` every 20 ms until it answers (`true`), `keepGoing()` turns false or
 * `timeoutMs` passes (`false`).
 */
export async function waitForHttp(url: string, timeoutMs: number, keepGoing: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (keepGoing() && Date.now() < deadline) {
    if (await answers(url)) return keepGoing();
    await sleep(20);
  }
  return false;
}
