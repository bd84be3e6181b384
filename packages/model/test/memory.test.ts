import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initModel, makeConfigJson, MemoryMeter, META_BACKEND, parseModelConfig, registerMetaBackend, shapeOnlyModel, useBackend, type CausalLM } from '@softcot/model';

await useBackend('cpu');

describe('MemoryMeter', () => {
  it('counts buffers, not handles: views and clones are free, new results are not', () => {
    const meter = MemoryMeter.start();
    const x = tf.zeros([100, 10]);
    expect(meter.live).toBe(4000);
    const views = [x.reshape([1000]), x.clone(), tf.cast(x, 'float32')];
    expect(meter.live).toBe(4000);
    const y = tf.add(x, x);
    expect(meter.live).toBe(8000);
    tf.dispose([x, ...views]);
    expect(meter.live).toBe(4000);
    y.dispose();
    expect(meter.live).toBe(0);
    expect(meter.peak).toBe(8000);
    meter.stop();
  });
});

describe('the meta backend replays the real allocations', () => {
  const config = parseModelConfig(makeConfigJson('qwen3', { vocabSize: 96, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8 }));
  const gradientPass = (m: CausalLM) => {
    const meter = MemoryMeter.start();
    const { value, grads } = tf.variableGrads(() => {
      const out = m.forward({ inputIds: tf.tensor2d([[0, 0, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7]], undefined, 'int32'), attentionMask: [[0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]] }).logits!;
      return tf.sum(tf.logSoftmax(out)) as tf.Scalar;
    }, m.trainableVariables);
    tf.dispose([value, ...Object.values(grads)]);
    meter.stop();
    return meter.peak;
  };

  it.each([
    ['full fine-tuning', false, false, false],
    ['LoRA', true, false, false],
    ['full fine-tuning, checkpointed', false, true, false],
    ['LoRA, checkpointed, bf16 base', true, true, true],
  ])('%s: the peak of a gradient pass on meta equals the cpu backend\'s, to the byte', async (_, lora, ckpt, bf16) => {
    const prepare = (m: CausalLM) => {
      if (lora) m.attachLora({ rank: 4 });
      if (bf16) m.storeFrozenWeightsInBf16();
      m.activationCheckpointing = ckpt;
      return m;
    };
    await useBackend('cpu');
    const real = prepare(initModel(config, 1));
    const cpuPeak = gradientPass(real);
    real.dispose();
    registerMetaBackend();
    await tf.setBackend(META_BACKEND);
    const planned = prepare(shapeOnlyModel(config));
    const metaPeak = gradientPass(planned);
    planned.dispose();
    await useBackend('cpu');
    expect(cpuPeak).toBeGreaterThan(100_000);
    expect(metaPeak).toBe(cpuPeak);
  });
});
