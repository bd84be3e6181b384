// Which score should gumbel training use? The two variants of method.md §7, trained from the same base with the
// experiment's RL settings, on several seeds:
//   sum           Σ over the kept ids of log f(g′ | log p̃)            (the SofT-GRPO paper)
//   mean-clamped  mean over the ids with p̃ > e^(−3), g′ clamped         (the authors' code)
//
//   npx tsx benchmarks/gumbel-score.ts --experiment runs/demo [--seeds 0,1,2,3] [--steps N]
//
// --experiment is a finished `softcot demo` (or study) folder: its config.json and base/ give the task and the base.
// Prints a markdown table: the training reward's rise (first and last 20 steps, Welch t) and greedy pass@1 on the
// test problems afterwards, under hard and gumbel inference.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { meanStd, rise } from '@softcot/base';
import { loadModel, useBackend } from '@softcot/model';
import { GUMBEL_SCORES, noiseSigma } from '@softcot/mixer';
import { RLOOTrainer } from '@softcot/trainer';
import { evaluate } from '@softcot/eval';
import { buildTask, readExperimentConfig, rlConfig } from '../packages/softcot/src/experiment';

const { values: a } = parseArgs({ options: { experiment: { type: 'string', default: 'runs/demo' }, seeds: { type: 'string', default: '0,1,2,3' }, steps: { type: 'string' } } });
const dir = a.experiment!;
const config = readExperimentConfig(dir);
if (a.steps) config.rl.steps = Number(a.steps);
const seeds = a.seeds!.split(',').map(Number);
const backend = await useBackend();
const task = buildTask(config);
const greedy = [{ mode: 'hard' as const, greedy: true }, { mode: 'gumbel' as const, greedy: true }];
console.log(`base ${path.join(dir, 'base')}; gumbel RL ${config.rl.steps} steps × ${config.rl.promptsPerStep} prompts × ${config.rl.samplesPerPrompt} samples, lr ${config.rl.lr}; ${task.test.length} test problems; backend ${backend}`);
console.log('| score | seed | reward first → last | t | hard greedy after | gumbel greedy after |');
console.log('|---|---|---|---:|---:|---:|');
const summary = new Map<string, { t: number[]; hard: number[]; gumbel: number[] }>();
for (const score of GUMBEL_SCORES)
  for (const seed of seeds) {
    const model = loadModel(path.join(dir, 'base'));
    const sigma = noiseSigma(model.embeddingMatrix, config.noiseGamma); // σ of the base (unused by hard and gumbel inference)
    const spec = { name: `gumbel-${score}-seed${seed}`, mode: 'gumbel' as const, seed, noiseGamma: config.noiseGamma, scaledNoise: false };
    const trainer = new RLOOTrainer({ ...rlConfig(config, task, model, spec, { gumbel: { score } }), progress: false });
    const { metrics } = await trainer.train(task.train);
    trainer.dispose();
    const r = rise(metrics.map((m) => m.rewardMean), 20);
    const ev = await evaluate(model, task.tokenizer, task.test, { format: task.format, settings: greedy, samples: 1, ks: [1], maxCotTokens: config.rl.maxCotTokens, maxAnswerTokens: config.rl.maxAnswerTokens, sigma, seed: 0, batchSize: config.eval.batchSize });
    model.dispose();
    const [hard, gumbel] = ev.summaries.map((s) => 100 * s.pass1) as [number, number];
    console.log(`| ${score} | ${seed} | ${r.first.toFixed(1)} → ${r.last.toFixed(1)} | ${r.t.toFixed(1)} | ${hard.toFixed(1)} | ${gumbel.toFixed(1)} |`);
    const s = summary.get(score) ?? { t: [], hard: [], gumbel: [] };
    s.t.push(r.t);
    s.hard.push(hard);
    s.gumbel.push(gumbel);
    summary.set(score, s);
  }
const ms = (x: number[]) => `${meanStd(x).mean.toFixed(1)} ± ${meanStd(x).std.toFixed(1)}`;
for (const [score, s] of summary) console.log(`| ${score} | mean ± std | | ${ms(s.t)} | ${ms(s.hard)} | ${ms(s.gumbel)} |`);
