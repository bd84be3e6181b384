// Batched rollouts with a KV cache (method.md §1–2): a CoT phase in hard, soft or fuzzy mode, a stop
// decided on the decoded text (the greedy "shadow" text for soft/fuzzy rows, the sampled text for hard
// rows), a hard prefill, then a short hard answer.
//
// Every row advances one position per model call. A row that has finished feeds a pad with attention
// mask 0, so it neither attends nor advances its positions; rows never wait on each other's phases.
import * as tf from '@tensorflow/tfjs';
import { makeRng } from '@softcot/base';
import { KVCache, argmax, type CausalLM, type Tokenizer } from '@softcot/model';
import {
  entropyOfLogits,
  mixEmbeddings,
  mixtureProbs,
  resolveCot,
  sampleFromLogits,
  type CotSettings,
} from '@softcot/mixer';
import { matchCotStop, type PromptFormat } from '@softcot/data';

export type CotStopReason = 'stop-string' | 'max-length' | 'eos';
export type AnswerStopReason = 'complete' | 'eos' | 'max-length' | 'skipped';

export interface Trajectory {
  promptIds: number[];
  /** CoT actions: sampled tokens for hard rows, the argmax shadow tokens for soft/fuzzy rows. */
  cotTokens: number[];
  /** Soft/fuzzy rows: the noisy input embeddings fed at each CoT step, [cotTokens.length × d]. */
  cotInputs: Float32Array | null;
  cotStop: CotStopReason;
  /** Hard tokens fed after the CoT; not actions. */
  prefillIds: number[];
  answerIds: number[];
  answerStop: AnswerStopReason;
  /** Entropy (nats) of the model's next-token distribution (τ = 1) at each CoT step. */
  entropies: number[];
  cotText: string;
  prefillText: string;
  answerText: string;
  /** The text graders see: CoT + prefill + answer, as the prompt format joins them. */
  completion: string;
}

export interface RolloutSettings {
  cot: CotSettings;
  format: PromptFormat;
  /** Maximum CoT steps L (method.md: 128 GSM8K train, 512 MATH train, 512 eval). */
  maxCotTokens: number;
  /** Maximum answer tokens after the prefill (32). */
  maxAnswerTokens?: number;
  /** Answer decoding: greedy at evaluation; sampled (τ = 1 by default) when answers are training actions. */
  answer?: { greedy: boolean; temperature?: number };
  /** Absolute noise scale σ (= γ·RMS(E_base)). Needed for sampled soft/fuzzy rollouts. */
  sigma?: number;
  /** Stop after the CoT: likelihood rewards score the reference instead of sampling an answer. */
  skipAnswer?: boolean;
  seed: string | number;
}

type Phase = 'cot' | 'prefill' | 'answer' | 'done';

interface RowState {
  phase: Phase;
  traj: Trajectory;
  inputs: Float32Array[];
  queue: number[];
}

/** Generate one trajectory per prompt. Prompts are encoded with the tokenizer (no special tokens added). */
export function rollout(model: CausalLM, tokenizer: Tokenizer, prompts: string[], settings: RolloutSettings): Trajectory[] {
  const cot = resolveCot(settings.cot);
  const maxCot = settings.maxCotTokens;
  const maxAnswer = settings.maxAnswerTokens ?? 32;
  if (!(Number.isInteger(maxCot) && maxCot >= 1)) throw new Error(`maxCotTokens must be a positive integer, got ${maxCot}`);
  const answerGreedy = settings.answer?.greedy ?? true;
  const answerTemperature = answerGreedy ? 0 : (settings.answer?.temperature ?? 1);
  const soft = cot.mode !== 'hard';
  const sigma = soft && !cot.greedy ? settings.sigma : 0;
  if (sigma === undefined || !(sigma >= 0)) throw new Error('rollout: sampled soft/fuzzy rollouts need settings.sigma (γ·RMS(E))');
  const rng = makeRng(settings.seed);
  const { format } = settings;
  const stopIds = new Set(tokenizer.stopTokenIds);
  const pad = tokenizer.padTokenId ?? 0;
  const d = model.config.hiddenSize;
  const V = model.config.vocabSize;
  const R = prompts.length;
  if (R === 0) return [];

  const rows: RowState[] = prompts.map((text) => {
    const promptIds = tokenizer.encode(format.render(text));
    if (promptIds.length === 0) throw new Error('rollout: a prompt encoded to zero tokens');
    return {
      phase: 'cot',
      inputs: [],
      queue: [],
      traj: {
        promptIds,
        cotTokens: [],
        cotInputs: null,
        cotStop: 'max-length',
        prefillIds: [],
        answerIds: [],
        answerStop: settings.skipAnswer ? 'skipped' : 'max-length',
        entropies: [],
        cotText: '',
        prefillText: '',
        answerText: '',
        completion: '',
      },
    };
  });

  const width = Math.max(...rows.map((r) => r.traj.promptIds.length));
  const mask: number[][] = rows.map((r) => [...new Array(width - r.traj.promptIds.length).fill(0), ...new Array(r.traj.promptIds.length).fill(1)]);
  const promptBatch = rows.map((r) => [...new Array(width - r.traj.promptIds.length).fill(pad), ...r.traj.promptIds]);
  const cache = new KVCache(model.config.numLayers);
  const E = model.embeddingMatrix;
  let logits = tf.tidy(() =>
    model.forward({ inputIds: tf.tensor2d(promptBatch, [R, width], 'int32'), attentionMask: mask, cache, logits: 'last' }).logits!.reshape([R, V]),
  ) as tf.Tensor2D;

  try {
    while (rows.some((r) => r.phase !== 'done')) {
      const host = logits.dataSync() as Float32Array;
      const softRows = rows.map((r) => r.phase === 'cot' && soft);
      const mixture = softRows.some(Boolean)
        ? tf.tidy(() => mixEmbeddings(mixtureProbs(logits, cot.temperature, cot.filter), E as unknown as tf.Tensor2D).dataSync() as Float32Array)
        : null;
      const nextIds = new Array<number>(R).fill(pad);
      const nextEmbeds = soft ? new Float32Array(R * d) : null;
      const useEmbeds = new Array<number>(R).fill(0);
      const fed = new Array<number>(R).fill(0);

      rows.forEach((row, r) => {
        const t = row.traj;
        if (row.phase === 'cot') {
          t.entropies.push(entropyOfLogits(host, V, r));
          const token = soft ? argmax(host.subarray(r * V, (r + 1) * V)) : sampleFromLogits(host, V, r, cot.greedy ? 0 : cot.temperature, rng);
          t.cotTokens.push(token);
          fed[r] = 1;
          if (soft) {
            const input = new Float32Array(d);
            for (let j = 0; j < d; j++) input[j] = mixture![r * d + j]! + (sigma > 0 ? sigma * rng.normal() : 0);
            row.inputs.push(input);
            nextEmbeds!.set(input, r * d);
            useEmbeds[r] = 1;
          } else {
            nextIds[r] = token;
          }
          const stop = cotEnd(t.cotTokens, token, stopIds, tokenizer, format.cotStop, maxCot);
          if (stop) {
            t.cotStop = stop.reason;
            // After a stop-string stop the prefill first supplies what the text lacks of the stop string.
            const prefill = stop.reason === 'stop-string' ? stop.missing + format.prefillAfterStop : format.prefillAfterMaxLength;
            t.prefillText = prefill;
            t.prefillIds = prefill ? tokenizer.encode(prefill, { addSpecialTokens: false }) : [];
            row.queue = [...t.prefillIds];
            row.phase = settings.skipAnswer ? 'done' : row.queue.length > 0 ? 'prefill' : 'answer';
          }
        } else if (row.phase === 'prefill') {
          nextIds[r] = row.queue.shift()!;
          fed[r] = 1;
          if (row.queue.length === 0) row.phase = 'answer';
        } else if (row.phase === 'answer') {
          const token = sampleFromLogits(host, V, r, answerTemperature, rng);
          t.answerIds.push(token);
          if (stopIds.has(token)) {
            t.answerStop = 'eos';
            row.phase = 'done';
          } else if (format.isAnswerComplete(tokenizer.decode(t.answerIds))) {
            t.answerStop = 'complete';
            row.phase = 'done';
          } else if (t.answerIds.length >= maxAnswer) {
            t.answerStop = 'max-length';
            row.phase = 'done';
          } else {
            nextIds[r] = token;
            fed[r] = 1;
          }
        }
      });

      // Logits after the last inputs are never read once every row is done.
      if (rows.every((r) => r.phase === 'done')) break;
      rows.forEach((_, r) => mask[r]!.push(fed[r]!));
      const next = tf.tidy(() => {
        const ids = tf.tensor2d(nextIds, [R, 1], 'int32');
        const out = nextEmbeds && useEmbeds.some(Boolean)
          ? model.forward({ inputIds: ids, inputEmbeds: tf.tensor3d(nextEmbeds, [R, 1, d]), useEmbeds: tf.tensor2d(useEmbeds, [R, 1]), attentionMask: mask, cache, logits: 'last' })
          : model.forward({ inputIds: ids, attentionMask: mask, cache, logits: 'last' });
        return out.logits!.reshape([R, V]) as tf.Tensor2D;
      });
      logits.dispose();
      logits = next;
    }
  } finally {
    logits.dispose();
    cache.dispose();
  }

  return rows.map((row) => {
    const t = row.traj;
    if (soft) {
      t.cotInputs = new Float32Array(row.inputs.length * d);
      row.inputs.forEach((input, s) => t.cotInputs!.set(input, s * d));
    }
    t.cotText = tokenizer.decode(t.cotTokens);
    const answer = t.answerStop === 'eos' ? t.answerIds.slice(0, -1) : t.answerIds;
    t.answerText = tokenizer.decode(answer);
    t.completion = format.completionText(t.cotText, t.prefillText, t.answerText);
    return t;
  });
}

/**
 * Why the CoT ends after `token`, or null. The stop string is matched on decoded text, across token boundaries and
 * with its trailing whitespace allowed to be missing (matchCotStop); `missing` is that whitespace.
 */
export function cotEnd(
  tokens: number[],
  token: number,
  stopIds: Set<number>,
  tokenizer: Pick<Tokenizer, 'decode'>,
  stopString: string,
  maxTokens: number,
): { reason: CotStopReason; missing: string } | null {
  if (stopIds.has(token)) return { reason: 'eos', missing: '' };
  // Every token decodes to at least one character, so the last |stop| + 2 tokens cover the stop string;
  // decoding only a suffix keeps the check O(|stop|) per step.
  const match = stopString ? matchCotStop(stopString, tokenizer.decode(tokens.slice(-(stopString.length + 2)))) : null;
  if (match) return { reason: 'stop-string', missing: match.missing };
  if (tokens.length >= maxTokens) return { reason: 'max-length', missing: '' };
  return null;
}
