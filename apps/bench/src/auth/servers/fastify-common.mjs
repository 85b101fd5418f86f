// What the Fastify servers share: GET /me's response schema (Fastify's documentation writes one
// for every route: fast-json-stringify serializes the reply).

export const ME_SCHEMA = {
  response: {
    200: {
      type: 'object',
      properties: {
        user: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            roles: { type: 'array', items: { type: 'string' } },
            name: { type: 'string' },
          },
        },
      },
    },
  },
};
