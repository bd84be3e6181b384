// softcot study: the reproduction study of method.md §6 at a chosen scale (see ../study.ts).
import * as fs from 'node:fs';
import { STUDY_SCALES, resolveStudyConfig, runStudy, type StudyScale } from '../study';
import { UsageError, optChoice, optString, parseFlags, type Command } from '../args';

const usage = `Usage: softcot study [--scale tiny|small] [--config FILE] [--out DIR] [--seeds LIST] [--fresh] [--backend wasm|cpu]

Reproduce the paper's findings at small scale: pretrain a base model on a synthetic arithmetic task,
train it with RLOO in hard, soft and fuzzy mode (same budget and settings per mode, several seeds),
evaluate every model under the six inference settings and on held-out unrelated text, and write
results.md (3x3 training x inference tables, mean ± std over seeds), summary.json and SVG plots.

Finished pieces (base model, runs, evaluations) are kept in --out; rerunning the same command resumes.

Options:
  --scale S            tiny (a code check, seconds) | small (about 30 minutes on 2 CPU cores; default)
  --config FILE        JSON overrides of the scale's settings, e.g. {"rl": {"steps": 200}, "seeds": [0, 1]}
  --out DIR            output folder (default runs/study-<scale>)
  --seeds LIST         comma-separated seeds, overriding the config (e.g. 0,1,2)
  --fresh              ignore finished pieces in --out and redo everything
  --backend B          wasm | cpu (default wasm)
  -h, --help           show this help`;

export const studyCommand: Command = {
  name: 'study',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { scale: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, seeds: { type: 'string' }, fresh: { type: 'boolean' }, backend: { type: 'string' } });
    if (!v) return (io.stdout(usage), 0);
    const scale = optChoice(v, 'scale', Object.keys(STUDY_SCALES) as StudyScale[], 'small');
    const backend = optChoice(v, 'backend', ['wasm', 'cpu'] as const, 'wasm');
    const file = optString(v, 'config');
    let overrides = {};
    if (file !== undefined) {
      if (!fs.existsSync(file)) throw new UsageError(`--config: ${file} does not exist`);
      try {
        overrides = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
      }
    }
    const seeds = parseSeeds(optString(v, 'seeds'));
    const config = resolveStudyConfig(scale, seeds ? { ...overrides, seeds } : overrides, file ?? 'config');
    await runStudy({ config, outDir: optString(v, 'out') ?? `runs/study-${scale}`, backend, resume: !v.fresh, log: io.stdout });
    return 0;
  },
};

function parseSeeds(x: string | undefined): number[] | undefined {
  if (x === undefined) return undefined;
  const parts = x.split(',').map((s) => s.trim());
  const seeds = parts.map(Number);
  if (parts.some((p) => p === '') || seeds.some((n) => !Number.isInteger(n) || n < 0))
    throw new UsageError(`flag --seeds needs a comma-separated list of non-negative integers, got "${x}"`);
  return seeds;
}
