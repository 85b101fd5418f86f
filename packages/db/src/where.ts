import {
  and,
  type Column,
  eq,
  gt,
  gte,
  ilike,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  notInArray,
  or,
  type SQL,
} from 'drizzle-orm';
import { QueryError } from './errors.ts';

/**
 * The operators of an object `where`: `{ age: { gte: 18 } }`. A plain value means `eq`, `null`
 * means `IS NULL`.
 *
 * @example
 * ```ts
 * const adults: Operators<number> = { gte: 18, lt: 65 };
 * ```
 */
export interface Operators<V> {
  eq?: V;
  ne?: V;
  gt?: V;
  gte?: V;
  lt?: V;
  lte?: V;
  in?: readonly V[];
  notIn?: readonly V[];
  like?: string;
  ilike?: string;
  /** `true`: IS NULL; `false`: IS NOT NULL. */
  isNull?: boolean;
}

/**
 * An object filter over the columns of a row type: each key a column, each value a value or
 * operators; `and` / `or` combine filters.
 *
 * @example
 * ```ts
 * const filter: Where<{ age: number; name: string }> = { or: [{ age: { lt: 18 } }, { name: { like: 'A%' } }] };
 * ```
 */
export type Where<R> = { [K in keyof R]?: R[K] | Operators<NonNullable<R[K]>> | null } & {
  and?: readonly Where<R>[];
  or?: readonly Where<R>[];
};

const OPERATORS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'like', 'ilike', 'isNull']);

function isOperators(value: unknown): value is Operators<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => OPERATORS.has(key));
}

/**
 * Compiles an object filter to drizzle SQL, resolving each key with `column` (which throws a
 * `QueryError` for unknown names). Values always become bound parameters.
 *
 * @example
 * ```ts
 * const condition = compileWhere({ age: { gte: 18 } }, (name) => users[name]);
 * ```
 */
export function compileWhere(filter: object, column: (name: string) => Column): SQL | undefined {
  const parts: SQL[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new QueryError('FW_DB_BAD_WHERE', `"${key}" takes an array of filters.`);
      const inner = value.map((item: object) => compileWhere(item, column)).filter((item) => item !== undefined);
      const combined = key === 'and' ? and(...inner) : or(...inner);
      if (combined !== undefined) parts.push(combined);
      continue;
    }
    const target = column(key);
    if (value === null) {
      parts.push(isNull(target));
    } else if (isOperators(value)) {
      for (const [operator, operand] of Object.entries(value)) {
        if (operand === undefined) continue;
        parts.push(operatorSql(target, operator, operand, key));
      }
    } else if (typeof value === 'object' && !(value instanceof Date) && !Array.isArray(value)) {
      throw new QueryError(
        'FW_DB_BAD_WHERE',
        `where: "${key}" was given an object with keys ${Object.keys(value).join(', ') || '(none)'}; ` +
          `use a value, null, or operators (${[...OPERATORS].join(', ')}).`,
      );
    } else {
      parts.push(eq(target, value));
    }
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : and(...parts);
}

function operatorSql(target: Column, operator: string, operand: unknown, key: string): SQL {
  switch (operator) {
    case 'eq':
      return operand === null ? isNull(target) : eq(target, operand);
    case 'ne':
      return operand === null ? isNotNull(target) : ne(target, operand);
    case 'gt':
      return gt(target, operand);
    case 'gte':
      return gte(target, operand);
    case 'lt':
      return lt(target, operand);
    case 'lte':
      return lte(target, operand);
    case 'like':
      return like(target, String(operand));
    case 'ilike':
      return ilike(target, String(operand));
    case 'isNull':
      return operand ? isNull(target) : isNotNull(target);
    case 'in':
    case 'notIn': {
      if (!Array.isArray(operand))
        throw new QueryError('FW_DB_BAD_WHERE', `where: "${key}.${operator}" takes an array.`);
      return operator === 'in' ? inArray(target, operand) : notInArray(target, operand);
    }
    default:
      throw new QueryError('FW_DB_BAD_WHERE', `where: unknown operator "${operator}" on "${key}".`);
  }
}
