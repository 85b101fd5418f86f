// @framework/core on its uWebSockets.js driver: app.start({ driver: 'uws' }).
import { HOST, onShutdown, ready, serverPort, unavailable } from './_lib.mjs';
import { buildApp, loadCore } from './ours-app.mjs';

const port = serverPort();
const { createApp } = await loadCore();
const app = buildApp(createApp);
try {
  await app.start({ port, host: HOST, driver: 'uws' });
} catch (error) {
  unavailable(`app.start({ driver: 'uws' }) failed: ${error?.message ?? error}`);
}
// A build of core that does not know the option yet ignores it and starts node:http; that would be
// measured under the wrong name. uWebSockets.js listens outside libuv's TCP handles, node:http does not.
if (process.getActiveResourcesInfo().includes('TCPServerWrap')) {
  await app.stop().catch(() => {});
  unavailable(
    "app.start({ driver: 'uws' }) started a node:http server instead of uWebSockets.js " +
      '(this build of @framework/core has no uws driver yet)',
  );
}
onShutdown(() => app.stop());
ready('ours-uws', port);
