/**
 * Arithmetic chains: `7+5*2-3` evaluated LEFT TO RIGHT (no operator precedence); CoT `7+5=12. 12*2=24. 24-3=21.`
 */
import { makeRng, randInt, type Rng, type Seed } from '@softcot/base';
import type { Example } from '../types';
import { checkInt, drawExamples, rngOf } from './draw';
import { finishSolution, type SolutionStyle } from './format';

export type ArithOp = '+' | '-' | '*';
export const ARITH_OPS: readonly ArithOp[] = ['+', '-', '*'];

export interface ArithmeticChainOptions {
  /** Number of operations (≥ 1). */
  steps: number;
  /** Start value in [0, maxStart]. */
  maxStart: number;
  /** Operands in [1, maxOperand]. */
  maxOperand: number;
  /** Operations to draw from (default `+ - *`). */
  ops?: readonly ArithOp[];
  /**
   * When set, every intermediate result is reduced modulo `modulus` (into [0, modulus)) and the question ends
   * with ` mod {modulus}`. When not set, operations are drawn so that every intermediate result stays in
   * [0, maxValue] (no negatives, no overflow).
   */
  modulus?: number;
  /** Bound on intermediate results without a modulus (default 99). */
  maxValue?: number;
  seed?: Seed;
  /** Use this generator instead of a seed (to draw many chains from one stream). */
  rng?: Rng;
}

export interface ArithmeticStep {
  a: number;
  op: ArithOp;
  b: number;
  result: number;
}

export interface ArithmeticChain {
  /** e.g. `7+5*2-3` or `7+5*2-3 mod 10`. */
  question: string;
  start: number;
  steps: ArithmeticStep[];
  /** e.g. `7+5=12. 12*2=24. 24-3=21.` */
  cot: string;
  answer: string;
}

/** a op b, exactly (no modulus). */
export function applyOp(a: number, op: ArithOp, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

function mod(x: number, m: number): number {
  return ((x % m) + m) % m;
}

/** One arithmetic chain, evaluated left to right. */
export function arithmeticChain(opts: ArithmeticChainOptions): ArithmeticChain {
  const ops = opts.ops ?? ARITH_OPS;
  checkInt('steps', opts.steps, 1, 1000);
  checkInt('maxStart', opts.maxStart, 0);
  checkInt('maxOperand', opts.maxOperand, 1);
  if (ops.length === 0 || ops.some((o) => !ARITH_OPS.includes(o))) throw new Error(`ops must be a non-empty subset of + - *, got ${JSON.stringify(ops)}`);
  if (opts.modulus !== undefined) checkInt('modulus', opts.modulus, 2);
  const maxValue = opts.maxValue ?? 99;
  checkInt('maxValue', maxValue, 1);
  const rng = rngOf(opts.seed, opts.rng, 'arithmeticChain');

  const m = opts.modulus;
  let a = randInt(rng, 0, m !== undefined ? Math.min(opts.maxStart, m - 1) : Math.min(opts.maxStart, maxValue));
  const start = a;
  const steps: ArithmeticStep[] = [];
  for (let s = 0; s < opts.steps; s++) {
    // Operations with at least one valid operand, then a uniformly drawn valid operand.
    const choices: Array<[ArithOp, number[]]> = [];
    for (const op of ops) {
      const bs: number[] = [];
      for (let b = 1; b <= opts.maxOperand; b++) {
        const r = applyOp(a, op, b);
        if (m !== undefined || (r >= 0 && r <= maxValue)) bs.push(b);
      }
      if (bs.length > 0) choices.push([op, bs]);
    }
    if (choices.length === 0) {
      throw new Error(`arithmeticChain: no operation in ${ops.join(' ')} keeps ${a} within [0, ${maxValue}]; add '-' or raise maxValue`);
    }
    const [op, bs] = choices[Math.floor(rng.uniform() * choices.length)]!;
    const b = bs[Math.floor(rng.uniform() * bs.length)]!;
    const exact = applyOp(a, op, b);
    const result = m !== undefined ? mod(exact, m) : exact;
    steps.push({ a, op, b, result });
    a = result;
  }
  const expr = `${start}${steps.map((s) => `${s.op}${s.b}`).join('')}`;
  return {
    question: m !== undefined ? `${expr} mod ${m}` : expr,
    start,
    steps,
    cot: steps.map((s) => `${s.a}${s.op}${s.b}=${s.result}.`).join(' '),
    answer: String(a),
  };
}

export interface ArithmeticDatasetOptions {
  n: number;
  seed: Seed;
  /**
   * Difficulty knob d ≥ 1 (default 2): steps = d, start in [0, 9], operands in [1, 9], results within
   * [0, 99]; ops `+ -` for d = 1 and `+ - *` above. Explicit options below override it.
   */
  difficulty?: number;
  steps?: number;
  maxStart?: number;
  maxOperand?: number;
  ops?: readonly ArithOp[];
  modulus?: number;
  maxValue?: number;
  /** Solution style (default 'paper'). */
  style?: SolutionStyle;
  /** No two examples share a question (throws when the question space is too small). */
  unique?: boolean;
  /** Questions that must not be generated (e.g. a test set's). */
  exclude?: Iterable<string>;
  /** Id prefix (default `arith`). */
  idPrefix?: string;
}

/** The chain options a difficulty level stands for, with overrides applied. */
export function arithmeticSettings(opts: Omit<ArithmeticDatasetOptions, 'n' | 'seed'> = {}): Omit<ArithmeticChainOptions, 'seed' | 'rng'> {
  const d = opts.difficulty ?? 2;
  checkInt('difficulty', d, 1, 1000);
  const s: Omit<ArithmeticChainOptions, 'seed' | 'rng'> = {
    steps: opts.steps ?? d,
    maxStart: opts.maxStart ?? 9,
    maxOperand: opts.maxOperand ?? 9,
    ops: opts.ops ?? (d === 1 ? ['+', '-'] : ARITH_OPS),
    maxValue: opts.maxValue ?? 99,
  };
  if (opts.modulus !== undefined) s.modulus = opts.modulus;
  return s;
}

/**
 * `n` arithmetic examples: question `7+5*2-3`, answer `21`, solution
 * `7+5=12. 12*2=24. 24-3=21. The final answer is: \boxed{21}` (paper style); `row` holds the task fields
 * (`task`, `cot`, `steps`, `difficulty`).
 */
export function generateArithmeticDataset(opts: ArithmeticDatasetOptions): Example[] {
  const settings = arithmeticSettings(opts);
  const rng = makeRng(opts.seed);
  const style = opts.style ?? 'paper';
  const prefix = opts.idPrefix ?? 'arith';
  return drawExamples(opts.n, opts.unique ?? false, opts.exclude, 'generateArithmeticDataset', () => {
    const c = arithmeticChain({ ...settings, rng });
    const ex: Example = {
      id: '',
      question: c.question,
      answer: c.answer,
      solution: finishSolution(c.cot, c.answer, style),
      row: {
        task: 'arithmetic',
        question: c.question,
        cot: c.cot,
        answer: c.answer,
        steps: c.steps.length,
        difficulty: opts.difficulty ?? 2,
        ...(settings.modulus !== undefined ? { modulus: settings.modulus } : {}),
      },
    };
    return ex;
  }).map((ex, k) => ({ ...ex, id: `${prefix}-${String(opts.seed)}-${k}` }));
}

/**
 * Pretraining data from a careless solver: the solutions of a `share` of the arithmetic examples (drawn with
 * `seed`) are replaced by one that stops after the first step and boxes that intermediate result, e.g.
 * `8-1=7. The final answer is: \boxed{7}` for `8-1+4`. A model pretrained on the mix has learned both ways to
 * answer and is unsure which to take after the first step; a verifier reward has to teach it to finish the chain
 * (the demo). `answer` stays the true result (what RL and evaluation check); `row.lazy` marks the changed examples.
 */
export function withLazySolutions(examples: readonly Example[], opts: { share: number; seed: Seed; style?: SolutionStyle }): Example[] {
  if (!(opts.share >= 0 && opts.share <= 1)) throw new RangeError(`withLazySolutions: share must be in [0, 1], got ${opts.share}`);
  const rng = makeRng(opts.seed);
  return examples.map((e) => {
    if (rng.uniform() >= opts.share) return e;
    const steps = typeof e.row.cot === 'string' ? e.row.cot.split(' ') : [];
    const first = /^-?\d+[+\-*]\d+=(-?\d+)\.$/.exec(steps[0] ?? '');
    if (!first || steps.length < 2) throw new Error(`withLazySolutions: example ${e.id} is not an arithmetic chain of at least 2 steps (row.cot ${JSON.stringify(e.row.cot)})`);
    return { ...e, solution: finishSolution(steps[0]!, first[1]!, opts.style ?? 'paper'), row: { ...e.row, lazy: true } };
  });
}

/**
 * Checks an arithmetic question/CoT/answer triple by recomputing it: returns null when correct, else the
 * first problem found. Accepts the question and CoT formats produced by `arithmeticChain`.
 */
export function checkArithmetic(question: string, cot: string, answer: string): string | null {
  const qm = /^(\d+)((?:[+\-*]\d+)+)(?: mod (\d+))?$/.exec(question);
  if (!qm) return `question "${question}" is not a chain`;
  const m = qm[3] !== undefined ? Number(qm[3]) : undefined;
  const ops = [...qm[2]!.matchAll(/([+\-*])(\d+)/g)].map((x) => [x[1] as ArithOp, Number(x[2])] as const);
  const parts = cot.split(' ');
  if (parts.length !== ops.length) return `CoT has ${parts.length} steps, question ${ops.length}`;
  let a = Number(qm[1]);
  for (let k = 0; k < ops.length; k++) {
    const [op, b] = ops[k]!;
    const exact = applyOp(a, op, b);
    const r = m !== undefined ? mod(exact, m) : exact;
    const expected = `${a}${op}${b}=${r}.`;
    if (parts[k] !== expected) return `step ${k + 1}: expected "${expected}", got "${parts[k]}"`;
    a = r;
  }
  if (String(a) !== answer) return `answer: expected ${a}, got ${answer}`;
  return null;
}
