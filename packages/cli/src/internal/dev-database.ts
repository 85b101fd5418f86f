import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `framework dev` needs of PGlite: the app's own copy, loaded at run time. */
interface Pglite {
  readonly waitReady: Promise<void>;
  query<T>(sql: string): Promise<{ rows: T[] }>;
  execProtocolRaw(message: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Internal: the embedded database `framework dev` keeps open while the app restarts. */
export interface DevDatabase {
  /** A `postgres://` URL the app connects to (its `DATABASE_URL`). */
  readonly url: string;
  /** How long opening the database took. */
  readonly openedInMs: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/**
 * Internal: the app's `@electric-sql/pglite` (a dependency of its `@framework/db`), or undefined
 * when the app does not use `@framework/db`.
 */
async function loadPglite(root: string): Promise<(new (dataDir: string) => Pglite) | undefined> {
  let entry: string;
  try {
    const db = createRequire(join(root, 'package.json')).resolve('@framework/db');
    const cjs = createRequire(db).resolve('@electric-sql/pglite');
    const esm = join(dirname(cjs), 'index.js');
    entry = existsSync(esm) ? esm : cjs;
  } catch {
    return undefined;
  }
  const module: unknown = await import(pathToFileURL(entry).href);
  const PGlite = typeof module === 'object' && module !== null ? Reflect.get(module, 'PGlite') : undefined;
  return typeof PGlite === 'function' ? (PGlite as new (dataDir: string) => Pglite) : undefined;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function cstring(value: string): Buffer {
  return Buffer.from(`${value}\0`, 'utf8');
}

/** The status of the last ReadyForQuery in a run of backend messages, if there is one. */
function lastStatus(data: Uint8Array): string | undefined {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let status: string | undefined;
  for (let offset = 0; offset + 5 <= buffer.length; ) {
    const length = buffer.readInt32BE(offset + 1);
    if (buffer[offset] === 0x5a && offset + 5 < buffer.length) status = String.fromCharCode(buffer[offset + 5] ?? 0x49);
    offset += 1 + length;
  }
  return status;
}

/**
 * Internal: opens the PGlite database in `.data/pglite` of the app once and serves it over the
 * PostgreSQL protocol on a free 127.0.0.1 port, so each restart of the app connects to it instead
 * of opening it again. PGlite has one session: a connection holds it from its first message until
 * the database is idle again (outside a transaction), and the others wait their turn.
 * Resolves to undefined when the app does not use `@framework/db`.
 */
export async function startDevDatabase(root: string): Promise<DevDatabase | undefined> {
  const PGlite = await loadPglite(root);
  if (PGlite === undefined) return undefined;
  const started = performance.now();
  const dataDir = join(root, '.data', 'pglite');
  await mkdir(dataDir, { recursive: true });
  const db = new PGlite(dataDir);
  await db.waitReady;
  const settings = new Map<string, string>([
    ['client_encoding', 'UTF8'],
    ['server_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
  ]);
  for (const name of ['server_version', 'TimeZone']) {
    const { rows } = await db.query<Record<string, string>>(`show ${name}`);
    const value = rows[0] === undefined ? undefined : Object.values(rows[0])[0];
    if (value !== undefined) settings.set(name, value);
  }
  const openedInMs = Math.round(performance.now() - started);
  const greeting = Buffer.concat([
    message('R', Buffer.from([0, 0, 0, 0])),
    ...[...settings].map(([name, value]) => message('S', Buffer.concat([cstring(name), cstring(value)]))),
    message('K', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])),
    message('Z', Buffer.from('I')),
  ]);

  // The one session, handed from connection to connection.
  let owner: Socket | undefined;
  const waiting: Array<{ socket: Socket; resolve: () => void }> = [];
  const acquire = (socket: Socket): Promise<void> => {
    if (owner === undefined || owner === socket) {
      owner = socket;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push({ socket, resolve }));
  };
  const release = (socket: Socket) => {
    if (owner !== socket) return;
    const next = waiting.shift();
    owner = next?.socket;
    next?.resolve();
  };

  const sockets = new Set<Socket>();
  const serve = (socket: Socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    let started = false;
    let status = 'I';
    let queue = Promise.resolve();
    const run = (bytes: Buffer) => {
      queue = queue.then(async () => {
        if (socket.destroyed) return;
        await acquire(socket);
        try {
          const reply = await db.execProtocolRaw(new Uint8Array(bytes));
          status = lastStatus(reply) ?? status;
          if (!socket.destroyed) socket.write(reply);
        } catch {
          socket.destroy();
        }
        if (status === 'I') release(socket);
      });
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!started) {
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        pending = pending.subarray(length);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          socket.write('N');
          return;
        }
        if (code === CANCEL_REQUEST) {
          socket.end();
          return;
        }
        started = true;
        socket.write(greeting);
      }
      let end = 0;
      const batch: Buffer[] = [];
      while (end + 5 <= pending.length) {
        const length = pending.readInt32BE(end + 1);
        if (end + 1 + length > pending.length) break;
        if (pending[end] === 0x58) {
          // Terminate: the session goes back to the others once idle.
          pending = Buffer.alloc(0);
          socket.end();
          return;
        }
        batch.push(pending.subarray(end, end + 1 + length));
        end += 1 + length;
      }
      pending = pending.subarray(end);
      if (batch.length > 0) run(Buffer.concat(batch));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      const index = waiting.findIndex((entry) => entry.socket === socket);
      if (index >= 0) waiting.splice(index, 1);
      queue = queue.then(async () => {
        // A client gone in the middle of a transaction must not leave it open for the next one.
        if (owner === socket && status !== 'I') await db.query('rollback').catch(() => undefined);
        release(socket);
      });
    });
  };

  const server: Server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    openedInMs,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
