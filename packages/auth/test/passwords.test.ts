import { performance } from 'node:perf_hooks';
import { isHttpError } from '@framework/core';
import { hash as argon2Hash, parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { AuthConfigError } from '../src/errors.ts';
import { createPasswords } from '../src/password/passwords.ts';

const passwords = createPasswords();
const PASSWORD = 'correct horse battery staple';

describe('createPasswords', () => {
  it('hashes with argon2id and OWASP parameters by default, with a fresh salt each time', async () => {
    const stored = await passwords.hash(PASSWORD);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain(PASSWORD);
    expect(await passwords.hash(PASSWORD)).not.toBe(stored);
    expect(passwords.parameters).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });

  it('round trip: the right password is ok and needs no rehash', async () => {
    const stored = await passwords.hash(PASSWORD);
    expect(await passwords.verify(stored, PASSWORD)).toEqual({ ok: true, rehash: undefined });
    const unicode = await passwords.hash('pässwörd 🔑');
    expect((await passwords.verify(unicode, 'pässwörd 🔑')).ok).toBe(true);
  });

  it('a wrong password is refused', async () => {
    const stored = await passwords.hash(PASSWORD);
    expect(await passwords.verify(stored, 'correct horse battery stapler')).toEqual({ ok: false, rehash: undefined });
    expect(await passwords.verify(stored, '')).toEqual({ ok: false, rehash: undefined });
  });

  it('an unknown user (no stored hash) and a stored value that is not argon2 are refused', async () => {
    expect(await passwords.verify(undefined, PASSWORD)).toEqual({ ok: false, rehash: undefined });
    expect(await passwords.verify('', PASSWORD)).toEqual({ ok: false, rehash: undefined });
    expect(await passwords.verify('$2b$10$abcdefghijklmnopqrstuu', PASSWORD)).toEqual({ ok: false, rehash: undefined });
    expect(await passwords.verify(PASSWORD, PASSWORD)).toEqual({ ok: false, rehash: undefined });
  });

  it('a hash with other parameters is accepted and replaced by one with the current parameters', async () => {
    const stronger = createPasswords({ timeCost: 3, memoryCost: 20_480 });
    const old = await passwords.hash(PASSWORD);
    const { ok, rehash } = await stronger.verify(old, PASSWORD);
    expect(ok).toBe(true);
    expect(rehash).toMatch(/^\$argon2id\$v=19\$m=20480,t=3,p=1\$/);
    expect(await stronger.verify(rehash, PASSWORD)).toEqual({ ok: true, rehash: undefined });
    // The old instance still reads the new hash, and would move it back to its own parameters.
    expect((await passwords.verify(rehash, PASSWORD)).rehash).toMatch(/m=19456,t=2,p=1/);
    // A wrong password never yields a rehash.
    expect(await stronger.verify(old, 'wrong')).toEqual({ ok: false, rehash: undefined });
  });

  it('a hash of another argon2 variant is accepted and replaced by argon2id', async () => {
    const argon2i = await argon2Hash(PASSWORD, { algorithm: 1, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(argon2i.startsWith('$argon2i$')).toBe(true);
    const { ok, rehash } = await passwords.verify(argon2i, PASSWORD);
    expect(ok).toBe(true);
    expect(rehash?.startsWith('$argon2id$')).toBe(true);
    expect(parseOptions(rehash ?? '').algorithm).toBe(2);
  });

  it('refuses a password over maxLength before hashing', async () => {
    const long = 'a'.repeat(1_025);
    const refusal = await passwords.hash(long).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isHttpError(refusal) && refusal.status).toBe(400);
    expect(String(refusal)).toContain('longer than 1024 characters');
    await expect(passwords.hash('a'.repeat(1_024))).resolves.toMatch(/^\$argon2id\$/);

    // A right password over the limit is still refused: verify never hashes it.
    const lenient = createPasswords({ maxLength: 4_096 });
    const stored = await lenient.hash(long);
    expect((await lenient.verify(stored, long)).ok).toBe(true);
    expect(await passwords.verify(stored, long)).toEqual({ ok: false, rehash: undefined });
    expect(await passwords.verify(stored, 'x'.repeat(10_000_000))).toEqual({ ok: false, rehash: undefined });
  });

  it('refuses parameters weaker than OWASP, and bad options, with what to write', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const weak = refused(() => createPasswords({ memoryCost: 4_096 }));
    expect(weak).toBeInstanceOf(AuthConfigError);
    expect(String(weak)).toContain("weaker than OWASP's minimum");
    expect(String(weak)).toContain('raise memoryCost or timeCost');
    expect(refused(() => createPasswords({ timeCost: 1 }))).toBeInstanceOf(AuthConfigError);
    expect(refused(() => createPasswords({ memoryCost: 9_216, timeCost: 3 }))).toBeInstanceOf(AuthConfigError);
    expect(refused(() => createPasswords({ parallelism: 0 }))).toBeInstanceOf(AuthConfigError);
    expect(String(refused(() => createPasswords({ maxLength: 8 })))).toContain('maxLength must be an integer from 64');
    expect(String(refused(() => createPasswords({ memoryCost: 19_456.5 })))).toContain('memoryCost must be an integer');
    expect(String(refused(() => Reflect.apply(createPasswords, undefined, [{ timecost: 3 }])))).toContain(
      'Did you mean "timeCost"',
    );
    // OWASP's equally strong trade-offs are accepted.
    expect(createPasswords({ memoryCost: 12_288, timeCost: 3 }).parameters.timeCost).toBe(3);
    expect(createPasswords({ memoryCost: 47_104, timeCost: 1 }).parameters.memoryCost).toBe(47_104);
  });

  // The one timing bound of the suite. On a loaded machine the medians of two identical workloads
  // still differ by over 25% now and then; a real leak (an unknown user answered without hashing)
  // differs by far more on every attempt, so up to two retries keep the test honest and quiet.
  it('an unknown user takes as long as a wrong password (median of 15 each, within 25%)', { retry: 2 }, async () => {
    const stored = await passwords.hash(PASSWORD);
    await passwords.verify(undefined, 'warm-up');
    const timed = async (stored: string | undefined) => {
      const started = performance.now();
      await passwords.verify(stored, 'not the password');
      return performance.now() - started;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Each round times one of each at the same moment, the first started alternating, so that the
    // load of a busy machine falls on both alike: only a difference in the work itself remains.
    for (let round = 0; round < 15; round++) {
      if (round % 2 === 0) {
        const [u, w] = await Promise.all([timed(undefined), timed(stored)]);
        unknown.push(u);
        wrong.push(w);
      } else {
        const [w, u] = await Promise.all([timed(stored), timed(undefined)]);
        unknown.push(u);
        wrong.push(w);
      }
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const [a, b] = [median(unknown), median(wrong)];
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.25);
  });
});
