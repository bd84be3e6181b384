import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { greedyGenerate, loadModel, useBackend, type CausalLM } from '@softcot/model';
import { sharedDir } from '../../../test-support/shared-data';
import { COMMANDS, runCli } from '../src/commands/index';
import type { CommandIO } from '../src/args';

interface Captured extends CommandIO {
  out: string[];
  err: string[];
  text(): string;
}

function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), status: () => {}, text: () => [...out, ...err].join('\n') };
}

async function cli(...argv: string[]): Promise<{ code: number; io: Captured }> {
  const io = capture();
  const code = await runCli(argv, io);
  return { code, io };
}

let tmp: string;
let tinyDir: string;
let model: CausalLM;

beforeAll(async () => {
  await useBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-cli-'));
  tinyDir = path.join(tmp, 'tiny');
  const { code, io } = await cli('init', '--preset', 'tiny-qwen2', '--out', tinyDir, '--seed', '3', '--backend', 'cpu');
  expect(code, io.text()).toBe(0);
  model = loadModel(tinyDir);
});

afterAll(() => {
  model?.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('help and usage errors', () => {
  it('softcot --help lists every command', async () => {
    const { code, io } = await cli('--help');
    expect(code).toBe(0);
    for (const c of COMMANDS) expect(io.out.join('\n')).toContain(c.name);
  });

  it('no command: usage on stderr, exit 2; unknown command: exit 2', async () => {
    expect((await cli()).code).toBe(2);
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('unknown command "frobnicate"');
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help exits 0 with usage`, async () => {
      const { code, io } = await cli(c.name, '--help');
      expect(code).toBe(0);
      expect(io.out.join('\n')).toMatch(/Usage: softcot/);
      expect(io.out.join('\n')).toContain(c.name);
    });

    it(`${c.name} --bogus exits 2 naming the flag`, async () => {
      const { code, io } = await cli(c.name, '--bogus', 'x');
      expect(code).toBe(2);
      expect(io.err.join('\n')).toContain('--bogus');
    });
  }

  it('a flag without its value names the flag and prints usage', async () => {
    const { code, io } = await cli('forward', '--input', 'in.json', '--model');
    expect(code).toBe(2);
    expect(io.err[0]).toBe('softcot forward: flag --model needs a value');
    expect(io.err.join('\n')).toContain('Usage: softcot forward');
  });

  it('bad values and missing required flags exit 2', async () => {
    let r = await cli('eval', '--model', tinyDir, '--data', 'x.jsonl', '--samples', 'many');
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('--samples');
    r = await cli('forward', '--model', tinyDir, '--output', 'o.json');
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('missing required flag --input');
    r = await cli('eval', '--model', tinyDir, '--data', 'x.jsonl', '--settings', 'soft-greedy,warm-sample');
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('--settings');
    r = await cli('train', '--model', tinyDir, '--data', 'x.jsonl', '--out', tmp, '--mode', 'liquid');
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('--mode must be one of hard, soft, fuzzy');
  });

  it('bad inputs exit 1 with one line and no stack', async () => {
    const r = await cli('eval', '--model', path.join(tmp, 'nope'), '--data', path.join(tmp, 'nope.jsonl'));
    expect(r.code).toBe(1);
    expect(r.io.err).toHaveLength(1);
    expect(r.io.err[0]).toMatch(/^softcot eval: error: .*nope\.jsonl: dataset file not found$/);
  });
});

function writeJson(name: string, value: unknown): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, JSON.stringify(value));
  return f;
}

function readJson(f: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
}

function maxAbsDiff(a: number[], b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('forward', () => {
  const ids = [
    [1, 10, 20, 30, 40],
    [1, 50, 60, 70, 80],
  ];

  it('logits equal model.forward', async () => {
    const inFile = writeJson('in.json', { input_ids: ids });
    const outFile = path.join(tmp, 'out.json');
    const { code, io } = await cli('forward', '--model', tinyDir, '--input', inFile, '--output', outFile, '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const got = readJson(outFile).logits as number[][][];
    const V = model.config.vocabSize;
    expect(got).toHaveLength(2);
    expect(got[0]).toHaveLength(5);
    expect(got[0]![0]).toHaveLength(V);
    const ref = tf.tidy(() => model.forward({ inputIds: tf.tensor2d(ids, [2, 5], 'int32') }).logits!.arraySync());
    for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) expect(maxAbsDiff(got[b]![t]!, ref[b]![t]!)).toBe(0);
  });

  it('mixture_probs rows equal the inputEmbeds path; one-hot mixtures equal the ids path', async () => {
    const V = model.config.vocabSize;
    const rand = (seed: number) => {
      const v = Array.from({ length: V }, (_, i) => Math.exp(Math.sin(seed * 7.1 + i * 0.37) * 3));
      const s = v.reduce((a, b) => a + b, 0);
      return v.map((x) => x / s);
    };
    const oneHot = (id: number) => Array.from({ length: V }, (_, i) => (i === id ? 1 : 0));
    const probs = [
      [rand(1), oneHot(99)],
      [rand(2), rand(3)],
    ];
    const inFile = writeJson('in-mix.json', { input_ids: ids, mixture_probs: probs });
    const outFile = path.join(tmp, 'out-mix.json');
    const { code, io } = await cli('forward', '--model', tinyDir, '--input', inFile, '--output', outFile, '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const got = readJson(outFile).logits as number[][][];
    expect(got[0]).toHaveLength(7);
    const ref = tf.tidy(() => {
      const E = model.embeddingMatrix;
      const tokenEmb = model.embed(tf.tensor2d(ids, [2, 5], 'int32'));
      const mixEmb = tf.matMul(tf.tensor3d(probs as number[][][]).reshape([4, V]), E).reshape([2, 2, model.config.hiddenSize]);
      return model.forward({ inputEmbeds: tf.concat([tokenEmb, mixEmb], 1) as tf.Tensor3D }).logits!.arraySync();
    });
    for (let b = 0; b < 2; b++) for (let t = 0; t < 7; t++) expect(maxAbsDiff(got[b]![t]!, ref[b]![t]!)).toBeLessThan(1e-4);
    // Row 0's last mixture position is one-hot on token 99: it must match feeding token 99 itself.
    const hard = tf.tidy(() => model.forward({ inputIds: tf.tensor2d([[...ids[0]!, 0, 99]], [1, 7], 'int32'), inputEmbeds: tf.concat([model.embed(tf.tensor2d([ids[0]!], [1, 5], 'int32')), tf.matMul(tf.tensor2d([probs[0]![0]!, oneHot(0)]), model.embeddingMatrix).expandDims(0)], 1) as tf.Tensor3D, useEmbeds: tf.tensor2d([[0, 0, 0, 0, 0, 1, 0]]) }).logits!.arraySync());
    expect(maxAbsDiff(got[0]![6]!, hard[0]![6]!)).toBeLessThan(1e-4);
  });

  it('--generate equals greedyGenerate; with mixture_probs it decodes after the embedded prefix', async () => {
    const inFile = writeJson('in-gen.json', { input_ids: ids });
    const outFile = path.join(tmp, 'gen.json');
    const { code, io } = await cli('forward', '--model', tinyDir, '--input', inFile, '--output', outFile, '--generate', '6', '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const tokens = readJson(outFile).tokens as number[][];
    expect(tokens).toEqual(greedyGenerate(model, ids, 6).tokens);

    const V = model.config.vocabSize;
    const oneHot = (id: number) => Array.from({ length: V }, (_, i) => (i === id ? 1 : 0));
    const mixFile = writeJson('in-gen-mix.json', { input_ids: ids, mixture_probs: [[oneHot(5), oneHot(6)], [oneHot(7), oneHot(8)]] });
    const r = await cli('forward', '--model', tinyDir, '--input', mixFile, '--output', outFile, '--generate', '4', '--backend', 'cpu');
    expect(r.code, r.io.text()).toBe(0);
    const mixTokens = readJson(outFile).tokens as number[][];
    expect(mixTokens).toEqual(greedyGenerate(model, [[...ids[0]!, 5, 6], [...ids[1]!, 7, 8]], 4).tokens);
  });

  const bad: [string, unknown, RegExp][] = [
    ['ragged rows', { input_ids: [[1, 2, 3], [1, 2]] }, /field "input_ids\[1\]": has 2 ids but row 0 has 3/],
    ['id out of range', { input_ids: [[1, 2, 99999]] }, /field "input_ids\[0\]\[2\]": id 99999 is out of range \[0, 512\)/],
    ['non-integer id', { input_ids: [[1, 2.5]] }, /field "input_ids\[0\]\[1\]": must be an integer token id/],
    ['missing input_ids', { ids: [[1]] }, /field "input_ids": missing/],
    ['wrong vocab in mixture_probs', { input_ids: [[1, 2]], mixture_probs: [[[0.5, 0.5]]] }, /field "mixture_probs\[0\]\[0\]": has 2 entries, expected vocab_size 512/],
    ['mixture rows differ in m', { input_ids: [[1], [2]], mixture_probs: [[], [new Array(512).fill(0)]] }, /field "mixture_probs\[1\]": has 1 positions but row 0 has 0/],
    ['mixture batch mismatch', { input_ids: [[1], [2]], mixture_probs: [[]] }, /field "mixture_probs": has 1 rows but input_ids has 2/],
  ];
  for (const [name, value, pattern] of bad) {
    it(`malformed in.json: ${name}`, async () => {
      const f = writeJson(`bad-${name.replace(/\W+/g, '-')}.json`, value);
      const { code, io } = await cli('forward', '--model', tinyDir, '--input', f, '--output', path.join(tmp, 'never.json'), '--backend', 'cpu');
      expect(code).toBe(1);
      expect(io.err).toHaveLength(1);
      expect(io.err[0]).toContain(f);
      expect(io.err[0]).toMatch(pattern);
      expect(fs.existsSync(path.join(tmp, 'never.json'))).toBe(false);
    });
  }

  it('--backend cuda without a usable GPU reports why, in one line', async () => {
    const inFile = writeJson('in-cuda.json', { input_ids: ids });
    const { code, io } = await cli('forward', '--model', tinyDir, '--input', inFile, '--output', path.join(tmp, 'cuda.json'), '--backend', 'cuda');
    await useBackend('cpu');
    if (code === 0) return; // a machine with a working cuda backend
    expect(code).toBe(1);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/^softcot forward: error: cuda backend unavailable: .*use backend 'cpu'$/);
  });

  it('invalid JSON names the file', async () => {
    const f = path.join(tmp, 'broken.json');
    fs.writeFileSync(f, '{"input_ids": [[1, 2]');
    const { code, io } = await cli('forward', '--model', tinyDir, '--input', f, '--output', path.join(tmp, 'never.json'), '--backend', 'cpu');
    expect(code).toBe(1);
    expect(io.err[0]).toContain(`${f}: invalid JSON`);
  });
});

describe('init', () => {
  it('writes presets with their shapes (config only checked for the big ones)', async () => {
    const { PRESETS } = await import('../src/commands/init');
    const { makeConfigJson, parseModelConfig } = await import('@softcot/model');
    const llama = parseModelConfig(makeConfigJson(PRESETS['llama-3.2-1b']!.type, PRESETS['llama-3.2-1b']!.sizes));
    expect(llama.ropeScaling).toEqual({ type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
    expect(llama.vocabSize).toBe(128256);
    const q3 = parseModelConfig(makeConfigJson(PRESETS['qwen3-0.6b']!.type, PRESETS['qwen3-0.6b']!.sizes));
    expect([q3.headDim, q3.numKvHeads, q3.qkNorm, q3.tieWordEmbeddings]).toEqual([128, 8, true, true]);
    const q2 = parseModelConfig(makeConfigJson(PRESETS['qwen2.5-0.5b']!.type, PRESETS['qwen2.5-0.5b']!.sizes));
    expect([q2.hiddenSize, q2.numLayers, q2.numHeads, q2.numKvHeads, q2.qkvBias, q2.ropeTheta]).toEqual([896, 24, 14, 2, true, 1e6]);
  });

  it('--config with a bfloat16 dtype round-trips through loadModel', async () => {
    const cfg = writeJson('cfg.json', JSON.parse(fs.readFileSync(path.join(tinyDir, 'config.json'), 'utf8')));
    const out = path.join(tmp, 'from-config');
    const { code, io } = await cli('init', '--config', cfg, '--out', out, '--dtype', 'bfloat16', '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const m = loadModel(out);
    expect(m.config.torchDtype).toBe('bfloat16');
    m.dispose();
    expect(fs.existsSync(path.join(out, 'tokenizer.json'))).toBe(false);
  });

  it('rejects both or neither of --preset/--config, and unknown presets', async () => {
    expect((await cli('init', '--out', tmp)).code).toBe(2);
    const r = await cli('init', '--preset', 'gpt-5', '--out', tmp);
    expect(r.code).toBe(2);
    expect(r.io.err[0]).toContain('unknown preset "gpt-5"');
  });
});

const readMetricsFile = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { validation?: number });

const shared = sharedDir();
const gsm8k = shared ? path.join(shared, 'datasets', 'gsm8k', 'train-sample.jsonl') : null;
const haveGsm8k = gsm8k !== null && fs.existsSync(gsm8k);
if (!haveGsm8k) console.warn('cli.test: ../shared/datasets/gsm8k/train-sample.jsonl not found; skipping eval/compare/train tests');

describe.skipIf(!haveGsm8k)('eval, compare, train on gsm8k (tiny model)', () => {
  it('eval writes the report files', async () => {
    const out = path.join(tmp, 'eval');
    const { code, io } = await cli('eval', '--model', tinyDir, '--data', gsm8k!, '--samples', '2', '--settings', 'hard-greedy,soft-sample', '--limit', '2', '--max-cot', '6', '--max-answer', '4', '--out', out, '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    for (const f of ['problems.jsonl', 'summary.json', 'summary.md', 'passk.svg', 'entropy.svg']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const lines = fs.readFileSync(path.join(out, 'problems.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ setting: 'hard greedy', reference: '72' });
    expect(lines[2]).toMatchObject({ setting: 'soft sample', reference: '72' });
    expect(lines[2].samples).toHaveLength(2);
    expect(Object.keys(lines[2].samples[0]).sort()).toEqual(['answer', 'completion', 'correct', 'cot', 'cotLength', 'cotStop']);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.summaries.map((s: { setting: string }) => s.setting)).toEqual(['hard greedy', 'soft sample']);
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('| soft sample |');
    expect(fs.readFileSync(path.join(out, 'passk.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('compare writes the grid', async () => {
    const out = path.join(tmp, 'compare');
    const { code, io } = await cli('compare', '--models', `a=${tinyDir},b=${tinyDir}`, '--data', gsm8k!, '--samples', '2', '--settings', 'hard-greedy,fuzzy-sample', '--limit', '1', '--max-cot', '4', '--max-answer', '3', '--out', out, '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const grid = JSON.parse(fs.readFileSync(path.join(out, 'grid.json'), 'utf8'));
    expect(grid.models).toEqual(['a', 'b']);
    expect(grid.settings).toEqual(['hard greedy', 'fuzzy sample']);
    // Same checkpoint, same seed: identical rows.
    expect(grid.cells.a).toEqual(grid.cells.b);
    for (const f of ['grid.md', 'grid.svg', 'grid-passk.svg', 'a/summary.json', 'b/summary.md']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
  });

  it('train runs steps, checkpoints and draws the reward curve', async () => {
    const out = path.join(tmp, 'train');
    const args = ['train', '--model', tinyDir, '--data', gsm8k!, '--out', out, '--mode', 'soft', '--steps', '1', '--prompts-per-step', '1', '--samples', '2', '--micro-batch', '2', '--max-cot', '4', '--max-answer', '3', '--limit', '4', '--lr', '1e-4', '--backend', 'cpu'];
    const { code, io } = await cli(...args);
    expect(code, io.text()).toBe(0);
    expect(fs.existsSync(path.join(out, 'metrics.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'reward-curve.svg'))).toBe(true);
    expect(fs.readlinkSync(path.join(out, 'checkpoints', 'latest'))).toBe('step-000001');
    // The checkpoint is a complete model folder (tokenizer included), usable by eval.
    expect(fs.existsSync(path.join(out, 'checkpoints', 'step-000001', 'tokenizer.json'))).toBe(true);
  });

  it('train --val-size holds out problems, validates and keeps the best model', async () => {
    const out = path.join(tmp, 'train-val');
    const base = ['train', '--model', tinyDir, '--data', gsm8k!, '--mode', 'hard', '--steps', '2', '--prompts-per-step', '1', '--samples', '2', '--micro-batch', '2', '--max-cot', '4', '--max-answer', '3', '--limit', '5', '--lr', '1e-4', '--backend', 'cpu'];
    const { code, io } = await cli(...base, '--out', out, '--val-size', '2', '--validate-every', '1');
    expect(code, io.text()).toBe(0);
    expect(io.err.join('\n')).toContain('3 problems (+2 for validation)');
    expect(io.out.join('\n')).toMatch(/best validation hard-greedy pass@1 \d\.\d{3} at step \d/);
    expect(readMetricsFile(path.join(out, 'metrics.jsonl')).map((m) => typeof m.validation)).toEqual(['number', 'number']);
    expect(fs.existsSync(path.join(out, 'best', 'model.safetensors'))).toBe(true);
    const bad = await cli(...base, '--out', path.join(tmp, 'train-bad'), '--val-size', '5');
    expect(bad.code).toBe(2);
    expect(bad.io.err.join('\n')).toContain('--val-size 5 leaves no training problems');
    const badSetting = await cli(...base, '--out', path.join(tmp, 'train-bad'), '--val-size', '1', '--val-setting', 'warm-greedy');
    expect(badSetting.code).toBe(2);
    expect(badSetting.io.err.join('\n')).toContain('--val-setting: invalid inference setting "warm-greedy"');
  });
});

describe('ood', () => {
  it('scores synthetic items and writes ood.json', async () => {
    const out = path.join(tmp, 'ood');
    const { code, io } = await cli('ood', '--model', tinyDir, '--data', 'synthetic', '--limit', '5', '--out', out, '--backend', 'cpu');
    expect(code, io.text()).toBe(0);
    const res = JSON.parse(fs.readFileSync(path.join(out, 'ood.json'), 'utf8'));
    expect(res.summary.items).toBe(5);
    expect(res.scores).toHaveLength(5);
    expect(io.out[0]).toMatch(/accuracy .* answer NLL\/token/);
  });

  it('a row of unknown shape names the file and line', async () => {
    const f = path.join(tmp, 'mc.jsonl');
    fs.writeFileSync(f, '{"question": "q", "choices": ["a", "b"], "answer": 1}\n{"prompt": "x"}\n');
    const { code, io } = await cli('ood', '--model', tinyDir, '--data', f, '--backend', 'cpu');
    expect(code).toBe(1);
    expect(io.err[0]).toContain(`${f}:2: cannot tell the format`);
  });
});
