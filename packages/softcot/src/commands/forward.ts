// softcot forward: logits (or greedy tokens) of a checkpoint for a batch of token ids, optionally followed by
// mixture positions (probs·E), as plain JSON, for cross-checking against other implementations.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@softcot/base';
import { greedyGenerate, matMul, type CausalLM } from '@softcot/model';
import { BACKEND_HELP, BACKEND_OPTION, CliInputError, optInt, parseFlags, requireString, selectBackend, type Command } from '../args';
import { loadModelDir } from './inputs';

const usage = `Usage: softcot forward --model DIR --input in.json --output out.json [--generate N] [--backend B]

Run a checkpoint on a batch of token ids and write its logits (or greedy tokens) as JSON.

  in.json   {"input_ids": [[int, ...], ...]}            rows of equal length, ids < vocab_size
            optional "mixture_probs": [[[float x vocab] x m] x batch]
                      each row is its input_ids followed by m positions whose input
                      embedding is probs·E (E: the input embedding matrix)
  out.json  {"logits": [[[float x vocab] x positions] x batch]}   positions = len(input_ids) + m
            with --generate N: {"tokens": [[int x N] x batch]}    greedy, KV-cached

Options:
  --model DIR          Hugging Face model folder (config.json + model.safetensors)
  --input FILE         input JSON (see above)
  --output FILE        output JSON, written atomically
  --generate N         greedy-decode N new tokens instead of returning logits
${BACKEND_HELP.replace('default wasm', 'default cpu')}
  -h, --help           show this help`;

export interface ForwardInput {
  inputIds: number[][];
  /** [batch][m][vocab], or undefined. */
  mixtureProbs?: number[][][];
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** Validate a parsed in.json against the model's vocabulary. Errors name the file and the field. */
export function validateForwardInput(json: unknown, vocabSize: number, file: string): ForwardInput {
  const fail = (field: string, detail: string): never => {
    throw new CliInputError(`${file}: field "${field}": ${detail}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CliInputError(`${file}: must be a JSON object with "input_ids"`);
  const j = json as Record<string, unknown>;
  const ids = j.input_ids;
  if (ids === undefined) fail('input_ids', 'missing');
  if (!Array.isArray(ids) || ids.length === 0) fail('input_ids', 'must be a non-empty array of rows [[int, ...], ...]');
  const rows = ids as unknown[];
  let width = -1;
  rows.forEach((row, b) => {
    if (!Array.isArray(row)) fail(`input_ids[${b}]`, 'must be an array of token ids');
    const r = row as unknown[];
    if (width === -1) width = r.length;
    if (r.length !== width) fail(`input_ids[${b}]`, `has ${r.length} ids but row 0 has ${width} (rows must have equal length)`);
    r.forEach((id, t) => {
      if (!isInt(id)) fail(`input_ids[${b}][${t}]`, `must be an integer token id, got ${JSON.stringify(id)}`);
      if ((id as number) < 0 || (id as number) >= vocabSize) fail(`input_ids[${b}][${t}]`, `id ${id as number} is out of range [0, ${vocabSize}) (vocab_size of the model)`);
    });
  });
  const known = new Set(['input_ids', 'mixture_probs']);
  for (const k of Object.keys(j)) if (!known.has(k)) fail(k, 'unknown field (expected "input_ids" and optional "mixture_probs")');
  const out: ForwardInput = { inputIds: rows as number[][] };
  const mp = j.mixture_probs;
  if (mp === undefined || mp === null) {
    if (width === 0) fail('input_ids', 'rows are empty and there is no mixture_probs: nothing to run');
    return out;
  }
  if (!Array.isArray(mp)) fail('mixture_probs', 'must be an array [batch][m][vocab]');
  const m3 = mp as unknown[];
  if (m3.length !== rows.length) fail('mixture_probs', `has ${m3.length} rows but input_ids has ${rows.length}`);
  let m = -1;
  m3.forEach((row, b) => {
    if (!Array.isArray(row)) fail(`mixture_probs[${b}]`, 'must be an array of probability vectors');
    const r = row as unknown[];
    if (m === -1) m = r.length;
    if (r.length !== m) fail(`mixture_probs[${b}]`, `has ${r.length} positions but row 0 has ${m} (same m for every row)`);
    r.forEach((vec, p) => {
      if (!Array.isArray(vec)) fail(`mixture_probs[${b}][${p}]`, 'must be an array of floats');
      const v = vec as unknown[];
      if (v.length !== vocabSize) fail(`mixture_probs[${b}][${p}]`, `has ${v.length} entries, expected vocab_size ${vocabSize}`);
      for (let i = 0; i < v.length; i++)
        if (typeof v[i] !== 'number' || !Number.isFinite(v[i] as number)) fail(`mixture_probs[${b}][${p}][${i}]`, `must be a finite number, got ${JSON.stringify(v[i])}`);
    });
  });
  if (width + m === 0) fail('input_ids', 'rows are empty and mixture_probs has no positions: nothing to run');
  out.mixtureProbs = m3 as number[][][];
  return out;
}

/** Input embeddings [B, T+m, d]: E[ids] followed by probs·E. */
export function mixtureEmbeds(model: CausalLM, input: ForwardInput): tf.Tensor3D {
  return tf.tidy(() => {
    const B = input.inputIds.length;
    const T = input.inputIds[0]!.length;
    const d = model.config.hiddenSize;
    const parts: tf.Tensor3D[] = [];
    if (T > 0) parts.push(model.embed(tf.tensor2d(input.inputIds, [B, T], 'int32')));
    const m = input.mixtureProbs?.[0]?.length ?? 0;
    if (m > 0) {
      const V = model.config.vocabSize;
      const flat = new Float32Array(B * m * V);
      input.mixtureProbs!.forEach((row, b) => row.forEach((vec, p) => flat.set(vec, (b * m + p) * V)));
      const mixed = matMul<tf.Tensor2D>(tf.tensor2d(flat, [B * m, V]), model.embeddingMatrix);
      parts.push(mixed.reshape([B, m, d]));
    }
    return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor3D);
  });
}

/** Logits [B][T+m][V] for the input. */
export function forwardLogits(model: CausalLM, input: ForwardInput): Float32Array[][] {
  const logits = tf.tidy(() => {
    if (!input.mixtureProbs) {
      const B = input.inputIds.length;
      return model.forward({ inputIds: tf.tensor2d(input.inputIds, [B, input.inputIds[0]!.length], 'int32') }).logits!;
    }
    return model.forward({ inputEmbeds: mixtureEmbeds(model, input) }).logits!;
  });
  const [B, P, V] = logits.shape;
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  return Array.from({ length: B }, (_, b) => Array.from({ length: P }, (_, p) => data.subarray((b * P + p) * V, (b * P + p + 1) * V)));
}

/** Greedy tokens; with mixture positions, the prefix goes in as embeddings and decoding continues with the KV cache. */
export function forwardGenerate(model: CausalLM, input: ForwardInput, steps: number): number[][] {
  if (!input.mixtureProbs) return greedyGenerate(model, input.inputIds, steps).tokens;
  const embeds = mixtureEmbeds(model, input);
  try {
    return greedyGenerate(model, embeds, steps).tokens;
  } finally {
    embeds.dispose();
  }
}

/** Write {"key": nested arrays} as JSON without building one giant string; atomic. */
export function writeNestedJsonAtomic(file: string, key: string, rows: ArrayLike<number>[][] | number[][]): void {
  writeFileAtomic(file, (fd) => {
    const w = (s: string) => fs.writeSync(fd, s);
    w(`{${JSON.stringify(key)}: [`);
    rows.forEach((row, b) => {
      w(b ? ',\n [' : '\n [');
      (row as unknown[]).forEach((cell, p) => {
        if (typeof cell === 'number') w((p ? ',' : '') + String(cell));
        else {
          const vec = cell as ArrayLike<number>;
          const parts = new Array<string>(vec.length);
          for (let i = 0; i < vec.length; i++) parts[i] = Number.isFinite(vec[i]!) ? String(vec[i]) : 'null';
          w((p ? ',\n  [' : '\n  [') + parts.join(',') + ']');
        }
      });
      w(']');
    });
    w('\n]}\n');
  });
}

export function readJsonFile(file: string, what = 'input'): unknown {
  if (!fs.existsSync(file)) throw new CliInputError(`${file}: ${what} file not found`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliInputError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

export const forwardCommand: Command = {
  name: 'forward',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { model: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' }, generate: { type: 'string' }, ...BACKEND_OPTION });
    if (!v) return (io.stdout(usage), 0);
    const modelDir = requireString(v, 'model');
    const inFile = requireString(v, 'input');
    const outFile = requireString(v, 'output');
    const steps = optInt(v, 'generate', { min: 1 });
    const json = readJsonFile(inFile);
    await selectBackend(v, 'cpu');
    const { model } = loadModelDir(modelDir, { tokenizer: false });
    try {
      const input = validateForwardInput(json, model.config.vocabSize, inFile);
      if (steps !== undefined) {
        if (input.inputIds[0]!.length === 0 && !input.mixtureProbs) throw new CliInputError(`${inFile}: field "input_ids": --generate needs a non-empty prompt`);
        writeNestedJsonAtomic(outFile, 'tokens', forwardGenerate(model, input, steps));
      } else {
        writeNestedJsonAtomic(outFile, 'logits', forwardLogits(model, input));
      }
      io.stderr(`wrote ${outFile}`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
