import type { Feature } from './types.ts';

/**
 * What every app gets: the cookie secret, which signs cookies and the CSRF tokens the core checks
 * on cookie-carrying requests and must be the same on every instance (so production requires it),
 * and the proxies whose `X-Forwarded-For` the app believes (`config.server.trustProxy`, set in the
 * template's `framework.config.ts`), so that behind a load balancer `ctx.ip` is the client's address.
 */
export const cookies: Feature = {
  layers: [],
  imports: [],
  appOptions: '{ cookies: { secret: config.cookies.secret }, trustProxy: config.server.trustProxy }',
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
    {
      name: 'TRUST_PROXY',
      schema: 'z.string().min(1).optional()',
      example: [
        '# The proxies whose X-Forwarded-For the app believes, so that rate limits and logs see the',
        "# client's address: addresses, CIDR ranges or loopback, comma-separated. Production trusts",
        '# loopback (HAProxy on the same host, as in deploy/haproxy.cfg); list your load balancers otherwise.',
        '# TRUST_PROXY=loopback,10.0.0.0/8',
      ],
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
      '',
      '**Behind a load balancer**: `TRUST_PROXY` lists the proxies whose `X-Forwarded-For` the app',
      "believes, so that `ctx.ip` (rate limits, logs) is the client's address rather than the proxy's.",
      'Production trusts loopback, for HAProxy on the same host as `deploy/haproxy.cfg` runs it; put',
      "your load balancers' addresses or ranges there otherwise. Other addresses are never believed, so",
      'a client cannot pick its own address by sending the header.',
    ],
  },
};
