#!/usr/bin/env node
// The `softcot` command line. Commands live in ./commands (one file each, registered in commands/index.ts).
import { runCli } from './commands/index';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`softcot: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
