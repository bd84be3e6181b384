// Does a model trained on the arithmetic task answer from its chain of thought? A diagnostic for verifier-reward
// RL: the verifier scores only the answer, so it can shape the CoT only as far as the answer depends on it.
//
//   npx tsx scripts/cot-dependence.ts --model runs/demo/base [--difficulty 2] [--samples 4]
//
// On 192 problems of the demo's distribution (2-step + / − chains by default; the demo's validation problems):
//   1. teacher-forced CoTs, answer decoded greedily: after the reference CoT, and after the same CoT with its last
//      result changed by one. Share of answers that follow the corrupted CoT, or give the true result anyway;
//      then only the first step's result changed by one, the rest of the CoT and the answer decoded greedily:
//      does the model carry its written intermediate result forward, or recompute from the question?
//   2. CoTs and answers sampled at τ = 1 (hard mode; soft mode with σ = 0.33·RMS(E)): of the samples with a correct
//      answer, the share whose CoT is correct step by step (`checkArithmetic`), and the kinds of CoT error.
// A verifier reward pays every correct answer the same. Where most rewarded samples carry a wrong CoT, RLOO
// reinforces wrong CoT tokens more often than right ones (docs/results.md, "Fifth session").
import { parseArgs } from 'node:util';
import { greedyGenerate, loadModel, loadTokenizer, useBackend } from '@softcot/model';
import { noiseSigma, resolveCot } from '@softcot/mixer';
import { applyOp, checkArithmetic, generateSyntheticSplits, syntheticPromptFormat, type ArithOp } from '@softcot/data';
import { rollout } from '@softcot/rollout';

const { values: args } = parseArgs({
  options: { model: { type: 'string' }, difficulty: { type: 'string', default: '2' }, samples: { type: 'string', default: '4' } },
});
const usage = 'usage: npx tsx scripts/cot-dependence.ts --model DIR [--difficulty D] [--samples N]';
const fail = (why: string): never => {
  console.error(`${why}\n${usage}`);
  process.exit(2);
};
if (!args.model) fail('--model is required');
const difficulty = Number(args.difficulty);
const samples = Number(args.samples);
if (!(Number.isInteger(difficulty) && difficulty >= 1)) fail(`--difficulty must be a positive integer, got ${args.difficulty}`);
if (!(Number.isInteger(samples) && samples >= 1)) fail(`--samples must be a positive integer, got ${args.samples}`);

await useBackend('wasm');
const model = loadModel(args.model!);
const tokenizer = loadTokenizer(args.model!);
const format = syntheticPromptFormat('paper');
// The demo's split: 48 test problems, then the validation problems.
const problems = generateSyntheticSplits('arithmetic', { nTrain: 0, nTest: 240, seed: 0, difficulty, ops: ['+', '-'] }).test.slice(48);
const pct = (k: number, n: number) => `${((100 * k) / Math.max(n, 1)).toFixed(1)} %`;
const stop = 'The final answer is: ';

/** Greedy continuation of `text` up to the closing brace (at most `maxTokens` tokens). */
function greedyAnswer(text: string, maxTokens = 8): string {
  const [tokens] = greedyGenerate(model, [tokenizer.encode(text)], maxTokens, { padId: tokenizer.padTokenId ?? 0 }).tokens;
  return tokenizer.decode(tokens!).split('}')[0]!;
}

console.log(`1. teacher-forced CoTs, greedy answers (${problems.length} problems)`);
let n = 0, cleanRight = 0, followsCot = 0, givesTruth = 0, carried = 0, recomputed = 0;
/** A neighbouring value in the task's range [0, 99]. */
const offByOne = (v: number) => String(v === 0 ? 1 : v - 1);
for (const e of problems) {
  const cot = String(e.row!.cot);
  const wrong = offByOne(Number(e.answer));
  const corrupted = cot.replace(new RegExp(`=${e.answer}\\.$`), `=${wrong}.`);
  const prefix = `${format.render(e.question)} `;
  n++;
  if (greedyAnswer(`${prefix}${cot} ${stop}${format.prefillAfterStop}`) === e.answer) cleanRight++;
  const a = greedyAnswer(`${prefix}${corrupted} ${stop}${format.prefillAfterStop}`);
  if (a === wrong) followsCot++;
  else if (a === e.answer) givesTruth++;
  // First result changed: "a+b=r." -> "a+b=r'. r'", then the model goes on.
  const [first] = cot.split(' ');
  const r = Number(/=(\d+)\.$/.exec(first!)![1]);
  const r2 = offByOne(r);
  const propagated = String(evaluateFrom(Number(r2), e.question));
  const cont = greedyAnswer(`${prefix}${first!.replace(/=\d+\.$/, `=${r2}.`)} ${r2}`, 40).split('{').at(-1)!;
  if (cont === propagated && propagated !== e.answer) carried++;
  else if (cont === e.answer) recomputed++;
}
console.log(`  after the reference CoT: answer right ${pct(cleanRight, n)}`);
console.log(`  after the CoT with its last result changed by one: follows the CoT ${pct(followsCot, n)}, gives the true result ${pct(givesTruth, n)}`);
console.log(`  after a first step whose result is changed by one (rest decoded): carries the written value to the answer ${pct(carried, n)}, gives the true result ${pct(recomputed, n)}`);

/** The chain's value when its first step's result is replaced by `v` (left to right, as the task evaluates). */
function evaluateFrom(v: number, question: string): number {
  const ops = [...question.matchAll(/([+\-*])(\d+)/g)].slice(1);
  return ops.reduce((x, [, op, b]) => applyOp(x, op as ArithOp, Number(b)), v);
}

const sigma = noiseSigma(model.embeddingMatrix, 0.33);
console.log(`\n2. sampled CoTs and answers (τ = 1), ${samples} per problem`);
for (const mode of ['hard', 'soft'] as const) {
  const rows = problems.flatMap((e) => new Array<typeof e>(samples).fill(e));
  const trajs = rollout(model, tokenizer, rows.map((e) => e.question), { cot: resolveCot({ mode, ...(mode === 'hard' ? {} : { sigma }) }), format, maxCotTokens: 48, maxAnswerTokens: 8, seed: 5, answer: { greedy: false, temperature: 1 } });
  let right = 0, rightWithCorrectCot = 0, correctCot = 0;
  const errors = new Map<string, number>();
  trajs.forEach((t, i) => {
    const e = rows[i]!;
    const cot = t.cotText.endsWith(stop) ? t.cotText.slice(0, -stop.length).trim() : t.cotText.trim();
    const problem = checkArithmetic(e.question, cot, e.answer);
    const isRight = t.answerText.replace(/}[\s\S]*$/, '') === e.answer;
    if (problem === null) correctCot++;
    if (!isRight) return;
    right++;
    if (problem === null) rightWithCorrectCot++;
    else {
      const kind = problem.replace(/: expected .*/, '').replace(/CoT has \d+ steps.*/, 'wrong number of steps');
      errors.set(kind, (errors.get(kind) ?? 0) + 1);
    }
  });
  console.log(
    `  ${mode}: answer right ${pct(right, trajs.length)}, CoT correct ${pct(correctCot, trajs.length)}; of the right answers, ${pct(rightWithCorrectCot, right)} have a correct CoT` +
      (errors.size > 0 ? ` (the others: ${[...errors].map(([k, c]) => `${k} ${c}`).join(', ')})` : ''),
  );
}
