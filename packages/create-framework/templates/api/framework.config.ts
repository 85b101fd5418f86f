import { defineConfig } from '@framework/core';
import { z } from 'zod';

// Every setting the app reads from the environment, validated at start-up: a missing or invalid
// variable stops the app with one error that lists them all. Values come from the process
// environment first, then .env.<NODE_ENV>.local, .env.<NODE_ENV>, .env.local and .env (see
// .env.example). `config.server.port` and the others are typed from this schema.
const Env = z.object({ PORT: z.coerce.number().default(3000) }); // @fw:env-schema

export default defineConfig({
  env: Env,
  // Variables never printed, in errors or logs (names with secret, password, token or key, and the
  // passwords in URLs, are redacted too).
  secrets: [], // @fw:secrets
  shared: (env) => ({
    // trustProxy: whose X-Forwarded-For to believe about the client's address (none by default).
    server: { port: env.PORT, host: env.HOST ?? '127.0.0.1', trustProxy: env.TRUST_PROXY ?? false },
    // @fw:shared
  }),
  // In a container the app listens on every interface, so that the published port reaches it.
  // Behind HAProxy on the same host (deploy/haproxy.cfg) the client's address comes from the
  // X-Forwarded-For it adds; TRUST_PROXY names other load balancers.
  production: (env) => ({ server: { host: env.HOST ?? '0.0.0.0', trustProxy: env.TRUST_PROXY ?? 'loopback' } }),
  // @fw:test
});
