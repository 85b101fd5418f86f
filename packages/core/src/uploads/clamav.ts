import { createReadStream } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { type Duration, parseDuration } from '../duration.ts';
import type { MalwareScanner, ScanResult } from './scan.ts';

/**
 * Where clamd listens.
 *
 * @example
 * ```ts
 * clamav({ host: '127.0.0.1', port: 3310, timeout: '10s' });
 * ```
 */
export interface ClamavOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** clamd's TCPSocket. Default 3310. */
  port?: number;
  /** Milliseconds, or a duration string such as `'10s'`: time for the whole scan. Default 30 000. */
  timeout?: Duration;
}

const MAX_CHUNK = 64 * 1024;

/**
 * Parses clamd's INSTREAM reply: `stream: OK`, `stream: <Name> FOUND`; throws on `... ERROR`.
 *
 * @example
 * ```ts
 * parseClamdReply('stream: Eicar-Test-Signature FOUND\0'); // { clean: false, signature: 'Eicar-Test-Signature' }
 * ```
 */
export function parseClamdReply(reply: string): ScanResult {
  const text = reply.replace(/\0/g, '').trim();
  if (/^stream: OK$/.test(text)) return { clean: true };
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { clean: false, signature: found[1]! };
  if (text.includes('INSTREAM size limit exceeded')) {
    throw new Error(
      'clamd refused the file: it is larger than its StreamMaxLength; raise StreamMaxLength in clamd.conf or lower the upload maxSize.',
    );
  }
  throw new Error(`clamd could not scan the file: ${text === '' ? 'no reply' : text}.`);
}

/**
 * A scanner that sends each file to ClamAV's clamd over TCP with the INSTREAM command. Fails (and
 * the upload is refused with 503 unless `failOpen`) when clamd is unreachable, times out or errs.
 * A `timeout` that is not a duration throws `FW_ERR_INVALID_OPTION` here, not at the first upload.
 *
 * @example
 * ```ts
 * const app = createApp({ uploads: { scanner: clamav({ host: 'clamd', port: 3310 }) } });
 * app.post('/doc', { schema: { body: upload({ files: { doc: file({ scan: true }) } }) }, handler: (ctx) => ctx.body.doc.id });
 * ```
 */
export function clamav(options: ClamavOptions = {}): MalwareScanner {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3310;
  const timeout = parseDuration(options.timeout ?? 30_000, 'clamav({ timeout })');
  return {
    scan(input: string | Readable): Promise<ScanResult> {
      const source = typeof input === 'string' ? createReadStream(input, { highWaterMark: MAX_CHUNK }) : input;
      return new Promise<ScanResult>((resolve, reject) => {
        const socket = connect({ host, port });
        let reply = '';
        let settled = false;
        const finish = (error: Error | undefined, result?: ScanResult) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          if (typeof input === 'string') source.destroy();
          if (error) reject(error);
          else resolve(result!);
        };
        const timer = setTimeout(
          () => finish(new Error(`clamd at ${host}:${port} did not answer within ${timeout} ms.`)),
          timeout,
        );
        const answer = () => {
          try {
            finish(undefined, parseClamdReply(reply));
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
          }
        };
        socket.setEncoding('utf8');
        socket.on('data', (text: string) => {
          reply += text;
          // The `z` form of the command ends the reply with a NUL; clamd may answer before the
          // stream ends (size limit exceeded), and then stops reading.
          if (reply.includes('\0')) answer();
        });
        socket.on('end', answer);
        let connected = false;
        socket.on('error', (error) => {
          if (reply !== '') answer();
          else if (!connected) finish(new Error(`clamd at ${host}:${port} is unreachable: ${error.message}.`));
          else {
            // clamd closes the connection as soon as a stream passes its StreamMaxLength; with file
            // data still in flight the close is a reset, which can discard its reply on our side.
            finish(
              new Error(
                `clamd at ${host}:${port} closed the connection while receiving the file (${error.message}); ` +
                  'the file is probably larger than its StreamMaxLength: raise StreamMaxLength in clamd.conf or ' +
                  "lower the upload maxSize, and check clamd's log.",
              ),
            );
          }
        });
        socket.on('connect', async () => {
          connected = true;
          try {
            socket.write('zINSTREAM\0');
            for await (const chunk of source) {
              if (settled) return;
              const data: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
              for (let offset = 0; offset < data.length; offset += MAX_CHUNK) {
                const part = data.subarray(offset, offset + MAX_CHUNK);
                const length = Buffer.alloc(4);
                length.writeUInt32BE(part.length);
                socket.write(length);
                if (!socket.write(part)) {
                  await new Promise<void>((done) => {
                    const resume = () => {
                      socket.off('drain', resume);
                      socket.off('close', resume);
                      done();
                    };
                    socket.on('drain', resume);
                    socket.on('close', resume);
                  });
                }
                if (settled) return;
              }
            }
            socket.write(Buffer.alloc(4));
          } catch (error) {
            finish(new Error(`could not read the file to scan: ${error instanceof Error ? error.message : error}.`));
          }
        });
      });
    },
  };
}
