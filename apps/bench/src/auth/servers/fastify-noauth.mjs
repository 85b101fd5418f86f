// Fastify 5, GET /me without auth (reference): the same constant user, Fastify's floor on this route.
import Fastify from 'fastify';
import { HOST, onShutdown, ready, serverPort } from '../../servers/_lib.mjs';
import { USER } from '../common.mjs';
import { ME_SCHEMA } from './fastify-common.mjs';

const port = serverPort();
const app = Fastify({ logger: false });
app.get('/me', { schema: ME_SCHEMA }, async () => ({ user: USER }));
await app.listen({ port, host: HOST });
onShutdown(() => app.close());
ready('fastify-noauth', port);
