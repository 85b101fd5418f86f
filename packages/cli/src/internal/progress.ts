import type { Io } from './io.ts';

/** Internal: a running progress display; `done()` clears it. */
export interface Progress {
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Work shorter than this shows nothing. */
const DELAY_MS = 1_000;

/**
 * Internal: a spinner with the elapsed seconds on the terminal's stderr, shown once `label`'s
 * work has taken a second, and cleared when it is done. Nothing when stderr is not a terminal (CI
 * logs, pipes, tests), so output stays line-oriented there.
 */
export function showProgress(io: Io, label: string): Progress {
  const stream = process.stderr;
  if (io.stderr !== stream || !stream.isTTY) return { done: () => undefined };
  const started = Date.now();
  let frame = 0;
  let shown = false;
  let ticker: NodeJS.Timeout | undefined;
  const draw = () => {
    shown = true;
    const seconds = Math.floor((Date.now() - started) / 1000);
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label} (${seconds} s)\u001b[K`);
  };
  const delay = setTimeout(() => {
    draw();
    ticker = setInterval(draw, 100);
    ticker.unref();
  }, DELAY_MS);
  delay.unref();
  return {
    done() {
      clearTimeout(delay);
      clearInterval(ticker);
      if (shown) stream.write('\r\u001b[K');
    },
  };
}
