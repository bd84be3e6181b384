// Trainer memory options: activation checkpointing in every CoT mode, LoRA (what it does with E; the KL reference;
// adapter-only checkpoints and exact resume), bf16 base, 8-bit AdamW moments.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, initModel, makeConfigJson, MemoryMeter, parseModelConfig, SafetensorsFile, useBackend, type CausalLM } from '@softcot/model';
import { COT_MODES, resolveCot, type CotMode, type CotPolicy } from '@softcot/mixer';
import { rollout } from '@softcot/rollout';
import { paperPrompt, type Example } from '@softcot/data';
import {
  AdamW, MOMENT_BLOCK, QuantizedMoment, RLOOTrainer, dynamicCodeBook, microBatchLoss, planMemory, planWorkload, readMetrics, scoredSequence,
  supervisedFineTune, type MicroBatch, type PlanOptions, type RLOOConfig, type ScoredSequence, type StepMetrics,
} from '@softcot/trainer';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const tokenizer = tinyTokenizer();
const format = paperPrompt({ instruction: '' });

/** The trainer's policy for `mode` (σ from the base model's embeddings). */
const policyFor = (model: CausalLM, mode: CotMode) => resolveCot({ mode }, { embeddings: model.embeddingMatrix });

/** Sampled trajectories of `policy` from `model`, as the trainer scores them. */
function sequencesFor(model: CausalLM, policy: CotPolicy): ScoredSequence[] {
  const trajectories = rollout(model, tokenizer, ['1+2', '1+2', '3*4'], { cot: policy, format, maxCotTokens: 4, maxAnswerTokens: 3, answer: { greedy: false }, seed: 3 });
  return trajectories.map((t) => scoredSequence(model, policy, t, t.answerIds));
}

/** Loss and gradients (by trainable name) of one micro-batch through the trainer's loss. */
function lossAndGrads(model: CausalLM, policy: CotPolicy, seqs: ScoredSequence[]) {
  const mb: MicroBatch = { seqs, advantages: [1.5, -0.5, -1] };
  const settings = { scoring: { cot: policy, scoredTemperature: 1, padId: 0 }, scoredAreActions: true, normaliser: seqs.length };
  const byName = new Map([...model.trainableParams()].map(([k, v]) => [v.name, k]));
  const pass = () => tf.variableGrads(() => microBatchLoss(model, mb, settings), model.trainableVariables);
  const { value, grads } = model.lora ? model.lora.withDropout(pass) : pass();
  const out = { loss: value.dataSync()[0]!, grads: new Map(Object.entries(grads).map(([k, g]) => [byName.get(k)!, Array.from(g.dataSync())])) };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('activation checkpointing through the trainer loss', () => {
  // Over the modes the mixer exports, so every new CoT mode is covered.
  for (const mode of COT_MODES)
    for (const lora of [false, true])
      it(`${mode}${lora ? ', LoRA with dropout' : ''}: identical loss and gradients with and without checkpointing`, () => {
        const model = tinyModel(tokenizer.vocabSize, 2, { layers: 2 });
        const policy = policyFor(model, mode);
        const seqs = sequencesFor(model, policy);
        if (lora) {
          model.attachLora({ rank: 2, dropout: 0.2, seed: 5 });
          let i = 0;
          for (const { b } of model.lora!.modules.values()) b.assign(tf.randomNormal(b.shape, 0, 0.5, 'float32', 60 + i++));
        }
        const start = model.lora?.dropoutState ?? 0;
        const plain = lossAndGrads(model, policy, seqs);
        if (model.lora) model.lora.dropoutState = start;
        model.activationCheckpointing = true;
        const ckpt = lossAndGrads(model, policy, seqs);
        expect(ckpt.loss).toBe(plain.loss);
        expect(Number.isFinite(plain.loss) && plain.loss !== 0).toBe(true);
        expect([...ckpt.grads.keys()].sort()).toEqual([...plain.grads.keys()].sort());
        for (const [k, g] of plain.grads) expect(ckpt.grads.get(k)).toEqual(g);
        model.dispose();
      });
});

describe('LoRA and the embedding matrix E in the mixture modes', () => {
  // Every mode whose inputs are mixtures over E (all but hard).
  for (const mode of COT_MODES.filter((m) => m !== 'hard')) {
    it(`${mode}: E is frozen by default (no gradient, unchanged by training); trainEmbeddings trains a copy with the full model's gradient`, () => {
      const full = tinyModel(tokenizer.vocabSize, 3);
      const policy = policyFor(full, mode);
      const seqs = sequencesFor(full, policy);
      const fullGrads = lossAndGrads(full, policy, seqs);

      const frozen = tinyModel(tokenizer.vocabSize, 3);
      frozen.attachLora({ rank: 2 });
      const names = [...frozen.trainableParams().keys()];
      expect(names.some((n) => n.includes('embed_tokens'))).toBe(false);
      const eBefore = Array.from(frozen.params.get('model.embed_tokens.weight')!.dataSync());
      // B = 0: only B has a gradient (A's is zero), and nothing reaches E.
      const g = lossAndGrads(frozen, policy, seqs);
      expect([...g.grads.keys()].every((k) => k.includes('.lora_'))).toBe(true);
      expect(Math.max(...[...g.grads].filter(([k]) => k.includes('lora_B')).flatMap(([, v]) => v.map(Math.abs)))).toBeGreaterThan(0);
      const opt = new AdamW(frozen.trainableParams(), {});
      opt.apply(new Map([...g.grads].map(([k, v]) => [k, tf.tensor(v, frozen.trainableParams().get(k)!.shape)])), 1e-2);
      expect(Array.from(frozen.params.get('model.embed_tokens.weight')!.dataSync())).toEqual(eBefore);
      expect(Math.max(...Array.from(frozen.lora!.modules.get('model.layers.0.mlp.up_proj')!.b.dataSync(), Math.abs))).toBeGreaterThan(0);

      const trained = tinyModel(tokenizer.vocabSize, 3);
      trained.attachLora({ rank: 2, trainEmbeddings: true });
      const eGrad = lossAndGrads(trained, policy, seqs).grads.get('base_model.model.model.embed_tokens.weight')!;
      const want = fullGrads.grads.get('model.embed_tokens.weight')!;
      const scale = Math.max(...want.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      eGrad.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(1e-6 * scale));
      for (const m of [full, frozen, trained]) m.dispose();
      opt.dispose();
    });
  }
});

const dataset: Example[] = ['1+2', '3+4', '5-2', '2*3', '9-1'].map((q, i) => ({ id: `q${i}`, question: q, answer: String(eval(q)), row: {} }));

function loraConfig(outputDir: string | undefined, overrides: Partial<RLOOConfig> = {}): RLOOConfig {
  return {
    model: tinyModel(tokenizer.vocabSize, 4),
    tokenizer,
    format,
    cot: { mode: 'soft', maxTokens: 5 },
    reward: ({ completion }) => (completion.match(/1/g) ?? []).length,
    promptsPerStep: 2,
    samplesPerPrompt: 3,
    microBatch: 4,
    maxAnswerTokens: 3,
    steps: 4,
    lr: 1e-2,
    warmupSteps: 1,
    outputDir,
    saveEvery: 2,
    seed: 7,
    progress: false,
    lora: { rank: 2, dropout: 0.1 },
    activationCheckpointing: true,
    ...overrides,
  };
}

/** A reward that differs between samples of one prompt, so every step has advantages. */
const varied: RLOOConfig['reward'] = ({ completion }) => [...completion].reduce((s, c) => s + c.charCodeAt(0), 0) % 10;

const stable = (m: StepMetrics[]) => m.map(({ tokensPerSecond, stepSeconds, rolloutSeconds, rewardSeconds, ...rest }) => rest);

describe('RLOOTrainer with LoRA', () => {
  it('checkpoints hold only the adapters (PEFT layout) and their optimizer state; resuming is exact', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-lora-train-'));
    const straight = new RLOOTrainer(loraConfig(path.join(root, 'a')));
    const base = Array.from(straight.config.model.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync());
    const full = await straight.train(dataset);
    expect(full.metrics.some((m) => m.gradNorm > 0)).toBe(true);
    // The base never moves.
    expect(Array.from(straight.config.model.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync())).toEqual(base);

    const ckpt = path.join(root, 'a', 'checkpoints', 'step-000004');
    expect(fs.existsSync(path.join(ckpt, ADAPTER_CONFIG_FILE))).toBe(true);
    expect(fs.existsSync(path.join(ckpt, ADAPTER_WEIGHTS_FILE))).toBe(true);
    expect(fs.existsSync(path.join(ckpt, 'model.safetensors'))).toBe(false);
    const opt = SafetensorsFile.open(path.join(ckpt, 'optimizer.safetensors'));
    expect([...opt.tensors.keys()].every((k) => k.includes('.lora_'))).toBe(true);
    opt.close();

    const first = new RLOOTrainer(loraConfig(path.join(root, 'b'), { onStep: (m) => m.step === 2 && first.requestStop() }));
    await first.train(dataset);
    const resumed = new RLOOTrainer(loraConfig(path.join(root, 'b')));
    await resumed.train(dataset);
    // As metrics.jsonl holds them (JSON: a NaN gradient cosine reads back as null).
    expect(stable(readMetrics(path.join(root, 'b', 'metrics.jsonl')))).toEqual(JSON.parse(JSON.stringify(stable(full.metrics))));
    const adapters = (t: RLOOTrainer) => [...t.config.model.trainableParams()].map(([k, v]) => [k, Array.from(v.dataSync())]);
    expect(adapters(resumed)).toEqual(adapters(straight));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the KL reference is the base with the adapters off: no second copy of the weights', async () => {
    // Bytes held after one training step (a cloned reference shares buffers until the policy's weights move).
    const heldAfterAStep = async (overrides: Partial<RLOOConfig>) => {
      const meter = MemoryMeter.start();
      const cfg = loraConfig(undefined, { steps: 1, reward: varied, ...overrides });
      const trainer = new RLOOTrainer(cfg);
      const res = await trainer.train(dataset);
      expect(res.metrics[0]!.gradNorm).toBeGreaterThan(0);
      const held = meter.live;
      meter.stop();
      trainer.dispose();
      cfg.model.dispose();
      return held;
    };
    expect(await heldAfterAStep({ kl: { beta: 0.1 } })).toBe(await heldAfterAStep({}));
    const modelBytes = [...tinyModel(tokenizer.vocabSize, 4).params.values()].reduce((s, v) => s + v.size * 4, 0);
    const fullFt = async (kl: boolean) => heldAfterAStep({ lora: undefined, ...(kl ? { kl: { beta: 0.1 } } : {}) });
    expect((await fullFt(true)) - (await fullFt(false))).toBe(modelBytes);
  });

  it('a KL step with LoRA runs and penalises the move away from the base', async () => {
    const run = async (beta: number) => {
      const t = new RLOOTrainer(loraConfig(undefined, { steps: 3, kl: { beta }, reward: varied, activationCheckpointing: false }));
      const res = await t.train(dataset);
      return res.metrics.map((m) => m.loss);
    };
    const [a, b] = [await run(0), await run(5)];
    // Step 1: policy = base, the KL term is exactly zero; later steps differ.
    expect(b[0]).toBe(a[0]);
    expect(b.slice(1)).not.toEqual(a.slice(1));
  });

  it('bf16 base + 8-bit moments + checkpointing: SFT trains the adapters and lowers the loss', () => {
    const model = tinyModel(tokenizer.vocabSize, 5);
    const examples: Example[] = dataset.map((e) => ({ ...e, solution: `${e.question}=${e.answer}. The final answer is: \\boxed{${e.answer}}` }));
    const losses = supervisedFineTune(model, tokenizer, examples, {
      format, steps: 12, batchSize: 5, lr: 3e-2, seed: 1,
      lora: { rank: 4 }, frozenBf16: true, activationCheckpointing: true, optimizerMoments: 'int8',
    });
    expect(model.frozenBf16.size).toBeGreaterThan(0);
    expect(losses.at(-1)!).toBeLessThan(0.8 * losses[0]!);
    model.dispose();
  });

  it('refuses a bf16 base without LoRA', () => {
    expect(() => new RLOOTrainer(loraConfig(undefined, { lora: undefined, frozenBf16: true }))).toThrow(/frozenBf16: .*needs LoRA adapters/);
  });
});

describe('8-bit AdamW moments', () => {
  it('the dynamic code books have 256 sorted entries spanning [-1, 1] (signed) and [0, 1] (unsigned)', () => {
    for (const signed of [true, false]) {
      const book = dynamicCodeBook(signed);
      expect(book.length).toBe(256);
      for (let i = 1; i < 256; i++) expect(book[i]!).toBeGreaterThan(book[i - 1]!);
      expect(book[255]).toBe(1);
      expect(book[0]).toBeCloseTo(signed ? -0.99296875 : 0, 6);
      expect(book).toContain(0);
    }
  });

  it('quantizes blocks with small relative error, also for values far below the block maximum', () => {
    const n = 3 * MOMENT_BLOCK + 17;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * Math.exp(-((i % 50) / 8)));
    const q = new QuantizedMoment(n, true);
    const block = new Float32Array(MOMENT_BLOCK);
    for (let b = 0; b < q.scales.length; b++) {
      const len = Math.min(MOMENT_BLOCK, n - b * MOMENT_BLOCK);
      block.set(x.subarray(b * MOMENT_BLOCK, b * MOMENT_BLOCK + len));
      q.writeBlock(b, block, len);
    }
    const y = q.values();
    const book = dynamicCodeBook(true);
    let relative = 0;
    let counted = 0;
    for (let i = 0; i < n; i++) {
      const scale = q.scales[Math.floor(i / MOMENT_BLOCK)]!;
      // Each value is stored as the nearest code (brute force over the book), times its block's absmax.
      const u = x[i]! / scale;
      const best = book.reduce((b, c) => (Math.abs(c - u) < Math.abs(b - u) ? c : b), book[0]!);
      expect(y[i]).toBeCloseTo(best * scale, 6);
      if (Math.abs(u) >= 0.01) {
        relative += Math.abs(y[i]! - x[i]!) / Math.abs(x[i]!);
        counted++;
      }
    }
    // Within two decades of the block maximum the mean relative error is a few percent.
    expect(relative / counted).toBeLessThan(0.05);
  });

  it('tracks fp32 AdamW closely on a quadratic, holds no backend memory, and restores exactly', () => {
    const target = tf.randomNormal([700], 0, 1, 'float32', 3);
    const make = () => new Map([['w', tf.variable(tf.zeros([700]))]]);
    const p32 = make();
    const p8 = make();
    const a32 = new AdamW(p32, {});
    const a8 = new AdamW(p8, { moments: 'int8' });
    expect(a8.stateBytes.device).toBe(0);
    expect(a8.stateBytes.host).toBe(2 * 700 + 2 * 4 * Math.ceil(700 / MOMENT_BLOCK));
    const step = (p: Map<string, tf.Variable>, opt: AdamW) => {
      const g = tf.tidy(() => tf.mul(tf.sub(p.get('w')!, target), 2));
      opt.apply(new Map([['w', g]]), 0.05);
      g.dispose();
    };
    for (let i = 0; i < 40; i++) {
      step(p32, a32);
      step(p8, a8);
    }
    const dist = (p: Map<string, tf.Variable>) => tf.norm(tf.sub(p.get('w')!, target)).dataSync()[0]!;
    const start = tf.norm(target).dataSync()[0]!;
    expect(dist(p32)).toBeLessThan(0.3 * start);
    expect(Math.abs(dist(p8) - dist(p32))).toBeLessThan(0.05 * start);
    // Checkpoint round trip: the restored optimizer continues bit for bit.
    const saved = new Map(a8.state().tensors.map((t) => [t.name, t.data().slice()]));
    const copy = new Map([['w', tf.variable(p8.get('w')!.clone())]]);
    const b8 = new AdamW(copy, { moments: 'int8' });
    b8.restore(a8.step, (k) => saved.get(k)!);
    step(p8, a8);
    step(copy, b8);
    expect(Array.from(copy.get('w')!.dataSync())).toEqual(Array.from(p8.get('w')!.dataSync()));
  });
});

describe('the memory plan', () => {
  it.each([
    ['full fine-tuning, soft', {}],
    ['LoRA, checkpointing, hard, KL', { lora: { rank: 2 }, activationCheckpointing: true, mode: 'hard' as const, klBeta: 0.1 }],
  ])('%s: the planned peak of a step is the measured peak of the same step on the cpu backend', async (_, extra) => {
    const config = parseModelConfig(makeConfigJson('llama', { vocabSize: 64, hiddenSize: 16, intermediateSize: 32, numLayers: 2, numHeads: 2, numKvHeads: 1 }));
    const o: PlanOptions = { config, promptsPerStep: 2, samplesPerPrompt: 2, microBatch: 2, promptTokens: 8, maxCotTokens: 4, maxAnswerTokens: 2, ...extra };
    const plan = await planMemory(o);
    await useBackend('cpu');
    const meter = MemoryMeter.start();
    const model = initModel(config, 1);
    const w = planWorkload(o);
    const trainer = new RLOOTrainer(w.trainerConfig(model));
    meter.resetPeak();
    await trainer.trainStep(w.examples);
    meter.stop();
    trainer.dispose();
    model.dispose();
    expect(plan.peak).toBe(meter.peak);
    expect(plan.components.map((c) => c.name)).toEqual(expect.arrayContaining(['weights', 'optimizer state', 'rollout of 4 rows']));
  });
});
