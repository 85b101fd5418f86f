import type { Feature } from './types.ts';

/**
 * The cookie secret every app gets: it signs cookies and the CSRF tokens the core checks on
 * cookie-carrying requests, and must be the same on every instance, so production requires it.
 */
export const cookies: Feature = {
  layers: [],
  imports: [],
  appOptions: '{ cookies: { secret: config.cookies.secret } }',
  setup: [],
  created: [],
  routes: [],
  env: [
    {
      name: 'COOKIE_SECRET',
      schema: 'z.string().min(32).optional()',
      example: [
        '# Signs cookies and CSRF tokens: 32+ random characters, the same on every instance (required in',
        '# production). Make one with: openssl rand -base64 32',
        '# COOKIE_SECRET=',
      ],
      requiredInProduction:
        'Required in production (32+ random characters, the same on every instance): make one with openssl rand -base64 32',
    },
  ],
  secrets: ['COOKIE_SECRET'],
  shared: { cookies: '{ secret: env.COOKIE_SECRET }' },
  test: {},
  testImports: [],
  tests: [],
  dockerCopy: [],
  readme: {
    paths: [],
    settings: [
      '**Cookies**: `COOKIE_SECRET` signs cookies and the CSRF tokens that the framework checks on',
      'requests that carry cookies. Development and tests make a random one at each start; production',
      'requires it, the same on every instance.',
    ],
  },
};
