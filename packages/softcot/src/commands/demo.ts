// softcot demo: the whole method end to end on a synthetic task, as a preset of the experiment pipeline.
import * as os from 'node:os';
import { LIMITS } from '@softcot/base';
import { resolveExperimentConfig, rewardRise, runExperiment } from '../experiment';
import { optChoice, optInt, optString, parseFlags, type Command } from '../args';

const usage = `Usage: softcot demo [--out DIR] [--quick] [--seed N] [--workers N] [--backend native-cpu|wasm|cpu]

The whole method on a task small enough for two CPU cores, with nothing to download: a synthetic arithmetic task
in the paper's prompt / stop string / \\boxed{} format; a tiny Llama-style base pretrained on it (half of its
supervised solutions stop after the first step, and every row is fed mixtures, so it reads soft inputs about as
it reads tokens; its profile is printed first); RLOO with the verifier reward from that base in all five modes
(hard, soft, fuzzy, gumbel, multiplex) with identical settings; every model under every inference setting. Each
run keeps its best greedy-validation checkpoint. Writes results.md, summary.json, plots, metrics and checkpoints
to --out.

Options:
  --out DIR            output folder (default runs/demo)
  --quick              reduced sizes (what CI runs)
  --seed N             seed of the task, the base and RL (default 0)
  --workers N          RL runs at once, each in its own process (default: the number of CPU cores)
  --backend B          native-cpu | wasm | cpu (default native-cpu when its addon is built, else wasm)
  -h, --help           show this help`;

export const demoCommand: Command = {
  name: 'demo',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, quick: { type: 'boolean' }, seed: { type: 'string' }, workers: { type: 'string' }, backend: { type: 'string' } });
    if (!v) return (io.stdout(usage), 0);
    const backend = optChoice(v, 'backend', ['native-cpu', 'wasm', 'cpu'] as const);
    const seed = optInt(v, 'seed', { max: LIMITS.seed }) ?? 0;
    const config = resolveExperimentConfig(v.quick ? 'demo-quick' : 'demo', { task: { dataSeed: seed }, seeds: [seed] });
    const outDir = optString(v, 'out') ?? 'runs/demo';
    const r = await runExperiment({ config, outDir, backend, resume: false, workers: optInt(v, 'workers', { min: 1, max: LIMITS.count }) ?? os.availableParallelism(), log: io.stdout });
    io.stdout('');
    io.stdout((await import('node:fs')).readFileSync(`${outDir}/results.md`, 'utf8'));
    for (const run of r.runs) {
      const rr = rewardRise(run.metrics);
      if (rr) io.stdout(`${run.spec.mode}: training reward ${rr.first.toFixed(1)} -> ${rr.last.toFixed(1)} (Welch t = ${rr.t.toFixed(1)}${rr.t > 2 ? ', a clear rise' : ''})`);
    }
    io.stdout(`outputs in ${outDir}: results.md, summary.json, img/*.svg, runs/*/metrics.jsonl and checkpoints`);
    return 0;
  },
};
