// Fastify 5 + @fastify/cookie + @fastify/session on Redis, GET /me: the session read from Redis, the
// user read from it. The store is a minimal one on ioredis following @fastify/session's store
// interface (what connect-redis does: GET + JSON.parse, SET with the cookie's expiry), on the same
// Redis as ours.
//
// BENCH_FASTIFY_ROLLING=1 keeps @fastify/session's default `rolling: true`, which writes the session
// back to Redis on every response; without it `rolling: false`: one GET per request, no write, the
// same Redis work as ours (which pushes the idle timeout back at most once a minute).
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { HOST, onShutdown, ready, serverPort, unavailable } from '../../servers/_lib.mjs';
import { redisUrlFromEnv, SESSION_SECRET, USER } from '../common.mjs';
import { ME_SCHEMA } from './fastify-common.mjs';

const port = serverPort();
const rolling = process.env.BENCH_FASTIFY_ROLLING === '1';
const redis = new Redis(redisUrlFromEnv(unavailable));
redis.on('error', (error) => process.stderr.write(`redis: ${error.message}\n`));

const IDLE_MS = 2 * 3600 * 1000; // ours' default idle timeout

/** @fastify/session's store interface on ioredis. */
class RedisSessionStore {
  constructor(client, prefix = 'fsess:') {
    this.client = client;
    this.prefix = prefix;
  }
  set(id, session, callback) {
    const expires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Date.now() + IDLE_MS;
    const ttl = Math.max(1, expires - Date.now());
    this.client.set(this.prefix + id, JSON.stringify(session), 'PX', ttl).then(() => callback(), callback);
  }
  get(id, callback) {
    this.client.get(this.prefix + id).then((value) => callback(null, value ? JSON.parse(value) : null), callback);
  }
  destroy(id, callback) {
    this.client.del(this.prefix + id).then(() => callback(), callback);
  }
}

const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: SESSION_SECRET,
  store: new RedisSessionStore(redis),
  // Plain HTTP on loopback, as ours decides from the request; the rest as ours: HttpOnly, SameSite=Lax.
  cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: IDLE_MS },
  // No session for requests that never log in (ours opens one only at login, too).
  saveUninitialized: false,
  rolling,
});
// The login opens the session whose cookie the load sends (called once, before any measurement).
app.post('/login', async (request) => {
  request.session.set('user', USER);
  return { ok: true };
});
app.get('/me', { schema: ME_SCHEMA }, async (request, reply) => {
  const user = request.session.get('user');
  if (user === undefined) return reply.code(401).send({ error: 'sign in' });
  return { user };
});
await app.listen({ port, host: HOST });
onShutdown(async () => {
  await app.close();
  redis.disconnect();
});
ready(rolling ? 'fastify-session-rolling' : 'fastify-session', port);
