import { runtimeExports, typeExports } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

const packageDir = new URL('..', import.meta.url);

// The package's whole public surface: the `framework` command is the product; from code, `run()`.
// A rename or a new export changes this snapshot, so it shows in review as a decision.
describe('public exports of @framework/cli', () => {
  it('lists the runtime exports', async () => {
    expect(await runtimeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "run",
        ],
      }
    `);
  });

  it('lists the type-only exports', () => {
    expect(typeExports(packageDir)).toMatchInlineSnapshot(`
      {
        ".": [
          "Output",
          "RunOptions",
        ],
      }
    `);
  });
});
