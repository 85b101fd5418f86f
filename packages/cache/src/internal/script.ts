import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis-connection.ts';

const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA; on NOSCRIPT (a new server, a restart, another cluster node) it
 * sends the script whole, which also loads it there for the next call.
 */
export async function runScript(
  client: RedisClient,
  script: string,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script, keys.length, ...keys, ...args);
  }
}
