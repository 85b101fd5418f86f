import { dirname, join, relative, sep } from 'node:path';
import type { Command } from '../command.ts';
import { camel, kebab, nameWords, pascal } from '../internal/names.ts';
import { type GeneratedFile, writeNewFiles } from '../internal/write-files.ts';
import { requireProject, shown } from '../project.ts';

/** Internal: the route module and its test for `name` (words of the resource, e.g. ['blog', 'posts']). */
export function routeFiles(name: readonly string[]): GeneratedFile[] {
  const slug = kebab(name);
  const fn = `${camel(name)}Routes`;
  const Item = `${pascal(name)}Item`;
  const NewItem = `New${pascal(name)}Item`;
  const source = `import { type App, NotFoundError } from '@framework/core';
import { z } from 'zod';

/** One ${slug} entry, as the routes answer it. */
export const ${Item} = z.object({ id: z.number().int().positive(), name: z.string() });
/** One ${slug} entry. */
export type ${Item} = z.infer<typeof ${Item}>;

/** What POST /${slug} takes. */
export const ${NewItem} = z.object({ name: z.string().trim().min(1).max(200) });

const Id = z.object({ id: z.coerce.number().int().positive() });

/**
 * Registers GET /${slug}, GET /${slug}/:id and POST /${slug} on \`app\` and returns it. The entries
 * live in memory, one list per app: replace the Map with your database table.
 */
export function ${fn}<D, C>(app: App<D, C>): App<D, C> {
  const entries = new Map<number, ${Item}>();
  let nextId = 1;

  app.get('/${slug}', {
    meta: { summary: 'List ${slug}' },
    schema: { response: { 200: z.array(${Item}) } },
    handler: () => [...entries.values()],
  });

  app.get('/${slug}/:id', {
    meta: { summary: 'Read one ${slug} entry' },
    schema: { params: Id, response: { 200: ${Item} } },
    handler: (ctx) => {
      const entry = entries.get(ctx.params.id);
      if (entry === undefined) throw new NotFoundError(\`No ${slug} entry with id \${ctx.params.id}; list them at GET /${slug}.\`);
      return entry;
    },
  });

  app.post('/${slug}', {
    meta: { summary: 'Create a ${slug} entry' },
    status: 201,
    schema: { body: ${NewItem}, response: { 201: ${Item} } },
    handler: (ctx) => {
      const entry = { id: nextId++, name: ctx.body.name };
      entries.set(entry.id, entry);
      return entry;
    },
  });

  return app;
}
`;
  const test = `import { createApp } from '@framework/core';
import { describe, expect, it } from 'vitest';
import { ${Item}, ${fn} } from '../../src/routes/${slug}.ts';

describe('${slug} routes', () => {
  it('creates an entry, then lists and reads it', async () => {
    const app = ${fn}(createApp());
    const created = await app.request('/${slug}', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'first' }),
    });
    expect(created.status).toBe(201);
    const entry = ${Item}.parse(await created.json());
    expect(entry.name).toBe('first');

    const listed = await app.request('/${slug}');
    expect(await listed.json()).toEqual([entry]);
    const read = await app.request(\`/${slug}/\${entry.id}\`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(entry);
  });

  it('answers 404 for an id it does not have', async () => {
    const response = await ${fn}(createApp()).request('/${slug}/999');
    expect(response.status).toBe(404);
  });

  it('answers 400 to an entry without a name', async () => {
    const response = await ${fn}(createApp()).request('/${slug}', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '' }),
    });
    expect(response.status).toBe(400);
  });
});
`;
  return [
    { path: `src/routes/${slug}.ts`, text: source },
    { path: `test/routes/${slug}.test.ts`, text: test },
  ];
}

/** `framework generate:route <name>`: a route module with its test. */
export const generateRoute: Command = {
  name: 'generate:route',
  summary: 'Write src/routes/<name>.ts (list, read, create) and its test',
  usage: 'generate:route <name>',
  details: [
    'Writes a module registering GET /<name>, GET /<name>/:id and POST /<name> with zod schemas, and a',
    'vitest test for them; existing files are never overwritten. Register it in src/app.ts:',
    '<name>Routes(app).',
  ],
  flags: {},
  positionals: { min: 1, max: 1 },
  async run(context) {
    const project = await requireProject(context.cwd);
    const name = nameWords(context.positionals[0] ?? '', 'users or blog-posts');
    const files = routeFiles(name);
    await writeNewFiles(project.root, files);
    for (const file of files) context.io.out(`created ${file.path}`);
    const from = relative(dirname(project.app), join(project.root, 'src', 'routes', `${kebab(name)}.ts`))
      .split(sep)
      .join('/');
    context.io.out(
      `Register them in ${shown(project, project.app)}: import { ${camel(name)}Routes } from '${from.startsWith('.') ? from : `./${from}`}'; then call ${camel(name)}Routes(app).`,
    );
    return 0;
  },
};
