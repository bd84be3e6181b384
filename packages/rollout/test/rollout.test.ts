import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initModel, makeConfigJson, parseModelConfig, type CausalLM, type Tokenizer } from '@softcot/model';
import { paperPrompt } from '@softcot/data';
import { COT_MODES, mixerFor, resolveCot } from '@softcot/mixer';
import { cotEnd, rollout } from '@softcot/rollout';
import { scriptedModel } from './scripted';

tf.setBackend('cpu');

/** A tokenizer with multi-character tokens, so stop strings span token boundaries. Longest match first. */
function pieceTokenizer(pieces: string[]): Tokenizer {
  const vocab = ['<pad>', '<eos>', ...pieces];
  const byLength = vocab.slice(2).map((p, i) => [p, i + 2] as const).sort((a, b) => b[0].length - a[0].length);
  return {
    vocabSize: vocab.length,
    bosTokenId: null,
    eosTokenId: 1,
    padTokenId: 0,
    stopTokenIds: [1],
    hasChatTemplate: false,
    encode(text: string) {
      const ids: number[] = [];
      let i = 0;
      while (i < text.length) {
        const hit = byLength.find(([p]) => text.startsWith(p, i));
        if (!hit) throw new Error(`pieceTokenizer: cannot encode ${JSON.stringify(text.slice(i))}`);
        ids.push(hit[1]);
        i += hit[0].length;
      }
      return ids;
    },
    decode: (ids: number[]) => ids.map((id) => (id < 2 ? '' : vocab[id])).join(''),
    idToToken: (id: number) => vocab[id],
    applyChatTemplate() {
      throw new Error('no chat template');
    },
    save() {
      throw new Error('pieceTokenizer is not saved');
    },
  } satisfies Tokenizer;
}

const PIECES = ['x', 'The fin', 'al ans', 'wer is', ': ', '\\boxed{', 'The final answer is: \\boxed{', '4', '2', '7', '}', 'User', 'Assistant', 'q', ' ', ':', '?'];

/** Scripts of pieces as token ids ('<eos>' is id 1). */
function pieceScripts(tok: Tokenizer, scripts: string[][]): number[][] {
  return scripts.map((s) => s.map((piece) => (piece === '<eos>' ? 1 : tok.encode(piece)[0]!)));
}

function tinyModelFor(vocab: number): CausalLM {
  return initModel(parseModelConfig(makeConfigJson('llama', { vocabSize: vocab, hiddenSize: 8, intermediateSize: 16, numLayers: 1, numHeads: 2 })), 5);
}

describe('rollout phases', () => {
  const tok = pieceTokenizer(PIECES);
  const format = paperPrompt({ instruction: '' });
  // Prompts "User: q Assistant:" all encode to the same width here.
  const width = () => tok.encode(format.render('q')).length;
  const I = '?'; // outputs read while a prefill token is fed: ignored by the engine

  for (const mode of COT_MODES) {
    it(`${mode}: stop string across tokens, max length, EOS, prefills and answers`, () => {
      const scripts = [
        // stop string split over four tokens, then one prefill token, then the answer "42}"
        ['x', 'The fin', 'al ans', 'wer is', ': ', I, '4', '2', '}'],
        // never stops: 5 CoT steps, then the one-token long prefill, then "7}"
        ['x', 'x', 'x', 'x', 'x', I, '7', '}'],
        // EOS inside the CoT ends it like the max length; the answer ends at EOS
        ['x', '<eos>', I, '<eos>'],
      ];
      const model = scriptedModel(tinyModelFor(tok.vocabSize), pieceScripts(tok, scripts), width);
      const policy = resolveCot({ mode, greedy: true });
      const out = rollout(model, tok, ['q', 'q', 'q'], { cot: policy, format, maxCotTokens: 5, maxAnswerTokens: 8, seed: 1 });
      expect(out[0]!.cotStop).toBe('stop-string');
      expect(out[0]!.cotText).toBe('xThe final answer is: ');
      expect(out[0]!.prefillText).toBe('\\boxed{');
      expect(out[0]!.answerText).toBe('42}');
      expect(out[0]!.answerStop).toBe('complete');
      expect(out[0]!.completion).toBe('xThe final answer is: \\boxed{42}');

      expect(out[1]!.cotStop).toBe('max-length');
      expect(out[1]!.cotTokens.length).toBe(5);
      expect(out[1]!.prefillText).toBe('The final answer is: \\boxed{');
      expect(out[1]!.completion).toBe('xxxxxThe final answer is: \\boxed{7}');

      expect(out[2]!.cotStop).toBe('eos');
      expect(out[2]!.answerStop).toBe('eos');
      expect(out[2]!.answerText).toBe('');

      const d = model.config.hiddenSize;
      for (const t of out) {
        expect(t.entropies.length).toBe(t.cotTokens.length);
        expect(t.cot.steps).toBe(t.cotTokens.length);
        const widths = mixerFor(policy).widths(policy, d);
        expect(t.cot.ids.length).toBe(t.cotTokens.length * widths.ids);
        expect(t.cot.values.length).toBe(t.cotTokens.length * widths.values);
        if (mode === 'hard') expect(Array.from(t.cot.ids)).toEqual(t.cotTokens);
      }
    });
  }

  it('the stop check works on decoded text, not on token ids', () => {
    const stop = 'The final answer is: ';
    const ids = tok.encode('xThe final answer is: ');
    expect(ids.length).toBe(5); // x | The fin | al ans | wer is | ': '
    const reason = (ids: number[], max: number) => cotEnd(ids, ids.at(-1)!, new Set([1]), tok, stop, max)?.reason ?? null;
    expect(reason(ids, 100)).toBe('stop-string');
    expect(reason(ids.slice(0, 4), 100)).toBeNull();
    expect(reason(ids.slice(0, 4), 4)).toBe('max-length');
    expect(cotEnd([2, 1], 1, new Set([1]), tok, stop, 100)?.reason).toBe('eos');
  });

  it('skipAnswer stops after the CoT and records the prefill for likelihood scoring', () => {
    const model = scriptedModel(tinyModelFor(tok.vocabSize), pieceScripts(tok, [['x', 'The fin', 'al ans', 'wer is', ': ']]), width);
    const [t] = rollout(model, tok, ['q'], { cot: resolveCot({ mode: 'soft', greedy: true }), format, maxCotTokens: 10, skipAnswer: true, seed: 1 });
    expect(t!.cotStop).toBe('stop-string');
    expect(t!.prefillIds).toEqual(tok.encode('\\boxed{'));
    expect(t!.answerIds).toEqual([]);
    expect(t!.answerStop).toBe('skipped');
  });
});

describe('rollout determinism and soft inputs', () => {
  const tok = new CharTokenizer('0123456789+-*= :.{}\\ATUabdefhilnorstwx');
  const format = paperPrompt({ instruction: '' });
  const model = initModel(parseModelConfig(makeConfigJson('qwen2', { vocabSize: tok.vocabSize, hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, tieWordEmbeddings: true })), 9);
  for (const [, v] of model.params) v.assign(tf.mul(v, 20));

  for (const mode of COT_MODES)
    it(`${mode}: one seed fixes sampling and noise; another seed changes them`, () => {
      const cot = resolveCot({ mode, ...(mode === 'soft' || mode === 'fuzzy' ? { sigma: 0.1 } : {}) });
      const run = (seed: number) => rollout(model, tok, ['1+2', '3+4', '5-1', '6+2'], { cot, format, maxCotTokens: 5, answer: { greedy: false }, seed });
      const record = (ts: ReturnType<typeof run>) => ts.map((t) => [Array.from(t.cot.ids), Array.from(t.cot.values), t.answerIds]);
      const a = run(1);
      expect(record(run(1))).toEqual(record(a));
      expect(record(run(2))).not.toEqual(record(a));
    });

  it('greedy soft inputs are exactly the mixtures p·E (σ = 0)', () => {
    const [t] = rollout(model, tok, ['1+2'], { cot: resolveCot({ mode: 'soft', greedy: true }), format, maxCotTokens: 1, seed: 1 });
    const ids = tok.encode(format.render('1+2'));
    const expected = tf.tidy(() => {
      const logits = model.forward({ inputIds: tf.tensor2d([ids], undefined, 'int32'), logits: 'last' }).logits!.reshape([1, tok.vocabSize]);
      return tf.matMul(tf.softmax(tf.div(logits, 0.5)), model.embeddingMatrix).dataSync();
    });
    const got = t!.cot.values;
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
  });
});
