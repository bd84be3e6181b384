/**
 * Graph reachability: `a>b,b>c,c>d. a to d?`; CoT lists a shortest path `a>b>c>d.`; answer = its number of edges.
 */
import { makeRng, randInt, shuffle, type Rng, type Seed } from '../sampling';
import type { Example } from '../types';
import { checkInt, drawExamples, LETTERS, rngOf } from './draw';
import { finishSolution, type SolutionStyle } from './format';

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
