/**
 * What the app logs through. Any object with these four methods works (pino, console wrappers).
 *
 * @example
 * ```ts
 * const logger: Logger = { debug() {}, info: console.info, warn: console.warn, error: console.error };
 * createApp({ logger });
 * ```
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function serialize(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    out[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

function line(level: string, message: string, fields: Record<string, unknown> | undefined): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...serialize(fields) })}\n`,
  );
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const jsonLines: Logger = {
  debug() {},
  info: (message, fields) => line('info', message, fields),
  warn: (message, fields) => line('warn', message, fields),
  error: (message, fields) => line('error', message, fields),
};

/**
 * The logger `createApp({ logger })` uses: the given one, a silent one for `false`, else JSON lines
 * on stderr (info and up). Packages that log outside an app use it for the same default.
 *
 * @example
 * ```ts
 * const logger = createLogger(options.logger);
 * logger.warn('Redis connection lost', { error: 'ECONNREFUSED' });
 * ```
 */
export function createLogger(option?: Logger | false): Logger {
  if (option === false) return silent;
  return option ?? jsonLines;
}
