import { FrameworkError } from './errors.ts';

/**
 * Every key an options type may have, each set to `true`: the list `checkOptions` compares against.
 * Written as a record so that TypeScript fails when an option is added to the type and not here.
 *
 * @example
 * ```ts
 * interface GreeterOptions { word?: string; times?: number }
 * const known: KnownOptions<GreeterOptions> = { word: true, times: true };
 * ```
 */
export type KnownOptions<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws when `options` has a key that is not in `known`, naming the key, where it was passed, the
 * closest known key ("did you mean") and the full list. TypeScript catches these in typed code;
 * this catches them at run time (JavaScript, JSON config, spread objects), at registration, so a
 * misspelled option never turns into a silently ignored one. `undefined` passes.
 *
 * @example
 * ```ts
 * export const greeter = definePlugin({
 *   name: 'greeter',
 *   setup(app, options: GreeterOptions = {}) {
 *     checkOptions('greeter()', options, { word: true, times: true });
 *     // greeter({ wrod: 'hi' }) throws: greeter() has no option "wrod". Did you mean "word"? ...
 *   },
 * });
 * ```
 */
export function checkOptions<T extends object>(where: string, options: T | undefined, known: KnownOptions<T>): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new FrameworkError(
      'FW_ERR_INVALID_OPTION',
      `${where} takes an options object, got ${Array.isArray(options) ? 'an array' : typeof options}.`,
    );
  }
  const names = Object.keys(known);
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const guess = closest(key, names);
    throw new FrameworkError(
      'FW_ERR_UNKNOWN_OPTION',
      `${where} has no option "${key}".${guess === undefined ? '' : ` Did you mean "${guess}"?`} ` +
        `Known options: ${names.join(', ')}. Remove "${key}" or rename it.`,
    );
  }
}

/**
 * The known name closest to `name` (case-insensitive edit distance), when it is close enough to be
 * a plausible typo: at most a third of the name's length, and at least one edit for short names.
 *
 * @example
 * ```ts
 * closest('maxx', ['max', 'window']); // 'max'
 * closest('colour', ['size']);        // undefined
 * ```
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < editDistance(lower, best.toLowerCase()))) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Damerau-Levenshtein distance (adjacent transpositions count as one edit). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}
