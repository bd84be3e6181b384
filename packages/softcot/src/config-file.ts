// `--config FILE` for train and eval (JSON or YAML), as TRL's CLI does: the file's keys are the command's flag names
// (without the dashes, kebab-case as on the command line), and flags given on the command line override it.
import * as fs from 'node:fs';
import { CliInputError, type OptionSpec } from './args';

/** Flag values from a config file, as strings (booleans for boolean flags), checked against the command's flags. */
export async function readConfigFile(file: string, options: OptionSpec): Promise<Record<string, string | boolean>> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliInputError(`${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : (await import('yaml')).parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new CliInputError(`${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new CliInputError(`${file}: a config file holds one mapping of flag names to values`);
  const out: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const spec = options[key];
    if (!spec || key === 'config' || key === 'help') throw new CliInputError(`${file}: unknown field "${key}" (the fields are the command's flags without the dashes: ${Object.keys(options).filter((k) => k !== 'config').join(', ')})`);
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw new CliInputError(`${file}: field "${key}" must be true or false, got ${JSON.stringify(value)}`);
      out[key] = value;
    } else if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) out[key] = String(value);
    else if (Array.isArray(value) && value.every((x) => typeof x === 'number' || typeof x === 'string')) out[key] = value.join(',');
    else throw new CliInputError(`${file}: field "${key}" must be a string, a number or a list, got ${JSON.stringify(value)}`);
  }
  return out;
}

/** Command-line flags over a config file's values (when `--config` is given). */
export async function withConfigFile(v: Record<string, string | boolean | undefined>, options: OptionSpec): Promise<Record<string, string | boolean | undefined>> {
  const file = v['config'];
  if (typeof file !== 'string') return v;
  const fromFile = await readConfigFile(file, options);
  const given = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
  return { ...fromFile, ...given };
}

export const CONFIG_OPTION: OptionSpec = { config: { type: 'string' } };
export const CONFIG_HELP = '  --config FILE        flags from a JSON or YAML file (keys are flag names); command-line flags override it';
