import config from '../framework.config.ts';
import { buildApp } from './app.ts';

const app = buildApp();
const { url } = await app.start({ port: config.server.port, host: config.server.host });
app.logger.info({ url }, `{{name}} listening on ${url}`);

// Finish the requests in flight, run the plugins' close hooks, then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error({ err: error }, 'the app did not stop cleanly');
        process.exit(1);
      },
    );
  });
}
