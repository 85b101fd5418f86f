import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, createApp, file, upload } from '../src/index.ts';
import { readJson } from './helpers.ts';

const SECRET = 'a-cookie-secret-of-at-least-32-characters';
let dir: string;
let app: App;
let url: string;
let stored = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csrf-multipart-'));
  app = createApp({ logger: false, cookies: { secret: SECRET }, uploads: { tmpDir: dir } });
  app.get('/form', (ctx) => ({ token: ctx.csrfToken }));
  app.post('/avatar', {
    schema: {
      body: upload({ fields: z.object({ title: z.string() }), files: { avatar: file({ maxSize: '1MB' }) } }),
    },
    handler: async (ctx) => {
      stored++;
      await ctx.body.avatar.moveTo(join(dir, `kept-${crypto.randomUUID()}`));
      return { title: ctx.body.title, size: ctx.body.avatar.size };
    },
  });
  const address = await app.start({ port: 0, host: '127.0.0.1' });
  url = address.url;
});
afterAll(async () => {
  await app.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  stored = 0;
});

/** Loads the page that renders the form: its CSRF cookie and the token for the hidden field. */
async function session(): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${url}/form`);
  const { token } = (await res.json()) as { token: string };
  return { token, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

/** A form as a browser serialises it, fields in document order: `[name, value]` or `[name, bytes, filename]`. */
function form(parts: Array<[string, string] | [string, Uint8Array, string]>): FormData {
  const data = new FormData();
  for (const part of parts) {
    if (part.length === 2) data.append(part[0], part[1]);
    else data.append(part[0], new Blob([part[1]], { type: 'application/octet-stream' }), part[2]);
  }
  return data;
}

async function send(cookie: string, body: FormData): Promise<Response> {
  // A cookie-authenticated session: the `sid` cookie is what a forged cross-site form would ride on.
  return fetch(`${url}/avatar`, { method: 'POST', headers: { cookie: `${cookie}; sid=user-1` }, body });
}

const bytes = new Uint8Array(4096).fill(7);

describe('CSRF token in a multipart form (issue 12)', () => {
  it('accepts a plain HTML upload form whose hidden _csrf field comes before the file', async () => {
    const { cookie, token } = await session();
    const res = await send(
      cookie,
      form([
        ['_csrf', token],
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ title: 'me', size: 4096 });
    expect(stored).toBe(1);
  });

  it('refuses a form without the token with 403, and keeps no file', async () => {
    const { cookie } = await session();
    const before = await readdir(dir);
    const res = await send(
      cookie,
      form([
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
      ]),
    );
    expect(res.status).toBe(403);
    expect((await readJson(res)).reason).toBe('missing-token');
    expect(stored).toBe(0);
    expect(await readdir(dir)).toEqual(before);
  });

  it('refuses a wrong token with 403, and keeps no file', async () => {
    const { cookie } = await session();
    const { token: other } = await session();
    const before = await readdir(dir);
    const res = await send(
      cookie,
      form([
        ['_csrf', other],
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
      ]),
    );
    expect(res.status).toBe(403);
    expect((await readJson(res)).reason).toBe('invalid-token');
    expect(stored).toBe(0);
    expect(await readdir(dir)).toEqual(before);
  });

  it('refuses a token sent after the file (the field must come first), and keeps no file', async () => {
    const { cookie, token } = await session();
    const before = await readdir(dir);
    const res = await send(
      cookie,
      form([
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
        ['_csrf', token],
      ]),
    );
    expect(res.status).toBe(403);
    expect((await readJson(res)).reason).toBe('missing-token');
    expect(await readdir(dir)).toEqual(before);
  });

  it('still refuses a cross-site upload with a valid token, and accepts the header instead of the field', async () => {
    const { cookie, token } = await session();
    const cross = await fetch(`${url}/avatar`, {
      method: 'POST',
      headers: { cookie: `${cookie}; sid=user-1`, 'sec-fetch-site': 'cross-site' },
      body: form([
        ['_csrf', token],
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
      ]),
    });
    expect(cross.status).toBe(403);
    const header = await fetch(`${url}/avatar`, {
      method: 'POST',
      headers: { cookie: `${cookie}; sid=user-1`, 'x-csrf-token': token },
      body: form([
        ['title', 'me'],
        ['avatar', bytes, 'me.bin'],
      ]),
    });
    expect(header.status).toBe(200);
  });

  it('refuses a cookie-authenticated upload with no Content-Type before reading it (CF-03)', async () => {
    const { cookie } = await session();
    const res = await fetch(`${url}/avatar`, { method: 'POST', headers: { cookie: `${cookie}; sid=user-1` } });
    expect(res.status).toBe(403);
  });
});
