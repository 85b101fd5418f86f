import { FrameworkError } from './errors.ts';

/**
 * A length of time: a bare number in the unit the option names (milliseconds unless its JSDoc
 * says otherwise, e.g. cache `ttl` is seconds), or a string with a unit: `'500ms'`, `'30s'`,
 * `'15m'`, `'24h'`, `'7d'`. Every time option of every framework package accepts it.
 *
 * @example
 * ```ts
 * import type { Duration } from '@framework/core';
 *
 * const window: Duration = '15m';
 * const timeout: Duration = 250; // milliseconds
 * ```
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

/** The unit a bare number stands for in a given option. */
export type DurationUnit = 'ms' | 's';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d{1,12}(?:\.\d{1,6})?)\s?(ms|s|m|h|d)$/;

/**
 * Parses a `Duration` into milliseconds; throws `FW_ERR_INVALID_OPTION` naming the option
 * otherwise. A bare number is milliseconds, or seconds when `numberUnit` is `'s'` (for options
 * whose bare-number unit is seconds, such as cache TTLs).
 *
 * @example
 * ```ts
 * import { parseDuration } from '@framework/core';
 *
 * parseDuration('15m', 'window'); // 900000
 * parseDuration(250, 'timeout'); // 250
 * parseDuration(600, 'ttl', 's'); // 600000
 * ```
 */
export function parseDuration(value: unknown, option: string, numberUnit: DurationUnit = 'ms'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return numberUnit === 's' ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match) return Math.round(Number(match[1]) * UNITS[match[2]!]!);
  }
  const bare = numberUnit === 's' ? 'seconds' : 'milliseconds';
  throw new FrameworkError(
    'FW_ERR_INVALID_OPTION',
    `${option} must be a duration: ${bare} as a number, or a string such as '500ms', '30s', '15m', '24h' or '7d'; got ${JSON.stringify(value)}.`,
  );
}

/**
 * Formats milliseconds for messages: `900000` → `'15 minutes'`.
 *
 * @example
 * ```ts
 * import { formatDuration } from '@framework/core';
 *
 * formatDuration(1_000); // '1 second'
 * ```
 */
export function formatDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
