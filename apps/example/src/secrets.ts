import { randomBytes } from 'node:crypto';

/** The environment the app reads its settings from (`process.env` by default). */
export type Env = Readonly<Record<string, string | undefined>>;

const MAKE_ONE = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/** Made once per process, so every app built in it (tests build many) signs alike until restart. */
const developmentKeys = new Map<string, string>();

/**
 * A signing secret from the environment. In production (`NODE_ENV=production`) a missing one stops
 * the start with an error naming the variable; elsewhere a random key made for this process stands
 * in, and `development` says so, for the app to log: what it signed ends with the process.
 *
 * @example
 * ```ts
 * const jwt = secretFromEnv('JWT_SECRET', process.env);
 * if (jwt.development) console.warn(jwt.notice);
 * ```
 */
export function secretFromEnv(
  name: string,
  env: Env,
): { value: string; development: false } | { value: string; development: true; notice: string } {
  const value = env[name];
  if (value !== undefined && value !== '') return { value, development: false };
  if (env.NODE_ENV === 'production') {
    throw new Error(
      `${name} is not set, and production needs it: set ${name} to 32+ random characters (make one with ${MAKE_ONE}). ` +
        'A key made at start-up would sign everyone out at each restart and differ between instances.',
    );
  }
  let key = developmentKeys.get(name);
  if (key === undefined) {
    key = randomBytes(32).toString('base64url');
    developmentKeys.set(name, key);
  }
  return {
    value: key,
    development: true,
    notice:
      `${name} is not set: using a random development key made for this process (what it signs ends at restart). ` +
      `Set ${name} (32+ characters) before production, where the app refuses to start without it.`,
  };
}
