import { randomBytes } from 'node:crypto';

/**
 * Adds a user with a random name and password to the registry at `url` (verdaccio lets anyone add
 * one unless its configuration says otherwise) and resolves to that user's token, which npm sends
 * as `//host:port/:_authToken`.
 */
export async function addUser(url: string): Promise<string> {
  const name = `publisher-${randomBytes(4).toString('hex')}`;
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      _id: `org.couchdb.user:${name}`,
      name,
      password: randomBytes(24).toString('base64url'),
      type: 'user',
      roles: [],
      date: new Date().toISOString(),
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await response.json().catch(() => undefined);
  const token = typeof body === 'object' && body !== null && 'token' in body ? body.token : undefined;
  if (!response.ok || typeof token !== 'string') {
    throw new Error(
      `the registry at ${url} did not add a publishing user (HTTP ${response.status} ${JSON.stringify(body)}); ` +
        'a registry of your own must allow adding users (verdaccio: auth.htpasswd.max_users above 0)',
    );
  }
  return token;
}

/** The contents of an npmrc file that points npm at `url` and authenticates to it with `token`. */
export function npmrcFor(url: string, token?: string): string {
  const lines = [`registry=${url}`];
  // npm matches the token to the registry by "//host:port/path/" without the protocol.
  if (token !== undefined) lines.push(`${url.replace(/^https?:/, '')}:_authToken=${token}`);
  return `${lines.join('\n')}\n`;
}
