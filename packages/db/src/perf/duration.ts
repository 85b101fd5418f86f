import { QueryError } from '../errors.ts';

/**
 * A duration: milliseconds as a number, or a string with a unit (`'200ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`).
 *
 * @example
 * ```ts
 * const ttl: Duration = '5m';
 * const threshold: Duration = 200;
 * ```
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds in a duration; throws `FW_DB_BAD_DURATION` for anything that is not a finite
 * non-negative amount with a known unit.
 *
 * @example
 * ```ts
 * toMilliseconds('5m'); // 300000
 * toMilliseconds(250); // 250
 * ```
 */
export function toMilliseconds(duration: Duration, what = 'duration'): number {
  const match = typeof duration === 'number' ? undefined : /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration.trim());
  const ms =
    typeof duration === 'number'
      ? duration
      : match
        ? Number(match[1]) * (UNITS[match[2] ?? ''] ?? Number.NaN)
        : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new QueryError(
      'FW_DB_BAD_DURATION',
      `${what} takes milliseconds (250) or a string with a unit ('200ms', '30s', '5m', '1h', '1d'); got ${JSON.stringify(duration)}.`,
    );
  }
  return ms;
}
