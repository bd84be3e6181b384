// The data of an experiment, rebuilt deterministically from its config (so a worker process needs only the config):
// the arithmetic problems (train / validation / test), the supervised mix, unrelated multiple-choice text for
// out-of-domain NLL, and a character tokenizer with the format's fixed phrases as single tokens.
import { CharTokenizer } from '@softcot/model';
import { generateSyntheticSplits, oodTextSet, syntheticAlphabet, syntheticPieces, syntheticPromptFormat, withLazySolutions, type Example, type PromptFormat } from '@softcot/data';
import { mcContext, mcItemsFromOod, type McItem } from '@softcot/eval';
import type { ExperimentConfig } from './config';

export interface ExperimentTask {
  format: PromptFormat;
  tokenizer: CharTokenizer;
  train: Example[];
  validation: Example[];
  test: Example[];
  /** The supervised data: the training problems with `lazyShare` of their solutions cut after the first step. */
  sftData: Example[];
  /** Unrelated (prompt, target) texts mixed into pretraining. */
  oodTrain: { prompt: string; target: string }[];
  /** Held-out unrelated multiple-choice items (OOD accuracy and answer NLL). */
  oodItems: McItem[];
}

export function buildTask(c: ExperimentConfig): ExperimentTask {
  const format = syntheticPromptFormat('paper');
  const seed = c.task.dataSeed;
  const splits = generateSyntheticSplits('arithmetic', {
    nTrain: c.task.trainProblems,
    nTest: c.task.testProblems + c.task.valProblems,
    seed,
    steps: c.task.steps,
    ops: c.task.ops,
  });
  const oodTrain = c.sft.oodTexts > 0 ? oodTextSet({ n: c.sft.oodTexts, seed: `${seed}:ood-pretrain` }).map((it) => ({ prompt: mcContext(it.question), target: ` ${it.choices[it.answerIndex]!}` })) : [];
  const oodItems = c.eval.oodItems > 0 ? mcItemsFromOod(oodTextSet({ n: c.eval.oodItems, seed: `${seed}:ood-eval` })) : [];
  // Characters, plus the format's fixed phrases as single tokens (the stop string is one CoT step, not 21).
  const tokenizer = new CharTokenizer(syntheticAlphabet(c.sft.oodTexts > 0 || c.eval.oodItems > 0 ? 'all' : 'arithmetic', { format, ops: c.task.ops }).join(''), { pieces: syntheticPieces(format) });
  return {
    format,
    tokenizer,
    train: splits.train,
    test: splits.test.slice(0, c.task.testProblems),
    validation: splits.test.slice(c.task.testProblems),
    sftData: withLazySolutions(splits.train, { share: c.task.lazyShare, seed }),
    oodTrain,
    oodItems,
  };
}
