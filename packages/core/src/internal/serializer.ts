/**
 * Compiled JSON serializers for response schemas. A schema that can describe itself as JSON Schema
 * (the Standard JSON Schema interface, which zod 4 implements) is turned into a tree of small
 * serializer functions, built once per route: they write only the declared properties (so an
 * undeclared `passwordHash` never leaves) and check each value's JSON type, which is much cheaper
 * than running the schema's full validation on every response. Closures rather than generated code,
 * so it also works where `new Function` is forbidden (edge runtimes). Shapes outside the supported
 * subset get no serializer, and the caller validates with the schema instead.
 */
import { FrameworkError } from '../errors.ts';
import type { StandardSchemaV1 } from '../standard-schema.ts';

/** Serializes a value, or throws a `FrameworkError` naming where its type is wrong. */
export type Serializer = (value: unknown) => string;
type Node = (value: unknown) => string;
type JsonSchema = Record<string, unknown>;

interface JsonSchemaSource {
  jsonSchema?: { output?: (options: { target: string }) => unknown };
}

/** A wrong JSON type; the path is filled in on the way out, so the fast path builds no strings. */
class Mismatch extends Error {
  readonly path: Array<string | number> = [];
  constructor(expected: string, value: unknown) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    super(`should be ${expected} but is ${got}`);
  }
}

function wrong(expected: string, value: unknown): never {
  throw new Mismatch(expected, value);
}

function within(error: unknown, segment: string | number): never {
  if (error instanceof Mismatch) error.path.unshift(segment);
  throw error;
}

// Strings without quotes, backslashes, control characters or surrogates need no escaping; JSON.stringify handles the rest.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be escaped.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const string: Node = (value) => {
  if (typeof value !== 'string') return wrong('a string', value);
  return value.length < 5000 && !NEEDS_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
};
const number: Node = (value) =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : wrong('a finite number', value);
const boolean: Node = (value) => (value === true ? 'true' : value === false ? 'false' : wrong('a boolean', value));
const nullValue: Node = (value) => (value === null ? 'null' : wrong('null', value));

function nullable(inner: Node): Node {
  return (value) => (value === null ? 'null' : inner(value));
}

function literal(values: readonly unknown[]): Node | undefined {
  if (!values.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item))) return undefined;
  const encoded = new Map(values.map((item) => [item, JSON.stringify(item)]));
  const shown = values.map((item) => JSON.stringify(item)).join(' or ');
  return (value) => encoded.get(value) ?? wrong(shown, value);
}

function array(items: Node): Node {
  return (value) => {
    if (!Array.isArray(value)) return wrong('an array', value);
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      try {
        out += items(value[i]);
      } catch (error) {
        within(error, i);
      }
    }
    return `${out}]`;
  };
}

function object(properties: Array<{ key: string; prefix: string; node: Node; required: boolean }>): Node {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong('an object', value);
    const record = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const property of properties) {
      const item = record[property.key];
      if (item === undefined) {
        if (property.required) within(new Mismatch('present', item), property.key);
        continue;
      }
      out += first ? property.prefix.slice(1) : property.prefix;
      first = false;
      try {
        out += property.node(item);
      } catch (error) {
        within(error, property.key);
      }
    }
    return `${out}}`;
  };
}

function build(schema: unknown): Node | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as JsonSchema;
  if ('$ref' in s || 'allOf' in s || 'oneOf' in s || 'not' in s || 'if' in s) return undefined;
  if (Array.isArray(s.anyOf)) {
    const options = s.anyOf as unknown[];
    const others = options.filter((option) => (option as JsonSchema).type !== 'null');
    if (others.length !== 1 || options.length !== 2) return undefined;
    const inner = build(others[0]);
    return inner && nullable(inner);
  }
  if ('const' in s) return literal([s.const]);
  if (Array.isArray(s.enum)) return literal(s.enum);
  if (Array.isArray(s.type)) {
    const types = s.type as unknown[];
    const others = types.filter((type) => type !== 'null');
    if (others.length !== 1 || types.length !== 2) return undefined;
    const inner = build({ ...s, type: others[0] });
    return inner && nullable(inner);
  }
  switch (s.type) {
    case 'string':
      return string;
    case 'number':
    case 'integer':
      return number;
    case 'boolean':
      return boolean;
    case 'null':
      return nullValue;
    case 'array': {
      if ('prefixItems' in s || typeof s.items !== 'object') return undefined;
      const items = build(s.items);
      return items && array(items);
    }
    case 'object': {
      const extra = s.additionalProperties;
      if ((extra !== undefined && extra !== false) || 'patternProperties' in s) return undefined;
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      const properties = [];
      for (const [key, child] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
        const node = build(child);
        if (node === undefined) return undefined;
        properties.push({ key, prefix: `,${JSON.stringify(key)}:`, node, required: required.has(key) });
      }
      return object(properties);
    }
    default:
      return undefined;
  }
}

/**
 * Builds a serializer for what `schema` outputs, or `undefined` when the schema cannot describe
 * itself as JSON Schema or uses shapes outside the supported subset.
 */
export function compileSerializer(schema: StandardSchemaV1): Serializer | undefined {
  const source = schema['~standard'] as StandardSchemaV1.Props & JsonSchemaSource;
  let json: unknown;
  try {
    json = source.jsonSchema?.output?.({ target: 'draft-2020-12' });
  } catch {
    // Transforms, dates and the like cannot be expressed as JSON Schema: validate instead.
    return undefined;
  }
  const root = build(json);
  if (root === undefined) return undefined;
  return (value) => {
    try {
      return root(value);
    } catch (error) {
      if (!(error instanceof Mismatch)) throw error;
      const where = error.path.reduce<string>(
        (path, segment) =>
          typeof segment === 'number' ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`,
        '',
      );
      throw new FrameworkError(
        'FW_ERR_RESPONSE_VALIDATION',
        `the response body at ${where === '' ? 'the top level' : where} ${error.message}`,
      );
    }
  };
}
