#!/usr/bin/env node
import { run } from './run.ts';

const code = await run(process.argv.slice(2));
process.exitCode = code;
// A connection an app's plugin left open must not keep a finished command alive; the timer does
// not itself hold the process, so a clean exit is not delayed.
setTimeout(() => process.exit(code), 1_000).unref();
