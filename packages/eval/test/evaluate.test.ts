import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initModel, makeConfigJson, parseModelConfig, type CausalLM } from '@softcot/model';
import { syntheticAlphabet, syntheticPieces, syntheticPromptFormat, type Example } from '@softcot/data';
import { ALL_SETTINGS, evaluate, meanPassAtK, parseSettings, pass1Scorer, summaryTable, SIX_SETTINGS } from '../src';

tf.setBackend('cpu');

// The paper format, with a prefill after the maximum CoT length whose last token (a space) differs from the one after
// the stop string (the `\\boxed{` piece), so the answer can depend on how the CoT ended.
const format = { ...syntheticPromptFormat('paper'), prefillAfterMaxLength: '\\boxed{ ' };
const tokenizer = new CharTokenizer(syntheticAlphabet('arithmetic', { format }).join(''), { pieces: syntheticPieces(format) });
const id = (text: string) => {
  const ids = tokenizer.encode(text, { addSpecialTokens: false });
  return ids[ids.length - 1]!;
};

/**
 * A bigram machine: every layer's output projection is zero and the embeddings are one-hot, so the logits after
 * token x are lm_head[:, x]·√d: the next token is a fixed function of the current one. After the prompt it writes
 * the CoT stop string (one token); the prefill follows, then it answers 7 and closes the box. With `coin`, the first
 * CoT token is the stop string or `x` with equal logits; `x` repeats until the maximum CoT length, whose prefill
 * ends in a space, after which it answers 8: a sampled CoT answers 7 or 8 with probability ½ each.
 */
function bigramModel(coin: boolean): CausalLM {
  const V = tokenizer.vocabSize;
  const d = 4 * Math.ceil((V + 1) / 4);
  const config = parseModelConfig(makeConfigJson('llama', { vocabSize: V, hiddenSize: d, intermediateSize: 8, numLayers: 1, numHeads: 2, numKvHeads: 1, tieWordEmbeddings: false }));
  const model = initModel(config, 1);
  const stop = tokenizer.encode(format.cotStop, { addSpecialTokens: false });
  const prefill = tokenizer.encode(format.prefillAfterStop, { addSpecialTokens: false });
  expect(stop).toHaveLength(1); // the stop string is a piece: one CoT step
  const next = new Map<number, number[]>([
    [id(format.render('1+2')), coin ? [stop[0]!, id('x')] : stop],
    [prefill.at(-1)!, [id('7')]],
    [id('x'), [id('x')]],
    [id(format.prefillAfterMaxLength), [id('8')]],
    [id('7'), [id('}')]],
    [id('8'), [id('}')]],
  ]);
  expect(next.size).toBe(6); // the six roles are six distinct tokens
  const E = new Float32Array(V * d);
  for (let x = 0; x < V; x++) E[x * d + x] = 1;
  const W = new Float32Array(V * d);
  for (const [x, ys] of next) for (const y of ys) W[y * d + x] = 5; // logit 5·√d ≈ 35 against 0: no other token is ever drawn
  model.params.get('model.embed_tokens.weight')!.assign(tf.tensor2d(E, [V, d]));
  model.params.get('lm_head.weight')!.assign(tf.tensor2d(W, [V, d]));
  for (const name of ['model.layers.0.self_attn.o_proj.weight', 'model.layers.0.mlp.down_proj.weight']) {
    const v = model.params.get(name)!;
    v.assign(tf.zerosLike(v));
  }
  return model;
}

const examples: Example[] = [
  { id: 'a', question: '1+2', answer: '7', row: {} },
  { id: 'b', question: '1+2', answer: '8', row: {} },
  { id: 'c', question: '1+2', answer: '7.0', row: {} },
];

describe('evaluate', () => {
  it('grades every setting: the answers the model writes are scored against the references', async () => {
    const model = bigramModel(false);
    const progress: number[] = [];
    const r = await evaluate(model, tokenizer, examples, { format, samples: 4, ks: [1, 2, 4], maxCotTokens: 8, maxAnswerTokens: 4, onProgress: (done, total) => progress.push(done / total) });
    // By default every CoT mode, greedy and sampled.
    expect(r.summaries.map((s) => s.setting)).toEqual(ALL_SETTINGS.map((x) => `${x.mode} ${x.greedy ? 'greedy' : 'sample'}`));
    for (const s of r.summaries) {
      // Always answers 7: right for "7" and the equivalent "7.0", wrong for "8".
      expect(s.pass1, s.setting).toBeCloseTo(2 / 3, 12);
      expect(s.samplesPerProblem).toBe(s.greedy ? 1 : 4);
      expect(s.passAtK[1]).toBeCloseTo(2 / 3, 12);
      if (!s.greedy) expect(s.passAtK[4]).toBeCloseTo(2 / 3, 12);
      expect(s.meanCotLength).toBe(1);
      expect(s.stopReasons).toEqual({ 'stop-string': 3 * s.samplesPerProblem });
      expect(s.entropyByPosition).toHaveLength(1);
    }
    const first = r.problems.find((p) => p.setting === 'hard greedy' && p.id === 'a')!;
    expect(first.samples[0]).toMatchObject({ extracted: '7', correct: true, cotLength: 1, cotStop: 'stop-string' });
    expect(first.samples[0]!.completion).toContain('\\boxed{7}');
    expect(r.problems.find((p) => p.setting === 'hard greedy' && p.id === 'b')!.correct).toBe(0);
    expect(progress.at(-1)).toBe(1);
    model.dispose();
  });

  it('sampled settings: pass@k is the unbiased estimate from the per-problem counts, reproducible by seed', async () => {
    const model = bigramModel(true);
    const run = (seed: number) => evaluate(model, tokenizer, examples.slice(0, 2), { format, settings: parseSettings('hard-sample,hard-greedy'), samples: 8, ks: [1, 2, 8], maxCotTokens: 3, maxAnswerTokens: 4, seed });
    const r = await run(3);
    const sampled = r.summaries[0]!;
    const counts = r.problems.filter((p) => p.setting === 'hard sample').map((p) => ({ n: p.samples.length, c: p.correct }));
    expect(counts.map((c) => c.n)).toEqual([8, 8]);
    // A fair coin between 7 and 8 for each sample: both problems get some right and some wrong (seed 3).
    for (const c of counts) expect(c.c > 0 && c.c < 8, JSON.stringify(counts)).toBe(true);
    expect(sampled.pass1).toBeCloseTo((counts[0]!.c + counts[1]!.c) / 16, 12);
    expect(sampled.passAtK[2]).toBeGreaterThan(sampled.pass1);
    expect(sampled.passAtK).toEqual(meanPassAtK(counts, [1, 2, 8]));
    expect(sampled.passAtK[8]).toBe(1); // each problem got its answer at least once
    expect(new Set(r.problems.flatMap((p) => p.samples.map((x) => x.cotStop)))).toEqual(new Set(['stop-string', 'max-length']));
    // Greedy takes the first of the two tied tokens every time: one answer for both problems, right for one.
    expect(r.summaries[1]!.pass1).toBe(0.5);
    expect(await run(3)).toEqual(r);
    const other = await run(4);
    expect(other.problems.map((p) => p.samples.map((s) => s.extracted))).not.toEqual(r.problems.map((p) => p.samples.map((s) => s.extracted)));
    model.dispose();
  });

  it('pass1Scorer scores one setting; bad input is refused', async () => {
    const model = bigramModel(false);
    expect(await pass1Scorer(tokenizer, examples, { format, maxCotTokens: 8, maxAnswerTokens: 4 })(model)).toBeCloseTo(2 / 3, 12);
    await expect(evaluate(model, tokenizer, [], { format })).rejects.toThrow(/no examples/);
    expect(() => parseSettings('hard-greedy,warm-sample')).toThrow(/invalid inference setting "warm-sample"/);
    expect(parseSettings('all')).toEqual(ALL_SETTINGS);
    expect(parseSettings('paper')).toEqual(SIX_SETTINGS);
    model.dispose();
  });

  it('summaryTable shows pass@k only for sampled settings', async () => {
    const model = bigramModel(false);
    const r = await evaluate(model, tokenizer, examples, { format, settings: parseSettings('hard-greedy,soft-sample'), samples: 2, ks: [1, 2], maxCotTokens: 8, maxAnswerTokens: 4 });
    const table = summaryTable(r.summaries, [1, 2]).split('\n');
    expect(table[0]).toBe('| setting | pass@1 | pass@2 | CoT length | stops |');
    expect(table[2]).toBe('| hard greedy | 66.7 |  | 1.0 | stop-string 3 |');
    expect(table[3]).toBe('| soft sample | 66.7 | 66.7 | 1.0 | stop-string 6 |');
    model.dispose();
  });
});
