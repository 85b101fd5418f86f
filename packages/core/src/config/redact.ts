/** What a secret value is replaced with. */
const REDACTED = '[redacted]';
/** Keys whose values are secrets whatever the config declares. */
const SECRET_KEY = /secret|password|token|private|key/i;
/** Shorter secrets are hidden where they are a whole value, but not searched for inside text. */
const MIN_EMBEDDED_LENGTH = 8;

/** The values of every variable a `defineConfig` declared secret (or whose name looks secret). */
const secretValues = new Set<string>();

/** Remembers a secret's value so that `redact()` hides it wherever it shows up. */
export function rememberSecret(value: unknown): void {
  if (typeof value === 'string' && value !== '') secretValues.add(value);
}

/** Whether a key or variable name looks like it holds a secret (`secret`, `password`, `token`, `private`, `key`). */
export function isSecretName(name: string): boolean {
  return SECRET_KEY.test(name);
}

/**
 * The shape `redact()` returns: the same keys, with strings still strings and a secret that was
 * not a string now the string `'[redacted]'`.
 *
 * @example
 * ```ts
 * const safe: Redacted<{ port: number; apiKey: number }> = redact({ port: 3000, apiKey: 1234 });
 * // { port: 3000, apiKey: '[redacted]' }
 * ```
 */
export type Redacted<T> = T extends string
  ? string
  : T extends (...args: never[]) => unknown
    ? T
    : T extends readonly (infer U)[]
      ? Redacted<U>[]
      : T extends object
        ? { -readonly [K in keyof T]: Redacted<T[K]> }
        : T | string;

/**
 * A copy of `value` that is safe to print or log: values under keys that look secret (`secret`,
 * `password`, `token`, `private`, `key`, in any case), the values of the variables a
 * `defineConfig` declared in `secrets` (wherever they appear, also inside longer strings), and the
 * password of every URL (`postgres://user:[redacted]@host/db`) become `'[redacted]'`. Plain
 * objects and arrays are copied; other objects (dates, errors, class instances) are kept as they are.
 * A config from `defineConfig` already redacts itself in `JSON.stringify`, `console.log` and
 * `util.inspect`; call `redact()` for copies and parts of it, for log fields, and for anything you
 * print (`framework routes` prints route metadata through it).
 *
 * @example
 * ```ts
 * import { redact } from '@framework/core';
 *
 * redact({ url: 'postgres://app:hunter2@db/app', apiKey: 'k-123', port: 5432 });
 * // { url: 'postgres://app:[redacted]@db/app', apiKey: '[redacted]', port: 5432 }
 * app.logger.info(redact({ database: config.database }), 'connecting');
 * ```
 */
export function redact<T>(value: T): Redacted<T>;
export function redact(value: unknown): unknown {
  return redactValue(value, false, new WeakSet());
}

function redactValue(value: unknown, secretKey: boolean, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return secretKey ? REDACTED : redactString(value);
  if (typeof value !== 'object' || value === null) {
    return secretKey && value !== undefined && value !== null && typeof value !== 'function' ? REDACTED : value;
  }
  if (seen.has(value)) return '[circular]';
  if (Array.isArray(value)) {
    seen.add(value);
    const copy = value.map((item: unknown) => redactValue(item, secretKey, seen));
    seen.delete(value);
    return copy;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, secretKey || isSecretName(key), seen);
  seen.delete(value);
  return copy;
}

function redactString(text: string): string {
  if (secretValues.has(text)) return REDACTED;
  let out = redactUrlPasswords(text);
  for (const secret of secretValues) {
    if (secret.length >= MIN_EMBEDDED_LENGTH && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  }
  return out;
}

/** `scheme://user:password@host` → `scheme://user:[redacted]@host`, for every URL in the text. */
function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]*)@/gi, (match, start: string, password: string) =>
    password === '' ? match : `${start}${REDACTED}@`,
  );
}

/**
 * Makes every plain object of a config print itself redacted: `JSON.stringify`, `console.log` and
 * `util.inspect` see `redact(object)`. The methods are not enumerable, so keys, spreads and
 * equality checks see only the config's own values.
 */
export function redactWhenPrinted(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) redactWhenPrinted(item);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  for (const item of Object.values(value)) redactWhenPrinted(item);
  const printable = () => redact(value);
  Object.defineProperty(value, 'toJSON', { value: printable, enumerable: false });
  Object.defineProperty(value, Symbol.for('nodejs.util.inspect.custom'), { value: printable, enumerable: false });
}
