import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * The two places every behaviour is tested: PGlite in memory, and a fresh database on the real
 * PostgreSQL server that test-services started (DATABASE_URL), so test files never share tables.
 */
export const TARGETS = ['pglite', 'postgres'] as const;
export type TargetName = (typeof TARGETS)[number];

const created: string[] = [];

/** A URL for a brand-new database on the test server (`undefined` for PGlite). */
export async function freshUrl(target: TargetName): Promise<string | undefined> {
  if (target === 'pglite') return undefined;
  const base = process.env.DATABASE_URL;
  if (base === undefined)
    throw new Error('DATABASE_URL is unset: run the tests with `pnpm test` (test-services --postgres).');
  const name = `fw_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  created.push(name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}
