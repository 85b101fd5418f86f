import type { Feature } from './types.ts';

/** The fullstack template: a page in `public/` served at `/`, with its assets at `/assets/<file>`. */
export const page: Feature = {
  layers: ['fullstack'],
  imports: ["import { readSite } from './site.ts';"],
  appOptions: '{ cookies: { secret: config.cookies.secret } }',
  setup: [],
  created: [],
  routes: [
    '',
    '// The page in public/ (read once, at start): index.html at /, public/assets/* at /assets/*.',
    "const site = readSite('public');",
    // Reading ctx.csrfToken sets the token cookie; the page sends the token back with its requests.
    "app.get('/', (ctx) => ctx.html(site.page(ctx.csrfToken)));",
    "app.get('/assets/:file', (ctx) => site.asset(ctx.params.file));",
  ],
  env: [
    {
      name: 'COOKIE_SECRET',
      schema: 'z.string().min(32).optional()',
      example: [
        '# Signs cookies and CSRF tokens (32+ characters; required with more than one instance). Make one with:',
        `# node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
        '# COOKIE_SECRET=',
      ],
    },
  ],
  secrets: ['COOKIE_SECRET'],
  shared: { cookies: '{ secret: env.COOKIE_SECRET }' },
  test: {},
  testImports: [],
  tests: [
    '',
    "it('serves the page and its assets', async () => {",
    '  const api = app();',
    "  const page = await api.request('/');",
    '  expect(page.status).toBe(200);',
    "  expect(page.headers.get('content-type')).toContain('text/html');",
    "  expect(await page.text()).toContain('<title>{{name}}</title>');",
    "  const script = await api.request('/assets/app.js');",
    "  expect(script.headers.get('content-type')).toContain('text/javascript');",
    "  expect((await api.request('/assets/missing.js')).status).toBe(404);",
    '});',
  ],
  dockerCopy: ['COPY --chown=framework:nodejs public ./public'],
  readme: {
    paths: ['| `public/`, `src/site.ts` | the page at `/` and its assets at `/assets/<file>` |'],
    settings: [
      '**Cookies**: `COOKIE_SECRET` signs cookies and the CSRF token the page sends with its requests.',
      'Without it a random key is made at each start, which is fine for one process; set it when several',
      'instances serve the page.',
    ],
  },
};
