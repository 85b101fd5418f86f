import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import helmet, { type HelmetOptions as HelmetPackageOptions } from 'helmet';
import { FrameworkError } from '../errors.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { JSON_TYPE, PROBLEM_TYPE, type Reply, type ReplyHeaders } from '../reply.ts';

/**
 * helmet 8's own options, passed through by `app.security({ helmet })` (its CSP part is set
 * through `csp` instead).
 *
 * @example
 * ```ts
 * const helmetOptions: HelmetOptions = { strictTransportSecurity: { maxAge: 63_072_000, preload: true } };
 * app.security({ helmet: helmetOptions });
 * ```
 */
export type HelmetOptions = HelmetPackageOptions;

/**
 * Content-Security-Policy directives, in helmet's camelCase form (`scriptSrc`, `frameAncestors`).
 * The source `'nonce'` stands for a fresh per-request nonce, which the handler reads as `ctx.nonce`.
 *
 * @example
 * ```ts
 * const directives: CspDirectives = { scriptSrc: ["'self'", "'nonce'"], imgSrc: ["'self'", 'data:'] };
 * ```
 */
export type CspDirectives = Record<string, readonly string[] | null>;

/**
 * Options for `app.security()` and `createApp({ security })`. Every response gets helmet's headers
 * by default; this tunes them.
 *
 * @example
 * ```ts
 * app.security({
 *   headers: 'strict',
 *   customHeaders: { 'Permissions-Policy': 'camera=(), microphone=()' },
 *   csp: { directives: { scriptSrc: ["'self'", "'nonce'"] } },
 * });
 * ```
 */
export interface SecurityOptions {
  /**
   * `'strict'` (the default): helmet 8's full set, plus `Cache-Control: no-store` and a locked-down
   * CSP (`default-src 'none'; frame-ancestors 'none'`) on JSON responses (OWASP REST).
   * `'relaxed'`: the same without `upgrade-insecure-requests`, with cross-origin resource loading
   * and popups allowed (`Cross-Origin-Resource-Policy: cross-origin`,
   * `Cross-Origin-Opener-Policy: same-origin-allow-popups`), for apps whose assets other sites embed.
   * `false`: no security headers at all (only `customHeaders`).
   */
  headers?: 'strict' | 'relaxed' | false;
  /** Headers set on every response after the preset, by name (any case); `false` removes one. */
  customHeaders?: Record<string, string | false>;
  /** The CSP of non-JSON responses: directives merged over helmet's defaults, or `false` for none. */
  csp?: { directives?: CspDirectives; reportOnly?: boolean } | false;
  /**
   * Any other helmet option (e.g. `strictTransportSecurity: { maxAge: 63072000, preload: true }`).
   * Its `contentSecurityPolicy` is ignored: use `csp`.
   */
  helmet?: HelmetOptions;
}

const SECURITY_OPTIONS: KnownOptions<SecurityOptions> = { headers: true, customHeaders: true, csp: true, helmet: true };

/** One precomputed set of security headers. */
export interface HeaderSet {
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  readonly names: ReadonlySet<string>;
  /**
   * The whole set as one header name and a value that carries the other lines (`v\r\nname: v...`),
   * for drivers that write header lines verbatim (uWS): one native call instead of one per header.
   * Every value comes from helmet or a validated option, never from a request.
   */
  readonly packed: readonly [string, string] | undefined;
}

/** The security headers compiled once: applying them costs a loop over precomputed pairs. */
export interface CompiledSecurity {
  /** For JSON and problem+json responses. */
  readonly json: HeaderSet;
  /** For every other response, without the CSP when it carries a nonce. */
  readonly other: HeaderSet;
  /** The CSP header name and its text split around the nonce, when a directive asks for one. */
  readonly nonce: { readonly header: string; readonly parts: readonly string[] } | undefined;
}

function headerSet(headers: Map<string, string>): HeaderSet {
  const pairs = [...headers];
  for (const [name, value] of pairs) {
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name) || /[^\t\x20-\x7e]/.test(value)) {
      throw new FrameworkError(
        'FW_ERR_SECURITY_OPTIONS',
        `The security header ${JSON.stringify(name)} has an invalid name or value; use a token name and a printable ASCII value.`,
      );
    }
  }
  const first = pairs[0];
  const packed: HeaderSet['packed'] =
    first === undefined
      ? undefined
      : [
          first[0],
          first[1] +
            pairs
              .slice(1)
              .map(([name, value]) => `\r\n${name}: ${value}`)
              .join(''),
        ];
  return { pairs, names: new Set(headers.keys()), packed };
}

const NONCE_MARK = 'fw-nonce-placeholder';
const JSON_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Runs helmet once against a recording response and returns the headers it set, lower-cased. */
function runHelmet(options: HelmetOptions): Map<string, string> {
  const headers = new Map<string, string>();
  let failure: unknown;
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return res;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
    getHeader(name: string) {
      return headers.get(name.toLowerCase());
    },
  };
  // helmet only ever calls setHeader/removeHeader on the response, and reads nothing from the request.
  try {
    const middleware = helmet(options) as unknown as (
      req: object,
      res: object,
      next: (error?: unknown) => void,
    ) => void;
    middleware({ headers: {}, method: 'GET', url: '/' } satisfies Partial<IncomingMessage>, res, (error) => {
      failure = error;
    });
  } catch (error) {
    failure = error;
  }
  if (failure !== undefined) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new FrameworkError('FW_ERR_SECURITY_OPTIONS', `The security header options are invalid: ${reason}.`);
  }
  return headers;
}

function directivesFor(
  preset: 'strict' | 'relaxed',
  custom: CspDirectives | undefined,
): Record<string, string[] | null> {
  const directives: Record<string, string[] | null> = {};
  if (preset === 'relaxed') directives.upgradeInsecureRequests = null;
  for (const [name, sources] of Object.entries(custom ?? {})) {
    directives[name] =
      sources === null ? null : sources.map((source) => (source === "'nonce'" ? `'nonce-${NONCE_MARK}'` : source));
  }
  return directives;
}

/**
 * Compiles the security headers of an app from its options, once, at start-up.
 *
 * @example
 * ```ts
 * const compiled = compileSecurity({ headers: 'strict' });
 * ```
 */
export function compileSecurity(options: SecurityOptions = {}): CompiledSecurity {
  checkOptions('security options (createApp({ security }) / app.security())', options, SECURITY_OPTIONS);
  if (options.csp !== false) checkOptions('security csp', options.csp, { directives: true, reportOnly: true });
  const preset = options.headers ?? 'strict';
  const base = new Map<string, string>();
  let cspHeader: string | undefined;
  if (preset !== false) {
    const csp = options.csp;
    const helmetOptions: HelmetOptions = {
      ...options.helmet,
      contentSecurityPolicy:
        csp === false ? false : { directives: directivesFor(preset, csp?.directives), reportOnly: csp?.reportOnly },
    };
    if (preset === 'relaxed') {
      helmetOptions.crossOriginResourcePolicy ??= { policy: 'cross-origin' };
      helmetOptions.crossOriginOpenerPolicy ??= { policy: 'same-origin-allow-popups' };
    }
    for (const [name, value] of runHelmet(helmetOptions)) base.set(name, value);
    cspHeader = csp !== false && csp?.reportOnly ? 'content-security-policy-report-only' : 'content-security-policy';
  }
  const json = new Map(base);
  if (preset !== false) {
    json.set('content-security-policy', JSON_CSP);
    json.delete('content-security-policy-report-only');
    json.set('cache-control', 'no-store');
  }
  for (const [rawName, value] of Object.entries(options.customHeaders ?? {})) {
    const name = rawName.toLowerCase();
    for (const target of [base, json]) {
      if (value === false) target.delete(name);
      else target.set(name, value);
    }
  }
  let nonce: CompiledSecurity['nonce'];
  const policy = cspHeader === undefined ? undefined : base.get(cspHeader);
  if (cspHeader !== undefined && policy?.includes(NONCE_MARK)) {
    nonce = { header: cspHeader, parts: policy.split(NONCE_MARK) };
    base.delete(cspHeader);
  }
  return { json: headerSet(json), other: headerSet(base), nonce };
}

/** Whether a reply is JSON (`application/json`, `application/problem+json`, any `+json`). */
function isJson(headers: ReplyHeaders): boolean {
  const type = headers['content-type'];
  if (typeof type !== 'string') return false;
  // The types core itself writes, without parsing.
  if (type === JSON_TYPE || type === PROBLEM_TYPE) return true;
  const end = type.indexOf(';');
  const essence = (end === -1 ? type : type.slice(0, end)).trim().toLowerCase();
  return essence === 'application/json' || essence.endsWith('+json');
}

/**
 * The set of security headers that applies to a reply: the JSON one or the other.
 *
 * @example
 * ```ts
 * const set = securityFor(reply.headers, compiled);
 * ```
 */
export function securityFor(headers: ReplyHeaders, security: CompiledSecurity): HeaderSet {
  return isJson(headers) ? security.json : security.other;
}

/**
 * Adds the security headers a reply does not set itself (for drivers that hand headers over as
 * an object: node:http, fetch).
 *
 * @example
 * ```ts
 * applySecurity(reply, compiled);
 * ```
 */
export function applySecurity(reply: Reply, security: CompiledSecurity): void {
  const headers = reply.headers;
  const pairs = securityFor(headers, security).pairs;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (headers[pair[0]] === undefined) headers[pair[0]] = pair[1];
  }
}

/**
 * Puts the request's CSP nonce (a fresh one if the handler read none) into a non-JSON reply's
 * policy, when a directive asks for `'nonce'` and the app did not set its own policy.
 *
 * @example
 * ```ts
 * applyNonce(reply, compiled, ctx.cspNonce);
 * ```
 */
export function applyNonce(reply: Reply, security: CompiledSecurity, nonce: string | undefined): void {
  const withNonce = security.nonce;
  const headers = reply.headers;
  if (withNonce === undefined || headers[withNonce.header] !== undefined || isJson(headers)) return;
  headers[withNonce.header] = withNonce.parts.join(nonce ?? createNonce());
}

// Nonces are cut from a pool of random bytes refilled 256 at a time: one getrandom call per 256
// nonces instead of one per request.
const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A fresh CSP nonce: 128 random bits, base64.
 *
 * @example
 * ```ts
 * const nonce = createNonce(); // e.g. 'q0V1y8c6l2cS9Yz8h3n3Xw=='
 * ```
 */
export function createNonce(): string {
  if (offset === POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64', offset, offset + 16);
  offset += 16;
  return nonce;
}

/**
 * The security headers as raw header lines (`name: value\r\n` each), for answers written
 * straight to the socket before any request object exists (parse errors, 408, 431).
 *
 * @example
 * ```ts
 * socket.end(`HTTP/1.1 400 Bad Request\r\n${rawSecurityHeaders(compiled)}Connection: close\r\n\r\n`);
 * ```
 */
export function rawSecurityHeaders(security: CompiledSecurity): string {
  let lines = '';
  for (const [name, value] of security.json.pairs) lines += `${name}: ${value}\r\n`;
  return lines;
}
