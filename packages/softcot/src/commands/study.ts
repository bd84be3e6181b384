// softcot study: the reproduction study of method.md §6 at a chosen scale (see ../study.ts).
import { LIMITS, readJsonFile } from '@softcot/base';
import { STUDY_SCALES, resolveStudyConfig, runStudy, type StudyScale } from '../study';
import { CliInputError, optChoice, optIntList, optString, parseFlags, type Command } from '../args';

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
    const overrides = file !== undefined ? readJsonFile(file, { what: 'config file', maxBytes: 1_000_000 }) : {};
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) throw new CliInputError(`${file}: must be a JSON object of overrides, e.g. {"rl": {"steps": 200}}`);
    const seeds = parseSeeds(optString(v, 'seeds'));
    const config = resolveStudyConfig(scale, (seeds ? { ...overrides, seeds } : overrides) as Parameters<typeof resolveStudyConfig>[1], file ?? 'config');
    await runStudy({ config, outDir: optString(v, 'out') ?? `runs/study-${scale}`, backend, resume: !v.fresh, log: io.stdout });
    return 0;
  },
};

function parseSeeds(x: string | undefined): number[] | undefined {
  return optIntList({ seeds: x }, 'seeds', { min: 0, max: LIMITS.seed });
}
