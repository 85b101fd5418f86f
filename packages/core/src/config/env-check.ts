import { FrameworkError } from '../errors.ts';
import { isStandardSchema } from '../standard-schema.ts';
import type { LoadedEnv } from './env-files.ts';

/** One missing or invalid variable, described without its value. */
export interface EnvProblem {
  readonly name: string;
  /** `'the environment'`, a file such as `.env.local`, or `'nowhere'` when it is missing. */
  readonly source: string;
  readonly problem: string;
  readonly fix: string;
}

/** Validates the variables with the env schema; every issue becomes a problem naming the variable. */
export function checkEnv(
  schema: unknown,
  loaded: LoadedEnv,
): { readonly value: unknown; readonly problems: readonly EnvProblem[] } {
  if (!isStandardSchema(schema)) {
    throw new FrameworkError(
      'FW_ERR_CONFIG',
      'defineConfig({ env }) takes a schema (zod, valibot, ArkType: any Standard Schema), e.g. env: z.object({ PORT: z.coerce.number() }).',
    );
  }
  const result = schema['~standard'].validate(loaded.values);
  if (result instanceof Promise) {
    throw new FrameworkError(
      'FW_ERR_CONFIG',
      'defineConfig({ env }): the schema validates asynchronously; the configuration loads synchronously, so use a schema without async refinements.',
    );
  }
  if (result.issues === undefined) return { value: result.value, problems: [] };
  const problems = new Map<string, EnvProblem>();
  for (const issue of result.issues) {
    const first = issue.path?.[0];
    const key = typeof first === 'object' && first !== null ? first.key : first;
    const name = key === undefined ? '(the env as a whole)' : String(key);
    if (problems.has(name)) continue;
    const raw = key === undefined ? undefined : loaded.values[name];
    const message = withoutValue(issue.message, raw);
    if (raw === undefined && key !== undefined) {
      problems.set(name, {
        name,
        source: 'nowhere',
        problem: `is missing (${message})`,
        fix: `add a line ${name}=... to .env (or .env.local, or set it in the environment)`,
      });
    } else {
      const source = loaded.sources.get(name) ?? 'the environment';
      problems.set(name, {
        name,
        source,
        problem: `is invalid: ${message}`,
        fix:
          key === undefined
            ? 'fix the variables the schema names'
            : `write a value the schema accepts for ${name} in ${source}`,
      });
    }
  }
  return { value: undefined, problems: [...problems.values()] };
}

/** The problems as the error lists them, one per line. */
export function envProblems(problems: readonly EnvProblem[]): string {
  return problems
    .map((item) =>
      item.source === 'nowhere' || item.source === 'the environment'
        ? `  - ${item.name} ${item.problem}: ${item.fix}.`
        : `  - ${item.name} (from ${item.source}) ${item.problem}: ${item.fix}.`,
    )
    .join('\n');
}

/** A schema's message may quote what it received: the variable's value is cut out of it. */
function withoutValue(message: string, value: string | undefined): string {
  return value === undefined || value.length < 3 ? message : message.replaceAll(value, '[value]');
}
