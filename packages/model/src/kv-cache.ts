// Keys and values of past positions, per layer, for incremental decoding.
// Each layer holds k, v of shape [B, Hkv, S, D] (post-RoPE keys). Appending concatenates along S;
// the cache owns its tensors (kept out of tf.tidy) and disposes the ones it replaces.
import * as tf from '@tensorflow/tfjs';

export class KVCache {
  private keys: (tf.Tensor4D | null)[];
  private values: (tf.Tensor4D | null)[];
  private pastLength = 0;
  private batchSize = 0;

  constructor(readonly numLayers: number) {
    this.keys = new Array(numLayers).fill(null);
    this.values = new Array(numLayers).fill(null);
  }

  /** Number of positions (including left padding) already cached. */
  get length(): number {
    return this.pastLength;
  }

  get batch(): number {
    return this.batchSize;
  }

  /** Add this step's k/v for `layer` and return the full k/v to attend over. */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const oldK = this.keys[layer];
    const oldV = this.values[layer];
    const fullK = tf.keep(oldK ? tf.concat([oldK, k], 2) : k.clone());
    const fullV = tf.keep(oldV ? tf.concat([oldV, v], 2) : v.clone());
    oldK?.dispose();
    oldV?.dispose();
    this.keys[layer] = fullK;
    this.values[layer] = fullV;
    this.batchSize = k.shape[0];
    return [fullK, fullV];
  }

  /**
   * Re-index the batch: row i of the new cache is row `rows[i]` of this one (every layer's keys and values),
   * e.g. to give each of G samples a copy of their prompt's prefilled cache. The copies are real: each row's cache
   * then grows on its own.
   */
  selectRows(rows: readonly number[]): void {
    const index = tf.tensor1d(Int32Array.from(rows), 'int32');
    for (const store of [this.keys, this.values])
      store.forEach((t, layer) => {
        if (!t) return;
        store[layer] = tf.keep(tf.gather(t, index, 0));
        t.dispose();
      });
    index.dispose();
    this.batchSize = rows.length;
  }

  /** Called by the model once every layer has appended `steps` positions. */
  advance(steps: number): void {
    this.pastLength += steps;
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.pastLength = 0;
  }
}
