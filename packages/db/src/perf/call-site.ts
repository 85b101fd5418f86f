import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's `src/` directory: frames in it are the package's own, not the caller's. */
const OWN = fileURLToPath(new URL('..', import.meta.url));

/**
 * A captured stack. Capturing records the frames; the text is formatted when `stack` or
 * `callSite` is first read.
 *
 * @example
 * ```ts
 * const trace = captureTrace();
 * // ...later, only if needed:
 * console.log(trace.callSite); // 'src/routes/posts.ts:14:27'
 * ```
 */
export interface Trace {
  /** The stack as V8 formats it (with `at async` frames of the awaiting callers). */
  readonly stack: string;
  /** `file:line:column` of the first frame outside @framework/db (relative to the working directory), if any. */
  readonly callSite: string | undefined;
}

/**
 * Records the current stack for a later `Trace`.
 *
 * @example
 * ```ts
 * const trace = captureTrace();
 * ```
 */
export function captureTrace(): Trace {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  // The model, the database and this module add several frames above the caller's.
  Error.stackTraceLimit = 32;
  Error.captureStackTrace(holder, captureTrace);
  Error.stackTraceLimit = limit;
  let site: string | undefined | null = null;
  return {
    get stack() {
      return holder.stack ?? '';
    },
    get callSite() {
      if (site === null) site = callSiteOf(holder.stack ?? '');
      return site;
    },
  };
}

/**
 * The first frame of a V8 stack that is neither this package's nor Node's own, as `file:line:column`.
 *
 * @example
 * ```ts
 * callSiteOf(new Error().stack ?? ''); // 'test/perf.test.ts:40:7'
 * ```
 */
export function callSiteOf(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const text = line.trim();
    if (!text.startsWith('at ')) continue;
    const location = /\(([^()]+)\)$/.exec(text)?.[1] ?? text.slice(3).replace(/^async /, '');
    const path = location.startsWith('file://') ? fileURLToPath(location.replace(/:\d+:\d+$/, '')) : location;
    if (path.startsWith(OWN) || path.startsWith('node:') || path.includes(`${sep}node_modules${sep}`)) continue;
    const position = /:(\d+:\d+)$/.exec(location)?.[1];
    const file = path.replace(/:\d+:\d+$/, '');
    const shown = file.startsWith(sep) ? relative(process.cwd(), file) : file;
    return position === undefined ? shown : `${shown}:${position}`;
  }
  return undefined;
}
