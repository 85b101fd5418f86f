import { randomBytes } from 'node:crypto';
import { AuthConfigError } from '../errors.ts';
import type { JwtOptions } from './options.ts';

const MAKE_SECRET = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`;

/** Made once per process, so every token service without a secret signs alike until restart. */
let processSecret: string | undefined;

/**
 * The options with their signing secret settled: `secret` or `keys` as given, else `JWT_SECRET`,
 * else in production an `AuthConfigError` naming JWT_SECRET, else a random secret for this process
 * with a warning (tokens then die with the process and do not work across instances).
 *
 * @example
 * ```ts
 * const { options, warnings } = withDefaultSecret({ expiresIn: '15m' }, 'auth({ strategies: { jwt } })', process.env);
 * ```
 */
export function withDefaultSecret(
  options: JwtOptions,
  where: string,
  env: Readonly<Record<string, string | undefined>>,
): { options: JwtOptions; warnings: string[] } {
  const given = options.secret !== undefined && options.secret !== '';
  if (given || options.keys !== undefined) return { options, warnings: [] };
  const fromEnv = env.JWT_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') return { options: { ...options, secret: fromEnv }, warnings: [] };
  if (env.NODE_ENV === 'production') {
    throw new AuthConfigError(
      `${where} needs secret (or keys): set JWT_SECRET (made by ${MAKE_SECRET}) or pass secret: process.env.JWT_SECRET. ` +
        'Without it every restart would sign everyone out.',
    );
  }
  // 64 bytes: long enough for HS512, the longest hash a secret may be asked to sign with.
  processSecret ??= randomBytes(64).toString('base64url');
  return {
    options: { ...options, secret: processSecret },
    warnings: [
      `${where}: no JWT_SECRET, so tokens are signed with a random secret made for this process: they will not ` +
        'survive a restart, nor be accepted by other instances. Set JWT_SECRET (32+ characters).',
    ],
  };
}
