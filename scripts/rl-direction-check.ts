// Is the RLOO gradient informative, and how large a step can it take? A diagnostic for RL that stays flat.
//
//   npx tsx scripts/rl-direction-check.ts --model runs/study-small/base [--mode hard] [--problems 48] [--samples 16]
//
// On a fixed set of training problems of the synthetic arithmetic task (2-step + / − chains, as in the demo and
// the study), with answers greedy:
//   1. two independent RLOO gradient estimates (verifier reward 1/0) and their cosine similarity;
//   2. the expected reward J (fraction correct over problems × samples, two rollout seeds) after a plain
//      step θ − η·ĝ along the normalised gradient of the loss, the opposite step, and a random direction,
//      for several parameter-space step norms η.
// A correct estimator shows descent > base > ascent at small η; the η where descent stops helping is the
// largest useful update, to compare with what the optimiser takes (Adam: about lr·sqrt(#parameters) per step).
import * as tf from '@tensorflow/tfjs';
import { loadModel, loadTokenizer, useBackend, type CausalLM } from '@softcot/model';
import { noiseSigma, resolveCot, type CotMode } from '@softcot/mixer';
import { generateSyntheticSplits, syntheticPromptFormat } from '@softcot/data';
import { computeAdvantages, microBatchLoss, scoredSequence } from '@softcot/trainer';
import { rollout } from '@softcot/rollout';
import { gradeCompletion } from '@softcot/rewards';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: { model: { type: 'string' }, mode: { type: 'string', default: 'hard' }, problems: { type: 'string', default: '48' }, samples: { type: 'string', default: '16' } },
});
if (!args.model) {
  console.error('usage: npx tsx scripts/rl-direction-check.ts --model DIR [--mode hard|soft|fuzzy] [--problems N] [--samples G]');
  process.exit(2);
}
const mode = args.mode as CotMode;
const P = Number(args.problems);
const G = Number(args.samples);
await useBackend('wasm');
const model: CausalLM = loadModel(args.model);
const tokenizer = loadTokenizer(args.model);
const format = syntheticPromptFormat('paper');
const problems = generateSyntheticSplits('arithmetic', { nTrain: P, nTest: 64, seed: 0, steps: 2, ops: ['+', '-'] }).train;
const sigma = noiseSigma(model.embeddingMatrix, 0.33);
const prompts = problems.flatMap((e) => new Array<string>(G).fill(e.question));
const references = problems.flatMap((e) => new Array<string>(G).fill(e.answer));
const policy = resolveCot({ mode, ...(mode === 'hard' ? {} : { sigma }) });
const roll = (seed: string) => rollout(model, tokenizer, prompts, { cot: policy, format, maxCotTokens: 48, maxAnswerTokens: 8, answer: { greedy: true }, seed });
const correct = (seed: string) => roll(seed).map((t, i) => (gradeCompletion(t.completion, references[i]!).correct ? 1 : 0));
const J = () => ['j1', 'j2'].map((s) => correct(s).reduce((a: number, b: number) => a + b, 0) / prompts.length);

/** RLOO gradient of the loss on one set of rollouts, by variable name. */
function gradient(seed: string): Map<string, tf.Tensor> {
  const trajectories = roll(seed);
  const rewards = trajectories.map((t, i) => (gradeCompletion(t.completion, references[i]!).correct ? 1 : 0));
  const advantages = computeAdvantages(problems.map((_, b) => rewards.slice(b * G, (b + 1) * G)), { algorithm: 'rloo' }).flat();
  const seqs = trajectories.map((t) => scoredSequence(model, policy, t, []));
  const total = new Map<string, tf.Tensor>();
  for (let s = 0; s < seqs.length; s += 64) {
    const { value, grads } = tf.variableGrads(
      () =>
        microBatchLoss(model, { seqs: seqs.slice(s, s + 64), advantages: advantages.slice(s, s + 64) }, {
          scoring: { cot: policy, scoredTemperature: 1, padId: tokenizer.padTokenId ?? 0 },
          scoredAreActions: false,
          normaliser: seqs.length,
        }),
      model.trainableVariables,
    );
    value.dispose();
    for (const [k, g] of Object.entries(grads)) {
      const prev = total.get(k);
      total.set(k, prev ? tf.add(prev, g) : g);
      if (prev) tf.dispose([prev, g]);
    }
  }
  return total;
}

const dot = (a: Map<string, tf.Tensor>, b: Map<string, tf.Tensor>) => [...a].reduce((s, [k, g]) => s + tf.tidy(() => tf.sum(tf.mul(g, b.get(k)!)).dataSync()[0]!), 0);
const t0 = performance.now();
const g1 = gradient('g1');
const g2 = gradient('g2');
const n1 = Math.sqrt(dot(g1, g1));
console.log(`${mode} mode, ${P} problems × ${G} samples per estimate (${((performance.now() - t0) / 2000).toFixed(0)} s each)`);
console.log(`cos(g1, g2) = ${(dot(g1, g2) / (n1 * Math.sqrt(dot(g2, g2)))).toFixed(3)}   |g1| = ${n1.toFixed(3)}`);
for (const v of model.trainableVariables) {
  const g = g1.get(v.name)!;
  console.log(`  ${v.name.replace(/^[^/]*\//, '').padEnd(48)} |grad| ${Math.sqrt(dot(new Map([[v.name, g]]), new Map([[v.name, g]]))).toFixed(4).padStart(8)}   |param| ${tf.tidy(() => tf.norm(v).dataSync()[0]!).toFixed(3)}`);
}

const vars = model.trainableVariables;
const original = vars.map((v) => v.clone());
const random = new Map(vars.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1, 'float32', 7 + i)]));
const nr = Math.sqrt(dot(random, random));
const fmt = (j: number[]) => j.map((x) => (100 * x).toFixed(1)).join(' / ');
console.log(`\nJ (% correct, rollout seeds j1 / j2)\n  step 0: ${fmt(J())}`);
for (const eta of [0.003, 0.01, 0.03, 0.1]) {
  const at = (dir: Map<string, tf.Tensor>, scale: number) => {
    vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(original[i]!, tf.mul(dir.get(v.name)!, scale)))));
    return fmt(J());
  };
  console.log(`  η = ${eta}: descent ${at(g1, -eta / n1)}   ascent ${at(g1, eta / n1)}   random ${at(random, eta / nr)}`);
}
vars.forEach((v, i) => v.assign(original[i]!));
