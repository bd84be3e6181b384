// Reading a study/demo overrides file (JSON): a missing file is a usage error, bad JSON an input error naming it.
import * as fs from 'node:fs';
import { CliInputError, UsageError } from '../args';

export function readConfigJson(file: string): Record<string, never> {
  if (!fs.existsSync(file)) throw new UsageError(`--config: ${file} does not exist`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliInputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
