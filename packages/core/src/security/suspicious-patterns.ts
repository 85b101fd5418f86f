/**
 * The patterns by which the scanning detector of `rateLimit({ suspicious })` recognises a request
 * that probes for injection flaws: SQL injection, cross-site scripting and path traversal, looked
 * for in the decoded path and query string.
 */

/**
 * A sign of scanning: `random-paths` counts 404 answers; the others look for injection patterns in
 * the path and query string (the first 4 KiB, decoded).
 *
 * @example
 * ```ts
 * const indicators: ScanningIndicator[] = ['random-paths', 'path-traversal'];
 * ```
 */
export type ScanningIndicator = 'random-paths' | 'sql-injection-attempts' | 'xss-attempts' | 'path-traversal';

/** Longest part of a URL the injection indicators read: they stay linear and cheap. */
const MAX_INSPECTED = 4096;
// No nested quantifiers: each pattern runs in time linear in the (bounded) input.
const INDICATORS: Readonly<Record<Exclude<ScanningIndicator, 'random-paths'>, RegExp>> = {
  'sql-injection-attempts':
    /\bunion[\s(]+(?:all\s+)?select\b|['"`]\s*(?:or|and)\s+['"\w]+\s*(?:=|like\b)|;\s*(?:drop|delete|insert|update|alter|truncate|shutdown|exec)\b|\b(?:pg_sleep|sleep|benchmark)\s*\(|\bwaitfor\s+delay\b|\binformation_schema\b|\bor\s+1\s*=\s*1\b|'\s*--/,
  'xss-attempts':
    /<\s*\/?\s*(?:script|iframe|svg|img|object|embed|body)\b|javascript\s*:|\bon(?:error|load|mouseover|focus|click|toggle)\s*=|document\.cookie|\balert\s*\(/,
  'path-traversal': /(?:^|[/\\])\.\.(?:[/\\]|$)|\/etc\/(?:passwd|shadow)\b|\bwin\.ini\b|\0/,
};

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The injection indicators a path and query string show, if any. Decodes twice (`%252e` is a
 * common filter dodge) and lower-cases the first 4 KiB before testing.
 *
 * @example
 * ```ts
 * detectIndicator("/users?id=1' OR '1'='1", ['sql-injection-attempts']); // 'sql-injection-attempts'
 * ```
 */
export function detectIndicator(
  target: string,
  indicators: readonly ScanningIndicator[],
): ScanningIndicator | undefined {
  const text = decodeOnce(decodeOnce(target.slice(0, MAX_INSPECTED))).toLowerCase();
  for (const indicator of indicators) {
    if (indicator !== 'random-paths' && INDICATORS[indicator].test(text)) return indicator;
  }
  return undefined;
}
