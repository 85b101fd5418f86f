import { expect } from 'vitest';
import type { buildApp } from '../src/app.ts';

type App = ReturnType<typeof buildApp>;

/**
 * Signs a new account up and in with a JWT, through the API as a client would; resolves to the
 * headers of a JSON request made as that user.
 *
 * @example
 * ```ts
 * const headers = await signedInHeaders(app);
 * await app.request('/todos', { method: 'POST', headers, body: '{"title":"x"}' });
 * ```
 */
export async function signedInHeaders(app: App, email = 'ada@example.com'): Promise<Record<string, string>> {
  const json = { 'content-type': 'application/json' };
  const account = { email, password: 'correct horse battery staple', name: 'Ada' };
  const signup = await app.request('/auth/signup', { method: 'POST', headers: json, body: JSON.stringify(account) });
  expect(signup.status).toBe(201);
  const login = await app.request('/auth/login', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: account.password, strategy: 'jwt' }),
  });
  expect(login.status).toBe(200);
  const { tokens } = (await login.json()) as { tokens: { accessToken: string } };
  return { ...json, authorization: `Bearer ${tokens.accessToken}` };
}
