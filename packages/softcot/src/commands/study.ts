// softcot study: the reproduction study (method.md §6, §8) at a chosen scale; see ../experiment/pipeline.ts.
import * as os from 'node:os';
import { resolveExperimentConfig, runExperiment, runOneRun } from '../experiment';
import { LIMITS } from '@softcot/base';
import { optChoice, optInt, optIntList, optString, parseFlags, requireString, type Command } from '../args';
import { readConfigJson } from './experiment-flags';

const SCALES = ['tiny', 'small'] as const;

const usage = `Usage: softcot study [--scale tiny|small] [--config FILE] [--out DIR] [--seeds LIST] [--fresh] [--workers N]

Does this implementation reproduce the paper's findings at small scale? Pretrain a base model on a synthetic
arithmetic task (mixture-tolerant, so it reads soft inputs the way it reads tokens: its profile is reported
first), train it with RLOO in hard, soft, fuzzy, gumbel and multiplex mode (same budget and settings for every
mode, several seeds, plus the Gaussian modes at γ·√(d/3072)), evaluate every model under every inference
setting and on held-out unrelated text, and write results.md (training × inference tables, mean ± std over
seeds, pass@k, maj@k, reward rises), summary.json and SVG plots.

Finished pieces (base model, runs, evaluations) are kept in --out; rerunning the same command resumes.

Options:
  --scale S            tiny (a code check, a minute) | small (about 2 hours on 2 CPU cores; default)
  --config FILE        JSON overrides of the scale's settings, e.g. {"rl": {"steps": 200}, "seeds": [0, 1]}
  --out DIR            output folder (default runs/study-<scale>)
  --seeds LIST         comma-separated seeds, overriding the config (e.g. 0,1,2)
  --fresh              ignore finished pieces in --out and redo everything
  --workers N          RL runs at once, each in its own process (default: the number of CPU cores)
  --run NAME           train and evaluate only this run of the study in --out (what each worker does)
  --backend B          native-cpu | wasm | cpu (default native-cpu when its addon is built, else wasm)
  -h, --help           show this help`;

export const studyCommand: Command = {
  name: 'study',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { scale: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, seeds: { type: 'string' }, fresh: { type: 'boolean' }, workers: { type: 'string' }, run: { type: 'string' }, backend: { type: 'string' } });
    if (!v) return (io.stdout(usage), 0);
    const backend = optChoice(v, 'backend', ['native-cpu', 'wasm', 'cpu'] as const);
    const run = optString(v, 'run');
    if (run !== undefined) {
      await runOneRun(requireString(v, 'out'), run, backend, io.stdout);
      return 0;
    }
    const scale = optChoice(v, 'scale', SCALES, 'small');
    const file = optString(v, 'config');
    const overrides = file !== undefined ? readConfigJson(file) : {};
    const seeds = parseSeeds(optString(v, 'seeds'));
    const config = resolveExperimentConfig(`study-${scale}`, seeds ? { ...overrides, seeds } : overrides, file ?? 'config');
    const workers = optInt(v, 'workers', { min: 1, max: LIMITS.count }) ?? os.availableParallelism();
    await runExperiment({ config, outDir: optString(v, 'out') ?? `runs/study-${scale}`, backend, resume: !v.fresh, workers, log: io.stdout });
    return 0;
  },
};

function parseSeeds(x: string | undefined): number[] | undefined {
  return optIntList({ seeds: x }, 'seeds', { min: 0, max: LIMITS.seed });
}
