// The process `framework dev` keeps ready for the next restart:
//   node --import tsx dev-spare.js <main module> <JSON array of module paths to load first>
// It loads the app's dependencies (the slow part of a start: drizzle, zod, the framework) while the
// current app runs, tells the CLI it is ready, and runs the main module when the CLI says so,
// after a file changed and the previous app stopped. Files of the app itself are not loaded before
// that, so they are read as they are after the change.
import { pathToFileURL } from 'node:url';

const [main, preload] = process.argv.slice(2);
if (main === undefined || typeof process.send !== 'function') {
  console.error('usage: dev-spare <main module> [modules to load first], started by framework dev');
  process.exit(2);
}
const send = process.send.bind(process);
let go: () => void = () => undefined;
const started = new Promise<void>((resolve) => {
  go = resolve;
});
process.on('message', (message) => {
  if (message === 'start') go();
});
// A spare that is not needed any more (the app is stopping, or package.json changed) just leaves.
const leave = () => process.exit(0);
process.once('SIGTERM', leave);
process.once('SIGINT', leave);

const paths: unknown = JSON.parse(preload ?? '[]');
for (const path of Array.isArray(paths) ? paths : []) {
  if (typeof path !== 'string') continue;
  try {
    await import(pathToFileURL(path).href);
  } catch {
    // The app's own import reports a module that does not load.
  }
}
send('ready');
await started;
process.off('SIGTERM', leave);
process.off('SIGINT', leave);
process.removeAllListeners('message');
process.disconnect();
// The app sees itself as the main module, as when node runs it directly.
process.argv.splice(1, process.argv.length - 1, main);
await import(pathToFileURL(main).href);
