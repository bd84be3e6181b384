// softcot merge: a saved LoRA adapter (PEFT layout) folded into its base model, written as a plain Hugging Face
// checkpoint that transformers, vLLM and `softcot eval` load without PEFT.
import * as path from 'node:path';
import { isAdapterDir, loadAdapter, loadTokenizer } from '@softcot/model';
import { loadCotConfig } from '@softcot/mixer';
import { saveMergedModel } from '@softcot/trainer';
import { BACKEND_HELP, BACKEND_OPTION, CliInputError, optChoice, parseFlags, requireString, selectBackend, type Command } from '../args';
import { checkNewModelFolder } from '../outputs';
import { loadModelDir, MODEL_HELP, MODEL_OPTIONS } from './inputs';

const usage = `Usage: softcot merge --model BASE --adapter DIR --out DIR [--dtype D] [--force]

Fold LoRA adapters (adapter_config.json + adapter_model.safetensors, as \`softcot train --lora-rank\` checkpoints
and PEFT write them) into the base weights, W + (α/r)·B·A, and write a plain Hugging Face model folder with the
base's tokenizer (and the adapter's softcot_config.json, when it has one).

Options:
  --model BASE         the base model folder the adapters were trained on
  --adapter DIR        an adapter folder (e.g. out/best or out/checkpoints/step-000100)
  --out DIR            output folder
  --dtype D            float32 | bfloat16 (default: the base config's torch_dtype)
  --force              replace an existing --out model folder
${MODEL_HELP}
${BACKEND_HELP.replace('default native-cpu when its addon is built, else wasm', 'default cpu')}
  -h, --help           show this help`;

export const mergeCommand: Command = {
  name: 'merge',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { model: { type: 'string' }, adapter: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' }, force: { type: 'boolean' }, ...MODEL_OPTIONS, ...BACKEND_OPTION });
    if (!v) return (io.stdout(usage), 0);
    const base = requireString(v, 'model');
    const adapter = requireString(v, 'adapter');
    const out = requireString(v, 'out');
    const dtype = optChoice(v, 'dtype', ['float32', 'bfloat16'] as const);
    if (!isAdapterDir(adapter)) throw new CliInputError(`${path.join(adapter, 'adapter_config.json')}: not found (is this a LoRA adapter folder?)`);
    checkNewModelFolder(out, Boolean(v.force), { '--model': base, '--adapter': adapter });
    await selectBackend(v, 'cpu');
    const { model } = loadModelDir(base, v, { tokenizer: false });
    try {
      loadAdapter(model, adapter);
      const saved = loadCotConfig(adapter);
      const cot = saved && { cot: saved.cot, baseEmbeddingRms: saved.baseEmbeddingRms, maxCotTokens: saved.maxCotTokens, prompt: saved.prompt };
      saveMergedModel(out, { model, tokenizer: loadTokenizer(base), cot, ...(dtype ? { dtype } : {}) });
    } finally {
      model.dispose();
    }
    io.stdout(`wrote ${out}: ${base} + adapters from ${adapter}`);
    return 0;
  },
};
