/**
 * `Bearer`, case-insensitive, one or more spaces, then one b64token (RFC 6750 §2.1): a second
 * token, a comma-separated list or another scheme (`Basic`, `Token`) does not match.
 */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, or `undefined` for anything else: no
 * header, an empty one, another scheme such as `Basic <jwt>` or `Token <jwt>`, or two tokens.
 *
 * @example
 * ```ts
 * bearerToken('Bearer eyJhbGciOi...'); // 'eyJhbGciOi...'
 * bearerToken('Basic eyJhbGciOi...');  // undefined
 * ```
 */
export function bearerToken(headerValue: string | undefined): string | undefined {
  if (typeof headerValue !== 'string') return undefined;
  return BEARER.exec(headerValue.trim())?.[1];
}
