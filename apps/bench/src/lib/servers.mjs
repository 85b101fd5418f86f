// The servers under test and how to start, check and stop one.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, rssKb, sleep, spawnTracked, stopChild, tail } from './proc.mjs';

const SERVERS_DIR = fileURLToPath(new URL('../servers/', import.meta.url));

/**
 * The frameworks. `uws: true` ones load uWebSockets.js, which has a native build only for Node 20
 * here: they run on Node 20 only. The others run on Node 24 and on Node 20.
 */
export const FRAMEWORKS = [
  { name: 'ours-node', file: 'ours-node.mjs', ours: true, label: '@framework/core (node:http driver)' },
  { name: 'ours-uws', file: 'ours-uws.mjs', ours: true, uws: true, label: '@framework/core (uws driver)' },
  { name: 'fastify', file: 'fastify.mjs', label: 'Fastify 5' },
  { name: 'hono', file: 'hono.mjs', label: 'Hono 4 on @hono/node-server' },
  { name: 'express', file: 'express.mjs', label: 'Express 5' },
  { name: 'koa', file: 'koa.mjs', label: 'Koa 3' },
  { name: 'node-http', file: 'node-http.mjs', label: 'raw node:http' },
  { name: 'uws', file: 'uws.mjs', uws: true, label: 'raw uWebSockets.js' },
  // References, not peers: the raw servers sending the security headers ours sends by default, on
  // the two routes with targets. They show what the headers alone cost (bytes, header handling).
  {
    name: 'node-http-headers',
    file: 'node-http.mjs',
    env: { BENCH_SECURITY_HEADERS: '1' },
    nodeMajors: [24],
    routes: ['GET /', 'GET /user/:id'],
    label: 'raw node:http + our default security headers (reference)',
  },
  {
    name: 'uws-headers',
    file: 'uws.mjs',
    uws: true,
    env: { BENCH_SECURITY_HEADERS: '1' },
    routes: ['GET /', 'GET /user/:id'],
    label: 'raw uWebSockets.js + our default security headers (reference)',
  },
];

/** The four routes; `script` is the wrk Lua script a route needs (the POST body). */
export const ROUTES = [
  { id: 'GET /', path: '/' },
  { id: 'GET /user/:id', path: '/user/42' },
  { id: 'POST /echo', path: '/echo', script: 'post.lua' },
  { id: 'GET /mw', path: '/mw' },
];

export const ECHO_BODY = { name: 'Ada Lovelace', age: 36 };

/** Thrown when a server cannot run here; the harness reports the reason and goes on. */
export class Unavailable extends Error {}

/**
 * Starts one server pinned to `cpu` (when `pin`), waits for its ready line, and reads its idle RSS.
 * `target` is { name, file, nodeBin, nodeMajor, env }.
 */
export async function startServer(target, { pin, cpu = 0, readyTimeoutMs = 20_000, settleMs = 1000 } = {}) {
  const port = await freePort();
  const script = join(SERVERS_DIR, target.file);
  const command = pin ? 'taskset' : target.nodeBin;
  const args = pin ? ['-c', String(cpu), target.nodeBin, script, String(port)] : [script, String(port)];
  const env = { ...process.env, NODE_ENV: 'production', BENCH_WATCH_STDIN: '1', ...target.env };
  if (!target.env?.FRAMEWORK_CORE_ENTRY) delete env.FRAMEWORK_CORE_ENTRY;
  const child = spawnTracked(`${target.name}@${target.nodeMajor}`, command, args, { env });
  const stderr = tail(child.stderr);
  const stdout = tail(child.stdout);
  const reason = () => {
    const unavailable = /UNAVAILABLE (.*)/.exec(stdout());
    if (unavailable) return unavailable[1];
    const lines = stderr().trim().split('\n').filter(Boolean);
    const error = lines.find((l) => /Error|error:/.test(l)) ?? lines.at(-1);
    return error ? error.trim().slice(0, 300) : `exited with code ${child.exitCode} before printing a ready line`;
  };
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), readyTimeoutMs);
    const check = () => {
      if (/^READY /m.test(stdout())) done('ready');
      else if (/^UNAVAILABLE /m.test(stdout())) done('unavailable');
    };
    const done = (value) => {
      clearTimeout(timer);
      child.stdout.off('data', check);
      child.off('exit', onExit);
      resolve(value);
    };
    const onExit = () => setTimeout(() => done('exited'), 50); // let stdout drain
    child.stdout.on('data', check);
    child.once('exit', onExit);
    child.once('error', (error) => done(`spawn error: ${error.message}`));
  });
  if (outcome !== 'ready') {
    const why = outcome === 'timeout' ? `no ready line within ${readyTimeoutMs / 1000} s` : reason();
    await stopChild(child, 2000);
    throw new Unavailable(why);
  }
  await sleep(settleMs);
  const idleRssKb = rssKb(child.pid);
  return {
    child,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    idleRssKb,
    stderr,
    stdout,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child),
  };
}

/** A request with a 5 s bound; resolves to its status, headers, text and parsed JSON (when it is JSON). */
export async function call(url, init = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Checks that a server answers the four routes as specified (and rejects an invalid body), so that
 * no framework is measured doing less than the others. Returns a list of problems.
 */
export async function checkServer(url) {
  const problems = [];
  const expect = (cond, what) => {
    if (!cond) problems.push(what);
  };
  try {
    const root = await call(`${url}/`);
    expect(root.status === 200 && root.json?.hello === 'world', `GET / → ${root.status} ${root.text.slice(0, 80)}`);
    const user = await call(`${url}/user/42`);
    expect(
      user.status === 200 && user.json?.id === '42' && user.json?.name === 'user',
      `GET /user/42 → ${user.status} ${user.text.slice(0, 80)}`,
    );
    const post = (body) =>
      call(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const echo = await post(JSON.stringify({ ...ECHO_BODY, extra: 'dropped' }));
    expect(
      echo.status === 200 && echo.json?.name === ECHO_BODY.name && echo.json?.age === ECHO_BODY.age,
      `POST /echo (valid) → ${echo.status} ${echo.text.slice(0, 80)}`,
    );
    for (const bad of [{ name: '', age: 1 }, { name: 'x', age: 1.5 }, { name: 'x', age: -1 }, { age: 3 }]) {
      const invalid = await post(JSON.stringify(bad));
      expect(invalid.status === 400, `POST /echo ${JSON.stringify(bad)} → ${invalid.status}, expected 400`);
    }
    const mw = await call(`${url}/mw`);
    expect(
      mw.status === 200 && mw.json?.middlewares === 5 && mw.headers.get('x-bench') === 'mw',
      `GET /mw → ${mw.status} ${mw.text.slice(0, 80)} x-bench=${mw.headers.get('x-bench')}`,
    );
  } catch (error) {
    problems.push(`request failed: ${error.message}`);
  }
  return problems;
}
