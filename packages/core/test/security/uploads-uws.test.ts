// Uploads through the uWebSockets.js driver's streaming body (server/uws-request.ts `stream()`):
// the compiled package runs on Node 20, where uWS loads natively.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNode, NODE20_VERSION } from '../../../../tooling/bootstrap/run.mjs';
import { BOUNDARY, multipart, uploadDir } from './uploads-helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = fileURLToPath(new URL('../../.test-dist/uploads', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/uploads-server.mjs', import.meta.url));
const dir = uploadDir();
let child: ChildProcess | undefined;
let port = 0;
let driver = '';

beforeAll(async () => {
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
  const node = process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION);
  const proc = spawn(node, [fixture, outDir, 'uws', dir.path], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', () => reject(new Error(`the uws upload server exited: ${stderr}`)));
  });
  const event = JSON.parse(line) as { port: number; driver: string };
  port = event.port;
  driver = event.driver;
}, 60_000);

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
  dir.remove();
});

function post(body: Uint8Array) {
  return fetch(`http://127.0.0.1:${port}/upload`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
}

async function emptied(): Promise<boolean> {
  for (let i = 0; i < 100 && dir.files().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return dir.files().length === 0;
}

describe('uploads on the uWebSockets.js driver', () => {
  it('runs on uws', () => {
    expect(driver).toBe('uws');
  });

  it('streams a 200 KiB file to a temporary file, typed by its bytes, and deletes it after', async () => {
    const data = Buffer.alloc(200 * 1024, 0x61);
    data[data.length - 1] = 0x7a;
    const res = await post(multipart([{ name: 'doc', filename: '../a.txt', type: 'image/png', data }]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ size: 200 * 1024, type: 'text/plain', name: 'a.txt', last: 0x7a });
    expect(await emptied()).toBe(true);
  });

  it('answers 413 for a file over maxSize and leaves no temporary file', async () => {
    const res = await post(multipart([{ name: 'doc', filename: 'big.txt', data: Buffer.alloc(300 * 1024, 0x61) }]));
    expect(res.status).toBe(413);
    expect(await emptied()).toBe(true);
  });

  it('answers 400 for a 252-character boundary', async () => {
    const boundary = 'b'.repeat(252);
    const res = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart([{ name: 'doc', filename: 'a.txt', data: 'x' }], boundary),
    });
    expect(res.status).toBe(400);
  });
});
