// A model whose next-token choice is scripted, for testing the rollout protocol on exact token sequences.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM, ForwardInput } from '@softcot/model';

/**
 * Replace the model's forward with a script: the logits at output position n of row b strongly favour token
 * scripts[b][n] (n counts outputs after the prompt; past the script's end, token 1). The KV cache still advances
 * as usual, so the engine's bookkeeping is exercised for real.
 */
export function scriptedModel(model: CausalLM, scripts: number[][], promptWidth: () => number): CausalLM {
  model.forward = (input: ForwardInput) => {
    const cache = input.cache!;
    const [B, T] = (input.inputIds ?? input.inputEmbeds!).shape as [number, number];
    const n = cache.length + T - promptWidth();
    cache.advance(T);
    const V = model.config.vocabSize;
    const logits = new Float32Array(B * V);
    for (let b = 0; b < B; b++) logits[b * V + (scripts[b]![n] ?? 1)] = 30;
    return { logits: tf.tensor3d(logits, [B, 1, V]), hidden: tf.zeros([B, T, model.config.hiddenSize]) as tf.Tensor3D };
  };
  return model;
}
