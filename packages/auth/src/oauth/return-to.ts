// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters would split the Location header.
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_LENGTH = 2048;

function isLocalPath(value: string): boolean {
  // Browsers read "\" as "/", so "/\evil.com" is the protocol-relative "//evil.com".
  const slashed = value.replace(/\\/g, '/');
  return slashed.startsWith('/') && !slashed.startsWith('//') && !CONTROL.test(slashed);
}

/**
 * `value` when it is a path on this site (`/settings?tab=2`), else `undefined`: another host,
 * `//evil.com`, `/\evil.com`, `https:`, `javascript:` and their percent-encoded forms are dropped,
 * so a `?next=` from the request can never send the user off-site after the login.
 *
 * @example
 * ```ts
 * safeReturnTo('/settings'); // '/settings'
 * safeReturnTo('//evil.com'); // undefined
 * ```
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_LENGTH || !isLocalPath(value)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  return isLocalPath(decoded) ? value : undefined;
}
