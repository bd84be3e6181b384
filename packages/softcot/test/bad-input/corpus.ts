// The bad-input corpus: hostile or malformed checkpoints, config.json files, tokenizer files, datasets, `forward`
// inputs, command-line arguments and output paths, each with the error it must produce. Every case must end
// CLEAR (bad-input.test.ts): one line naming the file and the field, tensor, line or flag; exit 1 for bad input,
// 2 for usage; no stack; no hang; no crash; nothing accepted. The classes are listed in docs/reliability.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deepJson, type CaseContext } from './fixtures';

export type Area = 'checkpoint' | 'config' | 'tokenizer' | 'dataset' | 'forward' | 'cli' | 'paths';

export interface BadInputCase {
  id: string;
  area: Area;
  /** 1: bad input (one line `softcot <cmd>: error: ...`); 2: usage (a line naming the flag, then the usage). */
  exit: 1 | 2;
  /** What the error line says. */
  error: RegExp;
  /** Writes the case's files; returns the command line and the strings the error line must contain. */
  setup(c: CaseContext): { argv: string[]; names: string[] };
}

export const CORPUS: BadInputCase[] = [];

function add(area: Area, id: string, exit: 1 | 2, error: RegExp, setup: (c: CaseContext) => { argv: string[]; names: string[] }): void {
  CORPUS.push({ id: `${area}/${id}`, area, exit, error, setup });
}

const q = (name: string) => `tensor "${name}"`;
const L0 = 'model.layers.0';
const EMBED = 'model.embed_tokens.weight';

// ---------------------------------------------------------------------------------------------------------------
// checkpoints (model.safetensors, shard index): loaded through `softcot forward`

/** A weights variant, run through forward; the error names model.safetensors and the tensor. */
function weights(id: string, error: RegExp, tensor: string, edit: Parameters<CaseContext['modelWithTensors']>[0], dtype?: Parameters<CaseContext['modelWithTensors']>[1]) {
  add('checkpoint', id, 1, error, (c) => {
    const m = c.modelWithTensors(edit, dtype);
    return { argv: c.forwardArgs(m), names: [path.join(m, 'model.safetensors'), q(tensor)] };
  });
}
const setAt = (name: string, i: number, x: number) => (t: Map<string, { data: Float32Array }>) => void (t.get(name)!.data[i] = x);

weights('nan-in-q_proj', /holds NaN at flat index 7/, `${L0}.self_attn.q_proj.weight`, setAt(`${L0}.self_attn.q_proj.weight`, 7, NaN));
weights('inf-in-final-norm', /holds Infinity at flat index 0/, 'model.norm.weight', setAt('model.norm.weight', 0, Infinity));
weights('minus-inf-in-embeddings', /holds -Infinity at flat index 1000/, EMBED, setAt(EMBED, 1000, -Infinity));
weights('nan-in-k_proj-bias', /holds NaN at flat index 3/, `${L0}.self_attn.k_proj.bias`, setAt(`${L0}.self_attn.k_proj.bias`, 3, NaN));
weights('nan-in-last-layer-down_proj', /holds NaN/, 'model.layers.1.mlp.down_proj.weight', setAt('model.layers.1.mlp.down_proj.weight', 8191, NaN));
weights('nan-stored-as-bf16', /holds NaN at flat index 5/, `${L0}.mlp.up_proj.weight`, setAt(`${L0}.mlp.up_proj.weight`, 5, NaN), () => 'BF16');
weights('inf-stored-as-f16', /holds Infinity at flat index 2/, `${L0}.mlp.gate_proj.weight`, setAt(`${L0}.mlp.gate_proj.weight`, 2, 1e6), () => 'F16');
add('checkpoint', 'float-tensor-stored-as-I32', 1, /dtype I32 is not a floating-point type/, (c) => {
  const t = c.tensors();
  const m = c.copyModel();
  const entries = [...t].map(([name, { shape, data }]) => ({ name, shape, dtype: name === 'model.norm.weight' ? 'I32' : 'F32', bytes: name === 'model.norm.weight' ? new Uint8Array(Int32Array.from(data).buffer) : new Uint8Array(data.buffer) }));
  c.bytes(path.join(m, 'model.safetensors'), rawFromEntries(entries));
  return { argv: c.forwardArgs(m), names: [path.join(m, 'model.safetensors'), q('model.norm.weight')] };
});
for (const dtype of ['BOOL', 'U8', 'I64']) {
  add('checkpoint', `float-tensor-stored-as-${dtype}`, 1, new RegExp(`dtype ${dtype} is not a floating-point type`), (c) => {
    const t = c.tensors();
    const m = c.copyModel();
    const size = { BOOL: 1, U8: 1, I64: 8 }[dtype]!;
    const entries = [...t].map(([name, { shape, data }]) => (name === 'model.norm.weight' ? { name, shape, dtype, bytes: new Uint8Array(data.length * size) } : { name, shape, dtype: 'F32', bytes: new Uint8Array(data.buffer) }));
    c.bytes(path.join(m, 'model.safetensors'), rawFromEntries(entries));
    return { argv: c.forwardArgs(m), names: [path.join(m, 'model.safetensors'), q('model.norm.weight')] };
  });
}
add('checkpoint', 'huge-finite-weights-overflow', 1, /the model's logits are not finite \(logits\[0\]\[0\]\[0\] = NaN\): its weights overflow float32/, (c) => {
  const m = c.modelWithTensors((t) => {
    for (const { data } of t.values()) data.fill(3e38);
  });
  return { argv: c.forwardArgs(m), names: [m] };
});
add('checkpoint', 'huge-finite-weights-overflow-generate', 1, /the model's logits are not finite \(row 0, step 0/, (c) => {
  const m = c.modelWithTensors((t) => {
    for (const { data } of t.values()) data.fill(3e38);
  });
  return { argv: c.forwardArgs(m, c.forwardInput(), '--generate', '2'), names: [m] };
});
add('checkpoint', 'huge-finite-weights-overflow-eval', 1, /the model's logits are not finite \(prompt 0, CoT step 1\)/, (c) => {
  const m = c.modelWithTensors((t) => {
    for (const { data } of t.values()) data.fill(3e38);
  });
  return { argv: c.evalArgs(m, c.fx.data), names: [m] };
});
weights('extra-layer-tensor', /not used by a qwen2 model with 2 layers .*--ignore-unexpected-tensors/, 'model.layers.2.input_layernorm.weight', (t) => {
  t.set('model.layers.2.input_layernorm.weight', { shape: [64], data: new Float32Array(64).fill(1) });
});
weights('extra-unknown-tensor', /not used by a qwen2 model/, 'vision_tower.patch_embed.weight', (t) => {
  t.set('vision_tower.patch_embed.weight', { shape: [4], data: new Float32Array(4) });
});
weights('tied-lm_head-differs', /differs from model\.embed_tokens\.weight at flat index 0 .*tie_word_embeddings/, 'lm_head.weight', (t) => {
  const e = t.get(EMBED)!;
  const head = Float32Array.from(e.data);
  head[0] = head[0]! + 1;
  t.set('lm_head.weight', { shape: e.shape, data: head });
});
weights('tied-lm_head-other-shape', /shape \[511,64\] differs from model\.embed_tokens\.weight \[512,64\]/, 'lm_head.weight', (t) => {
  t.set('lm_head.weight', { shape: [511, 64], data: new Float32Array(511 * 64) });
});
add('checkpoint', 'missing-tensor', 1, /missing tensor required by config\.json \(qwen2, 2 layers\)/, (c) => {
  const m = c.modelWithTensors((t) => void t.delete('model.layers.1.mlp.down_proj.weight'));
  return { argv: c.forwardArgs(m), names: [m, q('model.layers.1.mlp.down_proj.weight')] };
});
weights('wrong-shape', /shape \[64,63\] does not match config\.json \(expected \[64,64\]\)/, `${L0}.self_attn.o_proj.weight`, (t) => {
  t.set(`${L0}.self_attn.o_proj.weight`, { shape: [64, 63], data: new Float32Array(64 * 63) });
});
weights('scalar-for-a-matrix', /shape \[\] does not match/, `${L0}.self_attn.q_proj.weight`, (t) => {
  t.set(`${L0}.self_attn.q_proj.weight`, { shape: [], data: new Float32Array(1) });
});

/** A raw-header corruption; the error names model.safetensors (and `field` when given). */
function raw(id: string, error: RegExp, field: string | null, make: (c: CaseContext) => string) {
  add('checkpoint', id, 1, error, (c) => {
    const m = make(c);
    return { argv: c.forwardArgs(m), names: [path.join(m, 'model.safetensors'), ...(field ? [field] : [])] };
  });
}
const t1 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
raw('truncated-data', /data offsets \[0, 8\] are out of range: the data buffer has only 4 bytes/, q('a'), (c) => c.modelWithRawWeights({ a: t1 }, new Uint8Array(4)));
raw('header-length-past-end', /header length 1000 is past the end of the file/, 'header length', (c) => c.modelWithRawWeights({ a: t1 }, new Uint8Array(8), 1000n));
raw('header-length-2^63', /header length \d+ is past the end/, 'header length', (c) => c.modelWithRawWeights({}, new Uint8Array(0), 2n ** 63n));
raw('header-not-json', /header is not valid UTF-8 JSON/, 'header', (c) => c.modelWithRawWeights('{"a": [1, 2', new Uint8Array(0)));
raw('header-invalid-utf8', /header is not valid UTF-8 JSON/, 'header', (c) => {
  const m = c.copyModel();
  const h = Buffer.from('{"\xff": 1}', 'latin1');
  const b = Buffer.alloc(8 + h.length);
  b.writeBigUInt64LE(BigInt(h.length));
  h.copy(b, 8);
  c.bytes(path.join(m, 'model.safetensors'), b);
  return m;
});
raw('header-is-an-array', /header must be a JSON object/, 'header', (c) => c.modelWithRawWeights([1, 2]));
raw('entry-not-an-object', /entry must be an object \{dtype, shape, data_offsets\}/, q('a'), (c) => c.modelWithRawWeights({ a: 5 }));
raw('unknown-dtype', /unknown dtype "F8"/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, dtype: 'F8' } }, new Uint8Array(8)));
raw('negative-shape', /shape \[-2\] must be an array of non-negative integers/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, shape: [-2] } }, new Uint8Array(8)));
raw('fractional-shape', /shape \[1\.5\] must be an array of non-negative integers/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, shape: [1.5] } }, new Uint8Array(8)));
raw('reversed-offsets', /data offsets \[8, 0\] are reversed/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, data_offsets: [8, 0] } }, new Uint8Array(8)));
raw('negative-offsets', /out of range \(negative\)/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, data_offsets: [-8, 0] } }, new Uint8Array(8)));
raw('overlapping-tensors', /overlap/, q('b'), (c) => c.modelWithRawWeights({ a: t1, b: { ...t1, data_offsets: [4, 12] } }, new Uint8Array(16)));
raw('size-mismatch', /size mismatch: shape \[3\] of F32 needs 12 bytes but data offsets \[0, 8\] span 8/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, shape: [3] } }, new Uint8Array(8)));
raw('shape-product-overflows', /size mismatch|must be an array/, q('a'), (c) => c.modelWithRawWeights({ a: { ...t1, shape: [2 ** 40, 2 ** 40] } }, new Uint8Array(8)));
raw('metadata-not-strings', /value of "format" must be a string/, '__metadata__', (c) => c.modelWithRawWeights({ __metadata__: { format: 1 } }));
raw('shorter-than-8-bytes', /file truncated: 3 bytes/, 'header length', (c) => {
  const m = c.copyModel();
  c.bytes(path.join(m, 'model.safetensors'), new Uint8Array(3));
  return m;
});
raw('empty-file', /file truncated: 0 bytes/, 'header length', (c) => {
  const m = c.copyModel();
  c.bytes(path.join(m, 'model.safetensors'), new Uint8Array(0));
  return m;
});
add('checkpoint', 'valid-header-no-model-tensors', 1, /missing tensor required by config\.json/, (c) => {
  const m = c.modelWithRawWeights({ a: t1 }, new Uint8Array(8));
  return { argv: c.forwardArgs(m), names: [m, q(EMBED)] };
});
add('checkpoint', 'no-weights', 1, /no weights found: looked for model\.safetensors\.index\.json and model\.safetensors/, (c) => {
  const m = c.copyModel();
  fs.rmSync(path.join(m, 'model.safetensors'));
  return { argv: c.forwardArgs(m), names: [m] };
});
add('checkpoint', 'pytorch-bin-only', 1, /found pytorch_model\.bin: only safetensors is supported/, (c) => {
  const m = c.copyModel();
  fs.renameSync(path.join(m, 'model.safetensors'), path.join(m, 'pytorch_model.bin'));
  return { argv: c.forwardArgs(m), names: [m] };
});

/** A shard index next to the weights; the error names the index file. */
function index(id: string, error: RegExp, field: string | null, value: (c: CaseContext) => unknown) {
  add('checkpoint', id, 1, error, (c) => {
    const m = c.copyModel();
    const file = path.join(m, 'model.safetensors.index.json');
    c.json(file, value(c));
    return { argv: c.forwardArgs(m), names: [file, ...(field ? [field] : [])] };
  });
}
const allInOne = (c: CaseContext) => Object.fromEntries([...c.tensors().keys()].map((n) => [n, 'model.safetensors']));
index('index-invalid-json', /invalid JSON/, null, () => '{"weight_map": {');
index('index-without-weight_map', /must be an object mapping tensor names to shard files/, 'weight_map', () => ({ metadata: {} }));
index('index-shard-outside-folder', /shard file "\.\.\/\.\.\/x\.safetensors" is outside the checkpoint folder/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), [EMBED]: '../../x.safetensors' } }));
index('index-absolute-shard', /shard file "\/etc\/passwd" does not exist in/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), [EMBED]: '/etc/passwd' } }));
index('index-missing-shard', /shard file "model-00002-of-00002\.safetensors" does not exist/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), [EMBED]: 'model-00002-of-00002.safetensors' } }));
index('index-tensor-not-in-shard', /tensor "model\.layers\.9\.x" is not in shard "model\.safetensors"/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), 'model.layers.9.x': 'model.safetensors' } }));
index('index-empty-shard-name', /shard file name must be a non-empty string/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), [EMBED]: '' } }));
index('index-shard-name-not-string', /shard file name must be a non-empty string/, 'weight_map', (c) => ({ weight_map: { ...allInOne(c), [EMBED]: 7 } }));
index('index-deeply-nested', /JSON nested deeper than 100 levels/, null, () => `{"weight_map": ${deepJson(100_000)}}`);
index('index-not-an-object', /must be an object mapping tensor names/, 'weight_map', () => [1, 2, 3]);
add('checkpoint', 'model-path-is-a-file', 1, /not a folder \(give a Hugging Face model folder with config\.json\)/, (c) => {
  const f = c.text('model', 'x');
  return { argv: c.forwardArgs(f), names: [f] };
});
add('checkpoint', 'model-path-missing', 1, /model folder not found/, (c) => ({ argv: c.forwardArgs(c.path('nope')), names: [c.path('nope')] }));
add('checkpoint', 'model-path-with-nul-byte', 1, /model folder not found/, (c) => ({ argv: c.forwardArgs(c.path('a\0b')), names: [c.path('a')] }));

/** A training checkpoint in --out to resume from, broken by `edit`; run through `softcot train`. */
function resume(id: string, error: RegExp, names: (c: CaseContext, out: string) => string[], edit: (c: CaseContext, out: string) => void) {
  add('checkpoint', id, 1, error, (c) => {
    const out = c.path('run');
    const step = path.join(out, 'checkpoints', 'step-000001');
    fs.mkdirSync(path.join(out, 'checkpoints'), { recursive: true });
    fs.cpSync(c.fx.model, step, { recursive: true });
    c.json(path.join(step, 'trainer_state.json'), { step: 1, optimizerStep: 1, format: 'softcot-trainer-state/1' });
    fs.symlinkSync('step-000001', path.join(out, 'checkpoints', 'latest'));
    edit(c, out);
    return { argv: c.trainArgs(c.fx.model, c.fx.data, out), names: names(c, out) };
  });
}
const latest = (out: string) => path.join(out, 'checkpoints', 'latest');
const state = (out: string) => path.join(out, 'checkpoints', 'step-000001', 'trainer_state.json');
resume('latest-points-outside-the-run', /points at "\.\.\/\.\.\/\.\.\/etc", not a checkpoint folder/, (_c, o) => [latest(o)], (_c, o) => {
  fs.rmSync(latest(o));
  fs.symlinkSync('../../../etc', latest(o));
});
resume('latest-points-at-a-deleted-checkpoint', /which has no trainer_state\.json/, (_c, o) => [latest(o)], (_c, o) => {
  fs.rmSync(latest(o));
  fs.symlinkSync('step-000009', latest(o));
});
resume('trainer-state-invalid-json', /invalid JSON/, (_c, o) => [state(o)], (c, o) => void c.text(state(o), '{"step": 1,'));
resume('trainer-state-wrong-format', /not a softcot trainer state/, (_c, o) => [state(o)], (c, o) => void c.json(state(o), { step: 1, format: 'x' }));
resume('trainer-state-is-a-fifo', /is a FIFO/, (_c, o) => [state(o)], (c, o) => {
  fs.rmSync(state(o));
  c.fifo(state(o));
});
resume('resumed-weights-hold-nan', /holds NaN at flat index 0/, (_c, o) => [q(EMBED)], (c, o) => {
  const t = c.tensors();
  t.get(EMBED)!.data[0] = NaN;
  const file = path.join(o, 'checkpoints', 'step-000001', 'model.safetensors');
  c.bytes(file, rawFromEntries([...t].map(([name, { shape, data }]) => ({ name, shape, dtype: 'F32', bytes: new Uint8Array(data.buffer) }))));
});
resume('run-settings-invalid-json', /invalid JSON/, (_c, o) => [path.join(o, 'run.json')], (c, o) => void c.text(path.join(o, 'run.json'), '{'));
resume('resume-with-other-settings', /has other settings \(steps: 999 → 1; .*\); resume with the same settings, force it \(resume: 'force', --force-resume\), or use another output folder/, (_c, o) => [path.join(o, 'run.json')], (c, o) => {
  c.json(path.join(o, 'run.json'), { steps: 999 });
});

// A file of the model folder that is not a regular file: refused at once, naming it (a FIFO would block a read).
for (const [area, file, what, args] of [
  ['checkpoint', 'model.safetensors', 'safetensors file', 'forward'],
  ['config', 'config.json', 'config file', 'forward'],
  ['tokenizer', 'tokenizer.json', 'file', 'ood'],
] as const) {
  const prefix = area === 'checkpoint' ? 'weights-file-' : '';
  for (const kind of ['folder', 'fifo'] as const) {
    const error = kind === 'folder' ? `is a folder; expected a regular ${what}` : `is a FIFO \\(named pipe\\); expected a regular ${what}`;
    add(area, `${prefix}is-a-${kind}`, 1, new RegExp(error), (c) => {
      const m = c.copyModel();
      c.replaceBy(path.join(m, file), kind);
      return { argv: args === 'forward' ? c.forwardArgs(m) : c.oodArgs(m), names: [path.join(m, file)] };
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// config.json: loaded through `softcot forward` (and init --config)

function config(id: string, error: RegExp, field: string | null, edit: (c: Record<string, unknown>) => unknown) {
  add('config', id, 1, error, (c) => {
    const m = c.modelWithConfig(edit);
    return { argv: c.forwardArgs(m), names: [path.join(m, 'config.json'), ...(field ? [field] : [])] };
  });
}
config('invalid-json', /invalid JSON/, null, () => '{"model_type": "qwen2",');
config('array', /config must be a JSON object/, null, () => [1]);
config('null', /config must be a JSON object/, null, () => 'null');
config('deeply-nested', /JSON nested deeper than 100 levels/, null, () => `{"a": ${deepJson(100_000)}}`);
config('model_type-missing', /missing field "model_type"/, 'model_type', (c) => void delete c.model_type);
config('model_type-unknown', /unknown model_type "gpt2"/, 'model_type', (c) => void (c.model_type = 'gpt2'));
config('model_type-number', /missing field "model_type"/, 'model_type', (c) => void (c.model_type = 2));
config('hidden_act-gelu', /hidden_act "gelu" is not supported/, 'hidden_act', (c) => void (c.hidden_act = 'gelu'));
config('hidden_size-zero', /field "hidden_size" must be positive, got 0/, 'hidden_size', (c) => void (c.hidden_size = 0));
config('hidden_size-negative', /field "hidden_size" must be positive, got -64/, 'hidden_size', (c) => void (c.hidden_size = -64));
config('hidden_size-fraction', /field "hidden_size" must be an integer, got 64\.5/, 'hidden_size', (c) => void (c.hidden_size = 64.5));
config('hidden_size-string', /field "hidden_size" must be an integer, got "64"/, 'hidden_size', (c) => void (c.hidden_size = '64'));
config('hidden_size-huge', /field "hidden_size" is 1000000000, more than the 131072 softcot accepts/, 'hidden_size', (c) => void (c.hidden_size = 1e9));
config('num_hidden_layers-1e9', /field "num_hidden_layers" is 1000000000, more than the 1024/, 'num_hidden_layers', (c) => void (c.num_hidden_layers = 1e9));
config('num_hidden_layers-missing', /missing required field "num_hidden_layers"/, 'num_hidden_layers', (c) => void delete c.num_hidden_layers);
config('vocab_size-1e12', /field "vocab_size" is 1000000000000, more than the 16777216/, 'vocab_size', (c) => void (c.vocab_size = 1e12));
add('config', 'vocab_size-too-small-for-tensors', 1, /shape \[512,64\] does not match config\.json \(expected \[100,64\]\)/, (c) => {
  const m = c.modelWithConfig((j) => void (j.vocab_size = 100));
  return { argv: c.forwardArgs(m), names: [path.join(m, 'model.safetensors'), q(EMBED)] };
});
config('intermediate_size-huge', /field "intermediate_size" is 4294967296, more than the 1048576/, 'intermediate_size', (c) => void (c.intermediate_size = 2 ** 32));
config('weights-beyond-memory', /the model \(\d+ float32 weights\) needs at least [\d.]+ [TPE]B; .* refusing/, null, (c) => {
  Object.assign(c, { hidden_size: 131072, intermediate_size: 1 << 20, num_hidden_layers: 1024, num_attention_heads: 1024, num_key_value_heads: 1024, head_dim: 128 });
});
config('heads-not-a-multiple-of-kv-heads', /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/, null, (c) => void (c.num_key_value_heads = 3));
config('kv-heads-zero', /field "num_key_value_heads" must be positive, got 0/, 'num_key_value_heads', (c) => void (c.num_key_value_heads = 0));
config('head_dim-odd', /head_dim \(15\) must be even for RoPE/, null, (c) => void (c.head_dim = 15));
config('hidden-not-divisible-by-heads', /hidden_size must be divisible by num_attention_heads when head_dim is absent/, 'hidden_size', (c) => {
  delete c.head_dim;
  c.hidden_size = 66;
});
config('max_position_embeddings-zero', /field "max_position_embeddings" must be positive, got 0/, 'max_position_embeddings', (c) => void (c.max_position_embeddings = 0));
config('max_position_embeddings-1e12', /field "max_position_embeddings" is 1000000000000, more than/, 'max_position_embeddings', (c) => void (c.max_position_embeddings = 1e12));
config('rope_theta-zero', /field "rope_theta" must be a positive number, got 0/, 'rope_theta', (c) => void (c.rope_theta = 0));
config('rope_theta-negative', /field "rope_theta" must be a positive number, got -10000/, 'rope_theta', (c) => void (c.rope_theta = -10000));
config('rope_theta-string', /field "rope_theta" must be a number, got "1e6"/, 'rope_theta', (c) => void (c.rope_theta = '1e6'));
config('rope_parameters-theta-zero', /field "rope_theta" must be a positive number, got 0/, 'rope_theta', (c) => void (c.rope_parameters = { rope_type: 'default', rope_theta: 0 }));
config('rope_scaling-empty-list', /field "rope_scaling" must be an object or null, got \[\]/, 'rope_scaling', (c) => void (c.rope_scaling = []));
config('rope_scaling-string', /field "rope_scaling" must be an object or null, got "linear"/, 'rope_scaling', (c) => void (c.rope_scaling = 'linear'));
config('rope_scaling-unknown-type', /rope_scaling\.rope_type "yarn" is not supported \(supported: default, linear, llama3\)/, 'rope_scaling.rope_type', (c) => void (c.rope_scaling = { rope_type: 'yarn', factor: 4 }));
config('rope_scaling-type-number', /field "rope_scaling\.rope_type" must be a string, got 3/, 'rope_scaling.rope_type', (c) => void (c.rope_scaling = { rope_type: 3 }));
config('rope_scaling-linear-factor-zero', /field "rope_scaling\.factor" must be a positive number/, 'rope_scaling.factor', (c) => void (c.rope_scaling = { rope_type: 'linear', factor: 0 }));
config('rope_scaling-linear-no-factor', /field "rope_scaling\.factor" must be a positive number/, 'rope_scaling.factor', (c) => void (c.rope_scaling = { type: 'linear' }));
config('rope_scaling-llama3-high-not-above-low', /high_freq_factor" \(1\) must be greater than low_freq_factor \(1\)/, 'rope_scaling.high_freq_factor', (c) => void (c.rope_scaling = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 1 }));
config('rms_norm_eps-zero', /field "rms_norm_eps" must be a positive number, got 0/, 'rms_norm_eps', (c) => void (c.rms_norm_eps = 0));
config('rms_norm_eps-negative', /field "rms_norm_eps" must be a positive number, got -1/, 'rms_norm_eps', (c) => void (c.rms_norm_eps = -1));
config('initializer_range-negative', /field "initializer_range" must be a number >= 0, got -0\.02/, 'initializer_range', (c) => void (c.initializer_range = -0.02));
config('eos_token_id-string', /field "eos_token_id" must be an integer token id, got "<eos>"/, 'eos_token_id', (c) => void (c.eos_token_id = '<eos>'));
config('eos_token_id-list-with-string', /field "eos_token_id\[1\]" must be an integer token id, got "x"/, 'eos_token_id[1]', (c) => void (c.eos_token_id = [2, 'x']));
config('eos_token_id-outside-vocab', /field "eos_token_id" is 99999, outside the vocabulary \[0, 512\)/, 'eos_token_id', (c) => void (c.eos_token_id = 99999));
config('bos_token_id-negative', /field "bos_token_id" is -1, outside the vocabulary/, 'bos_token_id', (c) => void (c.bos_token_id = -1));
config('pad_token_id-equals-vocab_size', /field "pad_token_id" is 512, outside the vocabulary \[0, 512\)/, 'pad_token_id', (c) => void (c.pad_token_id = 512));
config('pad_token_id-fraction', /field "pad_token_id" must be an integer token id, got 1\.5/, 'pad_token_id', (c) => void (c.pad_token_id = 1.5));
config('pad_token_id-list', /field "pad_token_id" must be an integer token id, got \[0\]/, 'pad_token_id', (c) => void (c.pad_token_id = [0]));
config('torch_dtype-int8', /torch_dtype "int8" is not supported/, 'torch_dtype', (c) => void (c.torch_dtype = 'int8'));
config('tie_word_embeddings-string', /field "tie_word_embeddings" must be a bool, got "yes"/, 'tie_word_embeddings', (c) => void (c.tie_word_embeddings = 'yes'));
config('attention_bias-string', /field "attention_bias" must be a bool, got "no"/, 'attention_bias', (c) => void (c.attention_bias = 'no'));
add('config', 'missing', 1, /not found \(is this a Hugging Face model folder\?\)/, (c) => {
  const m = c.copyModel();
  fs.rmSync(path.join(m, 'config.json'));
  return { argv: c.forwardArgs(m), names: [path.join(m, 'config.json')] };
});
add('config', 'empty-file', 1, /invalid JSON/, (c) => {
  const m = c.copyModel();
  c.text(path.join(m, 'config.json'), '');
  return { argv: c.forwardArgs(m), names: [path.join(m, 'config.json')] };
});
add('config', 'invalid-utf8', 1, /invalid UTF-8 at line 2/, (c) => {
  const m = c.copyModel();
  c.badUtf8(path.join(m, 'config.json'), ['{', ' "model_type": "qwen2"', '}'], 2);
  return { argv: c.forwardArgs(m), names: [path.join(m, 'config.json')] };
});
add('config', 'larger-than-the-input-limit', 1, /the config file is 300 MB, more than the 268 MB limit/, (c) => {
  const m = c.copyModel();
  c.sparse(path.join(m, 'config.json'), 300_000_000);
  return { argv: c.forwardArgs(m), names: [path.join(m, 'config.json')] };
});
add('config', 'init-config-layers-1e9', 1, /field "num_hidden_layers" is 1000000000, more than the 1024/, (c) => {
  const f = c.json(c.path('cfg.json'), { ...JSON.parse(fs.readFileSync(path.join(c.fx.model, 'config.json'), 'utf8')), num_hidden_layers: 1e9 });
  return { argv: ['init', '--config', f, '--out', c.path('new'), '--backend', 'cpu'], names: [f, 'num_hidden_layers'] };
});
add('config', 'init-config-beyond-memory', 1, /the model \(\d+ float32 weights\) needs at least [\d.]+ [TPE]B; .* refusing/, (c) => {
  const base = JSON.parse(fs.readFileSync(path.join(c.fx.model, 'config.json'), 'utf8'));
  const f = c.json(c.path('cfg.json'), { ...base, hidden_size: 131072, intermediate_size: 1 << 20, num_hidden_layers: 1024, num_attention_heads: 1024, num_key_value_heads: 1024, head_dim: 128 });
  return { argv: ['init', '--config', f, '--out', c.path('new'), '--backend', 'cpu'], names: [f] };
});
add('config', 'init-config-missing', 1, /config file not found/, (c) => ({ argv: ['init', '--config', c.path('nope.json'), '--out', c.path('new')], names: [c.path('nope.json')] }));
add('config', 'init-config-invalid-json', 1, /invalid JSON/, (c) => {
  const f = c.text('cfg.json', '{"model_type": ');
  return { argv: ['init', '--config', f, '--out', c.path('new')], names: [f] };
});
add('config', 'init-config-rope_theta-zero', 1, /field "rope_theta" must be a positive number, got 0/, (c) => {
  const f = c.json(c.path('cfg.json'), { ...JSON.parse(fs.readFileSync(path.join(c.fx.model, 'config.json'), 'utf8')), rope_theta: 0 });
  return { argv: ['init', '--config', f, '--out', c.path('new')], names: [f, 'rope_theta'] };
});

// ---------------------------------------------------------------------------------------------------------------
// tokenizer files: loaded through `softcot ood --data synthetic` (model + tokenizer, then 1 item)

function tokenizer(id: string, error: RegExp, file: string, field: string | null, make: (c: CaseContext) => string) {
  add('tokenizer', id, 1, error, (c) => {
    const m = make(c);
    return { argv: c.oodArgs(m), names: [path.join(m, file), ...(field ? [field] : [])] };
  });
}
type TokJson = Parameters<Parameters<CaseContext['modelWithTokenizer']>[0]>[0];
const tok = (id: string, error: RegExp, field: string | null, edit: (t: TokJson) => unknown) => tokenizer(id, error, 'tokenizer.json', field, (c) => c.modelWithTokenizer(edit));
const tokCfg = (id: string, error: RegExp, field: string | null, edit: (t: Record<string, unknown>) => unknown) => tokenizer(id, error, 'tokenizer_config.json', field, (c) => c.modelWithTokenizerConfig(edit));
tok('invalid-json', /invalid JSON/, null, () => '{"model": {');
tok('not-an-object', /tokenizer\.json must be a JSON object/, null, () => [1]);
tok('no-model', /missing "model" object/, 'model', (t) => void delete (t as Record<string, unknown>).model);
tok('model-type-wordlevel', /model type "WordLevel" is not supported/, 'model.type', (t) => void ((t.model as Record<string, unknown>).type = 'WordLevel'));
tok('no-vocab', /missing or invalid "vocab"/, 'model.vocab', (t) => void delete (t.model as Record<string, unknown>).vocab);
tok('vocab-negative-id', /token "a" has id -5; ids are integers in \[0, 16777215\]/, 'model.vocab', (t) => void (t.model.vocab.a = -5));
tok('vocab-fractional-id', /token "a" has id 4\.5/, 'model.vocab', (t) => void (t.model.vocab.a = 4.5));
tok('vocab-string-id', /token "a" has id "7"/, 'model.vocab', (t) => void ((t.model.vocab as Record<string, unknown>).a = '7'));
tok('vocab-huge-id', /token "a" has id 4294967296/, 'model.vocab', (t) => void (t.model.vocab.a = 2 ** 32));
tok('vocab-duplicate-id', /id \d+ is given to both "a" and "b"/, 'model.vocab', (t) => {
  const v = t.model.vocab;
  v.a = v.b!;
});
tok('added_tokens-not-a-list', /must be a list of \{"id": int, "content": string, \.\.\.\}/, 'added_tokens', (t) => void ((t as Record<string, unknown>).added_tokens = { id: 0 }));
tok('added_token-without-id', /must be a list of \{"id": int/, 'added_tokens', (t) => void delete t.added_tokens[0]!.id);
tok('added_token-twice-with-two-ids', /token "<pad>" is added twice, with ids 0 and 200/, 'added_tokens', (t) => void t.added_tokens.push({ ...t.added_tokens[0], id: 200 }));
tok('added_token-id-of-another-token', /id 5 is given to both " " and "<pad2>"/, 'added_tokens', (t) => void t.added_tokens.push({ ...t.added_tokens[0], content: '<pad2>', id: 5 }));
tok('deeply-nested', /JSON nested deeper than 100 levels/, null, () => `{"model": ${deepJson(100_000)}}`);
tokenizer('invalid-utf8', /invalid UTF-8 at line 1/, 'tokenizer.json', null, (c) => {
  const m = c.copyModel();
  c.badUtf8(path.join(m, 'tokenizer.json'), ['{"model": "xxxxxx"}'], 1);
  return m;
});
add('tokenizer', 'missing', 1, /no tokenizer found: looked for tokenizer\.json/, (c) => {
  const m = c.copyModel();
  fs.rmSync(path.join(m, 'tokenizer.json'));
  return { argv: c.oodArgs(m), names: [m] };
});
add('tokenizer', 'sentencepiece-only', 1, /found tokenizer\.model, which are not supported; convert to tokenizer\.json/, (c) => {
  const m = c.copyModel();
  fs.renameSync(path.join(m, 'tokenizer.json'), path.join(m, 'tokenizer.model'));
  return { argv: c.oodArgs(m), names: [m] };
});
add('tokenizer', 'more-ids-than-vocab_size', 1, /tokenizer has 600 ids but config\.json vocab_size is 512/, (c) => {
  const m = c.modelWithTokenizer((t) => void (t.model.vocab['zz'] = 599));
  return { argv: c.oodArgs(m), names: [path.join(m, 'tokenizer.json')] };
});
tokCfg('config-invalid-json', /invalid JSON/, null, () => '{');
tokCfg('config-not-an-object', /tokenizer_config\.json must be a JSON object/, null, () => [1]);
tokCfg('bos-token-not-in-vocab', /token "<s>" is not in the vocabulary/, 'bos_token', (t) => void (t.bos_token = '<s>'));
tokCfg('eos-token-a-number', /must be a string, \{"content": string\} or null, got 2/, 'eos_token', (t) => void (t.eos_token = 2));
tokCfg('chat_template-syntax-error', /syntax error in chat template "default"/, 'chat_template', (t) => void (t.chat_template = '{% for m in messages %}{{ m.content }'));
tokCfg('chat_template-unclosed-block', /syntax error in chat template "default"/, 'chat_template', (t) => void (t.chat_template = '{% if x %}y'));
tokCfg('chat_template-bad-list', /list entries must be \{"name": string, "template": string\}/, 'chat_template', (t) => void (t.chat_template = [{ name: 'a' }]));
tokCfg('chat_template-number', /must be a string or a list of \{name, template\}/, 'chat_template', (t) => void (t.chat_template = 3));
tokenizer('chat_template-jinja-syntax-error', /syntax error in chat template "default"/, 'chat_template.jinja', 'chat_template', (c) => {
  const m = c.modelWithTokenizerConfig((t) => void delete t.chat_template);
  c.text(path.join(m, 'chat_template.jinja'), '{% for m in messages %}{{ m.content }}');
  return m;
});
tokenizer('chat_template-jinja-invalid-utf8', /invalid UTF-8 at line 2/, 'chat_template.jinja', null, (c) => {
  const m = c.modelWithTokenizerConfig((t) => void delete t.chat_template);
  c.badUtf8(path.join(m, 'chat_template.jinja'), ['{{ x }}', 'hello there'], 2);
  return m;
});
tokenizer('generation_config-eos-string', /must be an integer or a list of integers, got "x"/, 'generation_config.json', 'eos_token_id', (c) => {
  const m = c.copyModel();
  c.json(path.join(m, 'generation_config.json'), { eos_token_id: 'x' });
  return m;
});
tokenizer('generation_config-eos-negative', /must be an integer or a list of integers, got \[-1\]/, 'generation_config.json', 'eos_token_id', (c) => {
  const m = c.copyModel();
  c.json(path.join(m, 'generation_config.json'), { eos_token_id: [-1] });
  return m;
});
tokenizer('generation_config-invalid-json', /invalid JSON/, 'generation_config.json', null, (c) => {
  const m = c.copyModel();
  c.text(path.join(m, 'generation_config.json'), '{,}');
  return m;
});
tokenizer('generation_config-not-an-object', /must be a JSON object/, 'generation_config.json', null, (c) => {
  const m = c.copyModel();
  c.json(path.join(m, 'generation_config.json'), [2]);
  return m;
});

// ---------------------------------------------------------------------------------------------------------------
// datasets: loaded through `softcot eval` (and train, ood, grade)

const good = (i: number) => JSON.stringify({ question: `${i}+1`, answer: `#### ${i + 1}` });
function dataset(id: string, error: RegExp, names: (file: string) => string[], make: (c: CaseContext) => string, argv?: (c: CaseContext, file: string) => string[]) {
  add('dataset', id, 1, error, (c) => {
    const f = make(c);
    return { argv: argv ? argv(c, f) : c.evalArgs(c.fx.model, f), names: names(f) };
  });
}
const at = (line: number) => (f: string) => [`${f}:${line}`];
const file = (f: string) => [f];
dataset('missing', /dataset file not found/, file, (c) => c.path('nope.jsonl'));
dataset('is-a-folder', /is a folder/, file, (c) => {
  fs.mkdirSync(c.path('d.jsonl'));
  return c.path('d.jsonl');
});
dataset('is-a-fifo', /is a FIFO \(named pipe\)/, file, (c) => c.fifo('d.jsonl'));
dataset('empty', /dataset is empty \(no rows\)/, file, (c) => c.text('d.jsonl', ''));
dataset('blank-lines-only', /dataset is empty \(no rows\)/, file, (c) => c.text('d.jsonl', '\n  \n\r\n'));
dataset('invalid-json-line', /invalid JSON: .* \(pass --skip-bad-rows to skip such rows; they are counted\)/, at(2), (c) => c.text('d.jsonl', [good(1), '{"question": "2+2",', good(3)].join('\n')));
dataset('cut-off-last-line', /invalid JSON/, at(3), (c) => c.text('d.jsonl', [good(1), good(2), '{"question": "3+'].join('\n')));
dataset('invalid-utf8-line', /invalid UTF-8 at column 6 \(byte 0xff\) \(pass --skip-bad-rows/, at(2), (c) => c.badUtf8('d.jsonl', [good(1), good(2), good(3)], 2));
dataset('invalid-utf8-json-array', /invalid UTF-8/, at(1), (c) => c.badUtf8('d.json', [`[${good(1)}]`], 1));
dataset('row-is-an-array', /row must be a JSON object, got array/, at(1), (c) => c.text('d.jsonl', '[1, 2]\n'));
dataset('row-is-a-string', /row must be a JSON object, got string/, at(2), (c) => c.text('d.jsonl', [good(1), '"just text"'].join('\n')));
dataset('question-missing', /field "question" is missing/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ answer: '#### 1' })));
dataset('question-a-number', /field "question" must be a string, got number/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: 5, answer: '#### 1' })));
dataset('question-empty', /field "question" is empty/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: '  ', answer: '#### 1' })));
dataset('question-too-long', /field "question" has 1500000 characters, more than the 1000000 accepted/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: 'x'.repeat(1_500_000), answer: '#### 1' })));
dataset('answer-missing', /field "answer" is missing/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: '1+1' })));
dataset('answer-an-object', /field "answer" must be a string, got object/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: '1+1', answer: { n: 2 } })));
dataset('gsm8k-answer-without-final-line', /field "answer" has no "#### <final answer>" line/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: '1+1', answer: 'two' })));
dataset('math-without-answer-or-boxed', /field "answer" is missing and field "solution" has no \\boxed\{\} answer/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ problem: '1+1', solution: 'two' })), (c, f) => [...c.evalArgs(c.fx.model, f), '--format', 'math']);
dataset('wrong-format-fields', /field "problem" is missing/, at(1), (c) => c.text('d.jsonl', good(1)), (c, f) => [...c.evalArgs(c.fx.model, f), '--format', 'math']);
dataset('deeply-nested-line', /JSON nested deeper than 100 levels/, at(2), (c) => c.text('d.jsonl', [good(1), `{"question": "q", "answer": "#### 1", "x": ${deepJson(100_000)}}`].join('\n')));
dataset('deeply-nested-json-array', /JSON nested deeper than 100 levels \(at line 1\)/, file, (c) => c.text('d.json', `[{"question": "q", "answer": "#### 1", "x": ${deepJson(100_000)}}]`));
dataset('larger-than-the-input-limit', /the file is 300 MB, more than the 268 MB limit/, file, (c) => c.sparse('d.jsonl', 300_000_000));
dataset('prompt-too-long-for-the-model', /the prompt of problem .* is \d+ tokens; .* more than the model's 2048 \(max_position_embeddings\) \(pass --skip-bad-rows/, at(2), (c) => c.text('d.jsonl', [good(1), JSON.stringify({ question: '1'.repeat(3000), answer: '#### 1' })].join('\n')));
dataset('all-rows-bad-with-skip', /dataset has no valid examples: all 2 rows were malformed/, file, (c) => c.text('d.jsonl', '{"x": 1}\nnot json\n'), (c, f) => [...c.evalArgs(c.fx.model, f), '--skip-bad-rows']);
dataset('all-prompts-too-long-with-skip', /no problem fits the model's context of 2048 positions/, file, (c) => c.text('d.jsonl', JSON.stringify({ question: '1'.repeat(3000), answer: '#### 1' })), (c, f) => [...c.evalArgs(c.fx.model, f), '--skip-bad-rows']);
dataset('parquet-garbage', /cannot read parquet/, file, (c) => c.text('d.parquet', 'PAR1 this is not parquet'));
dataset('train-invalid-json-line', /invalid JSON.*--skip-bad-rows/, at(2), (c) => c.text('d.jsonl', [good(1), '{'].join('\n')), (c, f) => c.trainArgs(c.fx.model, f));
dataset('train-prompt-too-long', /is \d+ tokens; .* more than the model's 2048/, at(1), (c) => c.text('d.jsonl', JSON.stringify({ question: '2'.repeat(2100), answer: '#### 1' })), (c, f) => c.trainArgs(c.fx.model, f));
const oodArgsFor = (c: CaseContext, f: string) => ['ood', '--model', c.fx.model, '--data', f, '--backend', 'cpu'];
dataset('ood-unknown-row-shape', /cannot tell the format/, at(2), (c) => c.text('mc.jsonl', '{"question": "q", "choices": ["a", "b"], "answer": 1}\n{"prompt": "x"}\n'), oodArgsFor);
dataset('ood-invalid-json', /invalid JSON/, at(1), (c) => c.text('mc.jsonl', '{"question": \n'), oodArgsFor);
dataset('ood-invalid-utf8', /invalid UTF-8 at line 1/, file, (c) => c.badUtf8('mc.jsonl', ['{"question": "q", "choices": ["a"], "answer": 0}'], 1), oodArgsFor);
dataset('ood-is-a-fifo', /is a FIFO/, file, (c) => c.fifo('mc.jsonl'), oodArgsFor);
dataset('ood-deeply-nested', /JSON nested deeper than 100 levels/, file, (c) => c.text('mc.json', `[${deepJson(100_000)}]`), oodArgsFor);
const gradeArgs = (c: CaseContext, f: string) => ['grade', '--input', f, '--output', c.path('verdicts.jsonl')];
dataset('grade-missing-input', /input file not found/, file, (c) => c.path('preds.jsonl'), gradeArgs);
dataset('grade-fifo-input', /is a FIFO/, file, (c) => c.fifo('preds.jsonl'), gradeArgs);
dataset('grade-invalid-utf8', /malformed line: invalid UTF-8 at column 6/, at(1), (c) => c.badUtf8('preds.jsonl', ['{"pred": "1", "gold": "1"}'], 1), gradeArgs);
dataset('grade-invalid-json', /malformed line: invalid JSON/, at(2), (c) => c.text('preds.jsonl', '{"pred": "1", "gold": "1"}\n{"pred"\n'), gradeArgs);
dataset('grade-not-an-object', /malformed line: not a JSON object/, at(1), (c) => c.text('preds.jsonl', '[1]\n'), gradeArgs);
dataset('grade-pred-missing', /malformed line: field pred missing or not a string/, at(1), (c) => c.text('preds.jsonl', '{"gold": "1"}\n'), gradeArgs);
dataset('grade-gold-a-number', /malformed line: field gold missing or not a string/, at(1), (c) => c.text('preds.jsonl', '{"pred": "1", "gold": 1}\n'), gradeArgs);
dataset('grade-deeply-nested', /malformed line: JSON nested deeper than 100 levels/, at(1), (c) => c.text('preds.jsonl', `{"pred": "1", "gold": "1", "x": ${deepJson(100_000)}}\n`), gradeArgs);
dataset('eval-softcot_config-invalid', /invalid JSON/, (f) => [f], (c) => {
  const m = c.copyModel();
  return c.text(path.join(m, 'softcot_config.json'), '{"format": ');
}, (c, f) => c.evalArgs(path.dirname(f), c.fx.data));
dataset('eval-softcot_config-wrong-format', /field "format" must be "softcot-cot-config\/1"/, (f) => [f], (c) => {
  const m = c.copyModel();
  return c.json(path.join(m, 'softcot_config.json'), { format: 'other' });
}, (c, f) => c.evalArgs(path.dirname(f), c.fx.data));

// ---------------------------------------------------------------------------------------------------------------
// forward inputs (in.json) and its flags

function input(id: string, error: RegExp, field: string | null, value: unknown, ...extra: string[]) {
  add('forward', id, 1, error, (c) => {
    const f = c.forwardInput(value);
    return { argv: c.forwardArgs(c.fx.model, f, ...extra), names: [f, ...(field ? [`field "${field}"`] : [])] };
  });
}
const V = 512;
input('not-an-object', /must be a JSON object with "input_ids"/, null, [[1, 2]]);
input('input_ids-missing', /missing/, 'input_ids', { ids: [[1]] });
input('input_ids-empty', /must be a non-empty array of rows/, 'input_ids', { input_ids: [] });
input('input_ids-not-rows', /must be an array of token ids/, 'input_ids[0]', { input_ids: [1, 2, 3] });
input('ragged-rows', /has 2 ids but row 0 has 3/, 'input_ids[1]', { input_ids: [[1, 2, 3], [1, 2]] });
input('id-equals-vocab_size', /id 512 is out of range \[0, 512\)/, 'input_ids[0][1]', { input_ids: [[1, V]] });
input('id-negative', /id -1 is out of range/, 'input_ids[0][0]', { input_ids: [[-1, 2]] });
input('id-fraction', /must be an integer token id, got 2\.5/, 'input_ids[0][1]', { input_ids: [[1, 2.5]] });
input('id-string', /must be an integer token id, got "7"/, 'input_ids[0][0]', { input_ids: [['7']] });
input('id-null', /must be an integer token id, got null/, 'input_ids[1][0]', { input_ids: [[1], [null]] });
input('id-huge', /id 1e\+300 is out of range/, 'input_ids[0][0]', { input_ids: [[1e300]] });
input('unknown-field', /unknown field \(expected "input_ids" and optional "mixture_probs"\)/, 'attention_mask', { input_ids: [[1]], attention_mask: [[1]] });
input('mixture-not-an-array', /must be an array \[batch\]\[m\]\[vocab\]/, 'mixture_probs', { input_ids: [[1]], mixture_probs: 5 });
input('mixture-batch-mismatch', /has 1 rows but input_ids has 2/, 'mixture_probs', { input_ids: [[1], [2]], mixture_probs: [[]] });
input('mixture-wrong-length', /has 2 entries, expected vocab_size 512/, 'mixture_probs[0][0]', { input_ids: [[1]], mixture_probs: [[[0.5, 0.5]]] });
input('mixture-null-entry', /must be a finite number, got null/, 'mixture_probs[0][0][3]', { input_ids: [[1]], mixture_probs: [[Array.from({ length: V }, (_, i) => (i === 3 ? null : 0))]] });
input('mixture-string-entry', /must be a finite number, got "0\.1"/, 'mixture_probs[0][0][0]', { input_ids: [[1]], mixture_probs: [[['0.1', ...new Array(V - 1).fill(0)]]] });
input('mixture-ragged-positions', /has 1 positions but row 0 has 0/, 'mixture_probs[1]', { input_ids: [[1], [2]], mixture_probs: [[], [new Array(V).fill(0)]] });
input('mixture-position-not-a-vector', /must be an array of floats/, 'mixture_probs[0][0]', { input_ids: [[1]], mixture_probs: [[7]] });
input('empty-rows-without-mixture', /rows are empty and there is no mixture_probs: nothing to run/, 'input_ids', { input_ids: [[], []] });
input('empty-rows-and-empty-mixture', /nothing to run/, 'input_ids', { input_ids: [[]], mixture_probs: [[]] });
input('3000-ids-past-2048-positions', /rows have 3000 positions, more than the model's 2048 \(max_position_embeddings/, 'input_ids', { input_ids: [Array.from({ length: 3000 }, (_, i) => i % V)] });
input('generate-without-prompt', /rows are empty and there is no mixture_probs: nothing to run/, 'input_ids', { input_ids: [[]] }, '--generate', '3');
add('forward', 'generate-past-the-context', 2, /flag --generate 2000: 100 input positions \+ 2000 new tokens need 2100 positions, more than the model's 2048/, (c) => {
  const f = c.forwardInput({ input_ids: [Array.from({ length: 100 }, (_, i) => i)] });
  return { argv: c.forwardArgs(c.fx.model, f, '--generate', '2000'), names: ['--generate', path.join(c.fx.model, 'config.json')] };
});
add('forward', 'generate-1e9', 2, /flag --generate is 1000000000, more than the 1048576 accepted/, (c) => ({ argv: c.forwardArgs(c.fx.model, c.forwardInput(), '--generate', '1000000000'), names: ['--generate'] }));
add('forward', 'input-missing', 1, /input file not found/, (c) => ({ argv: c.forwardArgs(c.fx.model, c.path('nope.json')), names: [c.path('nope.json')] }));
add('forward', 'input-invalid-json', 1, /invalid JSON/, (c) => {
  const f = c.text('in.json', '{"input_ids": [[1, 2]');
  return { argv: c.forwardArgs(c.fx.model, f), names: [f] };
});
add('forward', 'input-deeply-nested', 1, /JSON nested deeper than 100 levels/, (c) => {
  const f = c.text('in.json', `{"input_ids": ${deepJson(100_000)}}`);
  return { argv: c.forwardArgs(c.fx.model, f), names: [f] };
});
add('forward', 'input-invalid-utf8', 1, /invalid UTF-8 at line 2, column 6/, (c) => {
  const f = c.badUtf8('in.json', ['{', '"input_ids": [[1]]}'], 2);
  return { argv: c.forwardArgs(c.fx.model, f), names: [f] };
});
add('forward', 'input-is-a-fifo', 1, /is a FIFO \(named pipe\); expected a regular input file/, (c) => {
  const f = c.fifo('in.json');
  return { argv: c.forwardArgs(c.fx.model, f), names: [f] };
});
add('forward', 'input-is-a-folder', 1, /is a folder; expected a regular input file/, (c) => {
  fs.mkdirSync(c.path('in.json'));
  return { argv: c.forwardArgs(c.fx.model, c.path('in.json')), names: [c.path('in.json')] };
});
add('forward', 'input-larger-than-the-limit', 1, /the input file is 300 MB, more than the 268 MB limit/, (c) => {
  const f = c.sparse('in.json', 300_000_000);
  return { argv: c.forwardArgs(c.fx.model, f), names: [f] };
});

// ---------------------------------------------------------------------------------------------------------------
// command-line arguments: usage errors name the flag and exit 2

function usage(id: string, error: RegExp, flag: string, argv: (c: CaseContext) => string[]) {
  add('cli', id, 2, error, (c) => ({ argv: argv(c), names: [flag] }));
}
const train = (c: CaseContext, ...extra: string[]) => c.trainArgs(c.fx.model, c.fx.data, c.path('run'), ...extra);
const evalA = (c: CaseContext, ...extra: string[]) => c.evalArgs(c.fx.model, c.fx.data, ...extra);
usage('unknown-flag', /unknown flag --stepz/, '--stepz', (c) => train(c, '--stepz', '3'));
usage('flag-without-value', /flag --steps needs a value/, '--steps', (c) => [...train(c), '--steps']);
usage('stray-argument', /unexpected argument "extra"/, 'extra', (c) => [...train(c), 'extra']);
usage('steps-hex', /flag --steps needs a whole number >= 1 written in digits, got "0x10"/, '--steps', (c) => train(c, '--steps', '0x10'));
usage('steps-exponent', /written in digits, got "1e3"/, '--steps', (c) => train(c, '--steps', '1e3'));
usage('steps-1e12', /flag --steps is 1000000000000, more than the 10000000 accepted/, '--steps', (c) => train(c, '--steps', '1000000000000'));
usage('steps-negative', /flag --steps needs a whole number >= 1 written in digits, got "-5"/, '--steps', (c) => train(c, '--steps', '-5'));
usage('steps-fraction', /got "2\.5"/, '--steps', (c) => train(c, '--steps', '2.5'));
usage('steps-empty', /got ""/, '--steps', (c) => train(c, '--steps='));
usage('steps-zero', /flag --steps needs a whole number >= 1/, '--steps', (c) => train(c, '--steps', '0'));
usage('steps-beyond-safe-integers', /written in digits, got "99999999999999999999"/, '--steps', (c) => train(c, '--steps', '99999999999999999999'));
usage('samples-1e9', /flag --samples is 1000000000, more than the 65536 accepted/, '--samples', (c) => train(c, '--samples', '1000000000'));
usage('prompts-per-step-1e9', /flag --prompts-per-step is 1000000000, more than the 65536/, '--prompts-per-step', (c) => train(c, '--prompts-per-step', '1000000000'));
usage('rollout-beyond-memory', /a rollout of 4294967296 rows \(--prompts-per-step 65536 × --samples 65536.*its KV cache needs at least [\d.]+ TB; .* refusing/, '--samples', (c) => train(c, '--prompts-per-step', '65536', '--samples', '65536'));
usage('max-cot-1e9', /flag --max-cot is 1000000000, more than the 1048576 accepted/, '--max-cot', (c) => train(c, '--max-cot', '1000000000'));
usage('max-cot-past-the-context', /--max-cot 2040 \+ \d+ prefill tokens \+ --max-answer 2 leave no room for a prompt in the model's 2048 positions/, '--max-cot', (c) => train(c, '--max-cot', '2040'));
usage('eval-max-cot-past-the-context', /--max-cot 5000 \+ .* leave no room for a prompt/, '--max-cot', (c) => evalA(c, '--max-cot', '5000'));
usage('micro-batch-zero', /flag --micro-batch needs a whole number >= 1/, '--micro-batch', (c) => train(c, '--micro-batch', '0'));
usage('warmup-negative', /flag --warmup needs a whole number >= 0 written in digits, got "-1"/, '--warmup', (c) => train(c, '--warmup', '-1'));
usage('save-every-hex', /flag --save-every needs a whole number/, '--save-every', (c) => train(c, '--save-every', '0x1'));
usage('lr-not-a-number', /flag --lr needs a finite decimal number > 0, got "abc"/, '--lr', (c) => train(c, '--lr', 'abc'));
usage('lr-negative', /flag --lr needs a finite decimal number > 0, got "-1"/, '--lr', (c) => train(c, '--lr', '-1'));
usage('lr-infinity', /got "Infinity"/, '--lr', (c) => train(c, '--lr', 'Infinity'));
usage('lr-hex', /got "0x10"/, '--lr', (c) => train(c, '--lr', '0x10'));
usage('lr-overflows', /got "1e400"/, '--lr', (c) => train(c, '--lr', '1e400'));
usage('temperature-zero', /flag --temperature needs a finite decimal number > 0, got "0"/, '--temperature', (c) => train(c, '--temperature', '0'));
usage('mode-unknown', /flag --mode must be one of hard, soft, fuzzy, gumbel, multiplex, got "liquid"/, '--mode', (c) => train(c, '--mode', 'liquid'));
usage('reward-unknown', /flag --reward must be one of verifier, /, '--reward', (c) => train(c, '--reward', 'vibes'));
usage('algorithm-unknown', /flag --algorithm must be one of rloo, grpo, reinforce/, '--algorithm', (c) => train(c, '--algorithm', 'ppo'));
usage('seed-negative', /flag --seed needs a whole number >= 0 written in digits, got "-1"/, '--seed', (c) => train(c, '--seed', '-1'));
usage('seed-past-2^32', /flag --seed is 4294967296, more than the 4294967295 accepted/, '--seed', (c) => train(c, '--seed', '4294967296'));
usage('val-size-leaves-nothing', /--val-size 5 leaves no training problems/, '--val-size', (c) => train(c, '--val-size', '5'));
usage('val-setting-unknown', /--val-setting: invalid inference setting "warm-greedy"/, '--val-setting', (c) => train(c, '--val-size', '1', '--val-setting', 'warm-greedy'));
usage('gumbel-clamp-reversed', /flag --gumbel-clamp needs LO,HI with LO < HI, or none; got "3,1"/, '--gumbel-clamp', (c) => train(c, '--mode', 'gumbel', '--gumbel-clamp', '3,1'));
usage('noise-gamma-with-hard', /--noise-gamma\/--sigma applies to soft and fuzzy mode, not hard/, '--noise-gamma', (c) => train(c, '--mode', 'hard', '--noise-gamma', '0.5'));
usage('top-p-zero', /flag --top-p needs a finite decimal number > 0/, '--top-p', (c) => train(c, '--top-p', '0'));
usage('top-k-fraction', /flag --top-k needs a whole number >= 1/, '--top-k', (c) => train(c, '--top-k', '1.5'));
usage('ppo-clip-above-1', /flag --ppo-clip needs a finite decimal number > 0 and <= 1, got "2"/, '--ppo-clip', (c) => train(c, '--ppo-clip', '2'));
usage('kl-beta-negative', /flag --kl-beta needs a finite decimal number >= 0, got "-1"/, '--kl-beta', (c) => train(c, '--kl-beta', '-1'));
usage('max-grad-norm-zero', /flag --max-grad-norm needs a finite decimal number > 0/, '--max-grad-norm', (c) => train(c, '--max-grad-norm', '0'));
usage('multiplex-k-zero', /flag --multiplex-k needs a whole number >= 1/, '--multiplex-k', (c) => train(c, '--mode', 'multiplex', '--multiplex-k', '0'));
usage('gumbel-top-k-1e9', /flag --gumbel-top-k is 1000000000, more than the 65536 accepted/, '--gumbel-top-k', (c) => evalA(c, '--gumbel-top-k', '1000000000'));
usage('multiplex-k-1e9', /flag --multiplex-k is 1000000000, more than the 65536 accepted/, '--multiplex-k', (c) => evalA(c, '--multiplex-k', '1000000000'));
usage('top-k-past-any-vocabulary', /flag --top-k is 100000000, more than the 16777216 accepted/, '--top-k', (c) => train(c, '--top-k', '100000000'));
usage('gumbel-score-unknown', /flag --gumbel-score must be one of/, '--gumbel-score', (c) => train(c, '--mode', 'gumbel', '--gumbel-score', 'max'));
usage('limit-zero', /flag --limit needs a whole number >= 1/, '--limit', (c) => train(c, '--limit', '0'));
usage('prompt-unknown', /flag --prompt must be one of paper, chat, r1, got "xml"/, '--prompt', (c) => train(c, '--prompt', 'xml'));
usage('format-unknown', /flag --format must be one of gsm8k, math, deepscaler, generic, got "csv"/, '--format', (c) => train(c, '--format', 'csv'));
usage('backend-unknown', /flag --backend must be one of native-cpu, wasm, cpu, cuda, got "tpu"/, '--backend', (c) => train(c, '--backend', 'tpu'));
usage('eval-samples-zero', /flag --samples needs a whole number >= 1/, '--samples', (c) => evalA(c, '--samples', '0'));
usage('eval-samples-1e9', /flag --samples is 1000000000, more than the 65536 accepted/, '--samples', (c) => evalA(c, '--samples', '1000000000'));
usage('eval-results-beyond-the-heap', /samples .* of kept text needs at least [\d.]+ GB; the JavaScript heap .* refusing/, '--samples', (c) => [...c.evalArgs(c.fx.model, c.fx.data30, '--samples', '65536', '--max-cot', '1800'), '--settings', 'all']);
usage('eval-k-zero', /flag --k needs a comma-separated list of at most 64 whole numbers >= 1, got "0"/, '--k', (c) => evalA(c, '--k', '0'));
usage('eval-k-empty-entry', /flag --k needs a comma-separated list/, '--k', (c) => evalA(c, '--k', '1,,2'));
usage('eval-k-too-many', /at most 64 whole numbers/, '--k', (c) => evalA(c, '--k', Array.from({ length: 65 }, (_, i) => i + 1).join(',')));
usage('eval-batch-1e9', /flag --batch is 1000000000, more than the 65536 accepted/, '--batch', (c) => evalA(c, '--batch', '1000000000'));
usage('eval-settings-unknown', /flag --settings: invalid inference setting "warm-sample"/, '--settings', (c) => evalA(c, '--settings', 'hard-greedy,warm-sample'));
usage('eval-extract-unknown', /flag --extract must be one of markers, math-verify, answer, got "regex"/, '--extract', (c) => evalA(c, '--extract', 'regex'));
usage('eval-sigma-negative', /flag --sigma needs a finite decimal number >= 0/, '--sigma', (c) => evalA(c, '--sigma', '-0.5'));
usage('init-unknown-preset', /unknown preset "gpt-5"/, '--preset', (c) => ['init', '--preset', 'gpt-5', '--out', c.path('m')]);
usage('init-preset-and-config', /give exactly one of --preset NAME or --config config\.json/, '--preset', (c) => ['init', '--preset', 'tiny-llama', '--config', 'x.json', '--out', c.path('m')]);
usage('init-dtype-unknown', /flag --dtype must be one of float32, bfloat16, got "int4"/, '--dtype', (c) => ['init', '--preset', 'tiny-llama', '--dtype', 'int4', '--out', c.path('m')]);
usage('init-seed-exponent', /flag --seed needs a whole number >= 0 written in digits, got "1e2"/, '--seed', (c) => ['init', '--preset', 'tiny-llama', '--seed', '1e2', '--out', c.path('m')]);
usage('ood-kind-unknown', /flag --kind must be one of/, '--kind', (c) => [...c.oodArgs(c.fx.model), '--kind', 'trivia']);
usage('ood-synthetic-with-arc', /--data synthetic goes with --kind synthetic or auto/, '--kind', (c) => [...c.oodArgs(c.fx.model), '--kind', 'arc']);
usage('ood-limit-hex', /flag --limit needs a whole number >= 1/, '--limit', (c) => ['ood', '--model', c.fx.model, '--data', 'synthetic', '--limit', '0x5']);
usage('forward-generate-zero', /flag --generate needs a whole number >= 1/, '--generate', (c) => c.forwardArgs(c.fx.model, c.forwardInput(), '--generate', '0'));
usage('forward-missing-input-flag', /missing required flag --input/, '--input', (c) => ['forward', '--model', c.fx.model, '--output', c.path('o.json')]);
usage('demo-backend-unknown', /flag --backend must be one of native-cpu, wasm, cpu, got "gpu"/, '--backend', () => ['demo', '--backend', 'gpu']);
usage('study-seeds-negative', /flag --seeds needs a comma-separated list of at most 64 whole numbers >= 0, got "1,-2"/, '--seeds', () => ['study', '--seeds', '1,-2']);
usage('study-scale-unknown', /flag --scale must be one of/, '--scale', () => ['study', '--scale', 'huge']);
usage('grade-rel-tol-not-a-number', /flag --rel-tol needs a finite decimal number >= 0, got "abc"/, '--rel-tol', (c) => ['grade', '--input', c.fx.data, '--output', c.path('o.jsonl'), '--rel-tol', 'abc']);
usage('grade-fallback-with-answer', /--last-number-fallback only applies to --extract markers/, '--last-number-fallback', (c) => ['grade', '--input', c.fx.data, '--output', c.path('o.jsonl'), '--extract', 'answer', '--last-number-fallback']);
usage('compare-models-empty', /flag --models needs name=DIR,name=DIR/, '--models', (c) => ['compare', '--models', ',', '--data', c.fx.data]);
usage('compare-models-duplicate-name', /flag --models: name "a" is used twice/, '--models', (c) => ['compare', '--models', `a=${c.fx.model},a=${c.fx.model}`, '--data', c.fx.data]);
usage('compare-models-without-folder', /flag --models: "a=" has no folder/, '--models', (c) => ['compare', '--models', 'a=', '--data', c.fx.data]);
add('cli', 'unknown-command', 2, /unknown command "trian"/, () => ({ argv: ['trian', '--steps', '3'], names: ['trian'] }));
function configFile(id: string, error: RegExp, field: string | null, name: string, content: string | null, make?: (c: CaseContext, f: string) => void) {
  add('cli', id, 1, error, (c) => {
    const f = c.path(name);
    if (make) make(c, f);
    else c.text(f, content!);
    return { argv: [...train(c), '--config', f], names: [f, ...(field ? [field] : [])] };
  });
}
configFile('config-unknown-key', /unknown field "learning_rate"/, null, 'cfg.yaml', 'learning_rate: 1e-4\n');
configFile('config-invalid-yaml', /not valid YAML/, null, 'cfg.yaml', 'steps: [1, 2\n');
configFile('config-invalid-json', /invalid JSON/, null, 'cfg.json', '{"steps": }');
configFile('config-deep-json', /JSON nested deeper than 100 levels/, null, 'cfg.json', `{"steps": ${deepJson(100_000)}}`);
configFile('config-deep-yaml', /YAML nested deeper than 100 levels/, null, 'cfg.yaml', `steps: ${deepJson(100_000)}\n`);
configFile('config-object-value', /field "steps" must be a string, a number or a list/, 'steps', 'cfg.json', '{"steps": {"n": 3}}');
configFile('config-not-a-mapping', /a config file holds one mapping of flag names to values/, null, 'cfg.yaml', '- 1\n- 2\n');
configFile('config-boolean-flag-as-string', /field "force-resume" must be true or false, got "yes"/, 'force-resume', 'cfg.json', '{"force-resume": "yes"}');
configFile('config-missing', /config file not found/, null, 'cfg.yaml', null, () => {});
configFile('config-is-a-fifo', /is a FIFO/, null, 'cfg.yaml', null, (c, f) => void c.fifo(f));
configFile('config-larger-than-1MB', /the config file is [\d.]+ MB, more than the 1\.00 MB limit/, null, 'cfg.yaml', null, (c, f) => void c.sparse(f, 2_000_000));
add('cli', 'config-value-checked-like-a-flag', 2, /flag --steps needs a whole number >= 1 written in digits, got "0x10"/, (c) => {
  const f = c.text('cfg.yaml', 'steps: "0x10"\n');
  return { argv: ['train', '--model', c.fx.model, '--data', c.fx.data, '--out', c.path('run'), '--config', f], names: ['--steps'] };
});
add('cli', 'study-config-not-an-object', 1, /must be a JSON object of overrides/, (c) => {
  const f = c.text('study.json', '[1]');
  return { argv: ['study', '--scale', 'tiny', '--config', f, '--out', c.path('s')], names: [f] };
});
add('cli', 'study-config-invalid-json', 1, /invalid JSON/, (c) => {
  const f = c.text('study.json', '{');
  return { argv: ['study', '--scale', 'tiny', '--config', f, '--out', c.path('s')], names: [f] };
});

// ---------------------------------------------------------------------------------------------------------------
// output paths: nothing is replaced that is not a regular file or a new path, no output is an input, names that
// become paths stay inside their folder

function output(id: string, exit: 1 | 2, error: RegExp, make: (c: CaseContext) => { argv: string[]; names: string[] }) {
  add('paths', id, exit, error, make);
}
const fwdTo = (c: CaseContext, out: string, input = c.forwardInput()) => ['forward', '--model', c.fx.model, '--input', input, '--output', out, '--backend', 'cpu'];
output('forward-to-dev-null', 1, /is a device; softcot writes only to a regular file or a new path/, (c) => ({ argv: fwdTo(c, '/dev/null'), names: ['/dev/null'] }));
output('forward-to-dev-full', 1, /is a device/, (c) => ({ argv: fwdTo(c, '/dev/full'), names: ['/dev/full'] }));
output('forward-output-is-the-input', 2, /--output .* is the input --input .*; write the output elsewhere/, (c) => {
  const f = c.forwardInput();
  return { argv: fwdTo(c, f, f), names: [f] };
});
output('forward-output-is-the-input-via-a-link', 2, /is the input --input/, (c) => {
  const f = c.forwardInput();
  fs.linkSync(f, c.path('alias.json'));
  return { argv: fwdTo(c, c.path('alias.json'), f), names: [c.path('alias.json')] };
});
output('forward-output-is-the-model-weights', 2, /is the input --model model\.safetensors/, (c) => {
  const m = c.copyModel();
  return { argv: ['forward', '--model', m, '--input', c.forwardInput(), '--output', path.join(m, 'model.safetensors')], names: [path.join(m, 'model.safetensors')] };
});
output('forward-output-is-a-fifo', 1, /is a FIFO \(named pipe\); softcot writes only to a regular file/, (c) => {
  const f = c.fifo('out.json');
  return { argv: fwdTo(c, f), names: [f] };
});
output('forward-output-is-a-folder', 1, /is a folder; softcot writes only to a regular file/, (c) => {
  fs.mkdirSync(c.path('out.json'));
  return { argv: fwdTo(c, c.path('out.json')), names: [c.path('out.json')] };
});
output('forward-output-is-a-symlink', 1, /is a symbolic link; softcot writes only to a regular file/, (c) => {
  fs.symlinkSync('/etc/hostname', c.path('out.json'));
  return { argv: fwdTo(c, c.path('out.json')), names: [c.path('out.json')] };
});
output('forward-output-under-a-file', 1, /a part of the path is not a folder/, (c) => {
  c.text('blocker', '');
  return { argv: fwdTo(c, c.path('blocker', 'out.json')), names: [c.path('blocker', 'out.json')] };
});
output('init-over-a-model-folder', 2, /--out .* is a model folder; pass --force to replace it/, (c) => {
  const m = c.copyModel();
  return { argv: ['init', '--preset', 'tiny-llama', '--out', m, '--backend', 'cpu'], names: [m] };
});
output('init-over-a-non-empty-folder', 2, /is a folder that is not empty \(1 entries\); pass --force/, (c) => {
  c.text('dir/notes.txt', 'keep me');
  return { argv: ['init', '--preset', 'tiny-llama', '--out', c.path('dir'), '--backend', 'cpu'], names: [c.path('dir')] };
});
output('init-out-is-a-file', 1, /--out exists and is not a folder/, (c) => {
  const f = c.text('m', '');
  return { argv: ['init', '--preset', 'tiny-llama', '--out', f, '--backend', 'cpu'], names: [f] };
});
output('init-force-over-its-own-config', 2, /--out .* holds the input --config .*; write the model elsewhere/, (c) => {
  const m = c.copyModel();
  return { argv: ['init', '--config', path.join(m, 'config.json'), '--out', m, '--force', '--backend', 'cpu'], names: [m] };
});
for (const [id, name] of [['dot-dot-slash', '../../evil'], ['slash', 'a/b'], ['dot-dot', '..'], ['dot', '.'], ['space', 'x y'], ['backslash', 'a\\b'], ['nul', 'a\0b']]) {
  output(`compare-name-${id}`, 2, /flag --models: name .* becomes a folder name: use letters, digits/, (c) => ({ argv: ['compare', '--models', `${name}=${c.fx.model}`, '--data', c.fx.data, '--out', c.path('cmp')], names: ['--models'] }));
}
output('eval-out-is-the-model', 2, /--out .* is the input --model/, (c) => ({ argv: [...c.evalArgs(c.fx.model, c.fx.data), '--out', c.fx.model], names: [c.fx.model] }));
output('eval-out-is-a-file', 1, /--out must be a folder \(or a new path\), but this is a file/, (c) => {
  const f = c.text('report', '');
  return { argv: [...c.evalArgs(c.fx.model, c.fx.data), '--out', f], names: [f] };
});
output('eval-would-replace-its-data', 2, /--out .*problems\.jsonl is the input --data/, (c) => {
  const data = c.path('report', 'problems.jsonl');
  fs.mkdirSync(c.path('report'));
  fs.copyFileSync(c.fx.data, data);
  return { argv: [...c.evalArgs(c.fx.model, data), '--out', c.path('report')], names: [data] };
});
output('eval-report-file-is-a-fifo', 1, /is a FIFO/, (c) => {
  c.fifo(c.path('report', 'summary.json'));
  return { argv: [...c.evalArgs(c.fx.model, c.fx.data), '--out', c.path('report')], names: [c.path('report', 'summary.json')] };
});
output('profile-out-is-the-model', 2, /--out .* is the input --model/, (c) => ({ argv: ['profile', '--model', c.fx.model, '--data', c.fx.data, '--out', c.fx.model, '--backend', 'cpu'], names: [c.fx.model] }));
output('compare-out-is-a-model', 2, /--out .* is the input --models a/, (c) => ({ argv: ['compare', '--models', `a=${c.fx.model}`, '--data', c.fx.data, '--out', c.fx.model], names: [c.fx.model] }));
output('train-out-is-the-model', 2, /--out .* is the input --model/, (c) => ({ argv: c.trainArgs(c.fx.model, c.fx.data, c.fx.model), names: [c.fx.model] }));
output('train-out-is-a-file', 1, /--out must be a folder/, (c) => {
  const f = c.text('run', '');
  return { argv: c.trainArgs(c.fx.model, c.fx.data, f), names: [f] };
});
output('train-out-locked-by-a-live-run', 1, /is in use by another softcot training run \(pid 1, started .*\); wait for it to finish, stop it, or use another folder/, (c) => {
  c.json(c.path('run', '.softcot.lock'), { pid: 1, host: osHost(), token: 'x', started: '2026-01-01T00:00:00.000Z', what: 'softcot training run' });
  return { argv: c.trainArgs(c.fx.model, c.fx.data, c.path('run')), names: [c.path('run', '.softcot.lock')] };
});
output('train-out-locked-on-another-host', 1, /in use by another softcot training run \(pid 7 on host elsewhere.*if that run is over, remove the lock file/, (c) => {
  c.json(c.path('run', '.softcot.lock'), { pid: 7, host: 'elsewhere', token: 'x', started: '2026-01-01T00:00:00.000Z', what: 'softcot training run' });
  return { argv: c.trainArgs(c.fx.model, c.fx.data, c.path('run')), names: [c.path('run', '.softcot.lock')] };
});
output('train-out-lock-file-garbage', 1, /is not a softcot lock file/, (c) => {
  c.text(c.path('run', '.softcot.lock'), 'garbage');
  return { argv: c.trainArgs(c.fx.model, c.fx.data, c.path('run')), names: [c.path('run', '.softcot.lock')] };
});
output('grade-output-is-the-input', 2, /--output .* is the input --input/, (c) => {
  const f = c.text('p.jsonl', '{"pred": "1", "gold": "1"}\n');
  return { argv: ['grade', '--input', f, '--output', f], names: [f] };
});
output('grade-to-dev-null', 1, /is a device/, (c) => {
  const f = c.text('p.jsonl', '{"pred": "1", "gold": "1"}\n');
  return { argv: ['grade', '--input', f, '--output', '/dev/null'], names: ['/dev/null'] };
});
output('ood-out-is-a-file', 1, /--out must be a folder/, (c) => {
  const f = c.text('o', '');
  return { argv: [...c.oodArgs(c.fx.model), '--out', f], names: [f] };
});
output('ood-out-is-the-model', 2, /--out .* is the input --model/, (c) => ({ argv: [...c.oodArgs(c.fx.model), '--out', c.fx.model], names: [c.fx.model] }));

const osHost = () => os.hostname();

/** safetensors bytes from entries with raw data (any dtype), offsets in order. */
function rawFromEntries(entries: { name: string; shape: number[]; dtype: string; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  let h = Buffer.from(JSON.stringify(header));
  const pad = (8 - (h.length % 8)) % 8;
  h = Buffer.concat([h, Buffer.from(' '.repeat(pad))]);
  const out = Buffer.alloc(8 + h.length + off);
  out.writeBigUInt64LE(BigInt(h.length), 0);
  h.copy(out, 8);
  let p = 8 + h.length;
  for (const e of entries) {
    Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length).copy(out, p);
    p += e.bytes.length;
  }
  return out;
}
