// Shared-prefix prefill: the G samples of one prompt share its prompt, so the prompt is run through the model once
// per distinct prompt, and the resulting KV cache and last-position logits are copied to every row that has that
// prompt. Each row's cache is a copy (it then grows with that row's own CoT); what is saved is the prefill's
// compute and its activations (attention scores are [rows, H, P, P] during a prefill), G-fold.
// Row computations are independent, so the rows get exactly the values an unshared prefill would give them.
import * as tf from '@tensorflow/tfjs';
import type { CausalLM, KVCache } from '@softcot/model';

/**
 * Prefill `cache` with the (left-padded) prompt rows and return the logits after each row's last prompt token,
 * [rows, V]. With `share`, identical rows (same ids and mask) are computed once.
 */
export function prefillPrompts(model: CausalLM, promptBatch: number[][], mask: number[][], cache: KVCache, share = true): tf.Tensor2D {
  const rows = promptBatch.length;
  const width = promptBatch[0]!.length;
  const V = model.config.vocabSize;
  const firstOf = new Map<string, number>();
  const uniqueRows: number[] = [];
  const rowToUnique = promptBatch.map((ids, r) => {
    const key = share ? `${ids.join(',')}|${mask[r]!.join('')}` : String(r);
    let u = firstOf.get(key);
    if (u === undefined) {
      u = uniqueRows.length;
      firstOf.set(key, u);
      uniqueRows.push(r);
    }
    return u;
  });
  const last = tf.tidy(() =>
    model
      .forward({
        inputIds: tf.tensor2d(uniqueRows.map((r) => promptBatch[r]!), [uniqueRows.length, width], 'int32'),
        attentionMask: uniqueRows.map((r) => mask[r]!),
        cache,
        logits: 'last',
      })
      .logits!.reshape([uniqueRows.length, V]),
  ) as tf.Tensor2D;
  if (uniqueRows.length === rows) return last;
  cache.selectRows(rowToUnique);
  const expanded = tf.tidy(() => tf.gather(last, tf.tensor1d(rowToUnique, 'int32'))) as tf.Tensor2D;
  last.dispose();
  return expanded;
}
