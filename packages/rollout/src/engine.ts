// Batched rollouts with a KV cache (method.md §1–2): a CoT phase in any CoT mode, a stop decided on the decoded
// text (the sampled text for hard rows, the shadow text otherwise), a hard prefill, then a short hard answer.
// What a CoT step feeds and records is the mode's concern (@softcot/mixer); the engine is written once for all modes.
//
// Every row advances one position per model call. A row that has finished feeds a pad with attention
// mask 0, so it neither attends nor advances its positions; rows never wait on each other's phases.
import * as tf from '@tensorflow/tfjs';
import { KVCache, NonFiniteLogitsError, type CausalLM, type Tokenizer } from '@softcot/model';
import { makeRng } from '@softcot/base';
import { concatRecords, entropyOfLogits, mixerFor, sampleFromLogits, sliceRecord, type CotPolicy, type CotRecord } from '@softcot/mixer';
import { matchCotStop, type PromptFormat } from '@softcot/data';
import { prefillPrompts } from './prefill';

export type CotStopReason = 'stop-string' | 'max-length' | 'eos';
export type AnswerStopReason = 'complete' | 'eos' | 'max-length' | 'skipped';

export interface Trajectory {
  promptIds: number[];
  /** The CoT as text tokens: the sampled tokens for hard rows, the shadow tokens otherwise. */
  cotTokens: number[];
  /** What each CoT step recorded (the mode's actions; see @softcot/mixer step.ts). */
  cot: CotRecord;
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
  /** The resolved CoT policy (resolveCot from @softcot/mixer): mode, τ, σ, greedy, ... */
  cot: CotPolicy;
  format: PromptFormat;
  /** Maximum CoT steps L (method.md: 128 GSM8K train, 512 MATH train, 512 eval). */
  maxCotTokens: number;
  /** Maximum answer tokens after the prefill (32). */
  maxAnswerTokens?: number;
  /** Answer decoding: greedy at evaluation; sampled (τ = 1 by default) when answers are training actions. */
  answer?: { greedy: boolean; temperature?: number };
  /** Stop after the CoT: likelihood rewards score the reference instead of sampling an answer. */
  skipAnswer?: boolean;
  /** Prefill each distinct prompt once and copy its KV cache to the rows that share it (default true; same results). */
  sharePrefix?: boolean;
  seed: string | number;
}

type Phase = 'cot' | 'prefill' | 'answer' | 'done';

interface RowState {
  phase: Phase;
  traj: Trajectory;
  /** The CoT steps' records, concatenated at the end. */
  steps: CotRecord[];
  queue: number[];
}

/** Tokens the prefill after the CoT can take: the longer of the two prefills (after a stop, one more for its space). */
export function prefillTokenBound(tokenizer: Pick<Tokenizer, 'encode'>, format: PromptFormat): number {
  const n = (text: string) => (text ? tokenizer.encode(text, { addSpecialTokens: false }).length : 0);
  return Math.max(n(format.prefillAfterMaxLength), n(format.prefillAfterStop) + 1);
}

/** Positions a rollout of a prompt of `promptTokens` tokens can reach: prompt, CoT, prefill, answer. */
export function rolloutPositions(promptTokens: number, prefillTokens: number, maxCotTokens: number, maxAnswerTokens: number): number {
  return promptTokens + maxCotTokens + prefillTokens + maxAnswerTokens;
}

/** Generate one trajectory per prompt. Prompts are encoded with the tokenizer (no special tokens added). */
export function rollout(model: CausalLM, tokenizer: Tokenizer, prompts: string[], settings: RolloutSettings): Trajectory[] {
  const cot = settings.cot;
  const mixer = mixerFor(cot);
  const maxCot = settings.maxCotTokens;
  const maxAnswer = settings.maxAnswerTokens ?? 32;
  if (!(Number.isInteger(maxCot) && maxCot >= 1)) throw new Error(`maxCotTokens must be a positive integer, got ${maxCot}`);
  const answerGreedy = settings.answer?.greedy ?? true;
  const answerTemperature = answerGreedy ? 0 : (settings.answer?.temperature ?? 1);
  const rng = makeRng(settings.seed);
  const { format } = settings;
  const stopIds = new Set(tokenizer.stopTokenIds);
  const pad = tokenizer.padTokenId ?? 0;
  const d = model.config.hiddenSize;
  const V = model.config.vocabSize;
  const R = prompts.length;
  if (R === 0) return [];

  const prefillTokens = prefillTokenBound(tokenizer, format);
  const rows: RowState[] = prompts.map((text, i) => {
    const promptIds = tokenizer.encode(format.render(text));
    if (promptIds.length === 0) throw new Error('rollout: a prompt encoded to zero tokens');
    const positions = rolloutPositions(promptIds.length, prefillTokens, maxCot, maxAnswer);
    if (positions > model.config.maxPositionEmbeddings)
      throw new Error(
        `rollout: prompt ${i} is ${promptIds.length} tokens; with ${maxCot} CoT, ${prefillTokens} prefill and ${maxAnswer} answer tokens it needs ${positions} positions, more than the model's ${model.config.maxPositionEmbeddings} (max_position_embeddings)`,
      );
    return {
      phase: 'cot',
      steps: [],
      queue: [],
      traj: {
        promptIds,
        cotTokens: [],
        cot: { steps: 0, ids: new Int32Array(0), values: new Float32Array(0) },
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
  const E = model.embeddingMatrix as unknown as tf.Tensor2D;
  let logits = prefillPrompts(model, promptBatch, mask, cache, settings.sharePrefix ?? true);

  // Every row is done after at most maxCot CoT steps, its prefill and maxAnswer answer tokens: a bound on the loop.
  const maxIterations = maxCot + Math.max(format.prefillAfterMaxLength.length, format.prefillAfterStop.length + format.cotStop.length) + maxAnswer + 1;
  try {
    for (let iteration = 0; rows.some((r) => r.phase !== 'done'); iteration++) {
      if (iteration > maxIterations) throw new Error(`rollout: rows still running after ${iteration} steps (a bug: every phase is bounded)`);
      const host = logits.dataSync() as Float32Array;
      const cotRows = rows.flatMap((r, i) => (r.phase === 'cot' ? [i] : []));
      const slot = new Map(cotRows.map((r, j) => [r, j]));
      const acted = cotRows.length > 0 ? mixer.act(cot, { host, tensor: logits, vocab: V }, cotRows, E, rng) : null;
      const widths = mixer.widths(cot, d);
      const nextIds = new Array<number>(R).fill(pad);
      const nextEmbeds = acted?.inputEmbeds ? new Float32Array(R * d) : null;
      const useEmbeds = new Array<number>(R).fill(0);
      const fed = new Array<number>(R).fill(0);

      rows.forEach((row, r) => {
        const t = row.traj;
        if (row.phase === 'cot') {
          const j = slot.get(r)!;
          const entropy = entropyOfLogits(host, V, r);
          // NaN/Inf logits (any one makes the entropy NaN) would be sampled into garbage tokens: stop instead.
          if (!Number.isFinite(entropy)) throw new NonFiniteLogitsError(`(prompt ${r}, CoT step ${t.cotTokens.length + 1})`);
          t.entropies.push(entropy);
          const token = acted!.tokens[j]!;
          t.cotTokens.push(token);
          row.steps.push(sliceRecord(acted!.record, widths, j, j + 1));
          fed[r] = 1;
          if (acted!.inputEmbeds) {
            nextEmbeds!.set(acted!.inputEmbeds.subarray(j * d, (j + 1) * d), r * d);
            useEmbeds[r] = 1;
          } else {
            nextIds[r] = acted!.inputIds![j]!;
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
    t.cot = concatRecords(row.steps);
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
