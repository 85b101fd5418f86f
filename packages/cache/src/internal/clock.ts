/**
 * Times are kept as milliseconds since this module loaded, not since 1970: they stay small
 * integers (V8 Smis, for about 24 days of uptime), which V8 stores in an object's field directly,
 * where an epoch time is a boxed double read through a pointer on every TTL check.
 */
const EPOCH = Date.now() - 1;
let cached = 0;
let timer: NodeJS.Timeout | undefined;

function expire(): void {
  cached = 0;
  timer = undefined;
}

/**
 * `Date.now()` read at most once per millisecond: a read caches it until a 1 ms timer clears it
 * (the way lru-cache's `ttlResolution` works). Every memory-store read checks a TTL, and reading
 * the system clock costs more than the rest of a hit. Only reads use it: an entry may be served up
 * to a millisecond (or as long as the event loop is blocked) after its TTL ended, never dropped
 * before; writes read the real clock.
 */
export function now(): number {
  if (cached === 0) {
    cached = Date.now() - EPOCH;
    timer = setTimeout(expire, 1);
    timer.unref();
  }
  return cached;
}

/** Forgets the cached time (tests that move the clock). */
export function resetClock(): void {
  if (timer !== undefined) clearTimeout(timer);
  expire();
}

/** The real current time on the same scale as `now()` (writes use it: never cached). */
export function exactNow(): number {
  return Date.now() - EPOCH;
}
