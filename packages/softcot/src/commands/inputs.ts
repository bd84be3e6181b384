// What the commands read: a model folder, a dataset and a prompt format (with their options and help text).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, loadTokenizer, type CausalLM, type Tokenizer } from '@softcot/model';
import { getPromptFormat, loadDataset, type DatasetFormat, type Example, type PromptFormat } from '@softcot/data';
import { loadCotConfig } from '@softcot/mixer';
import { CliInputError, optChoice, optInt, optString, type CommandIO, type OptionSpec } from '../args';

export function assertModelDir(dir: string): void {
  if (!fs.existsSync(dir)) throw new CliInputError(`${dir}: model folder not found`);
  if (!fs.statSync(dir).isDirectory()) throw new CliInputError(`${dir}: not a folder (give a Hugging Face model folder with config.json)`);
}

export function loadModelDir(dir: string, opts: { tokenizer?: boolean; frozenBf16?: boolean } = {}): { model: CausalLM; tokenizer: Tokenizer | null } {
  assertModelDir(dir);
  const model = loadModel(dir, { frozenBf16: opts.frozenBf16 });
  let tokenizer: Tokenizer | null = null;
  if (opts.tokenizer !== false) {
    tokenizer = loadTokenizer(dir);
    if (tokenizer.vocabSize > model.config.vocabSize)
      throw new CliInputError(
        `${path.join(dir, 'tokenizer.json')}: tokenizer has ${tokenizer.vocabSize} ids but config.json vocab_size is ${model.config.vocabSize}`,
      );
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
};

export const DATA_HELP = `  --data FILE          dataset (JSONL, JSON array or parquet)
  --format F           gsm8k | math | deepscaler | generic (default: guessed from the file name, else generic)
  --prompt P           paper | chat | r1 (default paper: the papers' raw-text prompt)
  --instruction TEXT   the text before the question ('' for none, as the demo's and study's models were
                       trained; default: the format's instruction)
  --limit N            use only the first N problems`;

export function guessFormat(file: string): DatasetFormat {
  const f = file.toLowerCase();
  if (f.includes('gsm8k')) return 'gsm8k';
  if (f.includes('deepscaler')) return 'deepscaler';
  if (f.includes('math')) return 'math';
  return 'generic';
}

export async function loadExamples(file: string, v: Record<string, unknown>): Promise<Example[]> {
  if (!fs.existsSync(file)) throw new CliInputError(`${file}: dataset file not found`);
  const format = optChoice(v, 'format', DATA_FORMATS) ?? guessFormat(file);
  const limit = optInt(v, 'limit', { min: 1 });
  const res = await loadDataset(file, { format, ...(limit !== undefined ? { limit } : {}) });
  return res.examples;
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
