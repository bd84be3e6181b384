// Rotary position embeddings, with transformers' conventions:
//   inv_freq[i] = 1 / theta^(2i / head_dim),  i = 0 .. head_dim/2 - 1
//   angle[p, i] = p * inv_freq[i]; cos/sin are [cos(angle), cos(angle)] concatenated (rotate-half layout)
//   rope(x) = x * cos + rotate_half(x) * sin,  rotate_half([x1, x2]) = [-x2, x1]
import * as tf from '@tensorflow/tfjs';
import type { RopeScaling } from './config';

/** Inverse frequencies after rope scaling, in float64 (the tables are small; cast to fp32 at the end like HF). */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  if (scaling.type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] /= scaling.factor;
  } else if (scaling.type === 'llama3') {
    // Llama 3.1: keep high frequencies, divide low frequencies by `factor`, interpolate smoothly between.
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldCtx } = scaling;
    const lowFreqWavelen = oldCtx / lowFreqFactor;
    const highFreqWavelen = oldCtx / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / inv[i]!;
      if (wavelen > lowFreqWavelen) {
        inv[i] = inv[i]! / factor;
      } else if (wavelen >= highFreqWavelen) {
        const smooth = (oldCtx / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inv[i] = (1 - smooth) * (inv[i]! / factor) + smooth * inv[i]!;
      }
    }
  }
  return inv;
}

/**
 * cos and sin tables for the given positions: each [B, 1, T, head_dim] so they broadcast over heads.
 * Angles are computed in float64 on the host from fp32-rounded inverse frequencies, matching HF's fp32 math
 * to within an ulp.
 */
export function ropeTables(
  positions: Int32Array,
  batch: number,
  seqLen: number,
  invFreq: Float64Array,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const half = invFreq.length;
  const dim = half * 2;
  const cos = new Float32Array(batch * seqLen * dim);
  const sin = new Float32Array(batch * seqLen * dim);
  const inv32 = Float32Array.from(invFreq);
  for (let r = 0; r < batch * seqLen; r++) {
    const p = positions[r]!;
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * inv32[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[r * dim + i] = c;
      cos[r * dim + i + half] = c;
      sin[r * dim + i] = s;
      sin[r * dim + i + half] = s;
    }
  }
  return {
    cos: tf.tensor4d(cos, [batch, 1, seqLen, dim]),
    sin: tf.tensor4d(sin, [batch, 1, seqLen, dim]),
  };
}

/** Apply RoPE to x [B, H, T, D] with tables [B, 1, T, D]. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const half = x.shape[3] / 2;
    const [x1, x2] = tf.split(x, [half, half], 3);
    const rotated = tf.concat([tf.neg(x2!), x1!], 3);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
  });
}
