// The auth benchmark's servers, how the credentials the load sends are minted, and the checks each
// server must pass before it is measured (so that none is measured doing less than the others).

import { call } from '../lib/servers.mjs';
import { sameUser } from './common.mjs';

/**
 * The servers, in measuring order: the ones compared with each other next to each other. `file` is
 * relative to src/servers/ (where the shared harness looks). `credential` names what wrk sends.
 */
export const SERVERS = [
  {
    name: 'ours-noauth',
    file: '../auth/servers/ours-noauth.mjs',
    ours: true,
    credential: null,
    label: '@framework/core, GET /me without auth, no auth plugin: `createApp()`, a constant user',
  },
  {
    name: 'ours-jwt',
    file: '../auth/servers/ours-jwt.mjs',
    ours: true,
    credential: 'jwt',
    label:
      "`createApp().use(auth({ strategies: { jwt: { secret, algorithm: 'HS256', expiresIn: '1h' } } }))`, `auth: ['jwt']`, answers `ctx.user` (default memory store: the revocation lookups of every verify)",
  },
  {
    name: 'fastify-jwt',
    file: '../auth/servers/fastify-jwt.mjs',
    credential: 'jwt',
    label:
      "Fastify 5 + `@fastify/jwt` (`verify: { algorithms: ['HS256'] }`), `await request.jwtVerify()` in the route's onRequest hook, the same secret and the same token",
  },
  {
    name: 'fastify-noauth',
    file: '../auth/servers/fastify-noauth.mjs',
    credential: null,
    reference: true,
    label: 'Fastify 5, GET /me without auth (reference): the same constant user',
  },
  {
    name: 'ours-session',
    file: '../auth/servers/ours-session.mjs',
    ours: true,
    credential: 'ours-session',
    redis: true,
    label:
      "`createApp().use(cache({ redis })).use(auth({ strategies: { session: { store: 'redis' } }, store: 'redis' }))`, `auth: ['session']`, answers `ctx.user`",
  },
  {
    name: 'fastify-session',
    file: '../auth/servers/fastify-session.mjs',
    credential: 'fastify-session',
    redis: true,
    label:
      'Fastify 5 + `@fastify/cookie` + `@fastify/session` (`rolling: false`, `saveUninitialized: false`), a store on ioredis (GET + JSON.parse, SET PX), the same Redis',
  },
  {
    name: 'fastify-session-rolling',
    file: '../auth/servers/fastify-session.mjs',
    env: { BENCH_FASTIFY_ROLLING: '1' },
    credential: 'fastify-session-rolling',
    redis: true,
    reference: true,
    label:
      "The same with @fastify/session's default `rolling: true` (reference): the session is written back to Redis on every response",
  },
];

/** `name=value` of each Set-Cookie, without attributes. */
function cookiePairs(headers) {
  return headers.getSetCookie().map((line) => line.split(';')[0]);
}

/**
 * Mints each credential the load sends, through the servers' own login routes: a JWT from ours
 * (also sent to Fastify), a session cookie from each session server. Resolves to
 * `{ credential: { header, value, token? } }`; throws with what failed.
 */
export async function mintCredentials(urls) {
  const out = {};
  if (urls['ours-jwt']) {
    const login = await call(`${urls['ours-jwt']}/login`, { method: 'POST' });
    const token = login.json?.accessToken;
    if (login.status !== 200 || typeof token !== 'string') {
      throw new Error(`ours-jwt POST /login → ${login.status} ${login.text.slice(0, 120)}`);
    }
    out.jwt = { header: 'authorization', value: `Bearer ${token}`, token };
  }
  if (urls['ours-session']) {
    // A browser's login: the CSRF token (and its cookie) from a page, then the POST with both.
    const page = await call(`${urls['ours-session']}/csrf`);
    const csrf = cookiePairs(page.headers);
    const login = await call(`${urls['ours-session']}/login`, {
      method: 'POST',
      headers: { cookie: csrf.join('; '), 'x-csrf-token': page.json?.token ?? '', 'content-type': 'application/json' },
      body: '{}',
    });
    const sid = cookiePairs(login.headers).find((pair) => pair.startsWith('sid='));
    if (login.status !== 200 || sid === undefined) {
      throw new Error(`ours-session POST /login → ${login.status} ${login.text.slice(0, 120)} (no sid cookie)`);
    }
    out['ours-session'] = { header: 'cookie', value: sid };
  }
  for (const name of ['fastify-session', 'fastify-session-rolling']) {
    if (!urls[name]) continue;
    const login = await call(`${urls[name]}/login`, { method: 'POST' });
    const sid = cookiePairs(login.headers).find((pair) => pair.startsWith('sessionId='));
    if (login.status !== 200 || sid === undefined) {
      throw new Error(`${name} POST /login → ${login.status} ${login.text.slice(0, 120)} (no sessionId cookie)`);
    }
    out[name] = { header: 'cookie', value: sid };
  }
  return out;
}

/** The credential with one character of its signature changed. */
function tampered(value) {
  const at = value.lastIndexOf('.') + 3;
  const swap = value[at] === 'A' ? 'B' : 'A';
  return `${value.slice(0, at)}${swap}${value.slice(at + 1)}`;
}

/**
 * Checks that `server` answers GET /me with the user when given its credential, and 401 without it
 * or with a tampered one (the no-auth servers: the user, always). Returns a list of problems.
 */
export async function checkServer(server, url, credential) {
  const problems = [];
  const me = (headers) => call(`${url}/me`, { headers });
  try {
    if (server.credential === null) {
      const res = await me({});
      if (res.status !== 200 || !sameUser(res.json)) problems.push(`GET /me → ${res.status} ${res.text.slice(0, 100)}`);
      return problems;
    }
    const ok = await me({ [credential.header]: credential.value });
    if (ok.status !== 200 || !sameUser(ok.json))
      problems.push(`GET /me with the credential → ${ok.status} ${ok.text.slice(0, 100)}`);
    const none = await me({});
    if (none.status !== 401) problems.push(`GET /me without a credential → ${none.status}, expected 401`);
    const bad = await me({ [credential.header]: tampered(credential.value) });
    if (bad.status !== 401) problems.push(`GET /me with a tampered credential → ${bad.status}, expected 401`);
    // Still signed in after the refusals (nothing above ended the session).
    const again = await me({ [credential.header]: credential.value });
    if (again.status !== 200) problems.push(`GET /me with the credential, again → ${again.status}`);
  } catch (error) {
    problems.push(`request failed: ${error.message}`);
  }
  return problems;
}

/** Sizes of the sessions in Redis (bytes of each session key's value), by key prefix. */
export async function sessionSizes(redisUrl) {
  const { Redis } = await import('ioredis');
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
    const sizes = {};
    for (const [label, pattern] of [
      ['ours (auth:session:*)', 'auth:session:*'],
      ['@fastify/session (fsess:*)', 'fsess:*'],
    ]) {
      const keys = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const lengths = await Promise.all(keys.map((key) => client.strlen(key)));
      sizes[label] = { keys: keys.length, bytes: lengths };
    }
    const sample = async (pattern) => {
      const [, keys] = await client.scan('0', 'MATCH', pattern, 'COUNT', 1000);
      return keys[0] ? client.get(keys[0]) : null;
    };
    return { sizes, samples: { ours: await sample('auth:session:*'), fastify: await sample('fsess:*') } };
  } finally {
    client.disconnect();
  }
}
