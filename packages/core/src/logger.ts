/**
 * Fields of a log line: what happened, as data. Put an error under `err` (pino serialises it there).
 *
 * @example
 * ```ts
 * const fields: LogFields = { err: error, queue: 'emails' };
 * ```
 */
export type LogFields = Record<string, unknown>;

/**
 * What the app logs through: pino's calling convention, fields first and the message second, so a
 * pino logger (or anything with that shape) is used as it is: `createApp({ logger: pino() })`.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * createApp({ logger: pino() });
 * // or a hand-written one:
 * const logger: Logger = {
 *   debug() {},
 *   info: (fields, message) => console.info(message, fields),
 *   warn: (fields, message) => console.warn(message, fields),
 *   error: (fields, message) => console.error(message, fields),
 * };
 * ```
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

function serialize(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  if (typeof fields !== 'object' || fields === null) return out;
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
  }
  return out;
}

function line(level: string, fields: LogFields, message: string): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...serialize(fields) })}\n`,
  );
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const jsonLines: Logger = {
  debug() {},
  info: (fields, message) => line('info', fields, message),
  warn: (fields, message) => line('warn', fields, message),
  error: (fields, message) => line('error', fields, message),
};

/**
 * The logger `createApp({ logger })` uses: the given one as it is, a silent one for `false`, else
 * JSON lines on stderr (info and up). Packages that log outside an app use it for the same default.
 *
 * @example
 * ```ts
 * const logger = createLogger(options.logger);
 * logger.warn({ err: error }, 'Redis connection lost');
 * ```
 */
export function createLogger(option?: Logger | false): Logger {
  if (option === false) return silent;
  return option ?? jsonLines;
}
