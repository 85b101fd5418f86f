import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp, FrameworkError, type TrustProxy } from '../../src/index.ts';
import { clientAddress, compileTrust } from '../../src/security/trust-proxy.ts';

const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

/** A real server (the socket's peer is 127.0.0.1) that reports what the context believes. */
async function whoAmI(trustProxy?: TrustProxy) {
  const app = createApp({ logger: false, trustProxy });
  app.get('/me', (ctx) => {
    ctx.cookies.set('s', '1');
    return { ip: ctx.ip, protocol: ctx.protocol, host: ctx.host, url: ctx.url.href };
  });
  const { url } = await app.start({ port: 0 });
  started.push(app);
  return async (headers: Record<string, string>) => {
    const res = await fetch(`${url}/me`, { headers });
    return {
      ...((await res.json()) as { ip: string; protocol: string; host: string; url: string }),
      cookie: res.headers.get('set-cookie') ?? '',
    };
  };
}

const SPOOF = { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.com' };

describe('trustProxy off (the default): forwarded headers change nothing (HD-01)', () => {
  it('keeps the socket address, protocol and Host', async () => {
    const ask = await whoAmI();
    const seen = await ask(SPOOF);
    expect(seen.ip).toBe('127.0.0.1');
    expect(seen.protocol).toBe('http');
    expect(seen.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/me$/);
  });

  it('does not mark cookies Secure because of a spoofed X-Forwarded-Proto', async () => {
    const seen = await (await whoAmI())(SPOOF);
    expect(seen.cookie).not.toMatch(/;\s*Secure/i);
  });
});

describe('trustProxy on', () => {
  it('believes a trusted proxy about the client, protocol and host', async () => {
    const seen = await (await whoAmI('loopback'))(SPOOF);
    expect(seen).toMatchObject({ ip: '1.2.3.4', protocol: 'https', host: 'evil.com', url: 'https://evil.com/me' });
    expect(seen.cookie).toMatch(/;\s*Secure/i);
  });

  it('ignores the headers from a peer that is not the trusted proxy (HD-02)', async () => {
    const seen = await (await whoAmI('10.0.0.1'))(SPOOF);
    expect(seen.ip).toBe('127.0.0.1');
    expect(seen.protocol).toBe('http');
    expect(seen.host).not.toBe('evil.com');
  });

  it('stops at the first untrusted hop, so entries a client prepends are not believed', async () => {
    // The client sent "X-Forwarded-For: 6.6.6.6"; the trusted proxy appended the address it saw.
    const seen = await (await whoAmI('loopback'))({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' });
    expect(seen.ip).toBe('203.0.113.9');
  });

  it('counts hops when given a number', () => {
    const trust = compileTrust(2);
    expect(trust).toBeDefined();
    if (trust === undefined) return;
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1', trust)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '203.0.113.9', trust)).toBe('203.0.113.9');
  });

  it('matches CIDR ranges, IPv6 and IPv4-mapped peers', () => {
    const trust = compileTrust(['10.0.0.0/8', 'fd00::/8']);
    expect(trust).toBeDefined();
    if (trust === undefined) return;
    expect(clientAddress('::ffff:10.1.2.3', '198.51.100.4', trust)).toBe('198.51.100.4');
    expect(clientAddress('fd00::1', '2001:db8::7', trust)).toBe('2001:db8::7');
    expect(clientAddress('11.0.0.1', '198.51.100.4', trust)).toBe('11.0.0.1');
  });

  it('keeps the last trusted hop when an entry is not an address', () => {
    const trust = compileTrust('loopback');
    if (trust === undefined) throw new Error('loopback must compile to a rule');
    expect(clientAddress('127.0.0.1', 'not-an-ip', trust)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.9, <script>', trust)).toBe('127.0.0.1');
  });

  it('refuses a setting it cannot understand, saying what to write', () => {
    expect(() => createApp({ trustProxy: ['10.0.0.0/33'] })).toThrow(FrameworkError);
    expect(() => createApp({ trustProxy: 'my-proxy' })).toThrow(/not an IP address, a CIDR range/);
    expect(() => createApp({ trustProxy: -1 })).toThrow(/whole number/);
  });
});
