import { describe, expect, it, vi } from 'vitest';
import { createApp, FrameworkError } from '../../src/index.ts';
import { loadUws, UWS_UNOFFICIAL_INSTALL } from '../../src/server/uws.ts';
import { formatAddress } from '../../src/server/uws-request.ts';

// Under the toolchain's Node 24 the unofficial build has no native addon and falls back to pure JS,
// which the driver must treat as "cannot load". These cases need that situation, so the suite
// asserts it first rather than passing vacuously where uWS does load.
const consoleWarn = vi.spyOn(console, 'warn');
const loaded = await loadUws({ maxHeaderSize: 16 * 1024 });
const leakedWarnings = consoleWarn.mock.calls.length;
consoleWarn.mockRestore();
const loads = loaded.ok;

describe('choosing the driver where uWebSockets.js cannot load', () => {
  it('runs where the native uWebSockets.js build cannot load (the toolchain Node)', () => {
    expect(
      loads,
      `uWebSockets.js loaded natively on Node ${process.versions.node}; run this file on Node 22 or later`,
    ).toBe(false);
  });

  it("falls back to node:http for driver 'auto' with exactly one warning", async () => {
    const warnings: string[] = [];
    const app = createApp({
      logger: { debug() {}, info() {}, warn: (_fields, message) => warnings.push(message), error() {} },
    });
    app.get('/', () => ({ ok: true }));
    const { url } = await app.start({ port: 0, driver: 'auto' });
    try {
      expect(await (await fetch(url)).json()).toEqual({ ok: true });
    } finally {
      await app.stop();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^driver 'auto': uWebSockets\.js cannot be used \(.*no native build.*\); serving with node:http instead$/,
    );
    expect(warnings[0]).toContain(`with Node ABI ${process.versions.modules}`);
    // The package prints why it falls back to pure JS while loading; that is folded into the warning.
    expect(leakedWarnings).toBe(0);
  });

  it("rejects driver 'uws' with a FrameworkError naming the build to install", async () => {
    const app = createApp({ logger: false });
    const started = app.start({ port: 0, driver: 'uws' });
    await expect(started).rejects.toBeInstanceOf(FrameworkError);
    await expect(started).rejects.toThrow(UWS_UNOFFICIAL_INSTALL);
    await expect(started).rejects.toThrow('uNetworking/uWebSockets.js');
    await expect(started).rejects.toThrow(`Node ${process.versions.node}`);
    // Nothing was started, so stopping is a no-op and starting on node still works.
    await app.stop();
    const { url } = await app.start({ port: 0 });
    expect((await fetch(url)).status).toBe(404);
    await app.stop();
  });
});

describe('driver option', () => {
  it('refuses an unknown driver', async () => {
    const app = createApp({ logger: false });
    // @ts-expect-error: not a driver
    await expect(app.start({ port: 0, driver: 'bun' })).rejects.toThrow(`Unknown server driver "bun"`);
  });
});

describe('uws client addresses', () => {
  const text = (value: string) => new TextEncoder().encode(value).buffer;

  it('formats them as node:http does', () => {
    expect(formatAddress(text('127.0.0.1'))).toBe('127.0.0.1');
    expect(formatAddress(text('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(formatAddress(text('0000:0000:0000:0000:0000:ffff:7f00:0001'))).toBe('::ffff:127.0.0.1');
    expect(formatAddress(text('2001:0db8:0000:0000:0000:ff00:0042:8329'))).toBe('2001:db8::ff00:42:8329');
  });
});
