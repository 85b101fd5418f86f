// @framework/core on its default node:http driver.
import { HOST, onShutdown, ready, serverPort } from './_lib.mjs';
import { buildApp, loadCore } from './ours-app.mjs';

const port = serverPort();
const { createApp } = await loadCore();
const app = buildApp(createApp);
await app.start({ port, host: HOST });
onShutdown(() => app.stop());
ready('ours-node', port);
