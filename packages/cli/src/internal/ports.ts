import { UsageError } from './failure.ts';

/** Internal: a `--port` value as a port number, or a usage error. */
export function parsePort(value: string | undefined, flag = '--port'): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UsageError(`${flag} takes a port number from 0 to 65535, not "${value}".`);
  }
  return port;
}

/** Internal: the address to probe a server bound to `host` on (a wildcard bind answers on loopback). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
