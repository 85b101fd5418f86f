// security-cases.md UP-01 and UP-06 on a real socket (node driver): the limit is enforced while the
// body streams in, and aborted uploads leave no temporary file and no open descriptor behind.
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { createApp } from '../../src/create-app.ts';
import { file, upload } from '../../src/uploads/file.ts';
import { BOUNDARY, silent, uploadDir } from './uploads-helpers.ts';

const dir = uploadDir();
const started: App[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});
afterAll(() => dir.remove());

const MAX = 64 * 1024;
const partHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="doc"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
const tail = `\r\n--${BOUNDARY}--\r\n`;

async function startApp(): Promise<{ port: number; calls: () => number }> {
  const app = createApp({ logger: silent, uploads: { tmpDir: dir.path } });
  let calls = 0;
  app.post('/upload', {
    schema: { body: upload({ files: { doc: file({ maxSize: MAX }) } }) },
    handler: (ctx) => {
      calls++;
      return { size: ctx.body.doc.size };
    },
  });
  const { port } = await app.start({ port: 0 });
  started.push(app);
  return { port, calls: () => calls };
}

function requestHead(port: number, length: number): string {
  return (
    `POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
    `Content-Length: ${length}\r\n\r\n`
  );
}

function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('uploads on the wire', () => {
  it('answers 413 as soon as a slowly streamed file crosses maxSize by 1 byte, and deletes the temp file (UP-01)', async () => {
    const { port, calls } = await startApp();
    // A file of MAX + 1 bytes; the closing boundary is never sent, so the answer cannot wait for the end.
    const length = partHead.length + MAX + 1 + tail.length;
    const { socket, received, closed } = await open(port);
    socket.write(requestHead(port, length) + partHead);
    for (let sent = 0; sent < MAX; sent += 16 * 1024) {
      socket.write(Buffer.alloc(16 * 1024, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received()).toBe('');
    expect(await until(() => dir.files().length === 1, 2000)).toBe(true);
    socket.write(Buffer.from('b'));
    expect(await until(() => received().includes('\r\n\r\n'), 2000)).toBe(true);
    expect(received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(received()).toContain('FW_ERR_FILE_TOO_LARGE');
    await closed;
    expect(calls()).toBe(0);
    expect(await until(() => dir.files().length === 0, 2000)).toBe(true);
  });

  it('accepts a file of exactly maxSize on the same route', async () => {
    const { port, calls } = await startApp();
    const body = Buffer.concat([Buffer.from(partHead), Buffer.alloc(MAX, 0x61), Buffer.from(tail)]);
    const res = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ size: MAX });
    expect(calls()).toBe(1);
    expect(await until(() => dir.files().length === 0, 2000)).toBe(true);
  });

  it('leaves no temp file and no open descriptor after 240 clients abort mid-upload (UP-06)', async () => {
    const { port, calls } = await startApp();
    const warm = await open(port);
    warm.socket.destroy();
    await warm.closed;
    await until(() => false, 100);
    const baseline = openFds();
    const length = partHead.length + MAX + tail.length;
    for (let round = 0; round < 12; round++) {
      const clients = await Promise.all(Array.from({ length: 20 }, () => open(port)));
      for (const client of clients) client.socket.write(requestHead(port, length) + partHead + 'x'.repeat(8 * 1024));
      // Abort once the server has created the temporary files, i.e. mid-upload.
      expect(await until(() => dir.files().length >= 20, 2000)).toBe(true);
      for (const client of clients) client.socket.destroy();
      await Promise.all(clients.map((client) => client.closed));
    }
    expect(calls()).toBe(0);
    expect(await until(() => dir.files().length === 0, 3000)).toBe(true);
    expect(await until(() => openFds() <= baseline, 3000)).toBe(true);
    // Still serving.
    const body = Buffer.concat([Buffer.from(partHead), Buffer.from('ok'), Buffer.from(tail)]);
    const res = await fetch(`http://127.0.0.1:${port}/upload`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body,
    });
    expect(res.status).toBe(200);
  });
});
