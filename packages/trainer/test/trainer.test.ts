import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { paperPrompt, type Example } from '@softcot/data';
import { RLOOTrainer, latestCheckpoint, readMetrics, type RLOOConfig, type StepMetrics } from '@softcot/trainer';
import { loadModel, type CausalLM } from '@softcot/model';
import { loadCotConfig } from '@softcot/mixer';
import { tinyModel, tinyTokenizer } from './helpers';

tf.setBackend('cpu');

const dataset: Example[] = ['1+2', '3+4', '5-2', '2*3', '9-1'].map((q, i) => ({ id: `q${i}`, question: q, answer: String(eval(q)), row: {} }));

function config(outputDir: string | undefined, overrides: Partial<RLOOConfig> = {}): RLOOConfig {
  const tokenizer = tinyTokenizer();
  return {
    model: tinyModel(tokenizer.vocabSize, 4),
    tokenizer,
    format: paperPrompt({ instruction: '' }),
    cot: { mode: 'soft', maxTokens: 5 },
    reward: ({ completion }) => (completion.match(/1/g) ?? []).length, // dense, so advantages are non-zero
    promptsPerStep: 2,
    samplesPerPrompt: 3,
    microBatch: 4,
    maxAnswerTokens: 3,
    steps: 4,
    lr: 1e-3,
    warmupSteps: 1,
    outputDir,
    saveEvery: 2,
    seed: 7,
    progress: false,
    ...overrides,
  };
}

/** Metrics without wall-clock fields. */
const stable = (m: StepMetrics[]) => m.map(({ tokensPerSecond, stepSeconds, rolloutSeconds, rewardSeconds, ...rest }) => rest);

describe('RLOOTrainer', () => {
  it('resuming from a checkpoint continues exactly like an uninterrupted run', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-resume-'));
    const straight = new RLOOTrainer(config(path.join(root, 'a')));
    const full = await straight.train(dataset);
    expect(full.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    expect(full.metrics.some((m) => m.gradNorm > 0)).toBe(true);

    // Interrupted after step 2 (as Ctrl-C does), then a fresh process resumes from the checkpoint.
    const first = new RLOOTrainer(config(path.join(root, 'b'), { onStep: (m) => m.step === 2 && first.requestStop() }));
    const part = await first.train(dataset);
    expect(part.interrupted).toBe(true);
    expect(part.step).toBe(2);
    expect(latestCheckpoint(path.join(root, 'b'))).toMatch(/step-000002$/);
    const resumed = new RLOOTrainer(config(path.join(root, 'b')));
    const rest = await resumed.train(dataset);
    expect(rest.metrics.map((m) => m.step)).toEqual([3, 4]);

    expect(stable(readMetrics(path.join(root, 'b', 'metrics.jsonl')))).toEqual(stable(full.metrics));
    // The final weights agree too.
    const w = (t: RLOOTrainer) => Array.from(t.config.model.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync());
    expect(w(resumed)).toEqual(w(straight));

    // Starting over (resume: false) in a used folder replaces its metrics instead of appending to them.
    const again = new RLOOTrainer(config(path.join(root, 'b'), { resume: false, steps: 2 }));
    await again.train(dataset);
    expect(readMetrics(path.join(root, 'b', 'metrics.jsonl')).map((m) => m.step)).toEqual([1, 2]);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a checkpoint folder is a loadable Hugging Face model folder with optimizer and trainer state', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-ckpt-'));
    const t = new RLOOTrainer(config(root, { steps: 2 }));
    await t.train(dataset);
    const dir = latestCheckpoint(root)!;
    for (const f of ['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json', 'tokenizer.json'])
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'trainer_state.json'), 'utf8')).step).toBe(2);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('validation keeps the best model in outputDir/best, counts the starting model, and survives a resume', async () => {
    const scripted = [0.5, 0.4, 0.7, 0.6, 0.7]; // before training, then after steps 1..4: the best is step 2
    const run = async (dir: string) => {
      const snapshots: number[][] = [];
      const t = new RLOOTrainer(
        config(dir, {
          reward: ({ completion }) => completion.length,
          validation: {
            every: 1,
            score: (model) => scripted[snapshots.push(Array.from(model.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync())) - 1]!,
          },
        }),
      );
      return { result: await t.train(dataset), snapshots };
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-best-'));
    const { result, snapshots } = await run(path.join(root, 'a'));
    expect(snapshots).toHaveLength(5);
    expect(result.best).toEqual({ step: 2, value: 0.7 }); // the later 0.7 (step 4) does not replace it
    expect(readMetrics(path.join(root, 'a', 'metrics.jsonl')).map((m) => m.validation)).toEqual([0.4, 0.7, 0.6, 0.7]);
    const bestDir = path.join(root, 'a', 'best');
    expect(JSON.parse(fs.readFileSync(path.join(bestDir, 'best.json'), 'utf8'))).toEqual({ step: 2, value: 0.7 });
    const saved = loadModel(bestDir);
    expect(Array.from(saved.params.get('model.layers.0.mlp.up_proj.weight')!.dataSync())).toEqual(snapshots[2]);
    expect(snapshots[2]).not.toEqual(snapshots[0]); // training moved the weights, so the check can tell steps apart
    saved.dispose();
    expect(JSON.parse(fs.readFileSync(path.join(latestCheckpoint(path.join(root, 'a'))!, 'trainer_state.json'), 'utf8')).best).toEqual({ step: 2, value: 0.7 });

    // Resume keeps the best so far. This score is highest for the starting weights (step 0), which a resumed run
    // no longer has: it can only report step 0 if the best was restored from the checkpoint.
    const lengthReward = ({ completion }: { completion: string }) => completion.length;
    const sumOf = (model: CausalLM) => tf.tidy(() => tf.sum(model.params.get('model.layers.0.mlp.up_proj.weight')!).dataSync()[0]!);
    const initial = sumOf(config(undefined).model);
    const byWeights = { every: 1, score: (model: CausalLM) => 0 - Math.abs(sumOf(model) - initial) };
    const straight = await new RLOOTrainer(config(path.join(root, 'c'), { validation: byWeights, reward: lengthReward })).train(dataset);
    const first: RLOOTrainer = new RLOOTrainer(config(path.join(root, 'd'), { validation: byWeights, reward: lengthReward, onStep: (m) => m.step === 2 && first.requestStop() }));
    await first.train(dataset);
    const resumed = await new RLOOTrainer(config(path.join(root, 'd'), { validation: byWeights, reward: lengthReward })).train(dataset);
    expect(straight.best).toEqual({ step: 0, value: 0 });
    expect(resumed.best).toEqual(straight.best);
    expect(readMetrics(path.join(root, 'd', 'metrics.jsonl')).map((m) => m.validation)).toEqual(straight.metrics.map((m) => m.validation));

    // A score that never beats the starting model keeps the starting model (step 0).
    const flat = new RLOOTrainer(config(undefined, { steps: 2, validation: { every: 1, score: () => 0 } }));
    expect((await flat.train(dataset)).best).toEqual({ step: 0, value: 0 });
    // A broken score is an error, not a silently skipped validation.
    const broken = new RLOOTrainer(config(undefined, { steps: 1, validation: { every: 1, score: () => NaN } }));
    await expect(broken.train(dataset)).rejects.toThrow(/validation.score returned NaN at step 0/);
    expect(() => new RLOOTrainer(config(undefined, { validation: { every: 0, score: () => 0 } }))).toThrow(/validation.every/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('learns: hard-mode RLOO raises a reward the CoT can reach, and lowers it when the reward is negated', async () => {
    // Share of "1" characters in the CoT (the text before the answer); the sampled CoT tokens are the actions.
    // (A soft-mode version of this test does not move in a test's budget: there the CoT text is the greedy
    // shadow, which the Gaussian inputs move only indirectly; docs/results.md measures it on the demo model.)
    const ones = ({ completion }: { completion: string }) => {
      const cot = completion.split('The final')[0]!;
      return cot.length === 0 ? 0 : (100 * (cot.match(/1/g) ?? []).length) / cot.length;
    };
    const run = async (sign: 1 | -1) => {
      const seen: number[] = [];
      const t = new RLOOTrainer(
        config(undefined, {
          cot: { mode: 'hard', maxTokens: 6 },
          reward: (x) => ((seen.push(ones(x)), sign * ones(x))),
          promptsPerStep: 2,
          samplesPerPrompt: 8,
          microBatch: 16,
          maxAnswerTokens: 2,
          steps: 12,
          lr: 1e-2,
          warmupSteps: 0,
          schedule: 'constant',
        }),
      );
      await t.train(dataset);
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return { first: avg(seen.slice(0, 16)), last: avg(seen.slice(-4 * 16)) }; // step 1 (before any update), last 4 steps
    };
    const up = await run(1);
    const down = await run(-1);
    console.log(`learning test: share of 1s in the CoT ${up.first.toFixed(1)} -> ${up.last.toFixed(1)} %; negated reward -> ${down.last.toFixed(1)} %`);
    expect(down.first).toBe(up.first); // same seed: the first step's rollouts are the same
    expect(up.last).toBeGreaterThan(up.first + 10);
    expect(down.last).toBeLessThan(up.first);
  }, 600_000);

  it('detects a non-finite loss, skips the update and reports it', async () => {
    const t = new RLOOTrainer(config(undefined, { steps: 1, reward: () => 1e38, algorithm: 'reinforce' }));
    const before = Array.from(t.config.model.params.get('model.norm.weight')!.dataSync());
    const r = await t.train(dataset);
    expect(r.metrics[0]!.skipped).toMatch(/non-finite/);
    expect(Array.from(t.config.model.params.get('model.norm.weight')!.dataSync())).toEqual(before);
  });

  it('rejects bad configuration and bad reward values with clear errors', async () => {
    expect(() => new RLOOTrainer(config(undefined, { lr: -1 }))).toThrow(/lr must be a positive number/);
    expect(() => new RLOOTrainer(config(undefined, { reward: 'accuracy' as never }))).toThrow(/reward must be/);
    expect(() => new RLOOTrainer(config(undefined, { cot: { mode: 'warm' as never } }))).toThrow(/cot.mode/);
    const t = new RLOOTrainer(config(undefined, { steps: 1, reward: () => NaN }));
    await expect(t.train(dataset)).rejects.toThrow(/finite number or null/);
  });

  it('null rewards are left out of the baseline; likelihood rewards run without answer sampling', async () => {
    let calls = 0;
    const nulls = new RLOOTrainer(config(undefined, { steps: 1, reward: () => (calls++ % 3 === 0 ? null : 1) }));
    const m = (await nulls.train(dataset)).metrics[0]!;
    expect(m.rewardNull).toBe(2); // rows 0 and 3 of 2 prompts × 3 samples
    expect(m.rewardMean).toBe(1); // the nulls are not counted as 0
    for (const reward of ['logprob', 'avglogprob', 'prob', 'avgprob', 'jepo'] as const) {
      const t = new RLOOTrainer(config(undefined, { steps: 1, reward }));
      const r = (await t.train(dataset)).metrics[0]!;
      expect(Number.isFinite(r.rewardMean), reward).toBe(true);
      expect(r.gradNorm, reward).toBeGreaterThan(0);
      if (reward === 'logprob' || reward === 'avglogprob' || reward === 'jepo') expect(r.rewardMean).toBeLessThan(0);
    }
  });

  it('answerTemperature 0 decodes answers greedily; the default samples them', async () => {
    const completions = async (answerTemperature: number | undefined) => {
      const seen: string[] = [];
      const t = new RLOOTrainer(
        config(undefined, {
          steps: 1,
          promptsPerStep: 1,
          samplesPerPrompt: 6,
          cot: { mode: 'hard', temperature: 1e-4, maxTokens: 3 }, // τ → 0: the CoT is the same for every sample
          maxAnswerTokens: 4,
          ...(answerTemperature !== undefined ? { answerTemperature } : {}),
          reward: ({ completion }) => (seen.push(completion), 0),
        }),
      );
      await t.train(dataset);
      return new Set(seen).size;
    };
    expect(await completions(0)).toBe(1);
    expect(await completions(undefined)).toBeGreaterThan(1);
  });

  it('options that do nothing in training are refused, naming the option', () => {
    expect(() => new RLOOTrainer(config(undefined, { cot: { mode: 'soft', greedy: true } }))).toThrow(/cot.greedy is an inference setting/);
    expect(() => new RLOOTrainer(config(undefined, { baseline: 'mean' }))).toThrow(/baseline applies to algorithm 'reinforce' only/);
    expect(() => new RLOOTrainer(config(undefined, { reward: 'logprob', answerTemperature: 0 }))).toThrow(/answerTemperature does nothing with a likelihood reward/);
    expect(() => new RLOOTrainer(config(undefined, { cot: { mode: 'hard', noiseGamma: 0.5 } }))).toThrow(/noiseGamma applies to soft and fuzzy mode only/);
    expect(() => new RLOOTrainer(config(undefined, { cot: { mode: 'soft', gumbel: { topK: 3 } } }))).toThrow(/gumbel applies to gumbel mode only/);
    expect(new RLOOTrainer(config(undefined, { algorithm: 'reinforce', baseline: 'mean' })).config.baseline).toBe('mean');
  });

  it('the resolved config holds every default once; σ comes from the base model and is saved with each checkpoint', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-config-'));
    const t = new RLOOTrainer(config(root, { steps: 1 }));
    const c = t.config;
    expect(c.cot.mode).toBe('soft');
    if (c.cot.mode !== 'soft') throw new Error('unreachable');
    expect(c.cot.sigma).toBeCloseTo(0.33 * c.baseEmbeddingRms, 6);
    expect(c.scored).toEqual({ kind: 'sampled-answer', temperature: 1 });
    expect([c.microBatch, c.rolloutBatch, c.warmupSteps, c.maxGradNorm, c.keepCheckpoints]).toEqual([4, 6, 1, 1, 2]);
    await t.train(dataset);
    const saved = loadCotConfig(latestCheckpoint(root)!)!;
    expect(saved.cot).toEqual(c.cot);
    expect(saved.baseEmbeddingRms).toBeCloseTo(c.baseEmbeddingRms, 10);
    // `latest` is itself a loadable model folder.
    loadModel(path.join(root, 'checkpoints', 'latest')).dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('resuming with other settings is refused with the differences listed, unless forced', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-runjson-'));
    await new RLOOTrainer(config(root, { steps: 2 })).train(dataset);
    const changed = new RLOOTrainer(config(root, { steps: 3, lr: 2e-3 }));
    await expect(changed.train(dataset)).rejects.toThrow(/run.json: the run in .* has other settings[\s\S]*steps: 2 → 3[\s\S]*lr: 0.001 → 0.002/);
    const forced = await new RLOOTrainer(config(root, { steps: 3, lr: 2e-3, resume: 'force' })).train(dataset);
    expect(forced.metrics.map((m) => m.step)).toEqual([3]);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'run.json'), 'utf8')).lr).toBe(2e-3);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
