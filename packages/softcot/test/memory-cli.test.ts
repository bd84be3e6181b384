// softcot plan, softcot merge, and the memory flags of softcot train.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ADAPTER_CONFIG_FILE, loadModel, useBackend, type CausalLM } from '@softcot/model';
import { runCli } from '../src/commands/index';
import type { CommandIO } from '../src/args';

async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: CommandIO = { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l), status: () => {} };
  const code = await runCli(argv, io);
  return { code, text: lines.join('\n') };
}

let tmp: string;
let tinyDir: string;
let data: string;

beforeAll(async () => {
  await useBackend('cpu');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-memcli-'));
  tinyDir = path.join(tmp, 'tiny');
  const r = await cli('init', '--preset', 'tiny-llama', '--out', tinyDir, '--seed', '2', '--backend', 'cpu');
  expect(r.code, r.text).toBe(0);
  data = path.join(tmp, 'problems.jsonl');
  fs.writeFileSync(data, ['1+2', '3+4', '2*3', '9-1'].map((q) => JSON.stringify({ question: q, answer: String(eval(q)) })).join('\n') + '\n');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const logits = (m: CausalLM) => tf.tidy(() => Array.from(m.forward({ inputIds: tf.tensor2d([[5, 9, 14, 3]], undefined, 'int32') }).logits!.dataSync()));

describe('softcot plan', () => {
  it('prints every component, the peak and the GPU verdicts, for a model folder and for a preset', async () => {
    const small = ['--samples', '4', '--micro-batch', '2', '--prompt-tokens', '16', '--max-cot', '8', '--max-answer', '4'];
    const json = path.join(tmp, 'plan.json');
    const r = await cli('plan', '--model', tinyDir, ...small, '--lora-rank', '4', '--checkpointing', '--json', json);
    expect(r.code, r.text).toBe(0);
    for (const part of ['weights', 'adapters', 'optimizer state', 'rollout of 8 rows', 'gradient pass, micro-batch 2', 'peak of a training step', 'H100 80GB: fits', 'H200 141GB: fits'])
      expect(r.text).toContain(part);
    const plan = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(plan.peak).toBeGreaterThan(plan.persistentBytes);
    const preset = await cli('plan', '--preset', 'tiny-qwen3', ...small, '--mode', 'hard', '--precision', 'bf16');
    expect(preset.code, preset.text).toBe(0);
    expect(preset.text).toContain('full fine-tuning');
  });

  it('refuses bad flags with a usage error', async () => {
    expect((await cli('plan')).code).toBe(2);
    const noRank = await cli('plan', '--preset', 'tiny-llama', '--lora-alpha', '8');
    expect(noRank.code).toBe(2);
    expect(noRank.text).toContain('--lora-alpha needs --lora-rank');
    const badPreset = await cli('plan', '--preset', 'gpt-9');
    expect(badPreset.code).toBe(2);
    expect(badPreset.text).toContain('unknown preset "gpt-9"');
    const badTarget = await cli('plan', '--preset', 'tiny-llama', '--lora-rank', '2', '--lora-targets', 'q,dense');
    expect(badTarget.text).toContain('unknown layer "dense"');
  });
});

describe('softcot train with LoRA, then softcot merge', () => {
  it('checkpoints hold adapters; --merge and softcot merge write the same plain model', async () => {
    const out = path.join(tmp, 'run');
    const r = await cli(
      'train', '--model', tinyDir, '--data', data, '--out', out, '--mode', 'soft', '--reward', 'logprob', '--steps', '2', '--prompts-per-step', '2', '--samples', '2',
      '--micro-batch', '2', '--max-cot', '3', '--max-answer', '2', '--lr', '1e-2', '--warmup', '0', '--backend', 'cpu',
      '--lora-rank', '2', '--lora-targets', 'q,v,down', '--checkpointing', '--adam-8bit', '--merge',
    );
    expect(r.code, r.text).toBe(0);
    const ckpt = path.join(out, 'checkpoints', 'step-000002');
    expect(fs.existsSync(path.join(ckpt, ADAPTER_CONFIG_FILE))).toBe(true);
    expect(fs.existsSync(path.join(ckpt, 'model.safetensors'))).toBe(false);
    const viaTrain = loadModel(path.join(out, 'merged'));
    const m = await cli('merge', '--model', tinyDir, '--adapter', ckpt, '--out', path.join(tmp, 'merged2'));
    expect(m.code, m.text).toBe(0);
    const viaMerge = loadModel(path.join(tmp, 'merged2'));
    const base = loadModel(tinyDir);
    expect(logits(viaMerge)).toEqual(logits(viaTrain));
    // The adapters moved the model away from the base.
    expect(logits(viaMerge)).not.toEqual(logits(base));
    for (const x of [viaTrain, viaMerge, base]) x.dispose();
  });

  it('refuses --merge without LoRA, and merge without an adapter folder', async () => {
    const r = await cli('train', '--model', tinyDir, '--data', data, '--out', path.join(tmp, 'x'), '--merge');
    expect(r.code).toBe(2);
    expect(r.text).toContain('--merge needs --lora-rank');
    const m = await cli('merge', '--model', tinyDir, '--adapter', tinyDir, '--out', path.join(tmp, 'y'));
    expect(m.code).toBe(1);
    expect(m.text).toContain('adapter_config.json: not found');
  });
});
