import { FrameworkError } from '../errors.ts';

/**
 * Paths excluded from the CSRF check, compiled from patterns such as `/login` and `/webhook/*`.
 *
 * @example
 * ```ts
 * const exclusions: PathExclusions = parseExclusions(['/webhook/*']);
 * ```
 */
export interface PathExclusions {
  readonly exact: ReadonlySet<string>;
  /** Prefixes with their trailing slash: `/webhook/*` is `/webhook/` (and `/webhook` itself is in `exact`). */
  readonly prefixes: readonly string[];
}

const HOST = /^[A-Za-z0-9.:[\]-]+$/;

/**
 * Compiles exclusion patterns: an exact path, or a prefix ending in `/*`. Only a trailing `*` is
 * supported, so matching is a string comparison and can never backtrack.
 *
 * @example
 * ```ts
 * parseExclusions(['/login', '/webhook/*']);
 * ```
 */
export function parseExclusions(patterns: readonly string[]): PathExclusions {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
      throw new FrameworkError(
        'FW_ERR_CSRF_OPTIONS',
        `csrf exclude entry ${JSON.stringify(pattern)} must be a path starting with "/", e.g. "/webhook/*".`,
      );
    }
    const star = pattern.indexOf('*');
    if (star === -1) {
      exact.add(pattern);
      continue;
    }
    if (star !== pattern.length - 1 || !pattern.endsWith('/*')) {
      throw new FrameworkError(
        'FW_ERR_CSRF_OPTIONS',
        `csrf exclude entry ${JSON.stringify(pattern)}: "*" is only supported as a last segment ("/webhook/*").`,
      );
    }
    const prefix = pattern.slice(0, -1);
    prefixes.push(prefix);
    if (prefix.length > 1) exact.add(prefix.slice(0, -1));
  }
  return { exact, prefixes };
}

/**
 * True when `path` (as sent, not decoded) is excluded from the CSRF check.
 *
 * @example
 * ```ts
 * pathExcluded(parseExclusions(['/webhook/*']), '/webhook/stripe'); // true
 * ```
 */
export function pathExcluded(exclusions: PathExclusions, path: string): boolean {
  if (exclusions.exact.has(path)) return true;
  for (const prefix of exclusions.prefixes) {
    // A dot segment could make an excluded-looking path mean another one to whatever resolves it.
    if (path.startsWith(prefix) && !path.includes('/.')) return true;
  }
  return false;
}

/**
 * True when an `Origin` header names the host the request was sent to. The scheme is not compared:
 * behind a TLS-terminating proxy the app sees plain HTTP while the browser sends `https://`.
 *
 * @example
 * ```ts
 * isSameOrigin('https://shop.example', 'shop.example'); // true
 * isSameOrigin('null', 'shop.example'); // false
 * ```
 */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || !HOST.test(host) || origin === 'null') return false;
  try {
    const parsed = new URL(origin);
    if (parsed.origin !== origin.toLowerCase() || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      return false;
    }
    return new URL(`${parsed.protocol}//${host}`).host === parsed.host;
  } catch {
    return false;
  }
}
