import type { App, AppOptions } from './app.ts';
import type { AppOptions as CoreOptions } from './app-options.ts';
import { AppView } from './app-view.ts';
import { parseDuration } from './duration.ts';
import { createCore } from './internal/dispatch.ts';
import { checkOptions, type KnownOptions } from './options.ts';
import { CsrfGuard } from './security/csrf.ts';
import type { ServerLimits } from './server/types.ts';

const APP_OPTIONS: KnownOptions<AppOptions> = {
  bodyLimit: true,
  cookies: true,
  logger: true,
  exposeErrors: true,
  validateResponses: true,
  ignoreTrailingSlash: true,
  maxParamLength: true,
  server: true,
  security: true,
  trustProxy: true,
  query: true,
  strictPaths: true,
  redirect: true,
  uploads: true,
  strict: true,
  closeTimeout: true,
  csrf: true,
};

const SERVER_OPTIONS: KnownOptions<NonNullable<AppOptions['server']>> = {
  headersTimeout: true,
  requestTimeout: true,
  keepAliveTimeout: true,
  maxHeaderSize: true,
  maxHeadersCount: true,
  maxUrlLength: true,
  shutdownTimeout: true,
};

/**
 * Creates an app. Every option has a safe default; see `AppOptions`.
 *
 * @example
 * ```ts
 * import { createApp } from '@framework/core';
 *
 * const app = createApp();
 * app.get('/users/:id', async (ctx) => {
 *   const user = await db.getUser(ctx.params.id);
 *   return { user };
 * });
 * app.start({ port: 3000 });
 * ```
 */
export function createApp(options: AppOptions = {}): App {
  checkOptions('createApp()', options, APP_OPTIONS);
  checkOptions('createApp({ cookies })', options.cookies, { secret: true });
  checkOptions('createApp({ server })', options.server, SERVER_OPTIONS);
  checkOptions('createApp({ redirect })', options.redirect, { allowedHosts: true });
  checkOptions('createApp({ query })', options.query, {
    maxParams: true,
    maxArrayLength: true,
    dropPrototypeKeys: true,
  });
  checkOptions('createApp({ uploads })', options.uploads, {
    scanner: true,
    onDetection: true,
    failOpen: true,
    tmpDir: true,
  });
  const core = createCore(resolveTimes(options));
  core.guards.push(new CsrfGuard(core, core.Ctx, options.csrf));
  const view = new AppView(core, core.rootScope);
  core.rootView = view;
  // The view implements AppApi at runtime (route methods are installed on its prototype above);
  // the generic types are a compile-time layer over it.
  return view as unknown as App;
}

/**
 * The options with every time option in milliseconds, parsed once here so that a bad duration
 * fails at creation, naming the option, and nothing parses on a request. A numeric `closeTimeout`
 * goes on as it is, to the app's own check of its range.
 */
function resolveTimes(options: AppOptions): CoreOptions {
  const { closeTimeout, server, ...rest } = options;
  return {
    ...rest,
    server: resolveServer(server),
    closeTimeout:
      typeof closeTimeout === 'string' ? parseDuration(closeTimeout, 'createApp({ closeTimeout })') : closeTimeout,
  };
}

function resolveServer(server: AppOptions['server']): Partial<ServerLimits> | undefined {
  if (server === undefined) return undefined;
  const { headersTimeout, requestTimeout, keepAliveTimeout, shutdownTimeout, ...sizes } = server;
  const limits: Partial<ServerLimits> = { ...sizes };
  if (headersTimeout !== undefined) {
    limits.headersTimeout = parseDuration(headersTimeout, 'createApp({ server: { headersTimeout } })');
  }
  if (requestTimeout !== undefined) {
    limits.requestTimeout = parseDuration(requestTimeout, 'createApp({ server: { requestTimeout } })');
  }
  if (keepAliveTimeout !== undefined) {
    limits.keepAliveTimeout = parseDuration(keepAliveTimeout, 'createApp({ server: { keepAliveTimeout } })');
  }
  if (shutdownTimeout !== undefined) {
    limits.shutdownTimeout = parseDuration(shutdownTimeout, 'createApp({ server: { shutdownTimeout } })');
  }
  return limits;
}
