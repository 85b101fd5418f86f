import { randomBytes } from 'node:crypto';
import { AuthConfigError } from '../errors.ts';

/** The shortest signing key accepted: 32 characters. */
const MIN_LENGTH = 32;
const MAKE_ONE = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/** Made once per process, so every session service without a secret signs alike until restart. */
let processKey: string | undefined;

/**
 * The session cookie's signing keys: `secret`, else `SESSION_SECRET` (either comma-separated rotates),
 * else in production an `AuthConfigError`, else a random key for this process with a warning.
 *
 * @example
 * ```ts
 * const { keys, warnings } = resolveSessionKeys(undefined, 'auth({ strategies: { session } })', process.env);
 * ```
 */
export function resolveSessionKeys(
  secret: string | readonly string[] | undefined,
  where: string,
  env: Readonly<Record<string, string | undefined>>,
): { keys: string[]; warnings: string[] } {
  const fromEnv = secret === undefined;
  const raw = fromEnv ? env.SESSION_SECRET : secret;
  if (raw === undefined || raw === '') {
    if (env.NODE_ENV === 'production') {
      throw new AuthConfigError(
        `${where} has no secret to sign session cookies: set SESSION_SECRET (32+ random characters; make one with ${MAKE_ONE}), ` +
          `or pass secret in ${where}. Without it every restart would log everyone out.`,
      );
    }
    processKey ??= randomBytes(32).toString('base64url');
    return {
      keys: [processKey],
      warnings: [
        `${where}: no SESSION_SECRET, so session cookies are signed with a random key made for this process: ` +
          'sessions will not survive a restart, nor be shared with other instances. Set SESSION_SECRET (32+ characters).',
      ],
    };
  }
  // A comma-separated string rotates keys whether it comes from SESSION_SECRET or from the app's own config.
  const keys = typeof raw === 'string' ? raw.split(',').map((key) => key.trim()) : [...raw];
  const origin = fromEnv ? 'The SESSION_SECRET environment variable' : `The secret of ${where}`;
  if (keys.length === 0) {
    throw new AuthConfigError(`${origin} is an empty list: give at least one key of 32+ characters (${MAKE_ONE}).`);
  }
  keys.forEach((key, index) => {
    if (typeof key !== 'string' || key.length < MIN_LENGTH) {
      const what = typeof key === 'string' ? `${key.length} characters` : typeof key;
      throw new AuthConfigError(
        `${origin} has a key${keys.length > 1 ? ` (#${index + 1})` : ''} of ${what}; session keys need at least ` +
          `${MIN_LENGTH} random characters. Make one with ${MAKE_ONE}.`,
      );
    }
  });
  return { keys, warnings: [] };
}
