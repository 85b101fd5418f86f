import { BlockList, isIP } from 'node:net';
import { FrameworkError } from '../errors.ts';

/**
 * Which proxies in front of the app to believe about the client (`X-Forwarded-For`, `-Proto`,
 * `-Host`). `false` (the default): none, `ctx.ip` is the socket's peer and those headers are
 * ignored. `true`: every hop (only behind a proxy that overwrites the headers). A number: that
 * many hops from the app. Addresses, CIDR ranges or the presets `'loopback'`, `'linklocal'`,
 * `'uniquelocal'` (an array or a comma-separated string): hops from those addresses. A function:
 * called with each hop's address and its distance from the app (0 for the socket's peer).
 *
 * @example
 * ```ts
 * createApp({ trustProxy: ['loopback', '10.0.0.0/8'] }); // nginx on the host, a load balancer in the VPC
 * createApp({ trustProxy: 1 }); // exactly one proxy in front, whatever its address
 * ```
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** A compiled trust rule. */
export type TrustFunction = (address: string, hop: number) => boolean;

const PRESETS: Record<string, readonly string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 as a dual-stack socket reports it. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function rangesList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const preset = PRESETS[entry];
    if (preset) {
      for (const range of preset) addRange(list, range);
      continue;
    }
    addRange(list, entry);
  }
  return list;
}

function addRange(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  const bits = slash === -1 ? (family === 6 ? 128 : 32) : Number(entry.slice(slash + 1));
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
    throw new FrameworkError(
      'FW_ERR_TRUST_PROXY',
      `trustProxy: "${entry}" is not an IP address, a CIDR range or one of ${Object.keys(PRESETS).join(', ')}. ` +
        "Write addresses like '10.0.0.1' or ranges like '10.0.0.0/8'.",
    );
  }
  list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Compiles a `trustProxy` setting; `undefined` when no proxy is trusted.
 *
 * @example
 * ```ts
 * const trust = compileTrust('loopback');
 * trust?.('127.0.0.1', 0); // true
 * ```
 */
export function compileTrust(setting: TrustProxy | undefined): TrustFunction | undefined {
  if (setting === undefined || setting === false) return undefined;
  if (setting === true) return () => true;
  if (typeof setting === 'function') return setting;
  if (typeof setting === 'number') {
    if (!Number.isInteger(setting) || setting < 0) {
      throw new FrameworkError('FW_ERR_TRUST_PROXY', `trustProxy: a hop count must be a whole number, got ${setting}.`);
    }
    if (setting === 0) return undefined;
    return (_address, hop) => hop < setting;
  }
  const list = rangesList(typeof setting === 'string' ? setting.split(',') : setting);
  return (address) => {
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    return family !== 0 && list.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address: walks `X-Forwarded-For` from the app outwards while each hop is trusted,
 * and stops at the first hop that is not (or at a malformed entry, which a trusted proxy
 * would not have written, keeping the last good hop).
 *
 * @example
 * ```ts
 * clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.1', compileTrust('10.0.0.0/8')); // '203.0.113.7'
 * ```
 */
export function clientAddress(socket: string, forwarded: string | undefined, trust: TrustFunction): string {
  let current = normalizeAddress(socket);
  if (forwarded === undefined || !trust(current, 0)) return current;
  const hops = forwarded.split(',');
  for (let index = hops.length - 1, hop = 1; index >= 0; index--, hop++) {
    const next = normalizeAddress(hops[index]!.trim());
    if (isIP(next) === 0) return current;
    current = next;
    if (!trust(current, hop)) return current;
  }
  return current;
}

/** The first value of a comma-separated forwarded header, when the socket's peer is trusted. */
export function forwardedValue(socket: string, value: string | undefined, trust: TrustFunction): string | undefined {
  if (value === undefined || !trust(normalizeAddress(socket), 0)) return undefined;
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  return first === '' ? undefined : first;
}
