// Running a README's examples as written

// Services
export { closedPort } from './closed-port.ts';
// Error codes
export { errorCodesIn } from './error-codes.ts';
export type { NamesByEntry } from './exports.ts';

// A package's public surface
export { runtimeExports, typeExports } from './exports.ts';
export type { Folder } from './internal/to-path.ts';
export type { ReadmeExampleRun, ReadmeSection, RunOptions, RunReadmeExampleOptions } from './readme.ts';
export { readReadmeSection, runNode, runReadmeExample, withScratchApp } from './readme.ts';
