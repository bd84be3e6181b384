// What the commands read: a model folder, a dataset and a prompt format (with their options and help text).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, loadTokenizer, NonFiniteLogitsError, type CausalLM, type Tokenizer } from '@softcot/model';
import { LIMITS } from '@softcot/base';
import { DatasetError, getPromptFormat, loadDataset, type DatasetFormat, type Example, type PromptFormat } from '@softcot/data';
import { loadCotConfig } from '@softcot/mixer';
import { prefillTokenBound, rolloutPositions } from '@softcot/rollout';
import { CliInputError, optChoice, optInt, optString, UsageError, type CommandIO, type OptionSpec } from '../args';

export function assertModelDir(dir: string): void {
  if (!fs.existsSync(dir)) throw new CliInputError(`${dir}: model folder not found`);
  if (!fs.statSync(dir).isDirectory()) throw new CliInputError(`${dir}: not a folder (give a Hugging Face model folder with config.json)`);
}

/** Run `fn`; non-finite logits of the model become an input error naming its folder. */
export async function blameModel<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NonFiniteLogitsError) throw new CliInputError(`${dir}: ${e.message}`);
    throw e;
  }
}

/** How a model folder is loaded: the checks that can be relaxed for checkpoints the user trusts. */
export const MODEL_OPTIONS: OptionSpec = {
  'skip-weight-check': { type: 'boolean' },
  'ignore-unexpected-tensors': { type: 'boolean' },
};

export const MODEL_HELP = `  --skip-weight-check  do not scan the weights for NaN and Inf at load (about 1 s per billion weights;
                       for large checkpoints you trust)
  --ignore-unexpected-tensors
                       load a checkpoint that holds tensors config.json does not explain (default: an error)`;

export function loadModelDir(dir: string, v: Record<string, unknown>, opts: { tokenizer?: boolean; frozenBf16?: boolean } = {}): { model: CausalLM; tokenizer: Tokenizer | null } {
  assertModelDir(dir);
  const model = loadModel(dir, { checkFinite: !v['skip-weight-check'], unexpectedTensors: v['ignore-unexpected-tensors'] ? 'ignore' : 'error', frozenBf16: opts.frozenBf16 });
  let tokenizer: Tokenizer | null = null;
  if (opts.tokenizer !== false) {
    try {
      tokenizer = loadTokenizer(dir);
      if (tokenizer.vocabSize > model.config.vocabSize)
        throw new CliInputError(
          `${path.join(dir, 'tokenizer.json')}: tokenizer has ${tokenizer.vocabSize} ids but config.json vocab_size is ${model.config.vocabSize}`,
        );
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return { model, tokenizer };
}

export const DATA_FORMATS: readonly DatasetFormat[] = ['gsm8k', 'math', 'deepscaler', 'generic'];
export const PROMPTS = ['paper', 'chat', 'r1'] as const;

export const DATA_OPTIONS: OptionSpec = {
  data: { type: 'string' },
  format: { type: 'string' },
  prompt: { type: 'string' },
  instruction: { type: 'string' },
  limit: { type: 'string' },
  'skip-bad-rows': { type: 'boolean' },
};

export const DATA_HELP = `  --data FILE          dataset (JSONL, JSON array or parquet)
  --format F           gsm8k | math | deepscaler | generic (default: guessed from the file name, else generic)
  --prompt P           paper | chat | r1 (default paper: the papers' raw-text prompt)
  --instruction TEXT   the text before the question ('' for none, as the demo's and study's models were
                       trained; default: the format's instruction)
  --limit N            use only the first N problems
  --skip-bad-rows      skip malformed rows (bad JSON or UTF-8, missing fields, prompts too long for the
                       model) and report how many; default: the first one is an error naming its line`;

export function guessFormat(file: string): DatasetFormat {
  const f = file.toLowerCase();
  if (f.includes('gsm8k')) return 'gsm8k';
  if (f.includes('deepscaler')) return 'deepscaler';
  if (f.includes('math')) return 'math';
  return 'generic';
}

export async function loadExamples(file: string, v: Record<string, unknown>, io: CommandIO): Promise<Example[]> {
  if (!fs.existsSync(file)) throw new CliInputError(`${file}: dataset file not found`);
  const format = optChoice(v, 'format', DATA_FORMATS) ?? guessFormat(file);
  const limit = optInt(v, 'limit', { min: 1, max: LIMITS.rows });
  const skip = Boolean(v['skip-bad-rows']);
  let res;
  try {
    res = await loadDataset(file, { format, onError: skip ? 'skip' : 'throw', ...(limit !== undefined ? { limit } : {}) });
  } catch (e) {
    // The library's hint names its option; the command line offers a flag.
    if (e instanceof DatasetError && e.skippable)
      throw new CliInputError(`${e.file}:${e.line}: ${e.detail} (pass --skip-bad-rows to skip such rows; they are counted)`);
    throw e;
  }
  if (res.skipped.length > 0)
    io.stderr(`${file}: skipped ${res.skipped.length} bad row${res.skipped.length > 1 ? 's' : ''} (--skip-bad-rows); the first, line ${res.skipped[0]!.line}: ${res.skipped[0]!.reason}`);
  return res.examples;
}

/**
 * Problems whose prompt, CoT, prefill and answer fit the model's context (max_position_embeddings). A longer one is
 * an error naming its line, or skipped and counted with --skip-bad-rows. Flags that leave no room for any prompt
 * are a usage error.
 */
export function fitToContext(
  examples: Example[],
  file: string,
  model: CausalLM,
  tokenizer: Tokenizer,
  format: PromptFormat,
  lengths: { maxCot: number; maxAnswer: number },
  v: Record<string, unknown>,
  io: CommandIO,
): Example[] {
  const context = model.config.maxPositionEmbeddings;
  const prefill = prefillTokenBound(tokenizer, format);
  const room = context - rolloutPositions(0, prefill, lengths.maxCot, lengths.maxAnswer);
  if (room < 1)
    throw new UsageError(`--max-cot ${lengths.maxCot} + ${prefill} prefill tokens + --max-answer ${lengths.maxAnswer} leave no room for a prompt in the model's ${context} positions (max_position_embeddings in config.json)`);
  const kept: Example[] = [];
  let skipped = 0;
  let first = '';
  for (const e of examples) {
    const tokens = tokenizer.encode(format.render(e.question)).length;
    if (tokens <= room) {
      kept.push(e);
      continue;
    }
    const where = `${file}${e.line !== undefined ? `:${e.line}` : ''}`;
    const detail = `the prompt of problem ${JSON.stringify(e.id)} is ${tokens} tokens; with --max-cot ${lengths.maxCot}, ${prefill} prefill tokens and --max-answer ${lengths.maxAnswer} it needs ${rolloutPositions(tokens, prefill, lengths.maxCot, lengths.maxAnswer)} positions, more than the model's ${context} (max_position_embeddings)`;
    if (!v['skip-bad-rows']) throw new CliInputError(`${where}: ${detail} (pass --skip-bad-rows to skip such rows, or lower --max-cot)`);
    skipped++;
    if (!first) first = `${where}: ${detail}`;
  }
  if (skipped > 0) io.stderr(`${file}: skipped ${skipped} problem${skipped > 1 ? 's' : ''} too long for the model (--skip-bad-rows); the first: ${first}`);
  if (kept.length === 0) throw new CliInputError(`${file}: no problem fits the model's context of ${context} positions with --max-cot ${lengths.maxCot} and --max-answer ${lengths.maxAnswer}`);
  return kept;
}

export function promptFormatFor(v: Record<string, unknown>, tokenizer: Tokenizer): PromptFormat {
  const name = optChoice(v, 'prompt', PROMPTS, 'paper');
  if (name === 'chat' && !tokenizer.hasChatTemplate) throw new CliInputError('--prompt chat: the tokenizer has no chat template (tokenizer_config.json chat_template)');
  const instruction = optString(v, 'instruction');
  return getPromptFormat(name, { ...(name === 'chat' ? { tokenizer } : {}), ...(instruction !== undefined ? { instruction } : {}) });
}

/** Warn when a checkpoint was trained with another prompt than the one it is evaluated with (softcot_config.json). */
export function warnPromptMismatch(modelDir: string, format: PromptFormat, io: CommandIO): void {
  let saved;
  try {
    saved = loadCotConfig(modelDir);
  } catch {
    return; // reported where the config is read for σ
  }
  const template = format.render('{question}');
  if (saved && saved.prompt.template !== template)
    io.stderr(`warning: ${modelDir} was trained with the prompt ${JSON.stringify(saved.prompt.template)} (${saved.prompt.name}); evaluating with ${JSON.stringify(template)}. Pass --prompt/--instruction to match.`);
}
