// Activation checkpointing (Chen et al. 2016, "Training deep nets with sublinear memory cost"): y = f(x) is
// computed without recording its intermediates on the autograd tape; only x (and the constants f reads) are
// kept. The backward pass runs f again, this time on a tape of its own, and backpropagates dy through it:
//
//   forward:  y = f(x)                          kept: x, constants            (not: f's activations)
//   backward: recompute f(x) on a fresh tape;   [dx, dθ] = vjp(f, [x, θ], dy) (θ: the trainable variables f reads)
//
// Per transformer block this keeps one [B, T, d] tensor instead of the block's ~20 activations, at the cost of
// a second forward of each block in the backward pass. The recompute must draw the same randomness as the
// forward (LoRA dropout does: its seeds come from a key the caller captures).
//
// tfjs detail: a gradient computed inside another gradient's backward pass starts a new tape while the outer
// one's gradientDepth is 0, and on finishing sets the engine's active tape to null; the outer backward then
// cleans up that (now null) tape. So the outer tape is restored after the nested computation.
import * as tf from '@tensorflow/tfjs';

/**
 * `fn(x, constants)` with its activations recomputed in the backward pass. `params` are the trainable variables
 * that fn reads (gradients flow to them); `constants` are tensors fn reads without gradient (RoPE tables, masks):
 * they are kept alive until the backward pass. fn must be deterministic given its inputs.
 */
export function checkpointed<T extends tf.Tensor>(
  fn: (x: T, constants: tf.Tensor[]) => T,
  x: T,
  constants: tf.Tensor[],
  params: tf.Variable[],
): T {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([x, ...constants]);
    return {
      value: fn(x, constants),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, ...constSaved] = saved as [T, ...tf.Tensor[]];
        return vjp(() => fn(xSaved, constSaved), [xSaved, ...params], dy);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...inputs: tf.Tensor[]) => T)(x, ...params);
}

/** Gradients of f at xs contracted with dy (a vector-Jacobian product), on a tape of its own. */
function vjp(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine();
  const outerTape = engine.state.activeTape;
  try {
    return tf.tidy(() => {
      const { grads } = engine.gradients(f, xs, dy, true);
      // A variable that does not reach the output (possible for a frozen path) gets a zero gradient.
      return grads.map((g, i) => g ?? tf.zerosLike(xs[i]!));
    });
  } finally {
    engine.state.activeTape = outerTape;
  }
}
