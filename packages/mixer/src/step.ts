// The contract every CoT mode implements. The rollout engine and the training pass are written once against it;
// each mode (packages/mixer/src/modes/*.ts, registered in registry.ts) supplies three functions:
//
//   act       one rollout step for the rows in the CoT phase: the token the text reads (hard: the sampled token;
//             continuous modes: the shadow token), the next input (a token id or an embedding), and a record
//   inputs    the teacher-forced inputs of a recorded CoT, rebuilt as constants (the training pass feeds exactly
//             what the rollout fed)
//   logProb   the log-probability of each recorded step's action, from the logits that predicted it, on the tape
//
// A step's record is what scoring needs and nothing more: `ids` and `values`, of widths fixed per mode
// (hard: the token; soft/fuzzy: the noisy input, d values; gumbel: the kept ids and g′; multiplex: the K draws and
// their log-probabilities at rollout).
import type * as tf from '@tensorflow/tfjs';
import type { CotPolicy } from './settings';
import type { Rng } from '@softcot/base';

/** The recorded actions of a CoT (or of a batch of steps): `steps` × widths, flattened step-major. */
export interface CotRecord {
  steps: number;
  ids: Int32Array;
  values: Float32Array;
}

export interface RecordWidths {
  ids: number;
  values: number;
}

/** The logits of one rollout step. */
export interface StepLogits {
  /** Host copy [R × V] of every row's next-token logits. */
  host: Float32Array;
  /** The same on the device, [R, V]. */
  tensor: tf.Tensor2D;
  vocab: number;
}

export interface StepActions {
  /** Per acting row: the token whose text the CoT stop reads (the action for hard; the shadow token otherwise). */
  tokens: number[];
  /** Hard mode: the token ids fed next, per acting row. Null for continuous modes. */
  inputIds: number[] | null;
  /** Continuous modes: the embeddings fed next, [rows × d]. Null for hard mode. */
  inputEmbeds: Float32Array | null;
  /** This step's record for every acting row: [rows × widths]. */
  record: CotRecord;
}

export interface CotMixer<P extends CotPolicy = CotPolicy> {
  widths(policy: P, hidden: number): RecordWidths;
  /** One step for `rows` (indices into the logits' rows, in order); randomness from `rng`, drawn row by row. */
  act(policy: P, logits: StepLogits, rows: readonly number[], embeddings: tf.Tensor2D, rng: Rng): StepActions;
  /** The inputs a recorded CoT fed, [steps × d], as constants; null when they are the token ids (hard). */
  inputs(policy: P, record: CotRecord, embeddings: tf.Tensor2D): Float32Array | null;
  /**
   * log π of each recorded step [N] given the logits that predicted it [N, V]. Call on the autograd tape: the
   * gradient reaches the parameters through the logits and, where the mode's density uses it, through E.
   */
  logProb(policy: P, logits: tf.Tensor2D, embeddings: tf.Tensor2D, record: CotRecord): tf.Tensor1D;
}

/** An empty record of the given widths. */
export function emptyRecord(): CotRecord {
  return { steps: 0, ids: new Int32Array(0), values: new Float32Array(0) };
}

/** Concatenate records (of one mode) step-wise. */
export function concatRecords(records: readonly CotRecord[]): CotRecord {
  const steps = records.reduce((a, r) => a + r.steps, 0);
  const ids = new Int32Array(records.reduce((a, r) => a + r.ids.length, 0));
  const values = new Float32Array(records.reduce((a, r) => a + r.values.length, 0));
  let i = 0;
  let v = 0;
  for (const r of records) {
    ids.set(r.ids, i);
    values.set(r.values, v);
    i += r.ids.length;
    v += r.values.length;
  }
  return { steps, ids, values };
}

/** Steps [from, to) of a record. */
export function sliceRecord(r: CotRecord, widths: RecordWidths, from: number, to: number): CotRecord {
  return { steps: to - from, ids: r.ids.slice(from * widths.ids, to * widths.ids), values: r.values.slice(from * widths.values, to * widths.values) };
}
