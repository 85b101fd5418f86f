import { runReadmeExample } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

describe('the README', () => {
  it('has a first example that runs as written and prints what it says', async () => {
    // From a folder inside the package, so that '@framework/queue' resolves to this package (self-reference).
    const { stdout, prints } = await runReadmeExample(new URL('..', import.meta.url), {
      env: { REDIS_URL: '' },
      timeoutMs: 30_000,
    });
    expect(prints, 'the README lost what its first example prints').toBeDefined();
    expect(stdout.trim()).toBe(prints?.trim());
  });
});
