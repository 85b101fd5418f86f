/**
 * Checks a route's `schema` at registration and compiles its response schemas into a table looked
 * up by status in constant time (exact status, else its class such as `2xx`, else `default`).
 */
import type { ResponseSpec, ResponseTable } from '../context.ts';
import { FrameworkError } from '../errors.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { isStandardSchema } from '../standard-schema.ts';
import type { RouteSchema } from '../types.ts';
import { compileSerializer } from './serializer.ts';

const SCHEMA_KEYS: KnownOptions<RouteSchema> = { params: true, query: true, body: true, headers: true, response: true };
const CLASS_KEYS = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** Statuses that never carry a body, so they need no response schema. */
const BODILESS = new Set([204, 205, 304]);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  if ('type' in value || 'properties' in value || '$schema' in value) return 'a plain JSON Schema object';
  return 'a plain object';
}

function notStandard(where: string, value: unknown): FrameworkError {
  return new FrameworkError(
    'FW_ERR_SCHEMA_INVALID',
    `${where} is ${describe(value)}, not a Standard Schema, so it would validate nothing. Pass a zod schema ` +
      '(z.object({ ... })) or a schema from another Standard Schema library (valibot, arktype); for JSON Schema, ' +
      'wrap it in a Standard Schema validator (e.g. one built with ajv that implements "~standard").',
  );
}

/** Whether `key` may key `schema.response`: a status 100-599, `1xx`…`5xx` or `default`. */
function isResponseKey(key: string): boolean {
  return key === 'default' || (CLASS_KEYS as readonly string[]).includes(key) || /^[1-5]\d\d$/.test(key);
}

/**
 * Refuses, at registration, a route `schema` that would silently validate less than it says: an
 * unknown key (`bodyy`, with "did you mean"), a part that is not a Standard Schema (a plain JSON
 * Schema object), or a response key that is not a status, a status class or `default`.
 */
export function checkRouteSchema(route: string, schema: unknown): void {
  if (schema === undefined) return;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new FrameworkError(
      'FW_ERR_SCHEMA_INVALID',
      `Route ${route}: schema must be an object such as { body: z.object({ ... }) }, got ${describe(schema)}.`,
    );
  }
  if (isStandardSchema(schema)) {
    throw new FrameworkError(
      'FW_ERR_SCHEMA_INVALID',
      `Route ${route}: schema names the parts it validates; put this schema under one of them, e.g. schema: { body: ... } ` +
        '(params, query, body, headers or response).',
    );
  }
  checkOptions(`Route ${route} schema`, schema as RouteSchema, SCHEMA_KEYS);
  const parts = schema as Record<string, unknown>;
  for (const part of ['params', 'query', 'body', 'headers'] as const) {
    const value = parts[part];
    if (value !== undefined && !isStandardSchema(value)) throw notStandard(`Route ${route}: schema.${part}`, value);
  }
  const response = parts.response;
  if (response === undefined) return;
  if (typeof response !== 'object' || response === null || Array.isArray(response) || isStandardSchema(response)) {
    throw new FrameworkError(
      'FW_ERR_SCHEMA_INVALID',
      `Route ${route}: schema.response maps statuses to schemas, e.g. { 200: User, '4xx': Problem }; ` +
        `got ${isStandardSchema(response) ? 'a single schema (key it by status: { 200: schema })' : describe(response)}.`,
    );
  }
  for (const [key, value] of Object.entries(response)) {
    if (!isResponseKey(key)) {
      throw new FrameworkError(
        'FW_ERR_SCHEMA_INVALID',
        `Route ${route}: schema.response key "${key}" is not a status. Use a status from 100 to 599 (200), ` +
          `a class ('2xx', '4xx', '5xx') or 'default'.`,
      );
    }
    if (!isStandardSchema(value)) throw notStandard(`Route ${route}: schema.response[${key}]`, value);
  }
}

/**
 * Compiles `schema.response` into a table of 600 entries, one per status, so that a reply finds its
 * schema by index. Precedence: the exact status, then its class (`2xx`), then `default`.
 */
export function compileResponseTable(route: string, schemas: unknown): ResponseTable | undefined {
  if (typeof schemas !== 'object' || schemas === null) return undefined;
  const specs = new Map<string, ResponseSpec>();
  for (const [key, schema] of Object.entries(schemas)) {
    if (isStandardSchema(schema)) specs.set(key, { schema, serialize: compileSerializer(schema) });
  }
  if (specs.size === 0) return undefined;
  const byStatus: Array<ResponseSpec | undefined> = new Array(600).fill(undefined);
  const fallback = specs.get('default');
  for (let status = 100; status < 600; status++) {
    byStatus[status] = specs.get(String(status)) ?? specs.get(`${Math.floor(status / 100)}xx`) ?? fallback;
  }
  return { byStatus, route, keys: [...specs.keys()] };
}

/** Whether a 2xx reply with a body would leave a route that declares response schemas through none. */
export function unschemed(table: ResponseTable, status: number, hasBody: boolean): boolean {
  return hasBody && status >= 200 && status < 300 && table.byStatus[status] === undefined;
}

function declared(table: ResponseTable): string {
  return table.keys.map((key) => (/^\d+$/.test(key) ? key : `'${key}'`)).join(', ');
}

/**
 * The start-up check: a route's static status (its `status`, 200 when unset) must have a response
 * schema when the route declares any, unless it is a status without a body (204, 205, 304).
 */
export function checkStaticStatus(table: ResponseTable, status: number, explicit: boolean): void {
  if (BODILESS.has(status) || !unschemed(table, status, true)) return;
  throw new FrameworkError(
    'FW_ERR_RESPONSE_SCHEMA_MISSING',
    `Route ${table.route} answers ${status}${explicit ? ' (its status)' : ' (the default status)'} but schema.response ` +
      `declares only ${declared(table)}, so its body would be sent unfiltered. Add a schema for it ` +
      `(schema.response: { ${status}: ... } or '2xx' / 'default')${explicit ? '' : `, or set status to a declared one (status: ${table.keys.find((key) => /^2\d\d$/.test(key)) ?? 201})`}.`,
  );
}

/** The error a reply gets refused with when its 2xx status has no schema on such a route. */
export function unschemedReply(table: ResponseTable, status: number): FrameworkError {
  return new FrameworkError(
    'FW_ERR_RESPONSE_SCHEMA_MISSING',
    `Route ${table.route} tried to send a ${status} body, but schema.response declares only ${declared(table)}; ` +
      `the body was not sent. Add a schema for ${status} (or '2xx' / 'default') to schema.response, or reply with a declared status.`,
  );
}
