/**
 * Where the CLI writes: `process.stdout`, or anything with a `write(text)` method.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const output: Output = { write: (text: string) => lines.push(text) };
 * await run(['--help'], { stdout: output });
 * ```
 */
export interface Output {
  write(text: string): unknown;
}
