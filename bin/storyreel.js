#!/usr/bin/env node
// The shipped entry point runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // main() turns every known error into an exit code; reaching here is a bug in storyreel.
    console.error(error);
    process.exitCode = 70;
  },
);
