import { randomBytes } from 'node:crypto';
import { BadRequestError, checkOptions, type KnownOptions } from '@framework/core';
import { hash as argon2Hash, verify as argon2Verify, parseOptions } from '@node-rs/argon2';
import { AuthConfigError } from '../errors.ts';

/**
 * Options of `createPasswords` (and of `auth({ passwords })`): argon2id's cost and the longest
 * password accepted. The defaults are OWASP's minimum for argon2id; weaker costs are refused.
 *
 * @example
 * ```ts
 * const options: PasswordOptions = { memoryCost: 65_536, timeCost: 3 };
 * ```
 */
export interface PasswordOptions {
  /** Kibibytes of memory per hash (argon2's `m`). Default 19 456 (19 MiB). */
  memoryCost?: number;
  /** Passes over the memory (argon2's `t`). Default 2. */
  timeCost?: number;
  /** Lanes (argon2's `p`), 1 to 255. Default 1. */
  parallelism?: number;
  /**
   * Characters (UTF-16 code units) a password may have at most; a longer one is refused before
   * any hashing, so huge bodies cannot tie up the CPU. At least 64. Default 1 024.
   */
  maxLength?: number;
}

/**
 * What `passwords.verify` found: whether the password is right, and, when it is and the stored
 * hash was made with other parameters (or another algorithm), a new hash to store in its place.
 *
 * @example
 * ```ts
 * const { ok, rehash } = await passwords.verify(user?.passwordHash, body.password);
 * if (ok && rehash !== undefined) await db.users.update(user.id, { passwordHash: rehash });
 * ```
 */
export interface PasswordVerification {
  readonly ok: boolean;
  readonly rehash: string | undefined;
}

/**
 * Password hashing with argon2id, as `createPasswords` returns it.
 *
 * @example
 * ```ts
 * const passwords = createPasswords();
 * const stored = await passwords.hash('correct horse battery staple');
 * (await passwords.verify(stored, 'correct horse battery staple')).ok; // true
 * ```
 */
export interface Passwords {
  /** The argon2id parameters new hashes get. */
  readonly parameters: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  /**
   * The password's argon2id hash in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$...`), with a fresh
   * random salt. A password longer than `maxLength`, or not a string, throws a 400 error.
   */
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `stored`. Pass `undefined` for an unknown user: a hash made with the
   * same parameters is checked anyway, so the answer takes as long as for a wrong password and
   * does not reveal which accounts exist. A stored value that is not an argon2 hash, and a
   * password over `maxLength`, give `ok: false`.
   */
  verify(stored: string | undefined, password: string): Promise<PasswordVerification>;
}

const KNOWN: KnownOptions<PasswordOptions> = { memoryCost: true, timeCost: true, parallelism: true, maxLength: true };

// OWASP's Password Storage Cheat Sheet lists these argon2id configurations as equally strong
// minimums (memory in KiB, passes); parameters at or above any one of them are accepted.
const OWASP_MINIMUMS: readonly (readonly [memoryCost: number, timeCost: number])[] = [
  [47_104, 1],
  [19_456, 2],
  [12_288, 3],
  [9_216, 4],
  [7_168, 5],
];

const ARGON2ID = 2;
const VERSION_0X13 = 1;
const SALT_BYTES = 16;
const OUTPUT_BYTES = 32;

function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AuthConfigError(
      `createPasswords: ${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/**
 * Password hashing with argon2id (`@node-rs/argon2`, off the main thread). The defaults are
 * OWASP's (m = 19 MiB, t = 2, p = 1); parameters weaker than every OWASP configuration throw
 * `AuthConfigError`. `verify` tells when a stored hash should be replaced (`rehash`), so raising
 * the cost later upgrades each user's hash at their next sign-in.
 *
 * @example
 * ```ts
 * const passwords = createPasswords();
 *
 * app.post('/login', async (ctx) => {
 *   const user = await db.users.byEmail(ctx.body.email);
 *   const { ok, rehash } = await passwords.verify(user?.passwordHash, ctx.body.password);
 *   if (!ok || user === undefined) throw new UnauthorizedError('Wrong email or password.');
 *   if (rehash !== undefined) await db.users.update(user.id, { passwordHash: rehash });
 *   return ctx.login(user);
 * });
 * ```
 */
export function createPasswords(options: PasswordOptions = {}): Passwords {
  checkOptions('createPasswords', options, KNOWN);
  const memoryCost = integerOption(options.memoryCost, 'memoryCost', 1, 2 ** 32 - 1, 19_456);
  const timeCost = integerOption(options.timeCost, 'timeCost', 1, 2 ** 32 - 1, 2);
  const parallelism = integerOption(options.parallelism, 'parallelism', 1, 255, 1);
  const maxLength = integerOption(options.maxLength, 'maxLength', 64, 1_048_576, 1_024);
  if (!OWASP_MINIMUMS.some(([m, t]) => memoryCost >= m && timeCost >= t)) {
    throw new AuthConfigError(
      `createPasswords: memoryCost ${memoryCost} KiB with timeCost ${timeCost} is weaker than OWASP's minimum for argon2id ` +
        `(m=19456 KiB and t=2, or m=12288 t=3, m=9216 t=4, m=7168 t=5, m=47104 t=1); raise memoryCost or timeCost, or leave both out for the default.`,
    );
  }
  const parameters = { memoryCost, timeCost, parallelism };
  const argon2Options = { ...parameters, algorithm: ARGON2ID, version: VERSION_0X13, outputLen: OUTPUT_BYTES };

  const hash = (password: string): Promise<string> => argon2Hash(password, argon2Options);
  // Made once, ahead of the first unknown-user check, with the current parameters: checking against
  // it costs what checking a real hash costs.
  const dummy = hash(randomBytes(32).toString('base64url'));
  dummy.catch(() => {});

  const isCurrent = (stored: string): boolean => {
    const used = parseOptions(stored);
    return (
      used.algorithm === ARGON2ID &&
      used.version === VERSION_0X13 &&
      used.memoryCost === memoryCost &&
      used.timeCost === timeCost &&
      used.parallelism === parallelism &&
      used.outputLen === OUTPUT_BYTES &&
      used.saltLen >= SALT_BYTES
    );
  };

  return {
    parameters,
    async hash(password) {
      if (typeof password !== 'string') {
        throw new BadRequestError('The password must be a string.', { code: 'FW_AUTH_INVALID_ARGUMENT' });
      }
      if (password.length > maxLength) {
        throw new BadRequestError(`The password is longer than ${maxLength} characters; choose a shorter one.`, {
          code: 'FW_AUTH_INVALID_ARGUMENT',
        });
      }
      return hash(password);
    },
    async verify(stored, password) {
      if (typeof password !== 'string' || password.length > maxLength) return { ok: false, rehash: undefined };
      let target = typeof stored === 'string' ? stored : undefined;
      if (target !== undefined) {
        try {
          parseOptions(target);
        } catch {
          // Not an argon2 hash (corrupt, or another algorithm's): as slow as an unknown user, never ok.
          target = undefined;
        }
      }
      if (target === undefined) {
        await argon2Verify(await dummy, password);
        return { ok: false, rehash: undefined };
      }
      const ok = await argon2Verify(target, password);
      if (!ok) return { ok: false, rehash: undefined };
      return { ok: true, rehash: isCurrent(target) ? undefined : await hash(password) };
    },
  };
}
