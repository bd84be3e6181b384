import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { bfloat16BitsToFloat32, float32ToBfloat16Bits, initModel, loadModel, makeConfigJson, packBf16, parseModelConfig, saveModel, unpackBf16, useBackend, type CausalLM } from '@softcot/model';

await useBackend('cpu');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-bf16w-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const IDS = [[1, 5, 9, 13, 2, 7], [3, 3, 8, 21, 30, 4]];

function tinyModel(tied: boolean): CausalLM {
  const m = initModel(parseModelConfig(makeConfigJson('qwen3', { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8, tieWordEmbeddings: tied })), 9);
  for (const [name, v] of m.params) if (!name.includes('norm')) v.assign(tf.mul(v, 20));
  return m;
}

/** The same model with its bf16-storable weights rounded to bf16 in fp32 variables: the reference. */
function roundStorable(m: CausalLM): void {
  for (const [name, v] of m.params)
    if (/_proj\.weight$|^lm_head\.weight$/.test(name)) v.assign(tf.tensor(bfloat16BitsToFloat32(float32ToBfloat16Bits(v.dataSync() as Float32Array)), v.shape));
}

function lossAndGrads(m: CausalLM) {
  const { value, grads } = tf.variableGrads(() => {
    const out = m.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32') }).logits!;
    return tf.sum(tf.mul(tf.logSoftmax(out), tf.randomNormal(out.shape, 0, 1, 'float32', 4))) as tf.Scalar;
  }, m.trainableVariables);
  const out = { loss: value.dataSync()[0]!, grads: new Map([...m.trainableParams()].map(([k, v]) => [k, Array.from(grads[v.name]!.dataSync())])) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('frozen weights stored in bf16', () => {
  it('packs and unpacks exactly (bf16 values are the upper halves of fp32)', () => {
    const values = Float32Array.from([1, -2.5, 3.14159, 1e-3, 65504, -0, 0.1, 7]);
    const packed = tf.tensor2d(packBf16(values), [2, 2], 'int32');
    expect(Array.from(unpackBf16(packed).dataSync())).toEqual(Array.from(bfloat16BitsToFloat32(float32ToBfloat16Bits(values))));
  });

  for (const tied of [false, true]) {
    it(`computes the bf16-rounded model exactly, forward and adapter gradients (tied ${tied}), in half the bytes`, () => {
      const ref = tinyModel(tied);
      const m = tinyModel(tied);
      for (const x of [ref, m]) {
        x.attachLora({ rank: 2, trainLmHead: true });
        let i = 0;
        for (const { b } of x.lora!.modules.values()) b.assign(tf.randomNormal(b.shape, 0, 0.3, 'float32', 40 + i++));
      }
      roundStorable(ref);
      const before = tf.memory().numBytes;
      const freed = m.storeFrozenWeightsInBf16();
      const storable = [...ref.params].filter(([n]) => /_proj\.weight$|^lm_head\.weight$/.test(n)).reduce((s, [, v]) => s + v.size, 0);
      expect(freed).toBe(storable * 2);
      expect(before - tf.memory().numBytes).toBe(storable * 2);
      expect(m.frozenBf16.size).toBe(2 * 7 + (tied ? 0 : 1));
      const a = lossAndGrads(ref);
      const b = lossAndGrads(m);
      expect(b.loss).toBe(a.loss);
      for (const [k, g] of a.grads) expect(b.grads.get(k)).toEqual(g);
      // Adapters off: the bf16 base itself.
      const logits = (x: CausalLM) => tf.tidy(() => Array.from(x.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32') }).logits!.dataSync()));
      expect(m.lora!.withAdaptersDisabled(() => logits(m))).toEqual(ref.lora!.withAdaptersDisabled(() => logits(ref)));
      // Merging gives plain fp32 weights again, holding the merged values.
      const want = logits(m);
      m.mergeLora();
      expect(m.frozenBf16.size).toBe(0);
      const got = logits(m);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 3));
      ref.dispose();
      m.dispose();
    });
  }

  it('loads a BF16 checkpoint straight into packed storage (no fp32 copy of the matrices)', () => {
    const src = tinyModel(false);
    const dir = path.join(root, 'bf16');
    saveModel(src, dir, { dtype: 'bfloat16' });
    const plain = loadModel(dir);
    const packed = loadModel(dir, { frozenBf16: true });
    expect(packed.frozenBf16.size).toBe(15);
    expect(packed.params.has('model.layers.0.mlp.up_proj.weight')).toBe(false);
    expect(() => packed.trainableParams()).toThrow(/stores frozen base weights in bf16: attach LoRA adapters/);
    const logits = (x: CausalLM) => tf.tidy(() => Array.from(x.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32') }).logits!.dataSync()));
    expect(logits(packed)).toEqual(logits(plain));
    packed.attachLora({ rank: 2 });
    expect(packed.trainableVariables).toHaveLength(2 * 2 * 7);
    packed.detachLora();
    expect(() => packed.trainableVariables).toThrow(/stores frozen base weights in bf16/);
    // Saving writes the weights back unchanged (bf16 values survive the round trip exactly).
    const again = path.join(root, 'bf16-again');
    saveModel(packed, again, { dtype: 'bfloat16' });
    expect(fs.readFileSync(path.join(again, 'model.safetensors'))).toEqual(fs.readFileSync(path.join(dir, 'model.safetensors')));
    for (const x of [src, plain, packed]) x.dispose();
  });
});
