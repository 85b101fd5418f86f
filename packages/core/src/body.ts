import secureJson from 'secure-json-parse';
import { HttpError } from './errors.ts';
import { DEFAULT_QUERY_LIMITS, isPrototypeKey, type QueryLimits } from './security/hardening.ts';

/** The kinds of body the framework parses itself. */
export type BodyKind = 'json' | 'form' | 'text' | 'binary' | 'multipart';

/** Default limit on how many query or form parameters a request may carry. */
export const MAX_PARAMS = DEFAULT_QUERY_LIMITS.maxParams;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/**
 * Returns the media type's essence (lower-cased, parameters and whitespace dropped) and its
 * charset, as RFC 9110 §8.3.1 describes. `undefined` for a missing or malformed header.
 */
export function parseContentType(
  header: string | undefined,
): { type: string; charset: string | undefined } | undefined {
  if (header === undefined) return undefined;
  const semi = header.indexOf(';');
  const type = (semi === -1 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(type)) return undefined;
  let charset: string | undefined;
  if (semi !== -1) {
    const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header);
    if (match) charset = match[1]!.toLowerCase();
  }
  return { type, charset };
}

/** Classifies a content type into the body kinds the framework knows. */
export function bodyKind(type: string): BodyKind | undefined {
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (type.startsWith('text/')) return 'text';
  if (type === 'application/octet-stream') return 'binary';
  return undefined;
}

/** The 413 for a body over `limit` bytes; the connection is closed since the rest of the body is not read. */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `The request body is larger than the ${limit}-byte limit; send less.`, {
    code: 'FW_ERR_BODY_TOO_LARGE',
    headers: { connection: 'close' },
  });
}

function unsupported(type: string | undefined, accepted: string): HttpError {
  return new HttpError(
    415,
    type === undefined
      ? `The request has a body but no valid Content-Type header; send it as ${accepted}.`
      : `Content-Type ${type} is not accepted here; send the body as ${accepted}.`,
    { code: 'FW_ERR_UNSUPPORTED_MEDIA_TYPE' },
  );
}

/**
 * Parses a request body by its Content-Type. With `schemaKinds`, only those kinds are accepted
 * (a route with a body schema takes JSON or a form); otherwise JSON, forms, text and
 * `application/octet-stream` are.
 */
export function parseBody(
  raw: Uint8Array,
  contentType: string | undefined,
  schemaKinds?: readonly BodyKind[],
  limits: Readonly<QueryLimits> = DEFAULT_QUERY_LIMITS,
): unknown {
  const parsed = parseContentType(contentType);
  const kind = parsed ? bodyKind(parsed.type) : undefined;
  const accepted = schemaKinds ?? (['json', 'form', 'text', 'binary'] as const);
  if (kind === undefined || !accepted.includes(kind) || kind === 'multipart') {
    throw unsupported(parsed?.type, accepted.includes('json') ? 'application/json' : accepted.join(' or '));
  }
  if (kind === 'binary') return raw;
  const charset = parsed?.charset;
  if (
    charset !== undefined &&
    charset !== 'utf-8' &&
    charset !== 'utf8' &&
    !(kind === 'text' && charset === 'us-ascii')
  ) {
    throw new HttpError(415, `Charset ${charset} is not supported; send the body as UTF-8.`, {
      code: 'FW_ERR_UNSUPPORTED_CHARSET',
    });
  }
  if (kind === 'text') return utf8Lenient.decode(raw);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, 'The request body is not valid UTF-8.', { code: 'FW_ERR_INVALID_UTF8' });
  }
  if (kind === 'form') return parseParams(text, 'form', limits);
  return parseJson(text);
}

/** Parses JSON that may come from an attacker: `__proto__` and `constructor.prototype` keys are refused. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') {
    throw new HttpError(400, 'The request body is empty; send a JSON document.', { code: 'FW_ERR_EMPTY_JSON' });
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? error.message : 'it contains a forbidden __proto__ or constructor.prototype key';
    throw new HttpError(400, `The request body is not valid JSON: ${reason}.`, { code: 'FW_ERR_INVALID_JSON' });
  }
}

/**
 * Parses a query string or urlencoded form into a null-prototype object; a repeated key becomes an
 * array. Keys are flat: `a[b]=1` is the key `a[b]`, never a nested object. The limits are checked
 * while parsing (more than `maxParams` pairs or `maxArrayLength` values for one key is a 400), so a
 * huge form costs no more CPU than the limit; `__proto__`, `constructor` and `prototype` keys are
 * dropped unless `dropPrototypeKeys` is off.
 */
export function parseParams(
  input: string,
  what: 'query' | 'form',
  limits: Readonly<QueryLimits> = DEFAULT_QUERY_LIMITS,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  if (input === '') return out;
  const { maxParams, maxArrayLength, dropPrototypeKeys } = limits;
  let count = 0;
  let start = 0;
  const length = input.length;
  // The next '=' at or after `start` (or `length`), found once and reused: searching again for every
  // pair would rescan a long run of pairs without '=' each time, quadratic in the input.
  let eq = -1;
  while (start <= length) {
    let end = input.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      if (++count > maxParams) {
        throw new HttpError(400, `The ${what} has more than ${maxParams} parameters; send fewer.`, {
          code: 'FW_ERR_TOO_MANY_PARAMS',
        });
      }
      if (eq < start) {
        eq = input.indexOf('=', start);
        if (eq === -1) eq = length;
      }
      const split = eq < end;
      const key = decodeComponent(input.slice(start, split ? eq : end), what);
      if (!(dropPrototypeKeys && isPrototypeKey(key))) {
        const value = split ? decodeComponent(input.slice(eq + 1, end), what) : '';
        const existing = out[key];
        if (existing === undefined) out[key] = value;
        else {
          if ((typeof existing === 'string' ? 1 : existing.length) >= maxArrayLength) {
            throw new HttpError(
              400,
              `The ${what} repeats the key ${JSON.stringify(key.slice(0, 64))} more than ${maxArrayLength} times; send fewer values.`,
              { code: 'FW_ERR_TOO_MANY_PARAMS' },
            );
          }
          if (typeof existing === 'string') out[key] = [existing, value];
          else existing.push(value);
        }
      }
    }
    start = end + 1;
  }
  return out;
}

function decodeComponent(text: string, what: string): string {
  const plus = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    throw new HttpError(400, `The ${what} contains invalid percent-encoding.`, { code: 'FW_ERR_BAD_ENCODING' });
  }
}
