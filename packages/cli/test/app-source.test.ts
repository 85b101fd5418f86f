import { describe, expect, it } from 'vitest';
import { ModuleSource } from '../src/internal/app-source.ts';

const APP = `import { cache } from '@framework/cache';
import { createApp } from '@framework/core';
import { queue } from '@framework/queue';

export function buildApp() {
  const app = createApp({ cookies: { secret: 'x' } })
    // Redis at REDIS_URL; in memory without it.
    .use(cache({ ttl: 60 }))
    // BullMQ on REDIS_URL; in process without it.
    .use(queue({}));
  app.get('/', () => 'home');
  return app;
}
`;

describe('editing the app module', () => {
  it('takes a plugin out of the createApp() chain with its comment, keeping the next link and its comment', () => {
    const source = new ModuleSource(APP);
    expect(source.importedAs('@framework/cache', 'cache')).toBe('cache');
    expect(source.removeUse('cache')).toBe(1);
    source.removeImport('cache');
    expect(source.code()).toBe(
      APP.replace("import { cache } from '@framework/cache';\n", '').replace(
        '    // Redis at REDIS_URL; in memory without it.\n    .use(cache({ ttl: 60 }))\n',
        '',
      ),
    );
  });

  it('takes out a plugin registered as a statement', () => {
    const source = new ModuleSource(
      "import { cache } from '@framework/cache';\nconst app = createApp();\napp.use(cache());\napp.get('/', () => 'x');\n",
    );
    source.removeUse('cache');
    source.removeImport('cache');
    expect(source.code()).toBe("const app = createApp();\napp.get('/', () => 'x');\n");
  });

  it('appends a plugin at the end of the chain and its import after the others', () => {
    const source = new ModuleSource(
      "import { createApp } from '@framework/core';\n\nconst app = createApp().use(first());\napp.get('/', () => 'x');\n",
    );
    source.addImport('@framework/cache', 'cache');
    expect(source.appendUse('cache()')).toBe(true);
    expect(source.code()).toBe(
      "import { createApp } from '@framework/core';\nimport { cache } from '@framework/cache';\n\nconst app = createApp().use(first()).use(cache());\napp.get('/', () => 'x');\n",
    );
  });

  it('says so when there is no createApp() to register on', () => {
    expect(new ModuleSource('export const x = 1;\n').appendUse('cache()')).toBe(false);
  });

  it('adds and removes a variable in the env schema defineConfig takes, inline or through a const', () => {
    const inline = new ModuleSource(
      'export default defineConfig({\n  env: z.object({ PORT: z.coerce.number() }),\n});\n',
    );
    expect(inline.setEnv('REDIS_URL', 'z.url().optional()')).toBe(true);
    expect(inline.code()).toContain('REDIS_URL: z.url().optional()');
    expect(inline.setEnv('REDIS_URL', undefined)).toBe(true);
    expect(inline.code()).not.toContain('REDIS_URL');

    const named = new ModuleSource(
      'const Env = z.object({\n  PORT: z.coerce.number(),\n});\nexport default defineConfig({ env: Env });\n',
    );
    named.setEnv('DATABASE_URL', 'z.url().optional()');
    expect(named.code()).toBe(
      'const Env = z.object({\n  PORT: z.coerce.number(),\n  DATABASE_URL: z.url().optional(),\n});\nexport default defineConfig({ env: Env });\n',
    );
    expect(new ModuleSource('export default { port: 3000 };\n').setEnv('X', 'z.string()')).toBe(false);
  });

  it('finds the schema under refine() calls, as create-framework writes it for production-only variables', () => {
    const refined = new ModuleSource(
      "const Env = z\n  .object({ NODE_ENV: z.string().optional() })\n  .refine((env) => env.NODE_ENV !== 'production', { path: ['X'] });\nexport default defineConfig({ env: Env });\n",
    );
    expect(refined.setEnv('JWT_SECRET', 'z.string().min(32).optional()')).toBe(true);
    expect(refined.code()).toMatch(
      /\.object\(\{\s+NODE_ENV: z\.string\(\)\.optional\(\),\s+JWT_SECRET: z\.string\(\)\.min\(32\)\.optional\(\),?\s+\}\)\s+\.refine\(/,
    );
  });
});
