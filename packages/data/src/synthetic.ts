/**
 * Synthetic reasoning tasks whose chain of thought carries the computation. Texts are short and use a
 * small alphabet so a tiny character-level model can learn them (demo, CI tests, reproduction study).
 *
 * - arithmetic chains: `7+5*2-3` evaluated LEFT TO RIGHT (no operator precedence); CoT `7+5=12. 12*2=24. 24-3=21.`
 * - reachability: `a>b,b>c,c>d. a to d?`; CoT lists a shortest path `a>b>c>d.`; answer = its number of edges.
 * - an out-of-domain multiple-choice text set (ARC-like `{question, choices, answerKey}`) for OOD NLL.
 */
import { makeRng, randInt, shuffle, split, type Rng, type Seed } from './sampling';
import { paperPrompt, r1Prompt, type PromptFormat } from './prompts';
import type { Example } from './types';

/** How the solution text ends: the paper format (`The final answer is: \boxed{N}`) or R1 (`</think><answer>N</answer>`). */
export type SolutionStyle = 'paper' | 'r1';

/** The prompt format synthetic tasks use by default: the given style with an empty instruction (short prompts). */
export function syntheticPromptFormat(style: SolutionStyle = 'paper'): PromptFormat {
  return style === 'r1' ? r1Prompt({ instruction: '' }) : paperPrompt({ instruction: '' });
}

/** Solution text after the CoT, in the given style. */
export function finishSolution(cot: string, answer: string, style: SolutionStyle = 'paper'): string {
  return style === 'r1' ? `${cot}</think><answer>${answer}</answer>` : `${cot} The final answer is: \\boxed{${answer}}`;
}

/**
 * The full supervised text of an example: the rendered prompt, a space, then the solution, e.g.
 * `User: 7+5 Assistant: 7+5=12. The final answer is: \boxed{12}`.
 */
export function sftText(example: Example, format: PromptFormat = syntheticPromptFormat()): string {
  if (example.solution === undefined) throw new Error(`sftText: example ${example.id} has no solution`);
  return `${format.render(example.question)} ${example.solution}`;
}

function checkInt(name: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

function rngOf(seed: Seed | undefined, rng: Rng | undefined, what: string): Rng {
  if (rng) return rng;
  if (seed === undefined) throw new Error(`${what}: give a seed (or an rng)`);
  return makeRng(seed);
}

// ---------------------------------------------------------------------------------------------------------
// Arithmetic chains

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
    const [op, bs] = choices[Math.floor(rng() * choices.length)]!;
    const b = bs[Math.floor(rng() * bs.length)]!;
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

/** Draws unique examples from `make` until `n`, with a bounded number of attempts. */
function drawExamples(n: number, unique: boolean, exclude: Iterable<string> | undefined, what: string, make: () => Example): Example[] {
  checkInt('n', n, 0);
  const excluded = new Set(exclude ?? []);
  const seen = new Set<string>();
  const out: Example[] = [];
  const maxAttempts = 100 * n + 1000;
  let attempts = 0;
  while (out.length < n) {
    if (++attempts > maxAttempts) {
      throw new Error(`${what}: could only draw ${out.length} of ${n} distinct questions in ${maxAttempts} attempts; raise the difficulty or lower n`);
    }
    const ex = make();
    if (excluded.has(ex.question)) continue;
    if (unique) {
      if (seen.has(ex.question)) continue;
      seen.add(ex.question);
    }
    out.push(ex);
  }
  return out;
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
    if (rng() >= opts.share) return e;
    const steps = typeof e.row.cot === 'string' ? e.row.cot.split(' ') : [];
    const first = /^-?\d+[+\-*]\d+=(-?\d+)\.$/.exec(steps[0] ?? '');
    if (!first || steps.length < 2) throw new Error(`withLazySolutions: example ${e.id} is not an arithmetic chain of at least 2 steps (row.cot ${JSON.stringify(e.row.cot)})`);
    return { ...e, solution: finishSolution(steps[0]!, first[1]!, opts.style ?? 'paper'), row: { ...e.row, lazy: true } };
  });
}

/**
 * Multi-character tokens for a CharTokenizer (`pieces`): the fixed phrases of a prompt format (the prompt wrapper,
 * the CoT stop string, the prefill after a stop). Each is then one token, so the model emits the stop string in one
 * CoT step instead of ~20 (one action, one noise vector, instead of ~20 that carry no information). The prefill after
 * the maximum length is left out: it contains the stop string, which must stay a token boundary of its own.
 */
export function syntheticPieces(format: PromptFormat = syntheticPromptFormat()): string[] {
  const marker = '\u0000';
  const phrases = [...format.render(marker).split(marker), format.cotStop, format.prefillAfterStop];
  return [...new Set(phrases.filter((p) => Array.from(p).length >= 2))];
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

// ---------------------------------------------------------------------------------------------------------
// Graph reachability (shortest path)

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export interface ReachabilityOptions {
  /** Number of nodes, 2..26 (named a, b, c, …). */
  nodes: number;
  /** Number of directed edges (path edges plus distractors), ≤ nodes·(nodes−1). */
  edges: number;
  /** Longest planted path, in edges (default 4, capped by nodes − 1 and edges). */
  maxPathLength?: number;
  /** Allow distractor edges that shorten the planted path (default false: the answer is the planted length). */
  shortcuts?: boolean;
  seed?: Seed;
  rng?: Rng;
}

export interface ReachabilityProblem {
  /** e.g. `a>b,c>a,b>d. a to d?` */
  question: string;
  edges: Array<[string, string]>;
  source: string;
  target: string;
  /** A shortest path from source to target (BFS, neighbours visited in alphabetical order). */
  path: string[];
  /** e.g. `a>b>d.` */
  cot: string;
  /** Number of edges of the shortest path. */
  answer: string;
}

/** Shortest path by BFS (neighbours in alphabetical order), or null when unreachable. */
export function shortestPath(edges: ReadonlyArray<readonly [string, string]>, source: string, target: string): string[] | null {
  const adj = new Map<string, string[]>();
  for (const [u, v] of edges) {
    if (!adj.has(u)) adj.set(u, []);
    adj.get(u)!.push(v);
  }
  for (const list of adj.values()) list.sort();
  const prev = new Map<string, string | null>([[source, null]]);
  const queue = [source];
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi]!;
    if (u === target) break;
    for (const v of adj.get(u) ?? []) {
      if (!prev.has(v)) {
        prev.set(v, u);
        queue.push(v);
      }
    }
  }
  if (!prev.has(target)) return null;
  const path: string[] = [];
  for (let x: string | null = target; x !== null; x = prev.get(x) ?? null) path.push(x);
  return path.reverse();
}

/** One reachability problem: a planted path from source to target plus random distractor edges. */
export function reachability(opts: ReachabilityOptions): ReachabilityProblem {
  checkInt('nodes', opts.nodes, 2, 26);
  checkInt('edges', opts.edges, 1, opts.nodes * (opts.nodes - 1));
  const maxPath = Math.min(opts.maxPathLength ?? 4, opts.nodes - 1, opts.edges);
  checkInt('maxPathLength', maxPath, 1);
  const rng = rngOf(opts.seed, opts.rng, 'reachability');
  const names = shuffle(LETTERS.slice(0, opts.nodes).split(''), rng);
  const len = randInt(rng, 1, maxPath);
  const planted = names.slice(0, len + 1);
  const source = planted[0]!;
  const target = planted[len]!;
  const key = (u: string, v: string) => `${u}>${v}`;
  const have = new Set<string>();
  const edges: Array<[string, string]> = [];
  for (let k = 0; k < len; k++) {
    edges.push([planted[k]!, planted[k + 1]!]);
    have.add(key(planted[k]!, planted[k + 1]!));
  }
  // Distractors: missing edges in a seeded random order. Unless `shortcuts` is set, an edge that would make
  // the target closer than the planted path is passed over, so the answer is the planted length and the
  // difficulty knob controls it. Enumerated, so there is no unbounded rejection loop.
  const missing: Array<[string, string]> = [];
  for (const u of names) for (const v of names) if (u !== v && !have.has(key(u, v))) missing.push([u, v]);
  const want = opts.edges - len;
  let added = 0;
  for (const e of shuffle(missing, rng)) {
    if (added >= want) break;
    if (!opts.shortcuts) {
      const p = shortestPath([...edges, e], source, target);
      if (p !== null && p.length - 1 < len) continue;
    }
    edges.push(e);
    added++;
  }
  if (added < want) {
    throw new Error(`reachability: only ${len + added} of ${opts.edges} edges fit without shortcutting a ${len}-edge path over ${opts.nodes} nodes; lower edges or pass shortcuts: true`);
  }
  const listed = shuffle(edges, rng);
  const path = shortestPath(listed, source, target)!;
  return {
    question: `${listed.map(([u, v]) => key(u, v)).join(',')}. ${source} to ${target}?`,
    edges: listed,
    source,
    target,
    path,
    cot: `${path.join('>')}.`,
    answer: String(path.length - 1),
  };
}

export interface ReachabilityDatasetOptions {
  n: number;
  seed: Seed;
  /** Difficulty knob d ≥ 1 (default 2): nodes = min(26, 3 + 2d), edges = 2·nodes − 2, maxPathLength = d + 1. Explicit options override it. */
  difficulty?: number;
  nodes?: number;
  edges?: number;
  maxPathLength?: number;
  shortcuts?: boolean;
  style?: SolutionStyle;
  unique?: boolean;
  exclude?: Iterable<string>;
  idPrefix?: string;
}

/** The problem options a difficulty level stands for, with overrides applied. */
export function reachabilitySettings(opts: Omit<ReachabilityDatasetOptions, 'n' | 'seed'> = {}): Omit<ReachabilityOptions, 'seed' | 'rng'> {
  const d = opts.difficulty ?? 2;
  checkInt('difficulty', d, 1, 1000);
  const nodes = opts.nodes ?? Math.min(26, 3 + 2 * d);
  const s: Omit<ReachabilityOptions, 'seed' | 'rng'> = {
    nodes,
    edges: opts.edges ?? Math.min(nodes * (nodes - 1), 2 * nodes - 2),
    maxPathLength: opts.maxPathLength ?? d + 1,
  };
  if (opts.shortcuts !== undefined) s.shortcuts = opts.shortcuts;
  return s;
}

/** `n` reachability examples: answer = shortest-path length, solution `a>b>d. The final answer is: \boxed{2}`. */
export function generateReachabilityDataset(opts: ReachabilityDatasetOptions): Example[] {
  const settings = reachabilitySettings(opts);
  const rng = makeRng(opts.seed);
  const style = opts.style ?? 'paper';
  const prefix = opts.idPrefix ?? 'reach';
  return drawExamples(opts.n, opts.unique ?? false, opts.exclude, 'generateReachabilityDataset', () => {
    const p = reachability({ ...settings, rng });
    return {
      id: '',
      question: p.question,
      answer: p.answer,
      solution: finishSolution(p.cot, p.answer, style),
      row: { task: 'reachability', question: p.question, cot: p.cot, answer: p.answer, source: p.source, target: p.target, path: p.path.join('') },
    };
  }).map((ex, k) => ({ ...ex, id: `${prefix}-${String(opts.seed)}-${k}` }));
}

// ---------------------------------------------------------------------------------------------------------
// Out-of-domain multiple-choice texts

/** ARC-like multiple-choice item. `answerKey` is the label (`A`, `B`, …) of `choices[answerIndex]`. */
export interface OodItem {
  id: string;
  question: string;
  choices: string[];
  answerKey: string;
  answerIndex: number;
  /** Which template made it. */
  template: string;
}

const ANIMALS = ['cat', 'dog', 'bird', 'fish', 'cow', 'fox', 'owl', 'bee'];
const PLACES = ['box', 'barn', 'tree', 'pond', 'park', 'house', 'field', 'cave'];
const COLOURS = ['red', 'blue', 'green', 'black', 'white', 'pink'];
const OBJECTS = ['ball', 'hat', 'cup', 'kite', 'sock', 'book'];
const WORDS = ['sun', 'moon', 'tree', 'river', 'apple', 'stone', 'cloud', 'garden', 'window', 'pencil'];
const LABELS = 'ABCDEFGH';
const OOD_TEMPLATE_TEXT = [
  'the  is in the . where is the ?',
  'the  has a  . what colour is the  of the ?',
  'which letter comes after ?',
  'which number is the largest?',
  'how many letters are in the word ?',
];

function pickDistinct<T>(rng: Rng, pool: readonly T[], k: number, must: T): T[] {
  const others = shuffle(
    pool.filter((x) => x !== must),
    rng,
  ).slice(0, k - 1);
  return shuffle([must, ...others], rng);
}

function oodItem(rng: Rng, id: string): OodItem {
  const t = Math.floor(rng() * 5);
  let question: string;
  let choices: string[];
  let correct: string;
  let template: string;
  if (t === 0) {
    const animal = ANIMALS[Math.floor(rng() * ANIMALS.length)]!;
    correct = PLACES[Math.floor(rng() * PLACES.length)]!;
    question = `the ${animal} is in the ${correct}. where is the ${animal}?`;
    choices = pickDistinct(rng, PLACES, 4, correct);
    template = 'location';
  } else if (t === 1) {
    const animal = ANIMALS[Math.floor(rng() * ANIMALS.length)]!;
    const obj = OBJECTS[Math.floor(rng() * OBJECTS.length)]!;
    correct = COLOURS[Math.floor(rng() * COLOURS.length)]!;
    question = `the ${animal} has a ${correct} ${obj}. what colour is the ${obj} of the ${animal}?`;
    choices = pickDistinct(rng, COLOURS, 4, correct);
    template = 'colour';
  } else if (t === 2) {
    const i = Math.floor(rng() * 25);
    correct = LETTERS[i + 1]!;
    question = `which letter comes after ${LETTERS[i]}?`;
    choices = pickDistinct(rng, LETTERS.split(''), 4, correct);
    template = 'successor';
  } else if (t === 3) {
    const nums = shuffle(
      Array.from({ length: 99 }, (_, k) => k + 1),
      rng,
    ).slice(0, 4);
    correct = String(Math.max(...nums));
    question = 'which number is the largest?';
    choices = nums.map(String);
    template = 'largest';
  } else {
    const word = WORDS[Math.floor(rng() * WORDS.length)]!;
    correct = String(word.length);
    question = `how many letters are in the word ${word}?`;
    const pool = ['2', '3', '4', '5', '6', '7', '8', '9'];
    choices = pickDistinct(rng, pool, 4, correct);
    template = 'count';
  }
  const answerIndex = choices.indexOf(correct);
  return { id, question, choices, answerKey: LABELS[answerIndex]!, answerIndex, template };
}

/**
 * `n` out-of-domain multiple-choice items (templated sentences about locations and colours, letter
 * successors, the largest number, word lengths), lower-case ASCII plus digits and `.?` — unrelated to the
 * training tasks, for per-token NLL of the correct answer and hard-greedy multiple-choice accuracy.
 */
export function oodTextSet(opts: { n: number; seed: Seed }): OodItem[] {
  checkInt('n', opts.n, 0);
  const rng = makeRng(opts.seed);
  return Array.from({ length: opts.n }, (_, k) => oodItem(rng, `ood-${String(opts.seed)}-${k}`));
}

// ---------------------------------------------------------------------------------------------------------
// Alphabets

export type SyntheticTask = 'arithmetic' | 'reachability' | 'ood' | 'all';

export interface AlphabetOptions {
  /** Prompt format(s) whose fixed strings are included (default: both synthetic formats, paper and r1, empty instruction). */
  format?: PromptFormat | PromptFormat[];
  /** Arithmetic: ops used (default + - *). */
  ops?: readonly ArithOp[];
  /** Arithmetic: include the ` mod N` question suffix (default false). */
  modulus?: boolean;
  /** Reachability: node count (default 26). */
  nodes?: number;
}

function formatChars(format: PromptFormat): string {
  // Everything a format adds around the task text: the prompt wrapper, stop, prefills, answer wrappers and
  // the synthetic solution endings of both styles.
  return (
    format.render('') +
    format.cotStop +
    format.prefillAfterStop +
    format.prefillAfterMaxLength +
    format.answerTarget('') +
    format.completionText('', '', '') +
    ' '
  );
}

/**
 * The set of characters (sorted by code point) that a synthetic task's texts use: prompt rendering, solution,
 * answer, answer target and prefills. Build a CharTokenizer from it; `'all'` covers every task and both styles.
 */
export function syntheticAlphabet(task: SyntheticTask, opts: AlphabetOptions = {}): string[] {
  const formats = opts.format === undefined ? [syntheticPromptFormat('paper'), syntheticPromptFormat('r1')] : Array.isArray(opts.format) ? opts.format : [opts.format];
  let s = formats.map(formatChars).join('');
  // Solution endings (finishSolution) of the styles the formats stand for (r1 for an 'r1' format, else paper).
  for (const f of formats) s += finishSolution('', '0123456789', f.name === 'r1' ? 'r1' : 'paper');
  const add = (t: SyntheticTask) => {
    if (t === 'arithmetic' || t === 'all') {
      s += '0123456789=. ' + (t === 'all' ? ARITH_OPS : (opts.ops ?? ARITH_OPS)).join('');
      if (opts.modulus || t === 'all') s += ' mod ';
    }
    if (t === 'reachability' || t === 'all') {
      s += LETTERS.slice(0, t === 'all' ? 26 : (opts.nodes ?? 26)) + '>,.? to 0123456789';
    }
    if (t === 'ood' || t === 'all') {
      s += OOD_TEMPLATE_TEXT.join(' ') + ANIMALS.join(' ') + PLACES.join(' ') + COLOURS.join(' ') + OBJECTS.join(' ') + WORDS.join(' ');
      s += LETTERS + '0123456789' + LABELS;
    }
  };
  add(task);
  return [...new Set([...s])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------
// Splits without overlap

/** Keeps the first example of each question. */
export function dedupeByQuestion<T extends { question: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((x) => (seen.has(x.question) ? false : (seen.add(x.question), true)));
}

/** Throws when a question appears in both parts. */
export function assertDisjoint(train: ReadonlyArray<{ question: string }>, test: ReadonlyArray<{ question: string }>): void {
  const q = new Set(train.map((x) => x.question));
  const dup = test.find((x) => q.has(x.question));
  if (dup) throw new Error(`train and test share the question "${dup.question}"`);
}

/** Dedupes by question, then splits by seed: train and test never share a question. */
export function syntheticSplit<T extends { question: string }>(
  items: readonly T[],
  opts: { testFraction?: number; testSize?: number; seed: Seed },
): { train: T[]; test: T[] } {
  const parts = split(dedupeByQuestion(items), opts);
  assertDisjoint(parts.train, parts.test);
  return parts;
}

/**
 * Disjoint train and test sets of a synthetic task: the test set is drawn first (unique questions), then the
 * training set excluding every test question (duplicates allowed within train unless `uniqueTrain`).
 */
export function generateSyntheticSplits(
  task: 'arithmetic' | 'reachability',
  opts: Omit<ArithmeticDatasetOptions & ReachabilityDatasetOptions, 'n' | 'unique' | 'exclude'> & { nTrain: number; nTest: number; uniqueTrain?: boolean },
): { train: Example[]; test: Example[] } {
  const { nTrain, nTest, uniqueTrain, ...rest } = opts;
  const gen = task === 'arithmetic' ? generateArithmeticDataset : generateReachabilityDataset;
  const test = gen({ ...rest, n: nTest, seed: `${String(opts.seed)}:test`, unique: true, idPrefix: `${rest.idPrefix ?? (task === 'arithmetic' ? 'arith' : 'reach')}-test` });
  const train = gen({
    ...rest,
    n: nTrain,
    seed: `${String(opts.seed)}:train`,
    unique: uniqueTrain ?? false,
    exclude: test.map((e) => e.question),
    idPrefix: `${rest.idPrefix ?? (task === 'arithmetic' ? 'arith' : 'reach')}-train`,
  });
  assertDisjoint(train, test);
  return { train, test };
}
