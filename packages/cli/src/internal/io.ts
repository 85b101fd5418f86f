import type { Output } from '../output.ts';

/** Internal: what commands print through. `out`/`err` add the line break. */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  out(line: string): void;
  err(line: string): void;
}

/** Internal: an `Io` over two outputs. */
export function createIo(stdout: Output, stderr: Output): Io {
  return {
    stdout,
    stderr,
    out: (line) => {
      stdout.write(`${line}\n`);
    },
    err: (line) => {
      stderr.write(`${line}\n`);
    },
  };
}

/** Internal: a message for any thrown value; the stack only for unexpected errors (not coded ones). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && code.startsWith('FW_')) return error.message;
  return error.stack ?? error.message;
}
