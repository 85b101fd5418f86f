import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { bodyTooLarge } from '../body.ts';
import { FrameworkError } from '../errors.ts';
import { type RunningServer, shuttingDown, startNodeServer, tooManyHeaders } from './node.ts';
import type { DriverHost, ServerAddress, ServerLimits, StartOptions } from './types.ts';
import type { UwsIncoming, UwsServerState } from './uws-incoming.ts';
import { UwsRequest } from './uws-request.ts';

// A CommonJS addon: its exports are the default export of the ES module namespace.
const importAddon = async () => (await import('uWebSockets.js')).default;
type UwsModule = Awaited<ReturnType<typeof importAddon>>;

/** The build that loads on Linux x64 (glibc) with Node 20, as installed in this workspace. */
export const UWS_UNOFFICIAL_INSTALL =
  'npm install uWebSockets.js@npm:@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0';

export type UwsLoad = { ok: true; uws: UwsModule } | { ok: false; reason: string };

let loading: Promise<UwsLoad> | undefined;

/**
 * Imports `uWebSockets.js` once, by that name so that users can install the official build or
 * the workspace's alias. Resolves to why it cannot be used rather than throwing.
 */
export function loadUws(limits: Pick<ServerLimits, 'maxHeaderSize'>): Promise<UwsLoad> {
  loading ??= importUws(limits);
  return loading;
}

async function importUws(limits: Pick<ServerLimits, 'maxHeaderSize'>): Promise<UwsLoad> {
  // Official builds read this once, when the addon loads (4 KiB by default); this build has a
  // fixed 4 KiB for headers split across reads. Either way the handler enforces maxHeaderSize.
  process.env.UWS_HTTP_MAX_HEADERS_SIZE ??= String(limits.maxHeaderSize);
  // @trufflesuite/uws-js-unofficial prints its reason for falling back to pure JS with
  // console.warn while it loads; keep that for our own single message instead of printing it.
  const notes: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ').trim();
    if (/µWS|uWS|uWebSockets|falling back/i.test(text)) notes.push(text.replace(/\s+/g, ' '));
    else warn.apply(console, args);
  };
  let uws: UwsModule;
  try {
    uws = await importAddon();
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND';
    return {
      ok: false,
      reason: missing
        ? 'the uWebSockets.js package is not installed'
        : `uWebSockets.js failed to load (${error instanceof Error ? error.message : String(error)})`,
    };
  } finally {
    console.warn = warn;
  }
  // Where no binary matches the platform and Node ABI, the unofficial package silently returns a
  // slow pure-JS imitation whose App is a plain function; the real addon's App is native code.
  const native = typeof uws.App === 'function' && Function.prototype.toString.call(uws.App).includes('[native code]');
  if (!native) {
    const why = notes.map((note) => /Error: (.*?)(?: Require stack:|$)/.exec(note)?.[1]).find(Boolean);
    return {
      ok: false,
      reason:
        `the installed uWebSockets.js has no native build for ${process.platform}-${process.arch} ` +
        `with Node ABI ${process.versions.modules}${why ? ` (${why})` : ''}`,
    };
  }
  return { ok: true, uws };
}

function cannotLoad(reason: string): string {
  return (
    `driver 'uws' needs the native uWebSockets.js addon, which cannot load here ` +
    `(Node ${process.versions.node}): ${reason}. ` +
    `On Linux x64 (glibc) with Node 20, install the build this project tests with: ${UWS_UNOFFICIAL_INSTALL}. ` +
    'Elsewhere, install the official uNetworking/uWebSockets.js release built for your platform and Node version ' +
    '(npm install uWebSockets.js@github:uNetworking/uWebSockets.js#<release>, see its README). ' +
    "Or start with driver: 'auto' to fall back to node:http."
  );
}

/**
 * Starts the app on uWebSockets.js. With `driver: 'auto'`, falls back to node:http, with one
 * warning, where uWS cannot load; with `driver: 'uws'`, fails with a `FrameworkError` that names
 * the build to install.
 */
export async function startUwsServer(
  core: DriverHost,
  options: StartOptions,
  driver: 'uws' | 'auto',
): Promise<RunningServer> {
  const loaded = await loadUws(core.limits);
  if (!loaded.ok) {
    if (driver === 'uws') throw new FrameworkError('FW_ERR_SERVER_DRIVER', cannotLoad(loaded.reason));
    core.logger.warn(
      { reason: loaded.reason },
      `driver 'auto': uWebSockets.js cannot be used (${loaded.reason}); serving with node:http instead`,
    );
    return startNodeServer(core, options);
  }
  return listen(core, options, loaded.uws);
}

/** The native app has close() (closes every socket) though this build's typings omit it. */
type ClosableApp = TemplatedApp & { close?: () => void };

let fingerprintHidden = false;

function listen(core: DriverHost, options: StartOptions, uws: UwsModule): Promise<RunningServer> {
  const limits = core.limits;
  const live = new Set<UwsIncoming>();
  let drained: (() => void) | undefined;
  const state: UwsServerState = {
    core,
    closing: false,
    track(request) {
      live.add(request);
    },
    settled(request) {
      live.delete(request);
      if (live.size === 0) drained?.();
    },
  };
  if (!fingerprintHidden && typeof uws._cfg === 'function') {
    // Drops the "uWebSockets: 20" header uWS adds to every response (server fingerprinting);
    // this is the value hyper-express and others use for it.
    uws._cfg('999999990007');
    fingerprintHidden = true;
  }

  const handle = (res: HttpResponse, req: HttpRequest): void => {
    const request = new UwsRequest(res, req, state);
    try {
      serve(request);
    } catch (error) {
      // Never return to uWS with the request unanswered and no abort handler.
      request.send(core.problem(error, undefined));
    }
  };

  const serve = (request: UwsRequest): void => {
    // Requests with more headers than this build's fixed 48, HTTP/1.1 requests without Host and
    // malformed request lines never get here: uWS drops them after its ~10 s idle timeout
    // (uNetworking/uWebSockets#1779). The checks below are those that do reach JS.
    if (request.headerBytes > limits.maxHeaderSize) {
      request.refuse(431);
      return;
    }
    if (request.headerCount > limits.maxHeadersCount) {
      request.send(tooManyHeaders(limits.maxHeadersCount));
      return;
    }
    if (request.framingError !== undefined || !request.hasHost) {
      request.refuse(400);
      return;
    }
    if (state.closing) {
      request.send(shuttingDown());
      return;
    }
    if (request.hasBody) {
      const limit = core.bodyLimitFor(request.method, request.path);
      // uWS has already sent "100 Continue" by itself before calling this handler; refuse an
      // oversized body before reading it anyway, and close since the client may be sending it.
      if (request.expectsContinue && request.contentLength > limit) {
        request.send(core.problem(bodyTooLarge(limit), undefined));
        return;
      }
      request.receiveBody(limit, limits.requestTimeout);
    }
    const result = core.handle(request);
    if (result instanceof Promise) {
      request.watchAbort();
      result.then(
        (reply) => request.send(reply),
        (error: unknown) => request.send(core.problem(error, undefined)),
      );
    } else {
      // Written inside uWS's handler, where uWS corks the socket for us: no promise, no microtask.
      request.send(result);
    }
  };

  const app: ClosableApp = uws.App();
  app.any('/*', handle);

  const port = options.port ?? (process.env.PORT === undefined ? 3000 : Number(process.env.PORT));
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';

  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket: us_listen_socket | false) => {
      if (socket === false) {
        reject(new Error(`uWebSockets.js could not listen on ${host}:${port}; the port may be in use.`));
        return;
      }
      const actualPort = uws.us_socket_local_port(socket);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      const address: ServerAddress = { url: `http://${shownHost}:${actualPort}`, host, port: actualPort };
      let listening: us_listen_socket | undefined = socket;
      let closed: Promise<void> | undefined;
      const closeSockets = () => {
        if (typeof app.close === 'function') app.close();
        else for (const request of live) request.close();
      };
      resolve({
        address,
        close: () => {
          closed ??= new Promise<void>((done) => {
            state.closing = true;
            if (listening !== undefined) uws.us_listen_socket_close(listening);
            listening = undefined;
            const finish = () => {
              drained = undefined;
              clearTimeout(timer);
              // Closes the idle keep-alive sockets, which uWS does not show to JS, and at the
              // deadline the requests still running.
              closeSockets();
              done();
            };
            const timer = setTimeout(() => {
              core.logger.warn(
                { shutdownTimeout: limits.shutdownTimeout },
                `shutdown deadline of ${limits.shutdownTimeout} ms reached; closing remaining connections`,
              );
              finish();
            }, limits.shutdownTimeout);
            timer.unref();
            if (live.size === 0) finish();
            else drained = finish;
          });
          return closed;
        },
      });
    });
  });
}
