// Sizes checked before work: byte counts in words, the host's memory, and the refusal of a plan that cannot fit.
import * as os from 'node:os';
import * as v8 from 'node:v8';

/**
 * The documented maxima of counts (docs/reliability.md), far above any useful run, so that a typo (10⁹ samples,
 * 10¹² steps) is refused before work. Sizes that depend on the model (context length, memory) are checked against
 * the model once it is known.
 */
export const LIMITS = {
  /** Optimizer steps, and intervals counted in steps. */
  steps: 10_000_000,
  /** Rows of a batch: prompts per step, samples per prompt, micro-batch, rollout batch, samples per problem. */
  count: 65_536,
  /** Tokens of a generation: CoT, answer, --generate. */
  tokens: 1_048_576,
  /** Seeds: 0 .. 2³² − 1. */
  seed: 2 ** 32 - 1,
  /** Rows of a dataset (--limit, --val-size). */
  rows: 2 ** 31 - 1,
} as const;

/** 3.1 TB, 512 MB, 12 kB (decimal units, as disks and `free -h --si` print them). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  let x = n;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  return i === 0 ? `${x} B` : `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)} ${units[i]}`;
}

/** Memory this process may use: the machine's, or the container's limit when smaller. */
export function hostMemoryBytes(): number {
  const total = os.totalmem();
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return limit && limit > 0 && limit < total ? limit : total;
}

/** The JavaScript heap's limit (node --max-old-space-size): where arrays of numbers and strings live. */
export function jsHeapBytes(): number {
  return v8.getHeapStatistics().heap_size_limit;
}

/**
 * A setting (or a product of settings) beyond what softcot accepts. `options` names the settings by their library
 * names (samplesPerPrompt, maxCotTokens, ...), so that a command line can name its flags instead.
 */
export class LimitError extends Error {
  constructor(
    message: string,
    readonly options: string[] = [],
  ) {
    super(message);
    this.name = 'LimitError';
  }
}

/** Thrown when a plan's memory estimate exceeds what is available; the message says what, how much, and why not. */
export class MemoryBudgetError extends LimitError {
  constructor(message: string, options: string[] = []) {
    super(message, options);
    this.name = 'MemoryBudgetError';
  }
}

export interface MemoryBudget {
  bytes: number;
  /** "this machine", "the JavaScript heap", ... */
  name: string;
}

/** The JavaScript heap as a budget (strings and arrays of results live there). */
export function jsHeapBudget(): MemoryBudget {
  return { bytes: jsHeapBytes(), name: 'the JavaScript heap (node --max-old-space-size)' };
}

/**
 * Refuse work whose memory estimate exceeds the budget, before allocating:
 * "a rollout of 1000000000 rows × 160 positions: its KV cache needs at least 3.1 TB; this machine has 24 GB; refusing".
 */
export function checkMemory(what: string, bytes: number, budget: MemoryBudget, options: string[] = []): void {
  if (!(bytes <= budget.bytes))
    throw new MemoryBudgetError(`${what} needs at least ${formatBytes(bytes)}; ${budget.name} has ${formatBytes(budget.bytes)}; refusing`, options);
}
