// Running the CLI from code

export type { Output } from './output.ts';
export type { RunOptions } from './run.ts';
export { run } from './run.ts';
