import type { RouteDescription } from '@framework/core';
import { booleanFlag, type Command } from '../command.ts';
import { formatTable } from '../internal/table.ts';
import { withApp } from '../load-app.ts';
import { requireProject } from '../project.ts';

/** One row of the table, from what the app tells about a route. */
interface RouteRow {
  method: string;
  path: string;
  middleware: number | undefined;
  schemas: string[] | undefined;
  options: string[] | undefined;
  auth: string;
  summary: string;
}

/**
 * A route as the app's core lists it. Cores before 0.2 give only method, path and meta, so the
 * other fields are read when present.
 */
type ListedRoute = Pick<RouteDescription, 'method' | 'path' | 'meta'> & Partial<RouteDescription>;

function names(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : undefined;
}

function describeAuth(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value === true) return 'required';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join(',');
  return 'custom';
}

/**
 * What the table shows of a route. Middleware counts, schema names and the plugin route options
 * set on it (names only, never their values) appear when the app's core describes them; only the
 * summary, tags and auth of `meta` are shown, never other metadata, which may hold anything.
 */
function toRow(route: ListedRoute): RouteRow {
  const meta = route.meta;
  const middleware = typeof route.middlewares === 'number' ? route.middlewares : undefined;
  const auth = 'auth' in route ? route.auth : meta?.auth;
  const summary = meta?.summary ?? meta?.description ?? '';
  const tags = meta?.tags !== undefined && meta.tags.length > 0 ? ` [${meta.tags.join(', ')}]` : '';
  return {
    method: route.method,
    path: route.path,
    middleware,
    schemas: names(route.schemas),
    options: names(route.options),
    auth: describeAuth(auth),
    summary: `${meta?.deprecated === true ? '(deprecated) ' : ''}${summary}${tags}`,
  };
}

/**
 * Internal: the table `framework routes` prints. The middleware, schemas, options and auth columns
 * appear when any route has something to show in them.
 */
export function routeTable(routes: readonly ListedRoute[]): string[] {
  const rows = routes.map(toRow);
  const withMiddleware = rows.some((row) => row.middleware !== undefined);
  const withSchemas = rows.some((row) => row.schemas !== undefined);
  const withOptions = rows.some((row) => row.options !== undefined && row.options.length > 0);
  const withAuth = rows.some((row) => row.auth !== '');
  const header = [
    'METHOD',
    'PATH',
    ...(withMiddleware ? ['MIDDLEWARE'] : []),
    ...(withSchemas ? ['SCHEMAS'] : []),
    ...(withOptions ? ['OPTIONS'] : []),
    ...(withAuth ? ['AUTH'] : []),
    'SUMMARY',
  ];
  const body = rows.map((row) => [
    row.method,
    row.path,
    ...(withMiddleware ? [String(row.middleware ?? '')] : []),
    ...(withSchemas ? [(row.schemas ?? []).join(',') || '-'] : []),
    ...(withOptions ? [(row.options ?? []).join(',') || '-'] : []),
    ...(withAuth ? [row.auth || '-'] : []),
    row.summary,
  ]);
  return formatTable([header, ...body]);
}

/** `framework routes`: the app's routes as a table. */
export const routes: Command = {
  name: 'routes',
  summary: "List the app's routes: method, path, middleware, schemas, route options, auth and summary",
  usage: 'routes [--json]',
  details: ["Loads the app (buildApp() and app.ready(), no server) and lists every route, plugins' routes included."],
  flags: { json: { type: 'boolean', description: 'Print the routes as a JSON array instead of a table' } },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { io } = context;
    const project = await requireProject(context.cwd);
    const described = await withApp(project, context.io, async (app) => app.routes());
    const rows = described.map(toRow);
    if (booleanFlag(context, 'json')) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out('The app has no routes.');
      return 0;
    }
    for (const line of routeTable(described)) io.out(line);
    io.out(`${rows.length} route(s).`);
    return 0;
  },
};
