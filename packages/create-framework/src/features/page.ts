import type { Feature } from './types.ts';

/** The fullstack template: a page in `public/` served at `/`, with its assets at `/assets/<file>`. */
export const page: Feature = {
  layers: ['fullstack'],
  imports: ["import { readSite } from './site.ts';"],
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
  env: [],
  secrets: [],
  shared: {},
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
    settings: [],
  },
};
