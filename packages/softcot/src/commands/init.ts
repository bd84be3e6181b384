// softcot init: a random-weight Hugging Face checkpoint from a config.json or a named preset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharTokenizer, initModel, loadTokenizer, makeConfigJson, parseModelConfig, saveModel, type ModelConfig, type ModelType } from '@softcot/model';
import { FileError, LIMITS, MemoryBudgetError, withFile, writeFolderAtomic } from '@softcot/base';
import { BACKEND_HELP, BACKEND_OPTION, CliInputError, UsageError, optChoice, optInt, optString, parseFlags, requireString, selectBackend, type Command } from '../args';
import { readJsonInput } from './forward';
import { checkNewModelFolder } from '../outputs';

type Sizes = Parameters<typeof makeConfigJson>[1];

/** Named architectures (the real models' shapes, random weights) and tiny ones for tests. */
export const PRESETS: Record<string, { type: ModelType; sizes: Sizes; tiny?: boolean }> = {
  'qwen2.5-0.5b': {
    type: 'qwen2',
    sizes: {
      vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864, numLayers: 24, numHeads: 14, numKvHeads: 2,
      ropeTheta: 1e6, tieWordEmbeddings: true, maxPositionEmbeddings: 32768, bosTokenId: 151643, eosTokenId: 151643, torchDtype: 'bfloat16',
    },
  },
  'qwen3-0.6b': {
    type: 'qwen3',
    sizes: {
      vocabSize: 151936, hiddenSize: 1024, intermediateSize: 3072, numLayers: 28, numHeads: 16, numKvHeads: 8, headDim: 128,
      ropeTheta: 1e6, tieWordEmbeddings: true, maxPositionEmbeddings: 40960, bosTokenId: 151643, eosTokenId: 151645, torchDtype: 'bfloat16',
    },
  },
  'llama-3.2-1b': {
    type: 'llama',
    sizes: {
      vocabSize: 128256, hiddenSize: 2048, intermediateSize: 8192, numLayers: 16, numHeads: 32, numKvHeads: 8, headDim: 64,
      ropeTheta: 500000, ropeScaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
      tieWordEmbeddings: true, maxPositionEmbeddings: 131072, bosTokenId: 128000, eosTokenId: 128001, rmsNormEps: 1e-5, torchDtype: 'bfloat16',
    },
  },
  // The papers' models and their peers (configs as published on the Hugging Face hub); for `softcot plan`.
  'llama-3.1-8b': {
    type: 'llama',
    sizes: {
      vocabSize: 128256, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128,
      ropeTheta: 500000, ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
      tieWordEmbeddings: false, maxPositionEmbeddings: 131072, bosTokenId: 128000, eosTokenId: 128001, rmsNormEps: 1e-5, torchDtype: 'bfloat16',
    },
  },
  'llama-3.2-3b': {
    type: 'llama',
    sizes: {
      vocabSize: 128256, hiddenSize: 3072, intermediateSize: 8192, numLayers: 28, numHeads: 24, numKvHeads: 8, headDim: 128,
      ropeTheta: 500000, ropeScaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
      tieWordEmbeddings: true, maxPositionEmbeddings: 131072, bosTokenId: 128000, eosTokenId: 128001, rmsNormEps: 1e-5, torchDtype: 'bfloat16',
    },
  },
  'qwen2.5-7b': {
    type: 'qwen2',
    sizes: {
      vocabSize: 152064, hiddenSize: 3584, intermediateSize: 18944, numLayers: 28, numHeads: 28, numKvHeads: 4,
      ropeTheta: 1e6, tieWordEmbeddings: false, maxPositionEmbeddings: 131072, bosTokenId: 151643, eosTokenId: 151643, torchDtype: 'bfloat16',
    },
  },
  'qwen2.5-3b': {
    type: 'qwen2',
    sizes: {
      vocabSize: 151936, hiddenSize: 2048, intermediateSize: 11008, numLayers: 36, numHeads: 16, numKvHeads: 2,
      ropeTheta: 1e6, tieWordEmbeddings: true, maxPositionEmbeddings: 32768, bosTokenId: 151643, eosTokenId: 151643, torchDtype: 'bfloat16',
    },
  },
  'qwen3-8b': {
    type: 'qwen3',
    sizes: {
      vocabSize: 151936, hiddenSize: 4096, intermediateSize: 12288, numLayers: 36, numHeads: 32, numKvHeads: 8, headDim: 128,
      ropeTheta: 1e6, tieWordEmbeddings: false, maxPositionEmbeddings: 40960, bosTokenId: 151643, eosTokenId: 151645, torchDtype: 'bfloat16',
    },
  },
  'tiny-llama': { type: 'llama', tiny: true, sizes: { vocabSize: 512, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: true, rmsNormEps: 1e-5 } },
  'tiny-qwen2': { type: 'qwen2', tiny: true, sizes: { vocabSize: 512, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: true, ropeTheta: 1e6 } },
  'tiny-qwen3': { type: 'qwen3', tiny: true, sizes: { vocabSize: 512, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, tieWordEmbeddings: true, ropeTheta: 1e6 } },
};

/** The ModelConfig of a named preset (a usage error names the presets when it is unknown). */
export function presetConfig(name: string): ModelConfig {
  const preset = PRESETS[name];
  if (!preset) throw new UsageError(`flag --preset: unknown preset "${name}" (one of ${Object.keys(PRESETS).join(', ')})`);
  return parseModelConfig(makeConfigJson(preset.type, preset.sizes), `preset ${name}`);
}

/** Printable ASCII plus newline: the tokenizer tiny presets get when no --tokenizer is given. */
export const TINY_ALPHABET = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'chat_template.jinja', 'special_tokens_map.json'];

const usage = `Usage: softcot init (--preset NAME | --config config.json) --out DIR [--tokenizer DIR] [--seed N] [--dtype D] [--force]

Write a Hugging Face model folder with random weights (transformers' default init).

Options:
  --preset NAME        ${Object.keys(PRESETS).join(' | ')}
  --config FILE        a Hugging Face config.json (llama, qwen2 or qwen3) instead of a preset
  --out DIR            output folder (config.json, model.safetensors, tokenizer files): a new path or an
                       empty folder
  --force              replace an existing --out folder (atomically: the old one stays until the new one
                       is complete)
  --tokenizer DIR      copy the tokenizer files from this folder (tokenizer.json, tokenizer_config.json, ...).
                       With a tiny-* preset the vocabulary grows to fit the tokenizer.
                       Without it, tiny-* presets get a character tokenizer over printable ASCII.
  --seed N             weight seed (default 0)
  --dtype D            float32 | bfloat16 (storage dtype; default float32 for tiny presets, else the config's)
${BACKEND_HELP.replace('default native-cpu when its addon is built, else wasm', 'default cpu')}
  -h, --help           show this help

Note: a 0.5B model in float32 needs about 2 GB of memory while it is created; the 3B-8B presets (meant for
softcot plan) need 12-32 GB.`;

export const initCommand: Command = {
  name: 'init',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { preset: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, tokenizer: { type: 'string' }, seed: { type: 'string' }, dtype: { type: 'string' }, force: { type: 'boolean' }, ...BACKEND_OPTION });
    if (!v) return (io.stdout(usage), 0);
    const out = requireString(v, 'out');
    const presetName = optString(v, 'preset');
    const configFile = optString(v, 'config');
    if ((presetName === undefined) === (configFile === undefined)) throw new UsageError('give exactly one of --preset NAME or --config config.json');
    const seed = optInt(v, 'seed', { max: LIMITS.seed }) ?? 0;
    const dtype = optChoice(v, 'dtype', ['float32', 'bfloat16'] as const);
    const tokDir = optString(v, 'tokenizer');
    const tokenizer = tokDir ? loadTokenizer(tokDir) : undefined;

    let json: Record<string, unknown>;
    let tiny = false;
    if (presetName !== undefined) {
      const preset = PRESETS[presetName];
      if (!preset) throw new UsageError(`flag --preset: unknown preset "${presetName}" (one of ${Object.keys(PRESETS).join(', ')})`);
      tiny = Boolean(preset.tiny);
      const sizes: Sizes = { ...preset.sizes };
      if (tiny) {
        const tk = tokenizer ?? new CharTokenizer(TINY_ALPHABET);
        sizes.vocabSize = Math.max(sizes.vocabSize, tk.vocabSize);
        sizes.bosTokenId = tk.bosTokenId;
        sizes.eosTokenId = tk.eosTokenId;
        sizes.padTokenId = tk.padTokenId;
      }
      json = makeConfigJson(preset.type, sizes);
    } else {
      json = readJsonInput(configFile!, 'config file') as Record<string, unknown>;
    }
    if (dtype) json.torch_dtype = dtype;
    else if (tiny) json.torch_dtype = 'float32';
    const config = parseModelConfig(json, configFile ?? `preset ${presetName}`);
    if (tokenizer && tokenizer.vocabSize > config.vocabSize)
      throw new CliInputError(`${tokDir}: tokenizer has ${tokenizer.vocabSize} ids but the config's vocab_size is ${config.vocabSize}`);

    checkNewModelFolder(out, Boolean(v.force), { '--config': configFile, '--tokenizer': tokDir });
    await selectBackend(v, 'cpu');
    let model;
    try {
      model = initModel(config, seed);
    } catch (e) {
      // Its size comes from the config: name it.
      if (e instanceof MemoryBudgetError) throw new CliInputError(`${configFile ?? `preset ${presetName}`}: ${e.message}`);
      throw e;
    }
    try {
      // The whole folder appears at once (or, with --force, replaces the old one at once): never half a model.
      writeFolderAtomic(
        out,
        (tmp) => {
          saveModel(model, tmp);
          if (tokDir) {
            for (const f of TOKENIZER_FILES)
              if (fs.existsSync(path.join(tokDir, f))) withFile(path.join(tokDir, f), 'cannot copy', () => fs.copyFileSync(path.join(tokDir, f), path.join(tmp, f)));
          } else if (tiny) {
            new CharTokenizer(TINY_ALPHABET).save(tmp);
          }
        },
        { replace: Boolean(v.force) },
      );
    } finally {
      model.dispose();
    }
    io.stdout(`wrote ${out}: ${config.modelType}, ${config.numLayers} layers, hidden ${config.hiddenSize}, vocab ${config.vocabSize}, ${config.torchDtype} (seed ${seed})`);
    return 0;
  },
};
