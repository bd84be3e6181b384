// The model on the native cpu device against tfjs-cpu, with the same checks the GPU harness runs on the cuda device
// (test-gpu/model-checks.ts): Llama / Qwen2 / Qwen3 logits in fp32 (1e-4) and bf16 storage (2e-2), 32 greedy
// KV-cached tokens identical to cpu's, and one soft-token RLOO step (loss and gradient norm within 1e-4).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { isNativeAvailable, registerNativeBackend } from '../src/index';
import { modelChecks } from '../test-gpu/model-checks';
import { describeNative } from './native-env';

beforeAll(() => {
  if (!isNativeAvailable('cpu').ok) return;
  registerNativeBackend({ device: 'cpu' });
  registerNativeBackend({ device: 'cpu', name: 'native-cpu-bf16', precision: 'bf16' });
});

describeNative('model checks on native-cpu', () => {
  for (const [name, check] of modelChecks({ fp32: 'native-cpu', bf16: 'native-cpu-bf16', quick: true, timing: false })) {
    if (name === 'decode-0.5b') continue;
    it(name, async () => {
      const detail = await check();
      console.log(`${name}: ${detail}`);
      expect(detail).not.toMatch(/^SKIP/);
      await tf.setBackend('cpu');
    });
  }
});
