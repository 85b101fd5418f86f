// What every auth benchmark server shares: the secrets, the signed-in user, and what GET /me
// answers. Each server is its own process, so these are constants, not state.

/** HS256 secret of the JWT servers (ours and @fastify/jwt verify the very same token with it). */
export const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef-0123456789abcdef';
/** Signs the session cookies (ours and @fastify/session each sign their own). */
export const SESSION_SECRET = 'bench-session-secret-0123456789abcdef-0123456789';
/** Signs the framework's CSRF cookie (the session login needs a CSRF token). */
export const COOKIE_SECRET = 'bench-cookie-secret-0123456789abcdef-0123456789ab';

/** The user signed in: what tokens and sessions carry, and so what GET /me answers. */
export const USER = { id: '42', roles: ['user'], name: 'Ada Lovelace' };

/** GET /me's body, for every server: `{ user: { id, roles, name } }` (key order aside). */
export function sameUser(body) {
  const user = body?.user;
  return (
    user !== null &&
    typeof user === 'object' &&
    user.id === USER.id &&
    user.name === USER.name &&
    Array.isArray(user.roles) &&
    user.roles.length === 1 &&
    user.roles[0] === USER.roles[0]
  );
}

/** The Redis URL of the session servers; they refuse to start without one. */
export function redisUrlFromEnv(unavailable) {
  const url = process.env.REDIS_URL;
  if (!url) unavailable('REDIS_URL is not set (the harness passes the Redis it started)');
  return url;
}
