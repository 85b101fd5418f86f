import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, type Logger, Reply } from '../src/index.ts';

const PublicUser = z.object({ id: z.number(), name: z.string() });
const stored = { id: 1, name: 'ada', passwordHash: '$argon2id$secret' };

function recording(): { logger: Logger; errors: Array<{ fields: Record<string, unknown>; message: string }> } {
  const errors: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return {
    errors,
    logger: { debug() {}, info() {}, warn() {}, error: (fields, message) => errors.push({ fields, message }) },
  };
}

/** A route config as JavaScript (or a spread object) would pass it, past the type checks. */
function untyped(config: Record<string, unknown>): never {
  return config as never;
}

describe('a static status without a response schema (issue 12)', () => {
  it('refuses status 201 next to a 200-only schema at start-up, naming the route, status and keys', async () => {
    const app = createApp({ logger: false });
    app.post('/users', untyped({ schema: { response: { 200: PublicUser } }, status: 201, handler: () => stored }));
    await expect(app.ready()).rejects.toThrow(
      /Route POST \/users answers 201 \(its status\) but schema\.response declares only 200, so its body would be sent unfiltered\. Add a schema for it \(schema\.response: \{ 201: \.\.\. \} or '2xx' \/ 'default'\)/,
    );
  });

  it('refuses the default status 200 when only 201 is declared, suggesting status: 201', async () => {
    const app = createApp({ logger: false });
    app.post('/users', untyped({ schema: { response: { 201: PublicUser } }, handler: () => stored }));
    await expect(app.ready()).rejects.toThrow(
      /answers 200 \(the default status\).*or set status to a declared one \(status: 201\)/,
    );
  });

  it('lets a bodiless status through without a schema', async () => {
    const app = createApp({ logger: false });
    app.delete('/users/:id', { schema: { response: { 200: PublicUser } }, status: 204, handler: () => undefined });
    await app.ready();
    const res = await app.request('/users/1', { method: 'DELETE' });
    expect(res.status).toBe(204);
  });
});

describe("'2xx' and 'default' response keys (issue 12)", () => {
  it("filters a 201 through a '2xx' schema: the password hash is not sent", async () => {
    const app = createApp({ logger: false });
    app.post('/users', { schema: { response: { '2xx': PublicUser } }, status: 201, handler: () => stored });
    const res = await app.request('/users', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: 1, name: 'ada' });
  });

  it('uses the exact status before the class and the class before default', async () => {
    const app = createApp({ logger: false, validateResponses: false });
    app.get('/pick/:status', {
      schema: {
        response: {
          200: z.object({ exact: z.string() }),
          '2xx': z.object({ klass: z.string() }),
          default: z.object({ fallback: z.string() }),
        },
      },
      handler: (ctx) => {
        const body = { exact: 'e', klass: 'k', fallback: 'f', secret: 's' };
        const status = Number(ctx.params.status);
        return ctx.json(body, status);
      },
    });
    const read = async (status: number) => (await app.request(`/pick/${status}`)).json();
    expect(await read(200)).toEqual({ exact: 'e' });
    expect(await read(202)).toEqual({ klass: 'k' });
    expect(await read(409)).toEqual({ fallback: 'f' });
  });

  it('refuses a response key that is not a status, a class or default, at registration', () => {
    const app = createApp({ logger: false });
    expect(() =>
      app.get('/x', untyped({ schema: { response: { '20x': PublicUser } }, handler: () => stored })),
    ).toThrow(
      `Route GET /x: schema.response key "20x" is not a status. Use a status from 100 to 599 (200), a class ('2xx', '4xx', '5xx') or 'default'.`,
    );
  });
});

describe('a 2xx reply with no schema at run time (issue 12)', () => {
  for (const [name, handler] of [
    ['ctx.json(user, 202)', (ctx: { json: (data: unknown, status: number) => Reply }) => ctx.json(stored, 202)],
    ['a Reply built by hand', () => new Reply(202, { 'content-type': 'application/json' }, JSON.stringify(stored))],
    [
      'ctx.text(..., 202)',
      (ctx: { text: (text: string, status: number) => Reply }) => ctx.text(JSON.stringify(stored), 202),
    ],
  ] as const) {
    it(`refuses ${name} with a 500 that carries nothing of the body, and logs the route and status`, async () => {
      const { logger, errors } = recording();
      const app = createApp({ logger, exposeErrors: false });
      app.get('/me', untyped({ schema: { response: { 200: PublicUser } }, handler }));
      for (const method of ['GET', 'HEAD']) {
        const res = await app.request('/me', { method });
        expect(res.status).toBe(500);
        const text = await res.text();
        expect(text).not.toContain('passwordHash');
        expect(text).not.toContain('argon2');
      }
      expect(errors).toHaveLength(2);
      const error = errors[0]?.fields.err;
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toContain(
        'Route GET /me tried to send a 202 body, but schema.response declares only 200; the body was not sent.',
      );
      expect((error as { code?: string }).code).toBe('FW_ERR_RESPONSE_SCHEMA_MISSING');
    });
  }

  it('still sends a declared status, a 204 and a 304 without a body, and error statuses', async () => {
    const app = createApp({ logger: false });
    app.get('/ok/:mode', {
      schema: { response: { 200: PublicUser } },
      handler: (ctx) => {
        if (ctx.params.mode === 'empty') return new Reply(204, {}, null);
        if (ctx.params.mode === 'cached') return new Reply(304, {}, null);
        if (ctx.params.mode === 'missing') return ctx.text('no such user', 404);
        return stored;
      },
    });
    const ok = await app.request('/ok/user');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: 1, name: 'ada' });
    expect((await app.request('/ok/empty')).status).toBe(204);
    expect((await app.request('/ok/cached')).status).toBe(304);
    const missing = await app.request('/ok/missing');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no such user');
  });

  it('leaves routes without response schemas alone', async () => {
    const app = createApp({ logger: false });
    app.post('/raw', { status: 201, handler: () => stored });
    const res = await app.request('/raw', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual(stored);
  });
});
