// softcot eval: the six inference settings (or a subset) on a dataset, with a report folder.
import * as path from 'node:path';
import { evaluate, parseSettings, writeEvalReport, type EvalResult, type InferenceSetting } from '@softcot/eval';
import type { CausalLM, Tokenizer } from '@softcot/model';
import type { Example, PromptFormat } from '@softcot/data';
import { EXTRACT_MODES, type ExtractMode } from '@softcot/rewards';
import {
  BACKEND_HELP, BACKEND_OPTION, UsageError, optChoice, optFloat, optInt, optIntList, optString, parseFlags, progressReporter, requireString, selectBackend,
  type Command, type CommandIO, type OptionSpec,
} from '../args';
import { DATA_HELP, DATA_OPTIONS, loadExamples, loadModelDir, promptFormatFor } from './inputs';

export const EVAL_OPTIONS: OptionSpec = {
  ...DATA_OPTIONS,
  settings: { type: 'string' },
  samples: { type: 'string' },
  k: { type: 'string' },
  'max-cot': { type: 'string' },
  'max-answer': { type: 'string' },
  gamma: { type: 'string' },
  batch: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  extract: { type: 'string' },
  ...BACKEND_OPTION,
};

export const EVAL_HELP = `${DATA_HELP}
  --settings LIST      all, or a comma list of hard-greedy, hard-sample, soft-greedy, soft-sample,
                       fuzzy-greedy, fuzzy-sample (default all)
  --samples N          samples per problem for sampled settings (default 8)
  --k LIST             k values for pass@k (default 1,2,4,8,16,32; only k <= samples are reported)
  --max-cot N          maximum CoT length L (default 512, the paper's evaluation length)
  --max-answer N       maximum answer tokens (default 32)
  --gamma X            noise scale γ of sampled soft/fuzzy settings (σ = γ·RMS(E); default 0.33)
  --batch N            rows per rollout batch (default 32)
  --out DIR            report folder
  --seed N             sampling seed (default 0)
  --extract MODE       how answers are read from completions: markers (default: the last closed \\boxed{},
                       "The final answer is …", "#### n", the paper's protocol), math-verify (also free text
                       as Math-Verify reads it), or answer (the completion is the answer); docs/grader.md
${BACKEND_HELP}`;

export interface EvalFlags {
  settings: InferenceSetting[];
  samples: number;
  ks: number[];
  maxCot: number;
  maxAnswer: number;
  gamma?: number;
  batch: number;
  seed: number;
  extract: ExtractMode;
}

export function evalFlags(v: Record<string, unknown>): EvalFlags {
  let settings: InferenceSetting[];
  try {
    settings = parseSettings(optString(v, 'settings') ?? 'all');
  } catch (e) {
    throw new UsageError(`flag --settings: ${(e as Error).message}`);
  }
  return {
    settings,
    samples: optInt(v, 'samples', { min: 1 }) ?? 8,
    ks: optIntList(v, 'k') ?? [1, 2, 4, 8, 16, 32],
    maxCot: optInt(v, 'max-cot', { min: 1 }) ?? 512,
    maxAnswer: optInt(v, 'max-answer', { min: 1 }) ?? 32,
    gamma: optFloat(v, 'gamma', { min: 0 }),
    batch: optInt(v, 'batch', { min: 1 }) ?? 32,
    seed: optInt(v, 'seed') ?? 0,
    extract: optChoice(v, 'extract', EXTRACT_MODES, 'markers'),
  };
}

export async function runEvaluation(model: CausalLM, tokenizer: Tokenizer, examples: Example[], format: PromptFormat, f: EvalFlags, io: CommandIO, label = ''): Promise<EvalResult> {
  // evaluate() counts rollouts (problems × samples); the bar shows problems (per setting) and problems/s.
  const progress = progressReporter(io, 'problems');
  const n = examples.length;
  const totalProblems = n * f.settings.length;
  let settingIndex = -1;
  let current = '';
  let rolloutsBefore = 0;
  let rolloutsAtStart = 0;
  return evaluate(model, tokenizer, examples, {
    format,
    settings: f.settings,
    samples: f.samples,
    ks: f.ks,
    maxCotTokens: f.maxCot,
    maxAnswerTokens: f.maxAnswer,
    ...(f.gamma !== undefined ? { noiseGamma: f.gamma } : {}),
    batchSize: f.batch,
    seed: f.seed,
    extract: f.extract,
    onProgress: (done, _total, setting) => {
      if (setting !== current) {
        current = setting;
        settingIndex++;
        rolloutsAtStart = rolloutsBefore;
      }
      rolloutsBefore = done;
      const per = f.settings[settingIndex]?.greedy === false ? f.samples : 1;
      const problems = settingIndex * n + Math.floor((done - rolloutsAtStart) / per);
      progress(problems, totalProblems, label ? `${label}: ${setting}` : setting);
    },
  });
}

const usage = `Usage: softcot eval --model DIR --data FILE [options]

Evaluate a checkpoint under the inference settings of the paper (hard/soft/fuzzy CoT, greedy or sampled;
answers always greedy) and write a report: problems.jsonl (CoT text, answer, verdict per sample),
summary.json, summary.md (table) and passk.svg / entropy.svg.

Options:
  --model DIR          Hugging Face model folder with tokenizer.json
${EVAL_HELP}
  -h, --help           show this help`;

export const evalCommand: Command = {
  name: 'eval',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { model: { type: 'string' }, ...EVAL_OPTIONS });
    if (!v) return (io.stdout(usage), 0);
    const modelDir = requireString(v, 'model');
    const dataFile = requireString(v, 'data');
    const flags = evalFlags(v);
    const out = optString(v, 'out') ?? path.join('runs', `eval-${path.basename(path.resolve(modelDir))}`);
    const examples = await loadExamples(dataFile, v);
    const backend = await selectBackend(v);
    const { model, tokenizer } = loadModelDir(modelDir);
    try {
      const format = promptFormatFor(v, tokenizer!);
      const t0 = performance.now();
      const result = await runEvaluation(model, tokenizer!, examples, format, flags, io);
      const seconds = (performance.now() - t0) / 1000;
      const files = writeEvalReport(out, result, {
        model: modelDir, data: dataFile, problems: examples.length, prompt: format.name, samples: flags.samples,
        maxCot: flags.maxCot, seed: flags.seed, backend, seconds: Number(seconds.toFixed(1)),
      }, { ks: flags.ks });
      for (const s of result.summaries) io.stdout(`${s.setting.padEnd(13)} pass@1 ${(100 * s.pass1).toFixed(1)}%  CoT ${s.meanCotLength.toFixed(1)}`);
      io.stdout(`wrote ${files.summaryMd}, ${files.summaryJson}, ${files.problems}, ${files.passkSvg}, ${files.entropySvg} (${seconds.toFixed(1)}s)`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
