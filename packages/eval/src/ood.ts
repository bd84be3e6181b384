// Out-of-domain preservation (method.md §5): multiple-choice accuracy by option scoring and the per-token NLL
// of the correct answer, on HellaSwag-, ARC- and MMLU-shaped JSONL and on the synthetic oodTextSet items.
//
// Protocol (documented in docs/evaluation.md):
//   context      HellaSwag: `activity_label: ctx` (ctx, or ctx_a + " " + ctx_b capitalised)
//                ARC / MMLU / synthetic: "Question: {question}\nAnswer:"
//   continuation " " + option text
//   ids          encode(context) (with the tokenizer's special tokens, e.g. BOS) ++ encode(continuation, no specials)
//   score        sum over continuation tokens of log p(token | everything before), τ = 1, fp32
//   prediction   argmax of the sum (accuracy) and of the per-token mean (accuracy_norm)
//   NLL          −mean per-token log-prob of the correct option; reported averaged over items
import { parseJsonText, readTextFile } from '@softcot/base';
import * as tf from '@tensorflow/tfjs';
import { tokenLogProbs, type CausalLM, type Tokenizer } from '@softcot/model';
import type { OodItem } from '@softcot/data';

export type McKind = 'hellaswag' | 'arc' | 'mmlu' | 'synthetic';
export const MC_KINDS: readonly (McKind | 'auto')[] = ['hellaswag', 'arc', 'mmlu', 'synthetic', 'auto'];

export interface McItem {
  id: string;
  kind: McKind;
  context: string;
  /** Option texts as continuations (already with their leading space). */
  continuations: string[];
  /** Index of the correct option. */
  answer: number;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function mcContext(question: string): string {
  return `Question: ${question}\nAnswer:`;
}

function hellaswagContext(row: Record<string, unknown>): string | null {
  let ctx: string | null = null;
  if (typeof row.ctx === 'string') ctx = row.ctx;
  else if (typeof row.ctx_a === 'string') {
    const b = typeof row.ctx_b === 'string' ? row.ctx_b : '';
    ctx = `${row.ctx_a} ${b.charAt(0).toUpperCase()}${b.slice(1)}`.trim();
  }
  if (ctx === null) return null;
  return typeof row.activity_label === 'string' && row.activity_label !== '' ? `${row.activity_label}: ${ctx}` : ctx;
}

/** Detect the shape of a row: HellaSwag (ctx/endings), MMLU (choices list + numeric answer), ARC (answerKey), synthetic (answerIndex). */
export function detectMcKind(row: Record<string, unknown>): McKind | null {
  if ((typeof row.ctx === 'string' || typeof row.ctx_a === 'string') && Array.isArray(row.endings)) return 'hellaswag';
  if (typeof row.question === 'string' && row.choices !== undefined) {
    if (typeof row.answerIndex === 'number' && Array.isArray(row.choices) && typeof row.template === 'string') return 'synthetic';
    if (row.answerKey !== undefined) return 'arc';
    if (row.answer !== undefined) return 'mmlu';
  }
  return null;
}

class RowError extends Error {}

function labelIndex(value: unknown, labels: string[], count: number, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value < 0 || value >= count) throw new RowError(`field "${field}": index ${value} is out of range (${count} options)`);
    return value;
  }
  if (typeof value === 'string') {
    const v = value.trim();
    const i = labels.indexOf(v);
    if (i >= 0) return i;
    if (/^\d+$/.test(v) && labels.every((l) => !/^\d+$/.test(l))) {
      // ARC has a few items keyed "1".."4" while labels are letters, and the reverse.
      const n = Number(v) - 1;
      if (n >= 0 && n < count) return n;
    }
    const li = LETTERS.indexOf(v.toUpperCase());
    if (v.length === 1 && li >= 0 && li < count && labels.every((l) => !LETTERS.includes(l))) return li;
    throw new RowError(`field "${field}": "${v}" is not one of the option labels ${JSON.stringify(labels)}`);
  }
  throw new RowError(`field "${field}": must be an option label or index, got ${JSON.stringify(value)}`);
}

function stringArray(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length < 2 || v.some((x) => typeof x !== 'string' && typeof x !== 'number'))
    throw new RowError(`field "${field}": must be a list of at least 2 option texts`);
  return v.map(String);
}

/** Turn one row into an item; throws with the field name. */
export function mcItemFromRow(row: Record<string, unknown>, kind: McKind | 'auto', id: string): McItem {
  const k = kind === 'auto' ? detectMcKind(row) : kind;
  if (!k)
    throw new RowError(
      'cannot tell the format: expected HellaSwag (ctx, endings, label), ARC (question, choices, answerKey) or MMLU (question, choices, answer) fields',
    );
  const rowId = typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : typeof row.ind === 'number' ? String(row.ind) : id;
  if (k === 'hellaswag') {
    const ctx = hellaswagContext(row);
    if (ctx === null) throw new RowError('field "ctx": missing (or ctx_a/ctx_b)');
    const endings = stringArray(row.endings, 'endings');
    const answer = labelIndex(typeof row.label === 'string' && /^\d+$/.test(row.label) ? Number(row.label) : row.label, endings.map((_, i) => String(i)), endings.length, 'label');
    return { id: rowId, kind: k, context: ctx, continuations: endings.map((e) => ` ${e}`), answer };
  }
  if (typeof row.question !== 'string') throw new RowError('field "question": missing or not a string');
  let texts: string[];
  let labels: string[];
  const ch = row.choices;
  if (Array.isArray(ch)) {
    texts = stringArray(ch, 'choices');
    labels = texts.map((_, i) => LETTERS[i]!);
  } else if (typeof ch === 'object' && ch !== null) {
    const c = ch as Record<string, unknown>;
    texts = stringArray(c.text, 'choices.text');
    labels = Array.isArray(c.label) ? c.label.map(String) : texts.map((_, i) => LETTERS[i]!);
    if (labels.length !== texts.length) throw new RowError(`field "choices.label": ${labels.length} labels for ${texts.length} texts`);
  } else throw new RowError('field "choices": missing (a list of texts or {text: [], label: []})');
  const answerField = k === 'arc' ? 'answerKey' : k === 'synthetic' ? 'answerIndex' : 'answer';
  if (row[answerField] === undefined) throw new RowError(`field "${answerField}": missing`);
  const answer = labelIndex(row[answerField], labels, texts.length, answerField);
  return { id: rowId, kind: k, context: mcContext(row.question), continuations: texts.map((t) => ` ${t}`), answer };
}

/** Items of a JSONL (or JSON array) file; errors name the file, line and field. */
export function loadMcItems(file: string, opts: { kind?: McKind | 'auto'; limit?: number } = {}): McItem[] {
  const text = readTextFile(file, { what: 'items file' });
  let rows: { line: number; value: unknown }[];
  if (text.trimStart().startsWith('[')) {
    const parsed = parseJsonText(text, file);
    if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of items`);
    rows = parsed.map((value, i) => ({ line: i + 1, value }));
  } else {
    rows = [];
    text.split('\n').forEach((l, i) => {
      if (l.trim() !== '') rows.push({ line: i + 1, value: parseJsonText(l, `${file}:${i + 1}`) });
    });
  }
  const items: McItem[] = [];
  for (const { line, value } of rows) {
    if (opts.limit !== undefined && items.length >= opts.limit) break;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}:${line}: each row must be a JSON object`);
    try {
      items.push(mcItemFromRow(value as Record<string, unknown>, opts.kind ?? 'auto', `${file}#${line}`));
    } catch (e) {
      if (e instanceof RowError) throw new Error(`${file}:${line}: ${e.message}`);
      throw e;
    }
  }
  if (items.length === 0) throw new Error(`${file}: no items`);
  return items;
}

/** The synthetic oodTextSet items from @softcot/data as multiple-choice items. */
export function mcItemsFromOod(items: readonly OodItem[]): McItem[] {
  return items.map((it) => ({ id: it.id, kind: 'synthetic', context: mcContext(it.question), continuations: it.choices.map((c) => ` ${c}`), answer: it.answerIndex }));
}

export interface McScore {
  id: string;
  /** Summed log-probability of each option's continuation. */
  logprobs: number[];
  /** Continuation length in tokens per option. */
  tokens: number[];
  answer: number;
  /** argmax of the sum / of the per-token mean. */
  pred: number;
  predNorm: number;
  /** Per-token NLL of the correct option (nats). */
  answerNll: number;
}

/**
 * Log-probabilities of each continuation given the context, in one right-padded batch. Returns, per
 * continuation, the log-prob of each of its tokens.
 */
export function continuationLogprobs(model: CausalLM, tokenizer: Tokenizer, context: string, continuations: readonly string[]): number[][] {
  const ctx = tokenizer.encode(context);
  if (ctx.length === 0) throw new Error('continuationLogprobs: the context encodes to no tokens (give a tokenizer that adds BOS, or a non-empty context)');
  const conts = continuations.map((c) => tokenizer.encode(c, { addSpecialTokens: false }));
  conts.forEach((c, i) => {
    if (c.length === 0) throw new Error(`continuationLogprobs: option ${i} (${JSON.stringify(continuations[i])}) encodes to no tokens`);
  });
  const n = conts.length;
  const width = ctx.length + Math.max(...conts.map((c) => c.length));
  const pad = tokenizer.padTokenId ?? 0;
  const ids = conts.map((c) => [...ctx, ...c, ...new Array<number>(width - ctx.length - c.length).fill(pad)]);
  const mask = conts.map((c) => [...new Array<number>(ctx.length + c.length).fill(1), ...new Array<number>(width - ctx.length - c.length).fill(0)]);
  const d = model.config.hiddenSize;
  return tf.tidy(() => {
    const { hidden } = model.forward({ inputIds: tf.tensor2d(ids, [n, width], 'int32'), attentionMask: mask, logits: 'none' });
    return conts.map((c, i) => {
      const h = hidden.slice([i, ctx.length - 1, 0], [1, c.length, d]) as tf.Tensor3D;
      return Array.from(tokenLogProbs(model.lmHead(h).reshape([c.length, model.config.vocabSize]) as tf.Tensor2D, c).dataSync());
    });
  });
}

export function scoreMcItem(model: CausalLM, tokenizer: Tokenizer, item: McItem): McScore {
  const per = continuationLogprobs(model, tokenizer, item.context, item.continuations);
  const logprobs = per.map((lp) => lp.reduce((a, b) => a + b, 0));
  const tokens = per.map((lp) => lp.length);
  const argmax = (xs: number[]) => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);
  return {
    id: item.id,
    logprobs,
    tokens,
    answer: item.answer,
    pred: argmax(logprobs),
    predNorm: argmax(logprobs.map((l, i) => l / tokens[i]!)),
    answerNll: -logprobs[item.answer]! / tokens[item.answer]!,
  };
}

export interface OodSummary {
  items: number;
  /** Accuracy picking the option with the highest summed log-likelihood. */
  accuracy: number;
  /** Accuracy picking the highest per-token mean log-likelihood. */
  accuracyNorm: number;
  /** Mean over items of the correct option's per-token NLL (nats). */
  answerNll: number;
  /** Total NLL / total tokens of the correct options (token-weighted). */
  answerNllTokenWeighted: number;
  /** Items per kind. */
  kinds: Record<string, number>;
}

export interface OodResult {
  summary: OodSummary;
  scores: McScore[];
}

export function summarizeOod(scores: readonly McScore[], items: readonly McItem[]): OodSummary {
  const n = scores.length;
  const kinds: Record<string, number> = {};
  for (const it of items) kinds[it.kind] = (kinds[it.kind] ?? 0) + 1;
  const tokTotal = scores.reduce((a, s) => a + s.tokens[s.answer]!, 0);
  return {
    items: n,
    accuracy: scores.filter((s) => s.pred === s.answer).length / n,
    accuracyNorm: scores.filter((s) => s.predNorm === s.answer).length / n,
    answerNll: scores.reduce((a, s) => a + s.answerNll, 0) / n,
    answerNllTokenWeighted: scores.reduce((a, s) => a + s.answerNll * s.tokens[s.answer]!, 0) / tokTotal,
    kinds,
  };
}

export function evaluateOod(
  model: CausalLM,
  tokenizer: Tokenizer,
  items: readonly McItem[],
  opts: { onProgress?: (done: number, total: number, label: string) => void } = {},
): OodResult {
  if (items.length === 0) throw new Error('evaluateOod: no items');
  const scores: McScore[] = [];
  items.forEach((it, i) => {
    scores.push(scoreMcItem(model, tokenizer, it));
    opts.onProgress?.(i + 1, items.length, 'ood');
  });
  return { summary: summarizeOod(scores, items), scores };
}
