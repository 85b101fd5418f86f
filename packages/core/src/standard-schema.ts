/**
 * The Standard Schema interface (https://standardschema.dev), copied as its authors recommend so
 * that zod, valibot, arktype and any other compliant library validate routes without an adapter.
 */
import { ValidationError, type ValidationIssue, type ValidationTarget } from './errors.ts';

/**
 * A schema from any Standard Schema library. Zod, valibot and arktype schemas implement it, so any
 * of them can go in a route's `schema`.
 *
 * @example
 * ```ts
 * const Item = z.object({ id: z.number(), name: z.string() });
 * const check = (schema: StandardSchemaV1, value: unknown) => schema['~standard'].validate(value);
 * await check(Item, { id: 1, name: 'pen' }); // { value: { id: 1, name: 'pen' } }
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

/**
 * The type a schema accepts (before defaults and transforms apply).
 *
 * @example
 * ```ts
 * const Paging = z.object({ page: z.number().default(1) });
 * type PagingInput = InferInput<typeof Paging>; // { page?: number | undefined }
 * ```
 */
export type InferInput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : unknown;
/**
 * The type a schema produces: what `ctx.params`, `ctx.query`, `ctx.body` and `ctx.headers` hold
 * once their schema validated them.
 *
 * @example
 * ```ts
 * const Paging = z.object({ page: z.number().default(1) });
 * type Paging = InferOutput<typeof Paging>; // { page: number }
 * ```
 */
export type InferOutput<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : unknown;

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  );
}

function toIssues(target: ValidationTarget, issues: ReadonlyArray<StandardSchemaV1.Issue>): ValidationIssue[] {
  return issues.map((issue) => {
    const path: Array<string | number> = [target];
    for (const segment of issue.path ?? []) {
      const key = typeof segment === 'object' ? segment.key : segment;
      path.push(typeof key === 'number' ? key : String(key));
    }
    const code = (issue as { code?: unknown }).code;
    return { path, message: issue.message, code: typeof code === 'string' ? code : 'invalid' };
  });
}

/**
 * Validates `value` for one part of the request. Returns the parsed value, or a promise of it
 * when the schema is asynchronous, and throws a `ValidationError` (400) on failure.
 */
export function validateInput(
  schema: StandardSchemaV1,
  target: ValidationTarget,
  value: unknown,
): unknown | Promise<unknown> {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    return result.then((settled) => unwrap(target, settled));
  }
  return unwrap(target, result);
}

function unwrap(target: ValidationTarget, result: StandardSchemaV1.Result<unknown>): unknown {
  if (result.issues) throw new ValidationError(target, toIssues(target, result.issues));
  return result.value;
}
