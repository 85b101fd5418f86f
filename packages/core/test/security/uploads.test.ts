// security-cases.md UP-02..UP-05, UP-07, UP-08: multipart parsing through the in-memory client.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../src/create-app.ts';
import { downloadHeaders, file, type MultipartLimits, type UploadedFile, upload } from '../../src/uploads/file.ts';
import { readJson } from '../helpers.ts';
import { BOUNDARY, multipart, multipartInit, type Part, silent, uploadDir } from './uploads-helpers.ts';

const dir = uploadDir();
afterAll(() => dir.remove());

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

function makeApp(options: { limits?: MultipartLimits; allowedTypes?: string[] } = {}) {
  const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
  const seen: UploadedFile[] = [];
  let calls = 0;
  app.post('/upload', {
    schema: {
      body: upload({
        fields: z.object({ title: z.string().optional() }).passthrough(),
        files: {
          doc: file({ maxSize: '1KB', allowedTypes: options.allowedTypes }),
          extra: file({ optional: true }),
        },
        limits: options.limits,
      }),
    },
    handler: async (ctx) => {
      calls++;
      seen.push(ctx.body.doc);
      return { title: ctx.body.title ?? null, name: ctx.body.doc.name, type: ctx.body.doc.type, id: ctx.body.doc.id };
    },
  });
  return { app, seen, calls: () => calls };
}

const doc: Part = { name: 'doc', filename: 'a.txt', type: 'text/plain', data: 'hello' };

describe('uploads: limits on parts, files and fields (UP-02)', () => {
  it('refuses 10 000 empty parts with 413 at the parts limit, without calling the handler', async () => {
    const { app, calls } = makeApp();
    const parts = Array.from({ length: 10_000 }, (_, i): Part => ({ name: `f${i}`, data: '' }));
    const res = await app.request('/upload', multipartInit(multipart([doc, ...parts])));
    expect(res.status).toBe(413);
    expect((await readJson(res)).code).toBe('FW_ERR_MULTIPART_LIMIT');
    expect(calls()).toBe(0);
    expect(await dir.settled()).toEqual([]);
  });

  it('refuses more fields than the fields limit, and a field over the field size', async () => {
    const { app } = makeApp({ limits: { fields: 5, fieldSize: 16 } });
    const many = Array.from({ length: 6 }, (_, i): Part => ({ name: `f${i}`, data: 'x' }));
    expect((await app.request('/upload', multipartInit(multipart([doc, ...many])))).status).toBe(413);
    const big = await app.request('/upload', multipartInit(multipart([{ name: 'title', data: 'x'.repeat(17) }, doc])));
    expect(big.status).toBe(413);
    expect((await readJson(big)).detail).toContain('larger than 16 bytes');
  });

  it('refuses more files than the files limit', async () => {
    const { app } = makeApp({ limits: { files: 1 } });
    const res = await app.request('/upload', multipartInit(multipart([doc, { ...doc, name: 'extra' }])));
    expect(res.status).toBe(413);
  });

  it('accepts the same 2 000 parts when the limits are raised (protection off)', async () => {
    const { app } = makeApp({ limits: { parts: Number.POSITIVE_INFINITY, fields: Number.POSITIVE_INFINITY } });
    const parts = Array.from({ length: 2_000 }, (_, i): Part => ({ name: `f${i}`, data: '' }));
    const res = await app.request('/upload', multipartInit(multipart([doc, ...parts])));
    expect(res.status).toBe(200);
  });
});

describe('uploads: prototype-polluting names (UP-03)', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses a field named ${name} with 400 and leaves Object.prototype alone`, async () => {
      const { app, calls } = makeApp();
      const res = await app.request('/upload', multipartInit(multipart([{ name, data: '{"polluted":1}' }, doc])));
      expect(res.status).toBe(400);
      expect((await readJson(res)).code).toBe('FW_ERR_MULTIPART_FIELD_NAME');
      expect(calls()).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('refuses a file part named __proto__ with 400 and stores nothing', async () => {
    const { app } = makeApp();
    const res = await app.request('/upload', multipartInit(multipart([{ ...doc, name: '__proto__' }])));
    expect(res.status).toBe(400);
    expect(await dir.settled()).toEqual([]);
  });

  it('hands the handler a null-prototype body', async () => {
    const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
    app.post('/u', {
      schema: { body: upload({ files: { doc: file() } }) },
      handler: (ctx) => ({ proto: Object.getPrototypeOf(ctx.body) === null }),
    });
    const res = await app.request('/u', multipartInit(multipart([doc])));
    expect(await res.json()).toEqual({ proto: true });
  });
});

describe('uploads: boundaries (UP-04)', () => {
  for (const length of [71, 252]) {
    it(`refuses a ${length}-character boundary with 400 before parsing`, async () => {
      const { app, calls } = makeApp();
      const boundary = 'b'.repeat(length);
      const res = await app.request('/upload', multipartInit(multipart([doc], boundary), boundary));
      expect(res.status).toBe(400);
      expect((await readJson(res)).code).toBe('FW_ERR_MULTIPART_BOUNDARY');
      expect(calls()).toBe(0);
    });
  }

  it('accepts a 70-character boundary, the most RFC 2046 allows', async () => {
    const { app } = makeApp();
    const boundary = 'b'.repeat(70);
    expect((await app.request('/upload', multipartInit(multipart([doc], boundary), boundary))).status).toBe(200);
  });

  it('refuses a body that is not multipart with 415', async () => {
    const { app } = makeApp();
    const res = await app.request('/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(415);
  });
});

describe('uploads: malformed and truncated bodies (UP-05)', () => {
  it('answers the dicer PoC (malformed part header) with 400 and stays up', async () => {
    const { app, calls } = makeApp();
    const body = Buffer.from(`--${BOUNDARY}\r\n${'\x00'.repeat(20)}:\r\n\r\nx\r\n--${BOUNDARY}--\r\n`, 'latin1');
    const poc = await app.request('/upload', multipartInit(body));
    expect(poc.status).toBe(400);
    expect(calls()).toBe(0);
    expect((await app.request('/upload', multipartInit(multipart([doc])))).status).toBe(200);
  });

  it('answers a part header over 16 KiB with 400', async () => {
    const { app } = makeApp();
    const res = await app.request(
      '/upload',
      multipartInit(multipart([{ ...doc, headers: [`X-Big: ${'a'.repeat(17_000)}`] }])),
    );
    expect(res.status).toBe(400);
  });

  it('answers a body truncated inside a file with 400 and removes the partial file', async () => {
    const { app, calls } = makeApp();
    const full = multipart([{ ...doc, data: 'x'.repeat(500) }]);
    const res = await app.request('/upload', multipartInit(full.subarray(0, full.length - 300)));
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('FW_ERR_MULTIPART_MALFORMED');
    expect(calls()).toBe(0);
    expect(await dir.settled()).toEqual([]);
  });

  it('answers a body truncated after the parts limit with 413, no unhandled error', async () => {
    const { app } = makeApp({ limits: { parts: 3 } });
    const parts = Array.from({ length: 10 }, (_, i): Part => ({ name: `f${i}`, data: 'x' }));
    const full = multipart([doc, ...parts]);
    const res = await app.request('/upload', multipartInit(full.subarray(0, full.length - 20)));
    expect(res.status).toBe(413);
  });

  it('answers an undeclared file field and a missing required file with 400', async () => {
    const { app } = makeApp();
    expect((await app.request('/upload', multipartInit(multipart([{ ...doc, name: 'other' }])))).status).toBe(400);
    const missing = await app.request('/upload', multipartInit(multipart([{ name: 'title', data: 't' }])));
    expect(missing.status).toBe(400);
    expect((await readJson(missing)).issues[0]?.path).toEqual(['body', 'doc']);
  });
});

describe('uploads: file names are never paths (UP-07)', () => {
  const names: Array<[string, string]> = [
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\win.ini', 'win.ini'],
    ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
  ];
  for (const [sent, kept] of names) {
    it(`stores ${JSON.stringify(sent)} under a random id, keeping ${JSON.stringify(kept)} as its name`, async () => {
      const { app } = makeApp();
      const res = await app.request('/upload', multipartInit(multipart([{ ...doc, filename: sent }])));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { name: string; id: string };
      expect(body.name).toBe(kept);
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(existsSync(join(dir.path, '..', '..', 'etc', 'passwd.tmp'))).toBe(false);
    });
  }

  it('strips a NUL byte sent percent-encoded (filename*), and refuses a raw NUL in the header with 400', async () => {
    const { app, seen } = makeApp();
    const encoded = { ...doc, disposition: "filename*=UTF-8''evil%00.php%0A.png" };
    expect((await app.request('/upload', multipartInit(multipart([encoded])))).status).toBe(200);
    expect(seen[0]!.name).toBe('evil.php.png');
    const raw = await app.request('/upload', multipartInit(multipart([{ ...doc, filename: 'evil\u0000.php' }])));
    expect(raw.status).toBe(400);
    expect(await dir.settled()).toEqual([]);
  });

  it('caps a 1 000-character name at 255 characters', async () => {
    const { app, seen } = makeApp();
    const res = await app.request(
      '/upload',
      multipartInit(multipart([{ ...doc, filename: `${'a'.repeat(1000)}.txt` }])),
    );
    expect(res.status).toBe(200);
    expect(seen[0]!.name).toHaveLength(255);
    expect(seen[0]!.path.startsWith(dir.path)).toBe(true);
  });
});

describe('uploads: types by magic bytes (UP-08)', () => {
  const images = ['image/png', 'image/jpeg'];

  it('refuses HTML with a script declared as image/png with 422, whatever the allowed types', async () => {
    const { app, calls } = makeApp();
    const html = '<html><body><script>alert(document.cookie)</script></body></html>';
    const res = await app.request('/upload', multipartInit(multipart([{ ...doc, type: 'image/png', data: html }])));
    expect(res.status).toBe(422);
    expect(await readJson(res)).toMatchObject({ code: 'FW_ERR_UPLOAD_CONTENT_MISMATCH', detected: 'text/html' });
    expect(calls()).toBe(0);
    expect(await dir.settled()).toEqual([]);
  });

  it('refuses SVG with script declared as image/png with 422', async () => {
    const { app } = makeApp();
    const svg = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    const res = await app.request('/upload', multipartInit(multipart([{ ...doc, type: 'image/png', data: svg }])));
    expect(res.status).toBe(422);
  });

  it('refuses a PE executable declared as image/png when only images are allowed (415)', async () => {
    const { app } = makeApp({ allowedTypes: images });
    const pe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100, 0x90)]);
    const res = await app.request('/upload', multipartInit(multipart([{ ...doc, type: 'image/png', data: pe }])));
    expect(res.status).toBe(415);
    expect(await readJson(res)).toMatchObject({ code: 'FW_ERR_UPLOAD_TYPE', detected: 'application/x-msdownload' });
  });

  it('accepts a real PNG declared as text/plain, typed by its bytes', async () => {
    const { app } = makeApp({ allowedTypes: images });
    const res = await app.request('/upload', multipartInit(multipart([{ ...doc, type: 'text/plain', data: PNG }])));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe('image/png');
  });

  it('without allowedTypes (check off) accepts HTML sent as a generic file, typed text/html', async () => {
    const { app } = makeApp();
    const res = await app.request(
      '/upload',
      multipartInit(multipart([{ ...doc, type: 'text/html', data: '<p>hi</p>' }])),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: string }).type).toBe('text/html');
  });

  it('gives download headers for serving a generic file back: attachment, nosniff, CSP sandbox', () => {
    const headers = downloadHeaders('../report"\u202E.html');
    expect(headers['content-disposition']).toMatch(/^attachment; filename="report_.html"/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain('sandbox');
  });
});

describe('uploads: temporary files', () => {
  it('deletes the temporary file after the response, and keeps a moved one', async () => {
    const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
    const target = join(dir.path, '..', `${Date.now()}-moved.txt`);
    let storedAt = '';
    app.post('/keep', {
      schema: { body: upload({ fields: z.object({ keep: z.string() }), files: { doc: file() } }) },
      handler: async (ctx) => {
        storedAt = ctx.body.doc.path;
        expect(readFileSync(storedAt, 'utf8')).toBe('hello');
        if (ctx.body.keep === 'yes') await ctx.body.doc.moveTo(target);
        return 'ok';
      },
    });
    const dropped = await app.request('/keep', multipartInit(multipart([{ name: 'keep', data: 'no' }, doc])));
    expect(dropped.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(storedAt)).toBe(false);
    const kept = await app.request('/keep', multipartInit(multipart([{ name: 'keep', data: 'yes' }, doc])));
    expect(kept.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readFileSync(target, 'utf8')).toBe('hello');
    expect(await dir.settled()).toEqual([]);
  });
});
