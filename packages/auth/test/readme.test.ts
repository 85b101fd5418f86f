import { runReadmeExample } from '@framework/test-helpers';
import { describe, expect, it } from 'vitest';

describe('the README', () => {
  it('has a first example that runs as written and prints what it says', async () => {
    const { stdout, prints } = await runReadmeExample(new URL('..', import.meta.url), {
      env: { REDIS_URL: '', NODE_ENV: '' },
      timeoutMs: 30_000,
    });
    expect(prints, 'the README lost what its first example prints').toBeDefined();
    expect(stdout.trim()).toBe(prints?.trim());
  });

  it("runs the spec's samples as written here, on Redis, with the routes they mount", async () => {
    const { stdout, prints } = await runReadmeExample(new URL('..', import.meta.url), {
      heading: "## The spec's samples, as they run here",
      env: {
        JWT_SECRET: 'readme-jwt-secret-0123456789abcdef',
        SESSION_SECRET: 'readme-session-secret-0123456789abcdef',
        GOOGLE_CLIENT_ID: 'readme-client',
        GOOGLE_CLIENT_SECRET: 'readme-client-secret',
        NODE_ENV: '',
      },
      timeoutMs: 30_000,
    });
    expect(prints).toBeDefined();
    expect(stdout.trim()).toBe(prints?.trim());
  });
});
