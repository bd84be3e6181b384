import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, initModel, loadAdapter, loadModel, makeConfigJson, parseModelConfig, SafetensorsFile,
  saveAdapter, saveModel, useBackend, type CausalLM, type LoraOptions, type ModelType,
} from '@softcot/model';

await useBackend('cpu');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-lora-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tinyModel(type: ModelType, tied: boolean, seed = 3): CausalLM {
  const config = parseModelConfig({
    ...makeConfigJson(type, { vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, tieWordEmbeddings: tied }),
    ...(type === 'llama' ? { attention_bias: true } : {}),
  });
  const m = initModel(config, seed);
  // Larger than HF's 0.02 init so that logits have structure and errors show.
  for (const [name, v] of m.params) if (!name.includes('norm')) v.assign(tf.mul(v, 20));
  return m;
}

const IDS = [[1, 5, 9, 13, 2, 7], [3, 3, 8, 21, 30, 4]];

function logits(m: CausalLM): Float32Array {
  return tf.tidy(() => m.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32') }).logits!.dataSync() as Float32Array);
}

/** A scalar loss with structure everywhere: Σ w·log_softmax(logits) with fixed random w. */
function lossOf(m: CausalLM): tf.Scalar {
  const out = m.forward({ inputIds: tf.tensor2d(IDS, undefined, 'int32') }).logits!;
  const w = tf.randomNormal(out.shape, 0, 1, 'float32', 11);
  return tf.sum(tf.mul(tf.logSoftmax(out), w)) as tf.Scalar;
}

/** Give every B random values, so the adapters change the model and A gets a gradient too. */
function randomiseB(m: CausalLM, scale = 0.3): void {
  let i = 0;
  for (const { b } of m.lora!.modules.values()) b.assign(tf.randomNormal(b.shape, 0, scale, 'float32', 500 + i++));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe.each([['llama', false], ['qwen2', true], ['qwen3', false]] as const)('LoRA on %s (tied %s)', (type, tied) => {
  it('adapters at zero (a fresh attach) give exactly the base logits; adapters off give them back after training', () => {
    const m = tinyModel(type, tied);
    const base = logits(m);
    m.attachLora({ rank: 4, alpha: 8 });
    expect(Array.from(logits(m))).toEqual(Array.from(base));
    randomiseB(m);
    const adapted = logits(m);
    expect(maxAbsDiff(adapted, base)).toBeGreaterThan(1e-2);
    const off = m.lora!.withAdaptersDisabled(() => logits(m));
    expect(Array.from(off)).toEqual(Array.from(base));
    expect(Array.from(logits(m))).toEqual(Array.from(adapted));
    m.dispose();
  });

  it('only the adapters train: the base is frozen and absent from the trainable set', () => {
    const m = tinyModel(type, tied);
    const lora = m.attachLora({ rank: 2, targets: ['q_proj', 'v_proj', 'down_proj'] });
    const names = [...m.trainableParams().keys()];
    expect(names).toHaveLength(2 * 3 * 2);
    expect(names).toContain('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight');
    expect(names.every((n) => n.includes('.lora_'))).toBe(true);
    for (const v of m.params.values()) expect(v.trainable).toBe(false);
    expect(lora.modules.get('model.layers.0.self_attn.q_proj')!.a.shape).toEqual([2, 16]);
    expect(lora.modules.get('model.layers.0.mlp.down_proj')!.b.shape).toEqual([16, 2]);
    const { grads } = tf.variableGrads(() => lossOf(m), m.trainableVariables);
    expect(Object.keys(grads)).toHaveLength(names.length);
    tf.dispose(Object.values(grads));
    m.detachLora();
    for (const v of m.params.values()) expect(v.trainable).toBe(true);
    m.dispose();
  });

  it('adapter gradients match central finite differences along a random direction', () => {
    const m = tinyModel(type, tied);
    m.attachLora({ rank: 3, alpha: 6 });
    randomiseB(m);
    const vars = m.trainableVariables;
    const { grads } = tf.variableGrads(() => lossOf(m), vars);
    // A unit-norm random direction over every adapter value.
    const raw = vars.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 900 + i));
    const norm = Math.sqrt(raw.reduce((s, d) => s + tf.sum(tf.square(d)).dataSync()[0]!, 0));
    const dirs = raw.map((d) => tf.div(d, norm));
    const analytic = vars.reduce((s, v, i) => s + tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0]!, 0);
    const central = (eps: number) => {
      const at = (sign: number) => {
        const saved = vars.map((v) => v.clone());
        vars.forEach((v, i) => v.assign(tf.add(v, tf.mul(dirs[i]!, sign * eps))));
        const value = tf.tidy(() => lossOf(m).dataSync()[0]!);
        vars.forEach((v, i) => v.assign(saved[i]!));
        tf.dispose(saved);
        return value;
      };
      return (at(1) - at(-1)) / (2 * eps);
    };
    // Richardson extrapolation of two central differences cancels their O(ε²) error.
    const numeric = (4 * central(1e-2) - central(2e-2)) / 3;
    expect(Math.abs(analytic)).toBeGreaterThan(0.1);
    expect(Math.abs(numeric - analytic)).toBeLessThan(2e-3 * Math.abs(analytic));
    // A is on the gradient path only because B is non-zero: both kinds get gradients.
    const aGrad = grads[m.lora!.modules.get('model.layers.0.self_attn.k_proj')!.a.name]!;
    expect(tf.max(tf.abs(aGrad)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([...Object.values(grads), ...raw, ...dirs]);
    m.dispose();
  });

  it('a merged checkpoint (saveModel with adapters on) gives the logits of base + adapters', () => {
    const m = tinyModel(type, tied);
    m.attachLora({ rank: 4, alpha: 4, trainEmbeddings: true });
    randomiseB(m);
    m.lora!.embedTokens!.assign(tf.add(m.lora!.embedTokens!, tf.randomNormal(m.lora!.embedTokens!.shape, 0, 0.1, 'float32', 3)));
    const want = logits(m);
    const dir = path.join(root, `${type}-merged`);
    saveModel(m, dir, { dtype: 'float32' });
    const merged = loadModel(dir);
    expect(merged.lora).toBeNull();
    const got = logits(merged);
    const scale = Math.max(...Array.from(want, Math.abs));
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5 * scale);
    // Merging in place computes the same model.
    m.mergeLora();
    expect(m.lora).toBeNull();
    expect(maxAbsDiff(logits(m), want)).toBeLessThan(1e-5 * scale);
    m.dispose();
    merged.dispose();
  });

  it('the PEFT layout round-trips: key names, adapter_config.json, identical adapters and logits', () => {
    const m = tinyModel(type, tied);
    const options: LoraOptions = { rank: 2, alpha: 5, dropout: 0.1, targets: ['q_proj', 'o_proj', 'up_proj'], trainLmHead: true, rsLora: true };
    m.attachLora(options);
    randomiseB(m);
    const want = logits(m);
    const dir = path.join(root, `${type}-adapter`);
    saveAdapter(m, dir, { baseModel: '/models/base' });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 5, lora_dropout: 0.1, use_rslora: true, bias: 'none', base_model_name_or_path: '/models/base' });
    expect(cfg.target_modules).toEqual(['q_proj', 'o_proj', 'up_proj']);
    expect(cfg.modules_to_save).toEqual([tied ? 'embed_tokens' : 'lm_head']);
    const file = SafetensorsFile.open(path.join(dir, ADAPTER_WEIGHTS_FILE));
    expect(file.tensors.get('base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight')!.shape).toEqual([2, 16]);
    expect(file.tensors.get('base_model.model.model.layers.0.mlp.up_proj.lora_B.weight')!.shape).toEqual([24, 2]);
    expect(file.tensors.has(tied ? 'base_model.model.model.embed_tokens.weight' : 'base_model.model.lm_head.weight')).toBe(true);
    expect(file.tensors.size).toBe(2 * 3 * 2 + 1);
    file.close();

    const fresh = tinyModel(type, tied);
    loadAdapter(fresh, dir);
    expect(fresh.lora!.settings).toMatchObject({ rank: 2, alpha: 5, dropout: 0.1, rsLora: true, targets: ['q_proj', 'o_proj', 'up_proj'] });
    expect(fresh.lora!.scaling).toBeCloseTo(5 / Math.SQRT2, 12);
    for (const [name, v] of m.trainableParams()) expect(Array.from(fresh.trainableParams().get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    expect(Array.from(logits(fresh))).toEqual(Array.from(want));
    m.dispose();
    fresh.dispose();
  });
});

describe('LoRA dropout', () => {
  it('acts only inside withDropout, and the same pass key draws the same masks', () => {
    const m = tinyModel('llama', false);
    m.attachLora({ rank: 4, dropout: 0.5, seed: 1 });
    randomiseB(m, 1);
    const plain = logits(m);
    const lora = m.lora!;
    const start = lora.dropoutState;
    const first = lora.withDropout(() => logits(m));
    const second = lora.withDropout(() => logits(m));
    expect(maxAbsDiff(first, plain)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-3);
    lora.dropoutState = start;
    expect(Array.from(lora.withDropout(() => logits(m)))).toEqual(Array.from(first));
    expect(Array.from(logits(m))).toEqual(Array.from(plain));
    m.dispose();
  });
});

describe('bad adapter input is refused with the file and field named', () => {
  const m = tinyModel('llama', false);
  m.attachLora({ rank: 2, targets: ['q_proj'] });
  const dir = path.join(root, 'bad');
  saveAdapter(m, dir);
  const cfgFile = path.join(dir, ADAPTER_CONFIG_FILE);
  const good = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
  afterAll(() => m.dispose());

  it.each([
    [{ use_dora: true }, /adapter_config\.json: use_dora: DoRA \(not supported/],
    [{ target_modules: '.*q_proj' }, /adapter_config\.json: target_modules ".*q_proj": .*regex targets are not supported/],
    [{ target_modules: ['q_proj', 'dense'] }, /target_modules: target module\(s\) dense/],
    [{ peft_type: 'IA3' }, /adapter_config\.json: peft_type "IA3" is not "LORA"/],
    [{ rank_pattern: { q_proj: 4 } }, /rank_pattern: per-layer ranks/],
    [{ r: 3 }, /adapter_model\.safetensors: tensor ".*lora_A\.weight": shape \[2,16\] does not match the model \(expected \[3,16\]\)/],
    [{ target_modules: ['q_proj', 'k_proj'] }, /missing tensor required by adapter_config\.json/],
  ])('%j', (patch, message) => {
    fs.writeFileSync(cfgFile, JSON.stringify({ ...good, ...patch }));
    const fresh = tinyModel('llama', false);
    expect(() => loadAdapter(fresh, dir)).toThrow(message);
    // A failed load leaves the model as it was.
    expect(fresh.lora).toBeNull();
    expect([...fresh.params.values()].every((v) => v.trainable)).toBe(true);
    fresh.dispose();
  });

  it('refuses bad options', () => {
    const fresh = tinyModel('llama', false);
    expect(() => fresh.attachLora({ rank: 0 })).toThrow(/lora\.rank must be a positive integer/);
    expect(() => fresh.attachLora({ targets: ['q_proj', 'lm_head' as never] })).toThrow(/unknown layer "lm_head"/);
    expect(() => fresh.attachLora({ dropout: 1 })).toThrow(/lora\.dropout must be in \[0, 1\)/);
    fresh.attachLora();
    expect(() => fresh.attachLora()).toThrow(/already has LoRA adapters/);
    fresh.dispose();
  });
});
