import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, initModel, makeConfigJson, parseModelConfig, useBackend, type CausalLM } from '@softcot/model';
import { oodTextSet } from '@softcot/data';
import { continuationLogprobs, detectMcKind, evaluateOod, loadMcItems, mcContext, mcItemFromRow, mcItemsFromOod, scoreMcItem } from '../src/ood';

const ALPHABET = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const tok = new CharTokenizer(ALPHABET);

function tinyModel(seed: number, tie = true): CausalLM {
  const cfg = parseModelConfig(
    makeConfigJson('llama', { vocabSize: tok.vocabSize, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: tie }),
  );
  return initModel(cfg, seed);
}

/** Direct log p(cont | ctx) from one unpadded forward pass over ctx ++ cont. */
function directLogprob(model: CausalLM, ctx: string, cont: string): { sum: number; n: number } {
  const a = tok.encode(ctx);
  const b = tok.encode(cont, { addSpecialTokens: false });
  const ids = [...a, ...b];
  const logits = tf.tidy(() => tf.logSoftmax(model.forward({ inputIds: tf.tensor2d([ids], [1, ids.length], 'int32') }).logits!).arraySync()[0]!);
  let sum = 0;
  b.forEach((t, j) => (sum += logits[a.length - 1 + j]![t]!));
  return { sum, n: b.length };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('row formats', () => {
  it('HellaSwag rows (ctx or ctx_a/ctx_b, string or int label)', () => {
    const row = { ind: 4, activity_label: 'Baking', ctx_a: 'She mixes the flour.', ctx_b: 'then she', endings: ['bakes it.', 'swims.', 'flies.', 'sings.'], label: '0' };
    expect(detectMcKind(row)).toBe('hellaswag');
    const it = mcItemFromRow(row, 'auto', 'x');
    expect(it).toEqual({ id: '4', kind: 'hellaswag', context: 'Baking: She mixes the flour. Then she', continuations: [' bakes it.', ' swims.', ' flies.', ' sings.'], answer: 0 });
    expect(mcItemFromRow({ ctx: 'A man', endings: ['a', 'b'], label: 1 }, 'hellaswag', 'y').answer).toBe(1);
  });

  it('ARC rows (choices object with labels, numeric keys) and MMLU rows (index or letter)', () => {
    const arc = { id: 'Mercury_1', question: 'What is hot?', choices: { text: ['ice', 'fire', 'snow'], label: ['A', 'B', 'C'] }, answerKey: 'B' };
    expect(detectMcKind(arc)).toBe('arc');
    expect(mcItemFromRow(arc, 'auto', 'x')).toMatchObject({ id: 'Mercury_1', kind: 'arc', context: mcContext('What is hot?'), continuations: [' ice', ' fire', ' snow'], answer: 1 });
    expect(mcItemFromRow({ ...arc, choices: { text: ['a', 'b', 'c'], label: ['1', '2', '3'] }, answerKey: '3' }, 'auto', 'x').answer).toBe(2);
    expect(mcItemFromRow({ question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 3 }, 'auto', 'x')).toMatchObject({ kind: 'mmlu', answer: 3 });
    expect(mcItemFromRow({ question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 'C' }, 'mmlu', 'x').answer).toBe(2);
  });

  it('synthetic oodTextSet items', () => {
    const items = oodTextSet({ n: 4, seed: 1 });
    expect(detectMcKind(items[0] as unknown as Record<string, unknown>)).toBe('synthetic');
    const fromRows = items.map((r) => mcItemFromRow(r as unknown as Record<string, unknown>, 'auto', 'x'));
    expect(fromRows).toEqual(mcItemsFromOod(items));
  });

  it('errors name the file, line and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ood-'));
    const f = path.join(dir, 'arc.jsonl');
    fs.writeFileSync(f, JSON.stringify({ question: 'q', choices: { text: ['a', 'b'], label: ['A', 'B'] }, answerKey: 'A' }) + '\n' + JSON.stringify({ question: 'q', choices: { text: ['a', 'b'], label: ['A', 'B'] }, answerKey: 'E' }) + '\n');
    expect(() => loadMcItems(f)).toThrow(`${f}:2: field "answerKey": "E" is not one of the option labels ["A","B"]`);
    fs.writeFileSync(f, JSON.stringify({ ctx: 'c', endings: ['x'], label: 0 }) + '\n');
    expect(() => loadMcItems(f)).toThrow(`${f}:1: field "endings": must be a list of at least 2 option texts`);
    fs.writeFileSync(f, JSON.stringify({ question: 'q', choices: ['a', 'b'], answer: 5 }) + '\n');
    expect(() => loadMcItems(f)).toThrow(`${f}:1: field "answer": index 5 is out of range (2 options)`);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('scoring', () => {
  it('batched, right-padded option scores equal a direct unpadded computation', () => {
    const model = tinyModel(5);
    const ctx = mcContext('which letter comes after c?');
    const opts = [' d', ' zz', ' a longer option'];
    const got = continuationLogprobs(model, tok, ctx, opts);
    opts.forEach((o, i) => {
      const d = directLogprob(model, ctx, o);
      expect(got[i]).toHaveLength(d.n);
      expect(got[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(d.sum, 4);
    });
    const s = scoreMcItem(model, tok, { id: 'i', kind: 'arc', context: ctx, continuations: opts, answer: 2 });
    const d2 = directLogprob(model, ctx, opts[2]!);
    expect(s.answerNll).toBeCloseTo(-d2.sum / d2.n, 5);
    expect(s.tokens).toEqual([2, 3, 16]);
    model.dispose();
  });

  it('a model biased to one character picks the option made of it, with the exact NLL', () => {
    // Untied model whose residual stream is a constant e at every position (every embedding row is e; attention
    // and MLP outputs are zeroed), and whose LM head row for "a" is s·e/|e|: logits are s·|e|-ish for "a", 0 else.
    const model = tinyModel(7, false);
    const d = model.config.hiddenSize;
    const V = model.config.vocabSize;
    const e = Array.from({ length: d }, (_, i) => (i % 2 ? 1 : -1) * (1 + i / d));
    const set = (name: string, t: tf.Tensor) => {
      model.params.get(name)!.assign(t);
      t.dispose();
    };
    set('model.embed_tokens.weight', tf.tile(tf.tensor2d([e]), [V, 1]));
    for (let l = 0; l < model.config.numLayers; l++) {
      set(`model.layers.${l}.self_attn.o_proj.weight`, tf.zerosLike(model.params.get(`model.layers.${l}.self_attn.o_proj.weight`)!));
      set(`model.layers.${l}.mlp.down_proj.weight`, tf.zerosLike(model.params.get(`model.layers.${l}.mlp.down_proj.weight`)!));
    }
    const aId = tok.encode('a', { addSpecialTokens: false })[0]!;
    const rms = Math.sqrt(e.reduce((acc, x) => acc + x * x, 0) / d);
    const normed = e.map((x) => x / Math.sqrt(rms * rms + 1e-6));
    const scale = 2;
    const head = new Float32Array(V * d);
    normed.forEach((x, j) => (head[aId * d + j] = (scale * x) / normed.reduce((a, y) => a + y * y, 0)));
    set('lm_head.weight', tf.tensor2d(head, [V, d]));
    // logit("a") = scale, every other logit 0.
    const logpA = scale - Math.log(Math.exp(scale) + V - 1);
    const logpOther = -Math.log(Math.exp(scale) + V - 1);

    const items = [
      { id: '1', kind: 'arc' as const, context: mcContext('pick one'), continuations: [' bbb', ' aaa', ' ccc'], answer: 0 },
      { id: '2', kind: 'arc' as const, context: mcContext('again'), continuations: [' aaa', ' bbb'], answer: 0 },
    ];
    const res = evaluateOod(model, tok, items);
    expect(res.scores.map((s) => s.pred)).toEqual([1, 0]);
    expect(res.summary.accuracy).toBe(0.5);
    // Correct option of item 1 is " bbb" (4 tokens, none of them "a"); of item 2 " aaa" (space + 3 × "a").
    expect(res.scores[0]!.answerNll).toBeCloseTo(-logpOther, 4);
    expect(res.scores[1]!.answerNll).toBeCloseTo(-(logpOther + 3 * logpA) / 4, 4);
    expect(res.summary.answerNll).toBeCloseTo((res.scores[0]!.answerNll + res.scores[1]!.answerNll) / 2, 6);
    expect(res.summary.answerNllTokenWeighted).toBeCloseTo((4 * res.scores[0]!.answerNll + 4 * res.scores[1]!.answerNll) / 8, 6);
    model.dispose();
  });
});
