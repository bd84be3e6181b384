// softcot demo: the whole method end to end on a synthetic task (see ../demo.ts).
import { runDemo } from '../demo';
import { optChoice, optInt, optString, parseFlags, type Command } from '../args';

const usage = `Usage: softcot demo [--out DIR] [--quick] [--backend wasm|cpu] [--seed N]

Pretrain a tiny model on a synthetic arithmetic task, post-train it with RLOO in soft and hard mode,
and evaluate it under hard, soft and fuzzy inference. Each RL run keeps its best greedy-validation
checkpoint (out/rl-MODE/best; the base itself if no step beat it). Needs no downloads.

Options:
  --out DIR            output folder (default runs/demo)
  --quick              reduced sizes (a few minutes on 2 cores)
  --backend B          wasm | cpu (default wasm)
  --seed N             seed (default 0)
  -h, --help           show this help`;

export const demoCommand: Command = {
  name: 'demo',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { out: { type: 'string' }, quick: { type: 'boolean' }, backend: { type: 'string' }, seed: { type: 'string' } });
    if (!v) return (io.stdout(usage), 0);
    const backend = optChoice(v, 'backend', ['wasm', 'cpu'] as const, 'wasm');
    const seed = optInt(v, 'seed') ?? 0;
    await runDemo({ outDir: optString(v, 'out') ?? 'runs/demo', quick: Boolean(v.quick), backend, seed, log: io.stdout });
    return 0;
  },
};
