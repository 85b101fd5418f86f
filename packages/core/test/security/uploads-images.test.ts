// security-cases.md UP-10 and the image options: header checks before decoding, EXIF stripping, conversion.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/create-app.ts';
import { file, upload } from '../../src/uploads/file.ts';
import type { ImageOptions } from '../../src/uploads/image.ts';
import { readJson } from '../helpers.ts';
import { multipart, multipartInit, pngHeader, silent, uploadDir } from './uploads-helpers.ts';

const dir = uploadDir();
afterAll(() => dir.remove());

function makeApp(image: ImageOptions | undefined) {
  const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
  let calls = 0;
  app.post('/avatar', {
    schema: {
      body: upload({
        files: { avatar: file({ maxSize: '5MB', allowedTypes: ['image/png', 'image/jpeg', 'image/webp'], image }) },
      }),
    },
    handler: async (ctx) => {
      calls++;
      const f = ctx.body.avatar;
      const meta = await sharp(await f.buffer()).metadata();
      return {
        type: f.type,
        size: f.size,
        dimensions: f.dimensions,
        format: meta.format,
        exif: meta.exif !== undefined,
      };
    },
  });
  return { app, calls: () => calls };
}

async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'secret-owner', Artist: 'gps-leaker' } })
    .toBuffer();
}

function send(app: ReturnType<typeof makeApp>['app'], data: Uint8Array, type = 'image/png') {
  return app.request('/avatar', multipartInit(multipart([{ name: 'avatar', filename: 'me.png', type, data }])));
}

describe('uploads: images (UP-10)', () => {
  it('refuses a 50 000×50 000 PNG header with 422 without decoding it', async () => {
    const { app, calls } = makeApp({});
    const res = await send(app, pngHeader(50_000, 50_000));
    expect(res.status).toBe(422);
    expect(await readJson(res)).toMatchObject({ code: 'FW_ERR_IMAGE_TOO_LARGE', width: 50_000, height: 50_000 });
    expect(calls()).toBe(0);
    expect(await dir.settled()).toEqual([]);
  });

  it('refuses an image over maxDimensions, read from its header', async () => {
    const { app } = makeApp({ maxDimensions: { width: 100, height: 100 } });
    const png = await sharp({ create: { width: 200, height: 50, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const res = await send(app, png);
    expect(res.status).toBe(422);
    expect((await readJson(res)).detail).toContain('200×50');
  });

  it('without the image option (check off) stores the same pixel-flood header untouched', async () => {
    const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
    app.post('/raw', {
      schema: { body: upload({ files: { avatar: file({ allowedTypes: ['image/png'] }) } }) },
      handler: (ctx) => ({ type: ctx.body.avatar.type, dimensions: ctx.body.avatar.dimensions ?? null }),
    });
    const body = multipart([{ name: 'avatar', filename: 'a.png', type: 'image/png', data: pngHeader(50_000, 50_000) }]);
    const res = await app.request('/raw', multipartInit(body));
    expect(await res.json()).toEqual({ type: 'image/png', dimensions: null });
  });

  it('strips EXIF when stripMetadata is set', async () => {
    const original = await jpegWithExif();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const { app } = makeApp({ stripMetadata: true });
    const res = await send(app, original, 'image/jpeg');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: 'image/jpeg',
      format: 'jpeg',
      exif: false,
      dimensions: { width: 40, height: 30 },
    });
  });

  it('keeps EXIF when stripMetadata is off', async () => {
    const { app } = makeApp({});
    const res = await send(app, await jpegWithExif(), 'image/jpeg');
    expect(await res.json()).toMatchObject({ format: 'jpeg', exif: true });
  });

  it('converts to WebP with convertFormat', async () => {
    const { app } = makeApp({ convertFormat: 'webp', stripMetadata: true });
    const png = await sharp({ create: { width: 64, height: 48, channels: 4, background: '#0a0' } })
      .png()
      .toBuffer();
    const res = await send(app, png);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      type: 'image/webp',
      format: 'webp',
      dimensions: { width: 64, height: 48 },
    });
  });

  it('answers a PNG signature with a corrupt body with 422, not 500', async () => {
    const { app } = makeApp({ stripMetadata: true });
    const res = await send(app, pngHeader(10, 10));
    expect(res.status).toBe(422);
    expect((await readJson(res)).code).toBe('FW_ERR_IMAGE_INVALID');
    expect(existsSync(dir.path) && dir.files().length === 0).toBe(true);
  });
});
