import type { Command } from '../command.ts';
import { camel, kebab, nameWords, pascal, plural, snake } from '../internal/names.ts';
import { type GeneratedFile, writeNewFiles } from '../internal/write-files.ts';
import { requireProject } from '../project.ts';

/**
 * Internal: the model module and its test for `name` (e.g. ['blog', 'post']). With @framework/db
 * in the app, the module declares its table too.
 */
export function modelFiles(name: readonly string[], withDatabase: boolean): GeneratedFile[] {
  const slug = kebab(name);
  const Model = pascal(name);
  const tableWords = [...name.slice(0, -1), plural(name.at(-1) ?? '')];
  const tableName = snake(tableWords);
  const tableVar = camel(tableWords);
  const table = withDatabase
    ? `import { serial, table, timestamp, varchar } from '@framework/db';
`
    : '';
  const tableDeclaration = withDatabase
    ? `
/**
 * The ${tableName} table. Create it with a migration (framework generate:migration create_${tableName})
 * and register it in database({ schema: { ${tableVar} } }).
 */
export const ${tableVar} = table('${tableName}', {
  id: serial().primaryKey(),
  name: varchar({ length: 200 }).notNull(),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
`
    : '';
  const source = `${table}import { z } from 'zod';
${tableDeclaration}
/** A ${Model}, as the app reads and answers it. */
export const ${Model} = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(200),
  createdAt: z.coerce.date(),
});
/** A ${Model}. */
export type ${Model} = z.infer<typeof ${Model}>;

/** What creating a ${Model} takes: validate request bodies with it. */
export const New${Model} = ${Model}.pick({ name: true }).extend({ name: z.string().trim().min(1).max(200) });
/** What creating a ${Model} takes. */
export type New${Model} = z.infer<typeof New${Model}>;
`;
  const test = `import { describe, expect, it } from 'vitest';
import { ${Model}, New${Model} } from '../../src/models/${slug}.ts';

describe('${Model}', () => {
  it('accepts a new ${Model} with a name, trimmed', () => {
    expect(New${Model}.parse({ name: '  first ' })).toEqual({ name: 'first' });
  });

  it('refuses a new ${Model} without a name', () => {
    expect(New${Model}.safeParse({ name: ' ' }).success).toBe(false);
    expect(New${Model}.safeParse({}).success).toBe(false);
  });

  it('reads a stored ${Model}, dates from text included', () => {
    const stored = ${Model}.parse({ id: 1, name: 'first', createdAt: '2026-01-02T03:04:05.000Z' });
    expect(stored.createdAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });
});
`;
  return [
    { path: `src/models/${slug}.ts`, text: source },
    { path: `test/models/${slug}.test.ts`, text: test },
  ];
}

/** `framework generate:model <Name>`: a model module (zod schemas, and a table with @framework/db) and its test. */
export const generateModel: Command = {
  name: 'generate:model',
  summary: 'Write src/models/<name>.ts (zod schemas, and a table with @framework/db) and its test',
  usage: 'generate:model <Name>',
  details: [
    "Writes the model's zod schemas (the stored shape and what creating one takes) and, when the app depends",
    'on @framework/db, its table; plus a vitest test. Existing files are never overwritten.',
  ],
  flags: {},
  positionals: { min: 1, max: 1 },
  async run(context) {
    const project = await requireProject(context.cwd);
    const name = nameWords(context.positionals[0] ?? '', 'User or BlogPost');
    const withDatabase = project.dependencies.has('@framework/db');
    const files = modelFiles(name, withDatabase);
    await writeNewFiles(project.root, files);
    for (const file of files) context.io.out(`created ${file.path}`);
    if (withDatabase) {
      const tableName = snake([...name.slice(0, -1), plural(name.at(-1) ?? '')]);
      context.io.out(`Create its table with a migration: framework generate:migration create_${tableName}`);
    }
    return 0;
  },
};
