// Shared CLI plumbing: strict flag parsing (node:util parseArgs), typed value checks, the command shape,
// output helpers and backend selection. Every command is a `Command` registered in commands/index.ts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
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
    parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(cleanParseError(e as Error & { code?: string }));
  }
  if (parsed.values.help) return null;
  return parsed.values as Record<string, string | boolean | undefined>;
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

export function optInt(v: Record<string, unknown>, name: string, opts: { min?: number } = {}): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const n = Number(x);
  const min = opts.min ?? 0;
  if (typeof x !== 'string' || x.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`flag --${name} needs an integer >= ${min}, got "${String(x)}"`);
  return n;
}

export function optFloat(v: Record<string, unknown>, name: string, opts: { min?: number; positive?: boolean } = {}): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const n = Number(x);
  const ok = typeof x === 'string' && x.trim() !== '' && Number.isFinite(n) && (opts.min === undefined || n >= opts.min) && (!opts.positive || n > 0);
  if (!ok) throw new UsageError(`flag --${name} needs a ${opts.positive ? 'positive ' : opts.min !== undefined ? `number >= ${opts.min}, not` : ''}number, got "${String(x)}"`);
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

export function optIntList(v: Record<string, unknown>, name: string): number[] | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const parts = String(x).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const nums = parts.map(Number);
  if (parts.length === 0 || nums.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`flag --${name} needs a comma-separated list of positive integers, got "${String(x)}"`);
  return nums;
}

export const CLI_BACKENDS = ['cpu', 'wasm', 'cuda'] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];

export const BACKEND_OPTION: OptionSpec = { backend: { type: 'string' } };

export const BACKEND_HELP = '  --backend B          cpu | wasm | cuda (default wasm; cuda needs the native addon and a GPU)';

/** Select the tfjs backend; for cuda, check availability first and report why not. */
export async function selectBackend(v: Record<string, unknown>, fallback: CliBackend = 'wasm'): Promise<CliBackend> {
  const name = optChoice(v, 'backend', CLI_BACKENDS, fallback);
  if (name === 'cuda') {
    const cuda = await import('@softcot/backend-cuda');
    const av = cuda.isCudaAvailable();
    if (!av.ok) throw new CliInputError(av.reason ?? 'cuda backend unavailable');
    cuda.registerCudaBackend();
  }
  // Loaded here, not at start-up: `softcot --help` must not wait for tfjs.
  const [tf, { useBackend }] = await Promise.all([import('@tensorflow/tfjs'), import('@softcot/model')]);
  if (tf.getBackend() !== name) await useBackend(name as BackendName);
  // The cpu backend prints a "install tfjs-node" banner on first use; the CLI has nothing to gain from it.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && cpu.firstUse) cpu.firstUse = false;
  return name;
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
