// Shared CLI plumbing: strict flag parsing (node:util parseArgs), typed value checks, the command shape,
// output helpers and backend selection. Every command is a `Command` registered in commands/index.ts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LimitError } from '@softcot/base';
import type { BackendName } from '@softcot/model';

/** Where a command writes. Tests pass collectors; the CLI passes process streams. */
export interface CommandIO {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Overwrite-in-place status line on stderr (a progress bar); falls back to stderr lines when not a TTY. */
  status?: (line: string) => void;
}

export interface Command {
  name: string;
  /** Full usage text for `softcot <name> --help` and usage errors. */
  usage: string;
  /** Returns the exit code. Throws UsageError (exit 2) or any error (exit 1, printed as one line). */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** A bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A bad input the user can fix (file content, missing folder...): printed as one line, exit code 1. */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInputError';
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export const HELP_OPTION: OptionSpec = { help: { type: 'boolean', short: 'h' } };

/**
 * Parse flags strictly. Unknown flags, missing values and stray positionals become a one-line UsageError
 * that names the flag. Returns null when --help was given (the caller prints usage and exits 0).
 */
export function parseFlags(argv: string[], options: OptionSpec): Record<string, string | boolean | undefined> | null {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, ...HELP_OPTION }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(cleanParseError(e as Error & { code?: string }));
  }
  if (parsed.values.help) return null;
  return parsed.values as Record<string, string | boolean | undefined>;
}

/**
 * `--lr -1` as `--lr=-1`: parseArgs takes a value starting with "-" for a flag ("ambiguous"); a negative number after
 * a flag that takes a value is that value, and its range check then says what is wrong with it.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && !a.includes('=') && options[a.slice(2)]?.type === 'string' && next !== undefined && /^-(\d|\.\d|inf|nan)/i.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** "-m, --model <value>" -> "--model". */
function flagName(s: string): string {
  return s.replace(/^-\w, /, '').replace(/ <value>$/, '');
}

function cleanParseError(e: Error & { code?: string }): string {
  const msg = e.message.split('\n')[0]!;
  let m = /^Unknown option '([^']+)'/.exec(msg);
  if (m) return `unknown flag ${m[1]}`;
  m = /^Option '([^']+)' argument missing/.exec(msg);
  if (m) return `flag ${flagName(m[1]!)} needs a value`;
  m = /^Option '([^']+)' does not take an argument/.exec(msg);
  if (m) return `flag ${flagName(m[1]!)} takes no value`;
  m = /^Unexpected argument '([^']+)'/.exec(msg);
  if (m) return `unexpected argument "${m[1]}" (flags look like --name value)`;
  m = /^Option '([^']+)' argument is ambiguous/.exec(msg);
  if (m) return `flag ${m[1]} value is ambiguous (write --flag=value)`;
  return msg.replace(/\. To specify.*$/, '');
}

export function requireString(v: Record<string, unknown>, name: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '') throw new UsageError(`missing required flag --${name}`);
  return x;
}

export function optString(v: Record<string, unknown>, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

/** Decimal digits only: no sign, hex, exponent or fraction, so that "0x10" is not 16 and "1e9" is not a count. */
const INTEGER = /^[0-9]+$/;
/** A decimal number with an optional exponent (8e-6); no hex, no "Infinity". */
const NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * An integer flag written in decimal digits, in [min, max] (min 0, max the safe integers by default; the count
 * limits are LIMITS of @softcot/base, documented in docs/reliability.md).
 */
export function optInt(v: Record<string, unknown>, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const s = typeof x === 'string' ? x.trim() : '';
  const n = INTEGER.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`flag --${name} needs a whole number >= ${min} written in digits, got "${String(x)}"`);
  if (n > max) throw new UsageError(`flag --${name} is ${n}, more than the ${max} accepted (docs/reliability.md)`);
  return n;
}

export function optFloat(v: Record<string, unknown>, name: string, opts: { min?: number; positive?: boolean; max?: number } = {}): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const s = typeof x === 'string' ? x.trim() : '';
  const n = NUMBER.test(s) ? Number(s) : NaN;
  const ok = Number.isFinite(n) && (opts.min === undefined || n >= opts.min) && (!opts.positive || n > 0) && (opts.max === undefined || n <= opts.max);
  if (!ok) {
    const range = [opts.positive ? '> 0' : opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw new UsageError(`flag --${name} needs a finite decimal number${range ? ` ${range}` : ''}, got "${String(x)}"`);
  }
  return n;
}

export function optChoice<T extends string>(v: Record<string, unknown>, name: string, choices: readonly T[], fallback: T): T;
export function optChoice<T extends string>(v: Record<string, unknown>, name: string, choices: readonly T[]): T | undefined;
export function optChoice<T extends string>(v: Record<string, unknown>, name: string, choices: readonly T[], fallback?: T): T | undefined {
  const x = v[name];
  if (x === undefined) return fallback;
  if (typeof x !== 'string' || !(choices as readonly string[]).includes(x))
    throw new UsageError(`flag --${name} must be one of ${choices.join(', ')}, got "${String(x)}"`);
  return x as T;
}

/** At most this many entries in a list flag (--k, --seeds). */
export const MAX_LIST_ENTRIES = 64;

export function optIntList(v: Record<string, unknown>, name: string, opts: { min?: number; max?: number } = {}): number[] | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const min = opts.min ?? 1;
  const parts = String(x).split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.length > MAX_LIST_ENTRIES || parts.some((p) => !INTEGER.test(p) || !Number.isSafeInteger(Number(p)) || Number(p) < min))
    throw new UsageError(`flag --${name} needs a comma-separated list of at most ${MAX_LIST_ENTRIES} whole numbers >= ${min}, got "${String(x)}"`);
  const nums = parts.map(Number);
  const big = nums.find((n) => n > (opts.max ?? Number.MAX_SAFE_INTEGER));
  if (big !== undefined) throw new UsageError(`flag --${name}: ${big} is more than the ${opts.max} accepted (docs/reliability.md)`);
  return nums;
}

/** Library option names, as LimitErrors name them, and the flags that set them. */
const OPTION_FLAGS: Record<string, string> = {
  steps: '--steps',
  warmupSteps: '--warmup',
  promptsPerStep: '--prompts-per-step',
  samplesPerPrompt: '--samples',
  microBatch: '--micro-batch',
  rolloutBatch: 'the rollout batch',
  'cot.maxTokens': '--max-cot',
  maxCotTokens: '--max-cot',
  maxAnswerTokens: '--max-answer',
  saveEvery: '--save-every',
  'validation.every': '--validate-every',
  samples: '--samples',
  batchSize: '--batch',
  lr: '--lr',
  seed: '--seed',
};

/**
 * A library's LimitError (a setting or a product of settings too large, or a memory estimate over budget) as a
 * usage error that names the command's flags instead of the library's option names.
 */
export function limitAsUsage(e: LimitError): UsageError {
  let msg = e.message.replace(/^RLOOTrainer: /, '');
  for (const name of Object.keys(OPTION_FLAGS).sort((a, b) => b.length - a.length))
    msg = msg.replace(new RegExp(`(?<![\\w.-])${name.replace('.', '\\.')}(?![\\w])`, 'g'), OPTION_FLAGS[name]!);
  return new UsageError(msg);
}

export const CLI_BACKENDS = ['native-cpu', 'wasm', 'cpu', 'cuda'] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];

export const BACKEND_OPTION: OptionSpec = { backend: { type: 'string' } };

export const BACKEND_HELP =
  '  --backend B          native-cpu | wasm | cpu | cuda (default native-cpu when its addon is built, else wasm;\n' +
  '                       cuda needs the cuda addon and a GPU)';

/** Select the tfjs backend (without --backend: `fallback`, else the default CPU backend); native ones say why not. */
export async function selectBackend(v: Record<string, unknown>, fallback?: CliBackend): Promise<CliBackend> {
  const name = optChoice(v, 'backend', CLI_BACKENDS) ?? fallback;
  // Loaded here, not at start-up: `softcot --help` must not wait for tfjs.
  const [tf, { useBackend }, { isNativeAvailable }] = await Promise.all([
    import('@tensorflow/tfjs'), import('@softcot/model'), import('@softcot/backend-native'),
  ]);
  if (name === 'native-cpu' || name === 'cuda') {
    const av = isNativeAvailable(name === 'cuda' ? 'cuda' : 'cpu');
    if (!av.ok) throw new CliInputError(av.reason ?? `${name} backend unavailable`);
  }
  const used = (await useBackend(name as BackendName | undefined)) as CliBackend;
  // The cpu backend prints a "install tfjs-node" banner on first use; the CLI has nothing to gain from it.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && cpu.firstUse) cpu.firstUse = false;
  return used;
}

/** A `status`-capable IO over the process streams. */
export function processIO(): CommandIO {
  const tty = Boolean(process.stderr.isTTY);
  let open = false;
  return {
    stdout: (l) => {
      if (open) process.stderr.write('\n');
      open = false;
      process.stdout.write(`${l}\n`);
    },
    stderr: (l) => {
      if (open) process.stderr.write('\n');
      open = false;
      process.stderr.write(`${l}\n`);
    },
    status: (l) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${l}`);
        open = true;
      } else process.stderr.write(`${l}\n`);
    },
  };
}

/** A progress reporter: "[#####.....] 12/40 problems  1.3/s  eta 21s  (soft greedy)". Throttled. */
export function progressReporter(io: CommandIO, unit = 'rows'): (done: number, total: number, label: string) => void {
  const t0 = performance.now();
  let lastPrint = 0;
  return (done, total, label) => {
    const now = performance.now();
    if (done < total && now - lastPrint < 500) return;
    lastPrint = now;
    const secs = (now - t0) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, total));
    const eta = rate > 0 ? (total - done) / rate : NaN;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}  ${rate.toFixed(2)}/s  ${Number.isFinite(eta) ? `eta ${eta.toFixed(0)}s` : ''}  (${label})`;
    (io.status ?? io.stderr)(line);
  };
}
