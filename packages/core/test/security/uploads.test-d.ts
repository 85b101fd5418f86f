import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../src/create-app.ts';
import { file, type UploadedFile, upload } from '../../src/uploads/file.ts';

describe('upload() types ctx.body', () => {
  it('gives file fields the uploaded-file type and text fields their schema type', () => {
    createApp().post('/upload', {
      schema: {
        body: upload({
          fields: z.object({ title: z.string(), tags: z.array(z.string()).optional() }),
          files: {
            avatar: file({ maxSize: '10MB', allowedTypes: ['image/png'], image: { stripMetadata: true } }),
            cover: file({ optional: true }),
          },
        }),
      },
      handler: async (ctx) => {
        expectTypeOf(ctx.body.avatar).toEqualTypeOf<UploadedFile>();
        expectTypeOf(ctx.body.cover).toEqualTypeOf<UploadedFile | undefined>();
        expectTypeOf(ctx.body.title).toEqualTypeOf<string>();
        expectTypeOf(ctx.body.avatar.size).toEqualTypeOf<number>();
        expectTypeOf(await ctx.body.avatar.buffer()).toEqualTypeOf<Buffer>();
        // @ts-expect-error an optional file may be missing: check it before use
        ctx.body.cover.size;
        // @ts-expect-error `avatar` is a file, not a string
        ctx.body.avatar.toUpperCase();
        // @ts-expect-error no field `missing` was declared
        ctx.body.missing;
        return 'ok';
      },
    });
  });

  it('works without a fields schema', () => {
    createApp().post('/doc', {
      schema: { body: upload({ files: { doc: file() } }) },
      handler: (ctx) => {
        expectTypeOf(ctx.body.doc).toEqualTypeOf<UploadedFile>();
        // @ts-expect-error no text fields are declared
        ctx.body.title;
        return 'ok';
      },
    });
  });

  it('only takes file() schemas as files', () => {
    // @ts-expect-error a zod schema is not a file() schema
    upload({ files: { doc: z.string() } });
  });
});
