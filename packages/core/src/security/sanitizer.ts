/**
 * The opt-in input sanitizer, as a plugin. It looks for input that resembles SQL
 * injection, XSS, path traversal or NoSQL operators and either flags the request ('detect') or
 * answers 400 ('reject'). It never rewrites the data: "O'Brien" stays "O'Brien". Parameterized
 * queries and output encoding are the defences; this is a tripwire for logs and rate limiting.
 */
import { bodyKind, parseContentType } from '../body.ts';
import { type Context, RequestContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { checkOptions, type KnownOptions } from '../options.ts';
import { definePlugin } from '../plugin.ts';

/**
 * The parts of a request the sanitizer scans.
 *
 * @example
 * ```ts
 * const targets: SanitizerTarget[] = ['query', 'body', 'params', 'headers'];
 * app.use(sanitizer({ targets }));
 * ```
 */
export type SanitizerTarget = 'query' | 'body' | 'params' | 'headers';

/**
 * Options of the `sanitizer` plugin.
 *
 * @example
 * ```ts
 * app.use(sanitizer({ mode: 'reject', patterns: { xss: false, ssti: /\{\{[^}]{0,64}\}\}/ } }));
 * ```
 */
export interface SanitizerOptions {
  /**
   * `detect` (default): record findings in `ctx.sanitizer`, log one warning and flag the rate
   * limiter. `reject`: the same, then answer 400 naming the field. `off`: scan nothing.
   */
  mode?: 'detect' | 'reject' | 'off';
  /** Patterns by name, added to the defaults; `false` removes a default. Keep them linear (no nested quantifiers). */
  patterns?: { [name: string]: RegExp | false };
  /** What to scan. Default `['query', 'body', 'params']`; headers are noisy (cookies, user agents). */
  targets?: readonly SanitizerTarget[];
  /** Characters of each value scanned; the rest is not looked at. Default 4096. */
  maxScanLength?: number;
  /** Where the warning goes. Default: the app's logger. */
  logger?: Logger;
}

/**
 * One suspicious value: where it was, which pattern matched it, and its first 64 characters.
 *
 * @example
 * ```ts
 * app.get('/search', (ctx) => {
 *   for (const f of ctx.sanitizer.findings) audit.record(`${f.field} looked like ${f.pattern}`);
 *   return search(ctx.query.q);
 * });
 * ```
 */
export interface SanitizerFinding {
  /** The part of the request. */
  readonly target: SanitizerTarget;
  /** Dotted path, e.g. `query.q` or `body.user.name` (a key that matched ends with the key itself). */
  readonly field: string;
  /** The name of the pattern that matched, e.g. `sql`. */
  readonly pattern: string;
  /** The start of the value, at most 64 characters, for logs. */
  readonly sample: string;
}

/**
 * What `ctx.sanitizer` holds for a request.
 *
 * @example
 * ```ts
 * app.post('/comments', (ctx) => (ctx.sanitizer.flagged ? moderate(ctx.body) : publish(ctx.body)));
 * ```
 */
export interface SanitizerReport {
  /** Every suspicious value found (empty when none, or before the sanitizer ran). */
  readonly findings: readonly SanitizerFinding[];
  /** True when there is at least one finding. */
  readonly flagged: boolean;
}

/**
 * The default patterns. Each is linear (no nested or overlapping quantifiers) and runs on at most
 * `maxScanLength` characters of each key and string value.
 *
 * @example
 * ```ts
 * DEFAULT_SANITIZER_PATTERNS.sql.test("1' OR '1'='1"); // true
 * DEFAULT_SANITIZER_PATTERNS.sql.test("O'Brien");      // false
 * ```
 */
export const DEFAULT_SANITIZER_PATTERNS = {
  sql: /\bunion\s+(?:all\s+)?select\b|\bselect\s+(?:\*|[\w.]+(?:\s*,\s*[\w.]+)*)\s+from\b|\binsert\s+into\b|\bdelete\s+from\b|\bdrop\s+(?:table|database|schema)\b|\b(?:or|and)\s+(\d+)\s*=\s*\1\b|'\s*(?:or|and)\s+'|'\s*(?:--|#|;)|;\s*(?:--|\/\*)|\bpg_sleep\s*\(|\bsleep\s*\(\s*\d|\bwaitfor\s+delay\b/i,
  xss: /<\s*\/?\s*script\b|\bjavascript\s*:|\bvbscript\s*:|\bon(?:error|load|click|focus|blur|submit|change|input|toggle|begin|mouse[a-z]{0,8}|key[a-z]{0,8}|pointer[a-z]{0,8}|animation[a-z]{0,10})\s*=|<\s*(?:iframe|object|embed|svg|math|base|meta)\b|<\s*img\b[^>]{0,256}\bsrc\s*=|\bsrcdoc\s*=/i,
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL byte in input is what this looks for.
  pathTraversal: /(?:^|[\\/])\.\.(?:[\\/]|$)|%2e%2e|\.\.%2f|\.\.%5c|%00|\u0000/i,
  noSql: /^\$[A-Za-z]+$|\[\$[A-Za-z]+\]/,
} as const satisfies Record<string, RegExp>;

const SAMPLE = 64;
// Bounds for one request: how deep a body is walked and how many keys and values are looked at.
const MAX_DEPTH = 32;
const MAX_VALUES = 10_000;

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const reports = new WeakMap<object, { findings: SanitizerFinding[]; flagged: boolean }>();

function reportOf(ctx: object): { findings: SanitizerFinding[]; flagged: boolean } {
  let report = reports.get(ctx);
  if (report === undefined) {
    report = { findings: [], flagged: false };
    reports.set(ctx, report);
  }
  return report;
}

interface Scan {
  readonly patterns: ReadonlyArray<readonly [string, RegExp]>;
  readonly maxLength: number;
  readonly out: SanitizerFinding[];
  target: SanitizerTarget;
  budget: number;
}

function check(scan: Scan, field: string, text: string): void {
  if (--scan.budget < 0) return;
  const scanned = text.length > scan.maxLength ? text.slice(0, scan.maxLength) : text;
  for (const [name, pattern] of scan.patterns) {
    if (pattern.test(scanned)) {
      scan.out.push({ target: scan.target, field, pattern: name, sample: scanned.slice(0, SAMPLE) });
    }
  }
}

function walk(scan: Scan, field: string, value: unknown, depth: number): void {
  if (scan.budget <= 0) return;
  if (typeof value === 'string') {
    check(scan, field, value);
    return;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && scan.budget > 0; i++) walk(scan, `${field}.${i}`, value[i], depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (scan.budget <= 0) return;
    const path = `${field}.${key}`;
    check(scan, path, key);
    walk(scan, path, Reflect.get(value, key), depth + 1);
  }
}

/** The body, when it is JSON or a form the app could read; undefined otherwise (or when it is malformed). */
function readableBody(ctx: Context): unknown {
  if (ctx.rawBody === undefined) return undefined;
  const parsed = parseContentType(ctx.headers['content-type']);
  const kind = parsed === undefined ? undefined : bodyKind(parsed.type);
  if (kind !== 'json' && kind !== 'form') return undefined;
  try {
    return ctx.body;
  } catch {
    // A malformed body is the handler's 400 when it reads it; a route that never reads it is unaffected.
    return undefined;
  }
}

function flagRateLimit(ctx: object, log: Logger): void {
  if (!('rateLimit' in ctx)) return;
  const limiter = ctx.rateLimit;
  if (typeof limiter !== 'object' || limiter === null || !('flag' in limiter) || typeof limiter.flag !== 'function') {
    return;
  }
  try {
    const result: unknown = limiter.flag('injection');
    if (result instanceof Promise) {
      result.catch((error: unknown) => log.error({ err: error }, 'sanitizer: rateLimit.flag() failed'));
    }
  } catch (error) {
    log.error({ err: error }, 'sanitizer: rateLimit.flag() failed');
  }
}

function compilePatterns(extra: SanitizerOptions['patterns']): Array<readonly [string, RegExp]> {
  const merged: { [name: string]: RegExp | false } = { ...DEFAULT_SANITIZER_PATTERNS, ...extra };
  const out: Array<readonly [string, RegExp]> = [];
  for (const [name, pattern] of Object.entries(merged)) {
    if (pattern === false) continue;
    // Without g/y a RegExp keeps no lastIndex between tests, so one request cannot affect the next.
    out.push([name, new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))]);
  }
  return out;
}

/**
 * The input sanitizer plugin (opt-in). Register it first so its middleware runs before the others;
 * it scans after route schemas have validated the request.
 *
 * - `detect` (default): findings go to `ctx.sanitizer`, one warning line is logged (field, pattern
 *   and a 64-character sample, never the whole input) and `ctx.rateLimit.flag('injection')` is
 *   called when a rate limiter plugin provides it.
 * - `reject`: the same, then a 400 problem+json naming the field (`FW_ERR_SUSPICIOUS_INPUT`).
 *
 * The request data is never changed.
 *
 * @example
 * ```ts
 * const app = createApp().use(sanitizer({ mode: 'detect' }));
 * app.get('/search', (ctx) => ({ q: ctx.query.q, suspicious: ctx.sanitizer.flagged }));
 * ```
 */
const SANITIZER_OPTIONS: KnownOptions<SanitizerOptions> = {
  mode: true,
  patterns: true,
  targets: true,
  maxScanLength: true,
  logger: true,
};

export const sanitizer = definePlugin({
  name: '@framework/core/sanitizer',
  setup(app, options: SanitizerOptions = {}) {
    checkOptions('sanitizer()', options, SANITIZER_OPTIONS);
    const mode = options.mode ?? 'detect';
    const patterns = compilePatterns(options.patterns);
    const targets = options.targets ?? ['query', 'body', 'params'];
    const maxLength = options.maxScanLength ?? 4096;
    if (mode !== 'off') {
      app.use(async (ctx, next) => {
        const findings: SanitizerFinding[] = [];
        const scan: Scan = { patterns, maxLength, out: findings, target: 'query', budget: MAX_VALUES };
        for (const target of targets) {
          scan.target = target;
          const value =
            target === 'body'
              ? readableBody(ctx)
              : target === 'query'
                ? ctx.query
                : target === 'params'
                  ? ctx.params
                  : ctx.headers;
          walk(scan, target, value, 0);
        }
        if (findings.length > 0) {
          const report = reportOf(ctx);
          report.findings.push(...findings);
          report.flagged = true;
          const log = options.logger ?? (ctx instanceof RequestContext ? ctx.runtime.logger : SILENT);
          log.warn(
            {
              method: ctx.method,
              path: ctx.path.length > SAMPLE ? `${ctx.path.slice(0, SAMPLE)}...` : ctx.path,
              ip: ctx.ip,
              mode,
              findings: findings.slice(0, 10).map(({ field, pattern, sample }) => ({ field, pattern, sample })),
            },
            'sanitizer: suspicious input',
          );
          flagRateLimit(ctx, log);
          if (mode === 'reject') {
            const first = findings[0]!;
            throw new HttpError(
              400,
              `The request ${first.field} looks like a ${first.pattern} attack and was refused; ` +
                'if this is legitimate data, send it in a field the sanitizer does not scan or turn the pattern off.',
              { code: 'FW_ERR_SUSPICIOUS_INPUT', details: { field: first.field, pattern: first.pattern } },
            );
          }
        }
        return next();
      });
    }
    return {
      context: {
        sanitizer: (ctx: Context): SanitizerReport => reportOf(ctx),
      },
    };
  },
});
