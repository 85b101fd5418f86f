import { describe, expect, it } from 'vitest';
import { runtimeExports, typeExports } from '../src/index.ts';

const fixture = new URL('./fixtures/package/', import.meta.url);

describe('runtimeExports and typeExports', () => {
  it('list every entry point of the exports map but ./package.json', async () => {
    expect(await runtimeExports(fixture)).toEqual({
      '.': ['FIXTURE_ERROR_CODES', 'greet'],
      './memory': ['MemoryStore'],
    });
    expect(typeExports(fixture)).toEqual({ '.': ['Greeting', 'Options'], './memory': [] });
  });

  it('refuse a folder whose package.json has no exports map', async () => {
    await expect(runtimeExports(new URL('./fixtures/no-exports/', import.meta.url))).rejects.toThrow(
      /package\.json has no exports map/,
    );
  });
});
