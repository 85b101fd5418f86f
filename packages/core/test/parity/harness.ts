import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureNode, NODE20_VERSION } from '../../../../tooling/bootstrap/run.mjs';

export type Driver = 'node' | 'uws';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = fileURLToPath(new URL('../../.test-dist/parity', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/parity-server.mjs', import.meta.url));

/** Compiles the package for the server processes: Node 20 cannot run the TypeScript sources. */
export function buildPackage(): void {
  const tsc = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
}

export function removePackage(): void {
  rmSync(outDir, { recursive: true, force: true });
}

/** uWebSockets.js loads natively here only on Node 20, so the uws driver runs there. */
function nodeFor(driver: Driver): string {
  return driver === 'uws' ? process.env.FRAMEWORK_NODE20 || ensureNode(NODE20_VERSION) : process.execPath;
}

export interface ServerEvent {
  event: string;
  port?: number;
  driver?: string;
  node?: string;
  level?: string;
  msg?: string;
}

const running = new Set<ParityServer>();

/** A server process running test/fixtures/parity-server.mjs on one driver. */
export class ParityServer {
  readonly driver: Driver;
  readonly events: ServerEvent[] = [];
  port = 0;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();
  private stderr = '';

  private constructor(driver: Driver, child: ChildProcess) {
    this.driver = driver;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as ServerEvent);
      for (const wake of this.waiters) wake();
    });
    child.once('exit', () => {
      for (const wake of this.waiters) wake();
    });
  }

  static async start(driver: Driver, shutdownTimeout?: number): Promise<ParityServer> {
    const args = [fixture, `${outDir}/index.js`, driver];
    if (shutdownTimeout !== undefined) args.push(String(shutdownTimeout));
    const child = spawn(nodeFor(driver), args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ParityServer(driver, child);
    running.add(server);
    const listening = await server.waitFor('listening');
    server.port = listening.port!;
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first event of that name (already seen or to come); rejects if the process exits first. */
  waitFor(event: string): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find((item) => item.event === event);
        if (found) {
          this.waiters.delete(check);
          resolve(found);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.waiters.delete(check);
          reject(new Error(`the ${this.driver} server exited before "${event}": ${this.stderr}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends SIGTERM, which makes the fixture call app.stop(). */
  terminate(): void {
    this.child.kill('SIGTERM');
  }

  kill(): void {
    running.delete(this);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Kills every server process this file started that is still running. */
export function killAll(): void {
  for (const server of running) server.kill();
}

export interface RawResult {
  data: string;
  /** Whether the server closed the connection (rather than the wait running out). */
  closed: boolean;
}

/**
 * Sends raw bytes and resolves with what came back once the server closes the connection, once
 * `done(data)` holds, or after `waitMs`, whichever is first.
 */
export function raw(
  port: number,
  payload: string,
  options: { waitMs?: number; done?: (data: string) => boolean } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, closed });
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (options.done?.(data)) finish(false);
    });
    // A reset after the server answered and closed (it did not read the whole body) is a close too.
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3000);
    socket.write(payload);
  });
}

export interface ParsedResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Splits raw HTTP/1.1 responses, framed by Content-Length or chunked encoding; `methods` says which answer HEAD. */
export function parseResponses(data: string, methods: readonly string[] = []): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  let rest = data;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`incomplete response head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]);
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const find = (name: string) => headers.find(([key]) => key.toLowerCase() === name)?.[1];
    rest = rest.slice(end + 4);
    let body = '';
    const noBody = methods[responses.length] === 'HEAD' || status === 204 || status === 304;
    if (!noBody && find('transfer-encoding') === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = Number.parseInt(rest.slice(0, lineEnd), 16);
        rest = rest.slice(lineEnd + 2);
        if (size === 0) {
          rest = rest.slice(2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else if (!noBody) {
      const length = Number(find('content-length') ?? '0');
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    responses.push({ status, headers, body });
  }
  return responses;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
