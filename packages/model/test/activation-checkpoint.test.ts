import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkpointed, initModel, makeConfigJson, parseModelConfig, useBackend, type CausalLM, type ModelType } from '@softcot/model';

await useBackend('cpu');

function tinyModel(type: ModelType): CausalLM {
  const m = initModel(parseModelConfig(makeConfigJson(type, { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 3, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: type === 'qwen2' })), 5);
  for (const [name, v] of m.params) if (!name.includes('norm')) v.assign(tf.mul(v, 10));
  return m;
}

/** Loss and gradients (by variable name) of a padded two-row batch fed partly as embeddings. */
function lossAndGrads(m: CausalLM): { loss: number; grads: Map<string, Float32Array> } {
  const vars = m.trainableVariables;
  const { value, grads } = tf.variableGrads(() => {
    const ids = tf.tensor2d([[0, 0, 5, 9, 13, 2], [3, 3, 8, 21, 30, 4]], undefined, 'int32');
    const embeds = tf.randomNormal([2, 6, 16], 0, 0.5, 'float32', 3) as tf.Tensor3D;
    const useEmbeds = tf.tensor2d([[0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 1, 0]]);
    const out = m.forward({ inputIds: ids, inputEmbeds: embeds, useEmbeds, attentionMask: [[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]] }).logits!;
    const w = tf.randomNormal(out.shape, 0, 1, 'float32', 11);
    return tf.sum(tf.mul(tf.logSoftmax(out), w)) as tf.Scalar;
  }, vars);
  const out = { loss: value.dataSync()[0]!, grads: new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array])) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Identical, bit for bit: the recompute runs the same kernels on the same values. */
function expectSame(a: ReturnType<typeof lossAndGrads>, b: ReturnType<typeof lossAndGrads>) {
  expect(b.loss).toBe(a.loss);
  expect([...b.grads.keys()].sort()).toEqual([...a.grads.keys()].sort());
  for (const [k, g] of a.grads) expect(Array.from(b.grads.get(k)!)).toEqual(Array.from(g));
}

describe.each(['llama', 'qwen2', 'qwen3'] as const)('activation checkpointing on %s', (type) => {
  it('gives the same loss and gradients as the plain backward pass (every parameter trains)', () => {
    const m = tinyModel(type);
    const plain = lossAndGrads(m);
    m.activationCheckpointing = true;
    const ckpt = lossAndGrads(m);
    expectSame(plain, ckpt);
    expect(plain.grads.size).toBe(m.params.size);
    m.dispose();
  });

  it('gives the same loss and gradients with LoRA adapters and dropout (the recompute reuses the masks)', () => {
    const m = tinyModel(type);
    const lora = m.attachLora({ rank: 2, dropout: 0.3, seed: 4, trainEmbeddings: true });
    let i = 0;
    for (const { b } of lora.modules.values()) b.assign(tf.randomNormal(b.shape, 0, 0.5, 'float32', 70 + i++));
    const start = lora.dropoutState;
    const plain = lora.withDropout(() => lossAndGrads(m));
    lora.dropoutState = start;
    m.activationCheckpointing = true;
    const ckpt = lora.withDropout(() => lossAndGrads(m));
    expectSame(plain, ckpt);
    // The dropout is real: another pass draws other masks and another loss.
    expect(lora.withDropout(() => lossAndGrads(m)).loss).not.toBe(plain.loss);
    m.dispose();
  });
});

describe('checkpointed()', () => {
  it('keeps only its input on the tape and frees the recompute before returning', () => {
    const w = tf.variable(tf.randomNormal([8, 8], 0, 1, 'float32', 1));
    const f = (x: tf.Tensor2D) => tf.tanh(tf.matMul(tf.tanh(tf.matMul(x, w)), w)) as tf.Tensor2D;
    const x = tf.randomNormal([4, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const run = (ckpt: boolean) => {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(ckpt ? checkpointed((y) => f(y), x, [], [w]) : f(x)) as tf.Scalar, [w]);
      const out = { loss: value.dataSync()[0]!, grad: Array.from(grads[w.name]!.dataSync()), leaked: 0 };
      tf.dispose([value, ...Object.values(grads)]);
      out.leaked = tf.memory().numTensors - before;
      return out;
    };
    const plain = run(false);
    const ckpt = run(true);
    expect(ckpt.loss).toBe(plain.loss);
    ckpt.grad.forEach((g, i) => expect(g).toBeCloseTo(plain.grad[i]!, 5));
    expect(ckpt.leaked).toBe(0);
    expect(plain.leaked).toBe(0);
    tf.dispose([w, x]);
  });
});
