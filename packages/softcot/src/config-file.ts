// `--config FILE` for train and eval (JSON or YAML), as TRL's CLI does: the file's keys are the command's flag names
// (without the dashes, kebab-case as on the command line), and flags given on the command line override it.
import { jsonTooDeepAt, MAX_JSON_DEPTH, parseJsonText, readTextFile } from '@softcot/base';
import { CliInputError, type OptionSpec } from './args';

/** Flag values from a config file, as strings (booleans for boolean flags), checked against the command's flags. */
export async function readConfigFile(file: string, options: OptionSpec): Promise<Record<string, string | boolean>> {
  // A config file is a flat mapping of flags: 1 MB is plenty, and keeps a hostile file's nesting shallow.
  const text = readTextFile(file, { what: 'config file', maxBytes: 1_000_000 });
  let data: unknown;
  if (/\.json$/i.test(file)) data = parseJsonText(text, file);
  else {
    if (jsonTooDeepAt(text) >= 0) throw new CliInputError(`${file}: YAML nested deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      data = (await import('yaml')).parse(text, { maxAliasCount: 100 });
    } catch (e) {
      throw new CliInputError(`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
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
