// Train/test splits of synthetic tasks that never share a question.
import type { Seed } from '@softcot/base';
import { split } from '../sampling';
import type { Example } from '../types';
import { generateArithmeticDataset, type ArithmeticDatasetOptions } from './arithmetic';

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
 * Disjoint train and test sets of the arithmetic task: the test set is drawn first (unique questions), then the
 * training set excluding every test question (duplicates allowed within train unless `uniqueTrain`).
 */
export function generateSyntheticSplits(
  task: 'arithmetic',
  opts: Omit<ArithmeticDatasetOptions, 'n' | 'unique' | 'exclude'> & { nTrain: number; nTest: number; uniqueTrain?: boolean },
): { train: Example[]; test: Example[] } {
  if (task !== 'arithmetic') throw new Error(`generateSyntheticSplits: unknown task ${JSON.stringify(task)} (arithmetic)`);
  const { nTrain, nTest, uniqueTrain, ...rest } = opts;
  const prefix = rest.idPrefix ?? 'arith';
  const test = generateArithmeticDataset({ ...rest, n: nTest, seed: `${String(opts.seed)}:test`, unique: true, idPrefix: `${prefix}-test` });
  const train = generateArithmeticDataset({
    ...rest,
    n: nTrain,
    seed: `${String(opts.seed)}:train`,
    unique: uniqueTrain ?? false,
    exclude: test.map((e) => e.question),
    idPrefix: `${prefix}-train`,
  });
  assertDisjoint(train, test);
  return { train, test };
}
