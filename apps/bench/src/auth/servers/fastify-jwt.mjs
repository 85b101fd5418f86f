// Fastify 5 + @fastify/jwt, GET /me: `request.jwtVerify()` in an onRequest hook (as its README
// writes it), the same HS256 secret and the very token ours minted; the user read from the claims.
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { HOST, onShutdown, ready, serverPort } from '../../servers/_lib.mjs';
import { JWT_SECRET } from '../common.mjs';
import { ME_SCHEMA } from './fastify-common.mjs';

const port = serverPort();
const app = Fastify({ logger: false });
// One algorithm, as ours has: a token's header never chooses.
await app.register(fastifyJwt, { secret: JWT_SECRET, verify: { algorithms: ['HS256'] } });
app.get(
  '/me',
  {
    schema: ME_SCHEMA,
    onRequest: async (request) => {
      await request.jwtVerify();
    },
  },
  async (request) => ({ user: { id: request.user.sub, roles: request.user.roles, name: request.user.name } }),
);
await app.listen({ port, host: HOST });
onShutdown(() => app.close());
ready('fastify-jwt', port);
