// Fastify 5, written the way its documentation recommends: JSON schema for the body (Ajv) and for
// responses (fast-json-stringify), hooks for middleware. Logger off, as by default.
import Fastify from 'fastify';
import { HOST, onShutdown, ready, serverPort } from './_lib.mjs';

const port = serverPort();
const app = Fastify({ logger: false });

const Echo = {
  type: 'object',
  required: ['name', 'age'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    age: { type: 'integer', minimum: 0 },
  },
};

app.decorateRequest('hits', 0);
const mw1 = (request, reply, done) => {
  reply.header('x-bench', 'mw');
  request.hits = 1;
  done();
};
const step = (request, _reply, done) => {
  request.hits += 1;
  done();
};

app.get(
  '/',
  { schema: { response: { 200: { type: 'object', properties: { hello: { type: 'string' } } } } } },
  async () => ({ hello: 'world' }),
);
app.get(
  '/user/:id',
  {
    schema: {
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } },
    },
  },
  async (request) => ({ id: request.params.id, name: 'user' }),
);
app.post('/echo', { schema: { body: Echo, response: { 200: Echo } } }, async (request) => request.body);
app.get(
  '/mw',
  {
    preHandler: [mw1, step, step, step, step],
    schema: { response: { 200: { type: 'object', properties: { middlewares: { type: 'integer' } } } } },
  },
  async (request) => ({ middlewares: request.hits }),
);

await app.listen({ port, host: HOST });
onShutdown(() => app.close());
ready('fastify', port);
