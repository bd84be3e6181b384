// How much does the sampling noise of RLOO updates alone damage a model? A diagnostic for RL that stays flat.
//
//   npx tsx scripts/rl-noise-check.ts --model runs/demo/base [--mode soft] [--reward random] [--lr 1e-4] [--steps 20]
//
// On the demo's task (2-step + / − chains; the demo's 48 test problems), with the demo's trainer settings
// (8 prompts × 8 samples per step, CoT ≤ 48 tokens, AdamW, gradient norm clipped at 1):
//   1. isotropic Gaussian perturbations of every parameter (std 1e-4 … 3e-3) and the greedy pass@1 after each:
//      how far the model can move in a random direction without harm;
//   2. `--steps` RLOO updates at a constant `--lr` with `--reward`:
//        random   a reward drawn independently of the trajectory (100 with probability 0.4, else 0), so the
//                 expected gradient is exactly zero and every change is estimator noise;
//        verifier the demo's reward (100 / 10 / 0);
//        logprob  the likelihood reward;
//      then the RMS and max change of each parameter tensor and the pass@1 under hard greedy, hard sample and
//      soft sample decoding (8 samples per problem) before and after.
// Comparing (2) with the same displacement in (1) shows whether the updates' noise lies in the directions the
// policy is most sensitive to (docs/results.md, "Why RL barely moves these models").
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { loadModel, loadTokenizer, useBackend } from '@softcot/model';
import { noiseSigma, COT_MODES, type CotMode } from '@softcot/mixer';
import { generateSyntheticSplits, syntheticPromptFormat } from '@softcot/data';
import { RLOOTrainer, type RLOOConfig } from '@softcot/trainer';
import { evaluate, parseSettings } from '@softcot/eval';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    mode: { type: 'string', default: 'soft' },
    reward: { type: 'string', default: 'random' },
    lr: { type: 'string', default: '1e-4' },
    steps: { type: 'string', default: '20' },
    seed: { type: 'string', default: '0' },
  },
});
const usage = 'usage: npx tsx scripts/rl-noise-check.ts --model DIR [--mode hard|soft|fuzzy] [--reward random|verifier|logprob] [--lr X] [--steps N] [--seed S]';
const fail = (why: string): never => {
  console.error(`${why}\n${usage}`);
  process.exit(2);
};
if (!args.model) fail('--model is required');
if (!COT_MODES.includes(args.mode as CotMode)) fail(`--mode must be one of ${COT_MODES.join(', ')}, got ${args.mode}`);
if (!['random', 'verifier', 'logprob'].includes(args.reward!)) fail(`--reward must be random, verifier or logprob, got ${args.reward}`);
const lr = Number(args.lr);
const steps = Number(args.steps);
const seed = Number(args.seed);
if (!(lr > 0)) fail(`--lr must be a positive number, got ${args.lr}`);
if (!(Number.isInteger(steps) && steps >= 1)) fail(`--steps must be a positive integer, got ${args.steps}`);

await useBackend('wasm');
const model = loadModel(args.model!);
const tokenizer = loadTokenizer(args.model!);
const format = syntheticPromptFormat('paper');
const { train, test } = generateSyntheticSplits('arithmetic', { nTrain: 8000, nTest: 48, seed, difficulty: 2, ops: ['+', '-'] });
const sigma = noiseSigma(model.embeddingMatrix, 0.33);
const passAt1 = async (settings: string) => {
  const r = await evaluate(model, tokenizer, test, { format, samples: 8, ks: [1], maxCotTokens: 48, maxAnswerTokens: 8, sigma, seed, batchSize: 64, settings: parseSettings(settings) });
  return r.summaries.map((s) => `${s.setting} ${(100 * s.pass1).toFixed(1)}`).join('   ');
};
const original = new Map([...model.params].map(([name, v]) => [name, v.clone()]));
const restore = () => {
  for (const [name, v] of model.params) v.assign(original.get(name)!);
};

console.log('1. isotropic Gaussian perturbation of every parameter');
let noiseSeed = 1000;
for (const std of [0, 1e-4, 3e-4, 1e-3, 3e-3]) {
  for (const [name, v] of model.params) tf.tidy(() => v.assign(tf.add(original.get(name)!, tf.randomNormal(v.shape, 0, std, 'float32', noiseSeed++))));
  console.log(`  std ${std.toExponential(0).padEnd(5)}  ${await passAt1('hard-greedy')}`);
}
restore();

console.log(`\n2. ${steps} RLOO updates in ${args.mode} mode, reward ${args.reward}, constant lr ${lr}`);
console.log(`  before: ${await passAt1('hard-greedy,hard-sample,soft-sample')}`);
let draws = 0;
const randomReward = () => {
  // A seeded stream independent of the trajectory: the expected policy gradient is zero.
  const x = Math.sin(12.9898 * ++draws + 78.233 * seed) * 43758.5453;
  return x - Math.floor(x) < 0.4 ? 100 : 0;
};
const reward: RLOOConfig['reward'] = args.reward === 'random' ? randomReward : (args.reward as 'verifier' | 'logprob');
const rewards: number[] = [];
const trainer = new RLOOTrainer({
  model,
  tokenizer,
  format,
  cot: { mode: args.mode as CotMode, maxTokens: 48 },
  reward,
  promptsPerStep: 8,
  samplesPerPrompt: 8,
  microBatch: 32,
  maxAnswerTokens: 8,
  steps,
  lr,
  warmupSteps: 0,
  schedule: 'constant',
  maxGradNorm: 1.0,
  seed,
  progress: false,
  onStep: (m) => {
    rewards.push(m.rewardMean);
    if (m.step % 10 === 0 || m.step === steps) {
      const last = rewards.slice(-10);
      console.log(`  step ${m.step}: reward (mean of the last ${last.length} steps) ${(last.reduce((a, b) => a + b, 0) / last.length).toFixed(2)}`);
    }
  },
});
await trainer.train(train);
trainer.dispose();
console.log('  parameter change per tensor (RMS / max |Δ|):');
for (const [name, v] of model.params) {
  const [rms, max] = tf.tidy(() => {
    const d = tf.sub(v, original.get(name)!);
    return [Math.sqrt(tf.mean(tf.square(d)).dataSync()[0]!), tf.max(tf.abs(d)).dataSync()[0]!];
  });
  console.log(`    ${name.padEnd(48)} ${rms.toExponential(2)} / ${max.toExponential(2)}`);
}
console.log(`  after:  ${await passAt1('hard-greedy,hard-sample,soft-sample')}`);
