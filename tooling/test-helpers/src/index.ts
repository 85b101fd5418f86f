// Running a README's examples as written

// A browser's cookies, for session and CSRF tests
export type { BrowserRequest, RequestFunction } from './browser.ts';
export { Browser } from './browser.ts';
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
