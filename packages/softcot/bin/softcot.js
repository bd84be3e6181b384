#!/usr/bin/env node
// The `softcot` command. Committed (dist/ is not) so that npm links it at install time, before the first build;
// it loads the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('softcot: the CLI is not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(cli.href);
