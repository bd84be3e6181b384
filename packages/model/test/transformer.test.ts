import { describe, expect, it, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { makeConfigJson, parseModelConfig, type ModelType } from '../src/config';
import { initModel } from '../src/model-folder';
import { attention, rmsNorm, type CausalLM } from '../src/transformer';
import { applyRope, ropeInverseFrequencies, ropeTables } from '../src/rope';
import { greedyGenerate, argmax } from '../src/generate';

tf.setBackend('cpu');

function tinyConfig(type: ModelType, extra: Record<string, unknown> = {}) {
  return parseModelConfig({
    ...makeConfigJson(type, {
      vocabSize: 37,
      hiddenSize: 32,
      intermediateSize: 48,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      headDim: 8,
      tieWordEmbeddings: type === 'qwen2',
    }),
    ...extra,
  });
}

/** Give every bias and norm weight non-trivial values, so the test exercises them. */
function perturbNonMatrixParams(model: CausalLM, seed: number) {
  let i = 0;
  for (const [name, v] of model.params) {
    if (name.endsWith('.bias') || name.includes('norm')) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', seed + i++)));
  }
}

/** Full-forward greedy decoding: recompute the whole sequence at every step (no cache). */
function fullForwardGreedy(model: CausalLM, prompts: number[][], steps: number) {
  const width = Math.max(...prompts.map((p) => p.length));
  const seqs = prompts.map((p) => [...new Array(width - p.length).fill(0), ...p]);
  const masks = prompts.map((p) => [...new Array(width - p.length).fill(0), ...new Array(p.length).fill(1)]);
  const tokens: number[][] = prompts.map(() => []);
  const logits: Float32Array[][] = prompts.map(() => []);
  for (let s = 0; s < steps; s++) {
    const last = tf.tidy(() => {
      const out = model.forward({ inputIds: tf.tensor2d(seqs, undefined, 'int32'), attentionMask: masks, logits: 'last' });
      return out.logits!;
    });
    const values = last.dataSync() as Float32Array;
    last.dispose();
    const V = model.config.vocabSize;
    prompts.forEach((_, b) => {
      const row = values.slice(b * V, (b + 1) * V);
      const t = argmax(row);
      tokens[b]!.push(t);
      logits[b]!.push(row);
      seqs[b]!.push(t);
      masks[b]!.push(1);
    });
  }
  return { tokens, logits };
}

const families: ModelType[] = ['llama', 'qwen2', 'qwen3'];
const models: CausalLM[] = [];
afterAll(() => models.forEach((m) => m.dispose()));

describe.each(families)('%s family', (type) => {
  const model = initModel(tinyConfig(type, type === 'llama' ? { attention_bias: true, mlp_bias: true } : {}), 7);
  models.push(model);
  // Random init with std 0.02 gives nearly uniform logits; scale up so argmax is decisive and errors show.
  for (const [name, v] of model.params) if (!name.includes('norm')) v.assign(v.mul(25));
  perturbNonMatrixParams(model, 100);

  it('has the family-specific parameters', () => {
    const names = [...model.params.keys()];
    expect(names.some((n) => n.includes('q_proj.bias'))).toBe(type !== 'qwen3');
    expect(names.some((n) => n.includes('q_norm'))).toBe(type === 'qwen3');
    expect(names.includes('lm_head.weight')).toBe(type !== 'qwen2');
  });

  it('KV-cached greedy decoding equals full-forward decoding, batched prompts of different lengths', () => {
    const prompts = [[3, 5, 7, 11, 2, 9], [1, 4], [8, 8, 30, 2]];
    const steps = 8;
    const cached = greedyGenerate(model, prompts, steps, { keepLogits: true });
    const full = fullForwardGreedy(model, prompts, steps);
    expect(cached.tokens).toEqual(full.tokens);
    let maxDiff = 0;
    for (let b = 0; b < prompts.length; b++)
      for (let s = 0; s < steps; s++)
        for (let v = 0; v < model.config.vocabSize; v++)
          maxDiff = Math.max(maxDiff, Math.abs(cached.logits![b]![s]![v]! - full.logits[b]![s]![v]!));
    expect(maxDiff).toBeLessThan(1e-4);
    // The test must be able to fail: decoding should not be degenerate.
    expect(new Set(full.tokens.flat()).size).toBeGreaterThan(2);
  });

  it('left padding does not change the logits of the real tokens', () => {
    const prompt = [4, 9, 16, 25];
    const [alone, padded] = tf.tidy(() => {
      const a = model.forward({ inputIds: tf.tensor2d([prompt], undefined, 'int32') }).logits!;
      const p = model.forward({ inputIds: tf.tensor2d([[0, 0, 0, ...prompt]], undefined, 'int32'), attentionMask: [[0, 0, 0, 1, 1, 1, 1]] }).logits!;
      return [a.arraySync()[0]!, p.arraySync()[0]!.slice(3)];
    });
    expect(maxAbsDiff(alone.flat(), padded.flat())).toBeLessThan(1e-4);
  });

  it('feeding E[ids] as input embeddings gives the same logits as feeding ids, also per row mixed', () => {
    const ids = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]], undefined, 'int32');
    const { viaIds, viaEmbeds, mixed, other } = tf.tidy(() => {
      const viaIds = model.forward({ inputIds: ids }).logits!.arraySync();
      const viaEmbeds = model.forward({ inputEmbeds: model.embed(ids) }).logits!.arraySync();
      // Row 0 feeds embeddings of different tokens at positions 2..3; row 1 feeds ids only.
      const otherIds = tf.tensor2d([[1, 2, 20, 21], [5, 6, 7, 8]], undefined, 'int32');
      const mixed = model
        .forward({ inputIds: ids, inputEmbeds: model.embed(otherIds), useEmbeds: tf.tensor2d([[0, 0, 1, 1], [0, 0, 0, 0]]) })
        .logits!.arraySync();
      const other = model.forward({ inputIds: otherIds }).logits!.arraySync();
      return { viaIds, viaEmbeds, mixed, other };
    });
    ids.dispose();
    expect(maxAbsDiff(viaIds.flat(2), viaEmbeds.flat(2))).toBeLessThan(1e-5);
    expect(maxAbsDiff(mixed[0]!.flat(), other[0]!.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(mixed[1]!.flat(), viaIds[1]!.flat())).toBeLessThan(1e-5);
    expect(maxAbsDiff(mixed[0]!.flat(), viaIds[0]!.flat())).toBeGreaterThan(1e-3);
  });
});

describe('RoPE', () => {
  it('default inverse frequencies are theta^(-2i/d)', () => {
    expect(Array.from(ropeInverseFrequencies(4, 10000, { type: 'default' }))).toEqual([1, 0.01]);
    expect(Array.from(ropeInverseFrequencies(4, 10000, { type: 'linear', factor: 4 }))).toEqual([0.25, 0.0025]);
  });

  it('llama3 scaling keeps high, divides low and interpolates middle frequencies', () => {
    // head_dim 8, theta 100: inv = [1, 0.316.., 0.1, 0.0316..]; wavelengths 2π/inv = [6.28, 19.87, 62.8, 198.7].
    // old ctx 128, low_freq_factor 1 -> low wavelen 128; high_freq_factor 4 -> high wavelen 32.
    const scaling = { type: 'llama3' as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 128 };
    const inv = ropeInverseFrequencies(8, 100, scaling);
    const base = [1, Math.pow(100, -0.25), 0.1, Math.pow(100, -0.75)];
    expect(inv[0]).toBeCloseTo(base[0]!, 12); // wavelen 6.28 < 32: unchanged
    expect(inv[1]).toBeCloseTo(base[1]!, 12); // 19.9 < 32: unchanged
    const wl = (2 * Math.PI) / base[2]!; // 62.8: between 32 and 128 -> smoothed
    const smooth = (128 / wl - 1) / (4 - 1);
    expect(inv[2]).toBeCloseTo((1 - smooth) * (base[2]! / 8) + smooth * base[2]!, 12);
    expect(inv[3]).toBeCloseTo(base[3]! / 8, 12); // 198.7 > 128: divided by factor
  });

  it('rotates pairs (i, i + d/2) by position * inv_freq (rotate-half layout)', () => {
    const inv = ropeInverseFrequencies(4, 10000, { type: 'default' });
    const { cos, sin } = ropeTables(Int32Array.from([0, 3]), 1, 2, inv);
    const x = tf.tensor4d([1, 2, 3, 4, 1, 2, 3, 4], [1, 1, 2, 4]);
    const y = applyRope(x, cos, sin).arraySync()[0]![0]!;
    expect(y[0]).toEqual([1, 2, 3, 4]); // position 0: identity
    const a0 = 3 * 1;
    const a1 = 3 * 0.01;
    const want = [
      1 * Math.cos(a0) - 3 * Math.sin(a0),
      2 * Math.cos(a1) - 4 * Math.sin(a1),
      3 * Math.cos(a0) + 1 * Math.sin(a0),
      4 * Math.cos(a1) + 2 * Math.sin(a1),
    ];
    y[1]!.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });
});

describe('RMSNorm and grouped-query attention', () => {
  it('RMSNorm matches a hand computation', () => {
    const y = rmsNorm(tf.tensor2d([[3, 4]]), tf.tensor1d([2, 0.5]), 1e-6).arraySync()[0]!;
    const rms = Math.sqrt((9 + 16) / 2 + 1e-6);
    expect(y[0]).toBeCloseTo((3 / rms) * 2, 6);
    expect(y[1]).toBeCloseTo((4 / rms) * 0.5, 6);
  });

  it("RMSNorm's written-out gradient equals autodiff of the plain formula (2-D, and 4-D with a per-head weight)", () => {
    const plain = (x: tf.Tensor, w: tf.Tensor) => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-5))), w);
    for (const [shape, wShape] of [[[3, 8], [8]], [[2, 3, 4, 6], [6]]] as const) {
      const x = tf.randomNormal([...shape], 0, 2, 'float32', 1);
      const w = tf.randomNormal([...wShape], 1, 0.3, 'float32', 2);
      const dy = tf.randomNormal([...shape], 0, 1, 'float32', 3);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a, b, 1e-5), dy)))([x, w]);
      const [hx, hw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(plain(a, b), dy)))([x, w]);
      expect(maxAbsDiff(Array.from(gx!.dataSync()), Array.from(hx!.dataSync()))).toBeLessThan(1e-5);
      expect(maxAbsDiff(Array.from(gw!.dataSync()), Array.from(hw!.dataSync()))).toBeLessThan(1e-4);
      expect(Array.from(rmsNorm(x, w, 1e-5).dataSync())).toEqual(Array.from(plain(x, w).dataSync()));
    }
  });

  it('GQA equals attention with each kv head repeated for its query group', () => {
    const [B, H, Hkv, T, D] = [2, 4, 2, 3, 2];
    const q = tf.randomNormal([B, H, T, D], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([B, Hkv, T, D], 0, 1, 'float32', 2) as tf.Tensor4D;
    const v = tf.randomNormal([B, Hkv, T, D], 0, 1, 'float32', 3) as tf.Tensor4D;
    const causal: number[] = [];
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) causal.push(j <= i ? 0 : -1e9);
    const mask = tf.tensor4d([...causal, ...causal], [B, 1, T, T]);
    const got = attention(q, k, v, mask, Hkv).arraySync();
    const [qa, ka, va] = [q.arraySync(), k.arraySync(), v.arraySync()];
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / Hkv)); // transformers' repeat_kv: head h uses kv head h // group
        for (let i = 0; i < T; i++) {
          const scores = [];
          for (let j = 0; j <= i; j++) scores.push(qa[b]![h]![i]!.reduce((s, x, d) => s + x * ka[b]![kvh]![j]![d]!, 0) / Math.sqrt(D));
          const m = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - m));
          const z = e.reduce((a, c) => a + c, 0);
          for (let d = 0; d < D; d++) {
            const want = e.reduce((s, w, j) => s + (w / z) * va[b]![kvh]![j]![d]!, 0);
            expect(got[b]![h]![i]![d]).toBeCloseTo(want, 5);
          }
        }
      }
  });
});

describe('config.json validation', () => {
  it('rejects unknown model types and malformed fields, naming the field', () => {
    expect(() => parseModelConfig({ model_type: 'gpt2' }, 'x/config.json')).toThrow(/x\/config.json.*unknown model_type "gpt2"/);
    const ok = makeConfigJson('llama', { vocabSize: 10, hiddenSize: 8, intermediateSize: 8, numLayers: 1, numHeads: 2 });
    expect(() => parseModelConfig({ ...ok, hidden_size: 'big' }, 'c.json')).toThrow(/hidden_size/);
    expect(() => parseModelConfig({ ...ok, num_key_value_heads: 3 }, 'c.json')).toThrow(/multiple of num_key_value_heads/);
    expect(() => parseModelConfig({ ...ok, rope_scaling: { rope_type: 'yarn', factor: 2 } }, 'c.json')).toThrow(/rope_type "yarn"/);
    expect(() => parseModelConfig([], 'c.json')).toThrow(/JSON object/);
    const { vocab_size: _dropped, ...noVocab } = ok;
    expect(() => parseModelConfig(noVocab, 'c.json')).toThrow(/missing required field "vocab_size"/);
  });

  it('reads rope settings from rope_scaling and from transformers v5 rope_parameters', () => {
    const base = makeConfigJson('llama', { vocabSize: 10, hiddenSize: 8, intermediateSize: 8, numLayers: 1, numHeads: 2 });
    const v4 = parseModelConfig({ ...base, rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } });
    expect(v4.ropeTheta).toBe(500000);
    expect(v4.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    const { rope_theta: _t, rope_scaling: _s, ...rest } = base;
    const v5 = parseModelConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 1000000 } });
    expect(v5.ropeTheta).toBe(1000000);
    expect(v5.ropeScaling).toEqual({ type: 'default' });
  });
});

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
