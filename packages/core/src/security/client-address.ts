import { isIPv4, isIPv6 } from 'node:net';

function parseIPv6(address: string): number[] | undefined {
  let text = address;
  const groups: number[] = [];
  const dot = text.lastIndexOf('.');
  let tail: number[] = [];
  if (dot !== -1) {
    const colon = text.lastIndexOf(':');
    const octets = text
      .slice(colon + 1)
      .split('.')
      .map(Number);
    tail = [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
    text = `${text.slice(0, colon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - left.length - right.length;
  for (const part of left) groups.push(Number.parseInt(part, 16));
  for (let i = 0; i < (rest === undefined ? 0 : missing); i++) groups.push(0);
  for (const part of right) groups.push(Number.parseInt(part, 16));
  if (groups.length !== 8) return undefined;
  if (tail.length === 2) groups.splice(6, 2, tail[0]!, tail[1]!);
  return groups;
}

/**
 * The client key for an address: IPv4 as it is, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, other
 * IPv6 by its first `subnet` bits (`2001:db8:0:ab00::/56`), since one host or customer usually holds
 * a whole prefix and could otherwise rotate addresses to dodge the limit.
 *
 * @example
 * ```ts
 * clientAddressKey('2001:db8::1', 56);            // '2001:db8:0:0::/56'
 * clientAddressKey('::ffff:203.0.113.7', 56);     // '203.0.113.7'
 * ```
 */
export function clientAddressKey(ip: string, subnet = 56): string {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  if (address === '') return 'unknown';
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = parseIPv6(address);
  if (groups === undefined) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  const kept: string[] = [];
  for (let index = 0; index * 16 < subnet; index++) {
    const bits = Math.min(16, subnet - index * 16);
    const mask = bits === 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    kept.push((groups[index]! & mask).toString(16));
  }
  return `${kept.join(':')}${kept.length < 8 ? '::' : ''}/${subnet}`;
}
