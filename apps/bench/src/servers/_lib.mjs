// Shared plumbing for the benchmark servers: port, ready line, shutdown. Kept tiny so that it
// costs every server the same (a few hundred bytes of code, no timers).

/** Where every server listens: loopback only. */
export const HOST = '127.0.0.1';

/** The body `POST /echo` accepts: { name: string (1–100 chars), age: integer ≥ 0 }. */
export const ECHO_LIMITS = { nameMin: 1, nameMax: 100, ageMin: 0 };

/** The port from argv[2] or PORT; exits with a clear message when neither is a valid port. */
export function serverPort() {
  const raw = process.argv[2] ?? process.env.PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`usage: node ${process.argv[1]} <port>   (or PORT=<port>); got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return port;
}

/** The line the harness waits for. */
export function ready(name, port) {
  process.stdout.write(`READY ${name} ${port} node=${process.version}\n`);
}

/**
 * The server cannot run here (a missing native build, a driver this version lacks...).
 * The harness reports `not available: <reason>` for it and goes on with the others.
 */
export function unavailable(reason) {
  process.stdout.write(`UNAVAILABLE ${String(reason).replace(/\s+/g, ' ').trim()}\n`);
  process.exit(3);
}

/**
 * Calls `stop` once on SIGTERM / SIGINT (and, under the harness, when its stdin closes, so a
 * server never outlives a harness that was killed), then exits. Bounded: exits after 3 s anyway.
 */
export function onShutdown(stop) {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 3000).unref();
    Promise.resolve()
      .then(stop)
      .catch((error) => process.stderr.write(`error while stopping: ${error?.stack ?? error}\n`))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (process.env.BENCH_WATCH_STDIN === '1') {
    process.stdin.on('end', shutdown);
    process.stdin.on('error', shutdown);
    process.stdin.resume();
  }
}

/** Hand-written check of the echo body, for the raw servers (no validation library). */
export function validEcho(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { name, age } = value;
  if (typeof name !== 'string' || name.length < ECHO_LIMITS.nameMin || name.length > ECHO_LIMITS.nameMax) return null;
  if (!Number.isInteger(age) || age < ECHO_LIMITS.ageMin) return null;
  return { name, age };
}

/**
 * The headers @framework/core adds by default to a JSON response (helmet 8's set with the OWASP
 * REST additions), for the reference servers: raw node:http and raw uWS sending the same bytes
 * (BENCH_SECURITY_HEADERS=1), which shows what the headers alone cost a server.
 */
export const SECURITY_HEADERS =
  process.env.BENCH_SECURITY_HEADERS === '1'
    ? {
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'origin-agent-cluster': '?1',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-dns-prefetch-control': 'off',
        'x-download-options': 'noopen',
        'x-frame-options': 'SAMEORIGIN',
        'x-permitted-cross-domain-policies': 'none',
        'x-xss-protection': '0',
        'cache-control': 'no-store',
      }
    : undefined;
