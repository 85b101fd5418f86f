import config from '../framework.config.ts';
import { buildApp } from './app.ts';

const app = buildApp();
// On SIGTERM or SIGINT (docker stop, Ctrl-C, a rolling restart): /health/ready answers 503 so that
// load balancers stop sending requests, the requests in flight finish, the plugins close their
// connections, and the process exits; past 30 s it exits anyway, with a log line.
const { url } = await app.start({
  port: config.server.port,
  host: config.server.host,
  gracefulShutdown: { timeout: '30s' },
});
app.logger.info({ url }, `{{name}} listening on ${url}`);
