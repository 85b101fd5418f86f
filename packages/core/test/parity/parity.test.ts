import { afterAll, beforeAll, describe, it } from 'vitest';
import { type ParityContext, parityCases } from './cases.ts';
import { buildPackage, type Driver, killAll, ParityServer, removePackage } from './harness.ts';

// The same cases against a real server process per driver: node:http on this Node, and
// uWebSockets.js on Node 20, the only Node its native build loads on here.
const drivers: Driver[] = ['node', 'uws'];

beforeAll(() => buildPackage(), 120_000);
afterAll(() => {
  killAll();
  removePackage();
});

for (const driver of drivers) {
  describe(`parity: ${driver} driver`, () => {
    let shared: ParityServer | undefined;
    const ctx: ParityContext = {
      get server() {
        if (shared === undefined) throw new Error(`the ${driver} server did not start`);
        return shared;
      },
      fresh: (shutdownTimeout) => ParityServer.start(driver, shutdownTimeout),
    };
    beforeAll(async () => {
      shared = await ParityServer.start(driver);
    }, 30_000);

    for (const item of parityCases) {
      const gap = item.gaps?.[driver];
      if (gap === undefined) it(item.name, () => item.run(ctx), item.timeout);
      else it.fails(`${item.name} [known gap: ${gap}]`, () => item.run(ctx), item.timeout);
    }
  });
}
