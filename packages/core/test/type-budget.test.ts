import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A 200-route app must type-check cheaply. Type instantiations are counted by the compiler and
// do not depend on the machine, so the budget is a count, not a time. What is counted is what the
// routes cost: the same program with no routes (zod and core's own sources) is subtracted, so the
// budget does not shrink as the core grows.
const BUDGET = 100_000; // measured: 76 806 for the 200 routes (43 018 for the program without them), zod 4.6, TypeScript 5.9

const dir = fileURLToPath(new URL('../.test-dist/type-budget', import.meta.url));

function fixture(routes: number): string {
  const lines = [
    "import { z } from 'zod';",
    "import { type Context, createApp, type Middleware } from '../../src/index.ts';",
    'const auth: Middleware<Context, Context & { user: { id: string } }> = (ctx, next) => next({ user: { id: ctx.ip } });',
    'const app = createApp();',
    'export { app, auth, z };',
  ];
  for (let i = 0; i < routes; i++) {
    if (i % 4 === 0) {
      lines.push(`app.get('/plain${i}/:id', (ctx) => ({ id: ctx.params.id }));`);
    } else if (i % 4 === 1) {
      lines.push(
        `app.post('/body${i}', { schema: { body: z.object({ name: z.string(), n${i}: z.number() }) }, handler: (ctx) => ({ name: ctx.body.name, n: ctx.body.n${i} }) });`,
      );
    } else if (i % 4 === 2) {
      lines.push(
        `app.get('/mw${i}/:org/:repo', { middlewares: [auth], handler: (ctx) => ({ user: ctx.user.id, org: ctx.params.org }) });`,
      );
    } else {
      lines.push(
        `app.get('/res${i}/:id', { schema: { params: z.object({ id: z.coerce.number() }), response: { 200: z.object({ id: z.number() }) } }, handler: (ctx) => ({ id: ctx.params.id }) });`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('type-checking cost', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`keeps the routes of a 200-route app under ${BUDGET} type instantiations`, () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      `${dir}/tsconfig.json`,
      JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true }, include: ['app.ts'] }),
    );
    const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
    const count = (routes: number): number => {
      writeFileSync(`${dir}/app.ts`, fixture(routes));
      const output = execFileSync(process.execPath, [tsc, '-p', `${dir}/tsconfig.json`, '--extendedDiagnostics'], {
        encoding: 'utf8',
      });
      return Number(/Instantiations:\s+(\d+)/.exec(output)?.[1]);
    };
    const routes = count(200) - count(0);
    expect(routes).toBeGreaterThan(0);
    expect(routes).toBeLessThan(BUDGET);
  }, 60_000);
});
