// Malware scanning of uploads through clamd's INSTREAM protocol. clamd cannot run here (it needs a
// signature database that cannot be downloaded offline), so a loopback server speaking INSTREAM
// stands in for it and flags the EICAR test string as clamd does.
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createApp } from '../../src/create-app.ts';
import type { Logger } from '../../src/logger.ts';
import { clamav } from '../../src/uploads/clamav.ts';
import { file, upload } from '../../src/uploads/file.ts';
import type { UploadOptions } from '../../src/uploads/scan.ts';
import { readJson } from '../helpers.ts';
import { multipart, multipartInit, silent, uploadDir } from './uploads-helpers.ts';

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const dir = uploadDir();
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});
afterAll(() => dir.remove());

/** A clamd stand-in: parses zINSTREAM, reassembles the length-prefixed chunks, answers like clamd. */
async function fakeClamd(options: { streamMaxLength?: number } = {}) {
  const seen: { chunks: number[]; commands: string[] } = { chunks: [], commands: [] };
  const server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    let commandDone = false;
    const data: Buffer[] = [];
    let total = 0;
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!commandDone) {
        const end = buffer.indexOf(0);
        if (end === -1) return;
        seen.commands.push(buffer.subarray(0, end).toString('latin1'));
        buffer = buffer.subarray(end + 1);
        commandDone = true;
      }
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length === 0) {
          const scanned = Buffer.concat(data).toString('latin1');
          socket.end(scanned.includes(EICAR) ? 'stream: Eicar-Test-Signature FOUND\0' : 'stream: OK\0');
          return;
        }
        if (buffer.length < 4 + length) return;
        seen.chunks.push(length);
        data.push(buffer.subarray(4, 4 + length));
        total += length;
        buffer = buffer.subarray(4 + length);
        if (options.streamMaxLength !== undefined && total > options.streamMaxLength) {
          socket.end('INSTREAM size limit exceeded. ERROR\0');
          return;
        }
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : 0, seen };
}

function makeApp(uploads: UploadOptions, logger: Logger = silent) {
  const app = createApp({ logger, uploads: { tmpDir: dir.path, ...uploads } });
  let calls = 0;
  app.post('/doc', {
    schema: { body: upload({ files: { doc: file({ scan: true }) } }) },
    handler: (ctx) => {
      calls++;
      return { scan: ctx.body.doc.scan ?? null };
    },
  });
  return { app, calls: () => calls };
}

const send = (app: Pick<App, 'request'>, data: string | Uint8Array) =>
  app.request('/doc', multipartInit(multipart([{ name: 'doc', filename: 'a.txt', type: 'text/plain', data }])));

describe('uploads: malware scan', () => {
  it('refuses the EICAR test file with 422 FW_ERR_MALWARE_DETECTED and deletes it', async () => {
    const clamd = await fakeClamd();
    const { app, calls } = makeApp({ scanner: clamav({ port: clamd.port }) });
    const res = await send(app, EICAR);
    expect(res.status).toBe(422);
    expect(await readJson(res)).toMatchObject({ code: 'FW_ERR_MALWARE_DETECTED', signature: 'Eicar-Test-Signature' });
    expect(calls()).toBe(0);
    expect(await dir.settled()).toEqual([]);
    expect(clamd.seen.commands).toEqual(['zINSTREAM']);
  });

  it('accepts a clean file, sent in chunks of at most 64 KiB, with its scan result', async () => {
    const clamd = await fakeClamd();
    const { app } = makeApp({ scanner: clamav({ port: clamd.port }) });
    const res = await send(app, Buffer.alloc(200 * 1024, 0x61));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ scan: { clean: true } });
    expect(clamd.seen.chunks.reduce((a, b) => a + b, 0)).toBe(200 * 1024);
    expect(Math.max(...clamd.seen.chunks)).toBeLessThanOrEqual(64 * 1024);
  });

  it('answers 503 with a reason and logs when clamd is unreachable (fail closed)', async () => {
    const clamd = await fakeClamd();
    await new Promise((done) => servers.pop()!.close(done));
    const errors: string[] = [];
    const logger: Logger = { ...silent, error: (_fields: unknown, message: string) => errors.push(message) };
    const { app, calls } = makeApp({ scanner: clamav({ port: clamd.port, timeout: 2000 }) }, logger);
    const res = await send(app, 'hello');
    expect(res.status).toBe(503);
    expect(await readJson(res)).toMatchObject({ code: 'FW_ERR_SCANNER_UNAVAILABLE' });
    expect(res.headers.get('retry-after')).toBe('30');
    expect(calls()).toBe(0);
    expect(errors.some((line) => line.includes('unreachable'))).toBe(true);
    expect(await dir.settled()).toEqual([]);
  });

  it('accepts the file unscanned with failOpen (a warning is logged)', async () => {
    const clamd = await fakeClamd();
    await new Promise((done) => servers.pop()!.close(done));
    const warnings: string[] = [];
    const logger: Logger = { ...silent, warn: (_fields: unknown, message: string) => warnings.push(message) };
    const { app } = makeApp({ scanner: clamav({ port: clamd.port }), failOpen: true }, logger);
    const res = await send(app, 'hello');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ scan: null });
    expect(warnings).toHaveLength(1);
  });

  it("answers 503 when clamd replies 'INSTREAM size limit exceeded'", async () => {
    const clamd = await fakeClamd({ streamMaxLength: 100 * 1024 });
    const errors: string[] = [];
    const logger: Logger = { ...silent, error: (_fields: unknown, message: string) => errors.push(message) };
    const { app } = makeApp({ scanner: clamav({ port: clamd.port }) }, logger);
    const res = await send(app, Buffer.alloc(300 * 1024, 0x61));
    expect(res.status).toBe(503);
    expect(errors.some((line) => line.includes('StreamMaxLength'))).toBe(true);
  });

  it("keeps an infected file, marked, with onDetection: 'flag'", async () => {
    const clamd = await fakeClamd();
    const { app } = makeApp({ scanner: clamav({ port: clamd.port }), onDetection: 'flag' });
    const res = await send(app, EICAR);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ scan: { clean: false, signature: 'Eicar-Test-Signature' } });
  });

  it('without scan (off) accepts the EICAR file unscanned', async () => {
    const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
    app.post('/doc', {
      schema: { body: upload({ files: { doc: file() } }) },
      handler: (ctx) => ({ scan: ctx.body.doc.scan ?? null }),
    });
    const res = await send(app, EICAR);
    expect(await res.json()).toEqual({ scan: null });
  });

  it('refuses to start a route with scan: true when the app has no scanner', async () => {
    const app = createApp({ logger: silent });
    app.post('/doc', { schema: { body: upload({ files: { doc: file({ scan: true }) } }) }, handler: () => 'ok' });
    await expect(app.ready()).rejects.toMatchObject({ code: 'FW_ERR_UPLOAD_CONFIG' });
  });
});
