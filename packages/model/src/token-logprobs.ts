// Log-probabilities of given tokens from logits: the one place the trainer, the CoT modes and the OOD evaluation
// pick log softmax(logits / τ)[row, token].
import * as tf from '@tensorflow/tfjs';

/**
 * logits [N, V]; `tokens` holds `width` token ids per row (N·width in all). Returns [N·width]:
 * log softmax(logits[n] / τ)[tokens[n·width + j]], picked from the flattened [N·V] log-probabilities (no one-hot).
 * Differentiable in `logits`; computed in fp32.
 */
export function tokenLogProbs(logits: tf.Tensor2D, tokens: ArrayLike<number>, temperature = 1, width = 1): tf.Tensor1D {
  const [n, vocab] = logits.shape;
  if (tokens.length !== n * width) throw new Error(`tokenLogProbs: ${tokens.length} tokens for ${n} rows of ${width}`);
  if (n === 0 || width === 0) return tf.zeros([0]) as tf.Tensor1D;
  return tf.tidy(() => {
    const scaled = temperature === 1 ? tf.cast(logits, 'float32') : tf.div(tf.cast(logits, 'float32'), temperature);
    const flat = tf.logSoftmax(scaled).reshape([n * vocab]);
    const index = new Int32Array(n * width);
    for (let i = 0; i < index.length; i++) {
      const t = tokens[i]!;
      if (!(Number.isInteger(t) && t >= 0 && t < vocab)) throw new Error(`tokenLogProbs: token ${t} is outside the vocabulary (${vocab})`);
      index[i] = Math.floor(i / width) * vocab + t;
    }
    return tf.gather(flat, tf.tensor1d(index, 'int32')) as tf.Tensor1D;
  });
}
