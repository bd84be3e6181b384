// Reading a study/demo overrides file (JSON): a regular file within the size limit (a flat set of overrides: 1 MB),
// strict UTF-8, bounded nesting, one object; errors name the file.
import { readJsonFile } from '@softcot/base';
import { CliInputError } from '../args';

export function readConfigJson(file: string): Record<string, never> {
  const overrides = readJsonFile(file, { what: 'config file', maxBytes: 1_000_000 });
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) throw new CliInputError(`${file}: must be a JSON object of overrides, e.g. {"rl": {"steps": 200}}`);
  return overrides as Record<string, never>;
}
