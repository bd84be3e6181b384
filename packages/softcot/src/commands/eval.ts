// softcot eval: every inference setting (or a subset) on a dataset, with a report folder.
import * as path from 'node:path';
import { evaluate, parseSettings, writeEvalReport, type EvalResult, type InferenceSetting, type ModeSettings } from '@softcot/eval';
import { embeddingRms, loadCotConfig, policySettings, type CotMode } from '@softcot/mixer';
import { SOFTCOT_VERSION, type CausalLM, type Tokenizer } from '@softcot/model';
import type { Example, PromptFormat } from '@softcot/data';
import { EXTRACT_MODES, type ExtractMode } from '@softcot/rewards';
import {
  BACKEND_HELP, BACKEND_OPTION, UsageError, optChoice, optFloat, optInt, optIntList, optString, parseFlags, progressReporter, requireString, selectBackend,
  type Command, type CommandIO, type OptionSpec,
} from '../args';
import { CliInputError } from '../args';
import { CONFIG_HELP, CONFIG_OPTION, withConfigFile } from '../config-file';
import { COT_POLICY_HELP, COT_POLICY_OPTIONS, cotPolicyFlags, type CotPolicyFlags } from './cot-flags';
import { DATA_HELP, DATA_OPTIONS, loadExamples, loadModelDir, promptFormatFor, warnPromptMismatch } from './inputs';

export const EVAL_OPTIONS: OptionSpec = {
  ...DATA_OPTIONS,
  settings: { type: 'string' },
  samples: { type: 'string' },
  k: { type: 'string' },
  'max-cot': { type: 'string' },
  'max-answer': { type: 'string' },
  ...COT_POLICY_OPTIONS,
  batch: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  extract: { type: 'string' },
  ...CONFIG_OPTION,
  ...BACKEND_OPTION,
};

export const EVAL_HELP = `${DATA_HELP}
  --settings LIST      all (every mode, greedy and sampled: 10 settings; default), paper (the six of
                       hard/soft/fuzzy), or a comma list such as hard-greedy,soft-sample,gumbel-greedy
  --samples N          samples per problem for sampled settings (default 8)
  --k LIST             k values for pass@k (default 1,2,4,8,16,32; only k <= samples are reported)
  --max-cot N          maximum CoT length L (default 512, the paper's evaluation length)
  --max-answer N       maximum answer tokens (default 32)
${COT_POLICY_HELP}
                       The policies default to the checkpoint's softcot_config.json (its training mode's
                       settings, and σ = γ·RMS(E) of its base model); the flags override them.
  --batch N            rows per rollout batch (default 32)
  --out DIR            report folder
  --seed N             sampling seed (default 0)
  --extract MODE       how answers are read from completions: markers (default: the last closed \\boxed{},
                       "The final answer is …", "#### n", the paper's protocol), math-verify (also free text
                       as Math-Verify reads it), or answer (the completion is the answer); docs/grader.md
${CONFIG_HELP}
${BACKEND_HELP}`;

export interface EvalFlags {
  settings: InferenceSetting[];
  samples: number;
  ks: number[];
  maxCot: number;
  maxAnswer: number;
  policy: CotPolicyFlags;
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
    policy: cotPolicyFlags(v),
    batch: optInt(v, 'batch', { min: 1 }) ?? 32,
    seed: optInt(v, 'seed') ?? 0,
    extract: optChoice(v, 'extract', EXTRACT_MODES, 'markers'),
  };
}

/** The policies one model is evaluated under, and where σ came from (for the report). */
export interface EvaluatedPolicies {
  sigma: number;
  noiseGamma: number;
  sigmaFrom: string;
  modeSettings: ModeSettings;
}

/**
 * σ and the per-mode settings for a model folder: the flags first, then the folder's softcot_config.json (the CoT it
 * was trained with: that mode's settings, and σ = γ·RMS(E) of its *base* model, method.md §1), then the defaults
 * (γ = 0.33 of the evaluated model's own embeddings, with a note, since the base is unknown).
 */
export function evaluatedPolicies(modelDir: string, model: CausalLM, flags: CotPolicyFlags, io: CommandIO): EvaluatedPolicies {
  let saved;
  try {
    saved = loadCotConfig(modelDir);
  } catch (e) {
    throw new CliInputError((e as Error).message);
  }
  const modeSettings: ModeSettings = {};
  if (saved) {
    const { mode, greedy: _greedy, sigma: _sigma, noiseGamma: _gamma, ...rest } = policySettings(saved.cot);
    modeSettings[mode] = rest;
  }
  const add = (modes: CotMode[], extra: Record<string, unknown>) => {
    for (const m of modes) modeSettings[m] = { ...modeSettings[m], ...extra };
  };
  if (flags.filter) add(['soft', 'fuzzy'], { filter: flags.filter });
  if (flags.gumbel) add(['gumbel'], { gumbel: { ...modeSettings.gumbel?.gumbel, ...flags.gumbel } });
  if (flags.multiplex) add(['multiplex'], { multiplex: { ...modeSettings.multiplex?.multiplex, ...flags.multiplex } });
  const savedGamma = saved && (saved.cot.mode === 'soft' || saved.cot.mode === 'fuzzy') ? saved.cot.noiseGamma : undefined;
  const noiseGamma = flags.noiseGamma ?? savedGamma ?? 0.33;
  if (flags.sigma !== undefined) return { sigma: flags.sigma, noiseGamma, sigmaFrom: '--sigma', modeSettings };
  if (saved) return { sigma: noiseGamma * saved.baseEmbeddingRms, noiseGamma, sigmaFrom: `γ·RMS(E) of the base model (${modelDir}/softcot_config.json)`, modeSettings };
  io.stderr(`eval: ${modelDir} has no softcot_config.json (not a softcot checkpoint): soft/fuzzy σ = ${noiseGamma}·RMS(E) of this model's own embeddings`);
  return { sigma: noiseGamma * embeddingRms(model.embeddingMatrix), noiseGamma, sigmaFrom: "γ·RMS(E) of the evaluated model's embeddings", modeSettings };
}

/** What an eval report records of how it was made: enough to rerun it. */
export function reportMeta(modelDir: string, dataFile: string, problems: number, format: PromptFormat, f: EvalFlags, policies: EvaluatedPolicies, backend: string): Record<string, unknown> {
  return {
    model: modelDir, data: dataFile, problems, prompt: format.name, promptTemplate: format.render('{question}'), settings: f.settings.map((x) => `${x.mode}-${x.greedy ? 'greedy' : 'sample'}`),
    samples: f.samples, maxCot: f.maxCot, maxAnswer: f.maxAnswer, seed: f.seed, extract: f.extract,
    noiseGamma: policies.noiseGamma, sigma: policies.sigma, sigmaFrom: policies.sigmaFrom, backend, softcotVersion: SOFTCOT_VERSION,
  };
}

/** Warn when the tokenizer cannot represent some prompts (e.g. characters outside a character vocabulary). */
export function warnUnrepresentable(tokenizer: Tokenizer, examples: Example[], format: PromptFormat, io: CommandIO): void {
  let bad = 0;
  let first = '';
  for (const e of examples) {
    const text = format.render(e.question);
    const back = tokenizer.decode(tokenizer.encode(text, { addSpecialTokens: false }));
    if (back === text) continue;
    bad++;
    if (!first) {
      let i = 0;
      while (i < text.length && text[i] === back[i]) i++;
      first = `problem ${e.id}: ${JSON.stringify(text.slice(i, i + 1))} at character ${i}`;
    }
  }
  if (bad > 0) io.stderr(`eval: warning: ${bad} of ${examples.length} prompts contain text the tokenizer cannot represent (it does not survive encode → decode), e.g. ${first}; such problems are scored on a changed prompt`);
}

export async function runEvaluation(model: CausalLM, tokenizer: Tokenizer, examples: Example[], format: PromptFormat, f: EvalFlags, policies: EvaluatedPolicies, io: CommandIO, label = ''): Promise<EvalResult> {
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
    sigma: policies.sigma,
    modeSettings: policies.modeSettings,
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

Evaluate a checkpoint under the inference settings (hard, soft, fuzzy, gumbel and multiplex CoT, greedy or
sampled; answers always greedy) and write a report: problems.jsonl (CoT text, answer, verdict per sample),
summary.json, summary.md (table) and passk.svg / entropy.svg.

Options:
  --model DIR          Hugging Face model folder with tokenizer.json
${EVAL_HELP}
  -h, --help           show this help`;

export const evalCommand: Command = {
  name: 'eval',
  usage,
  async run(argv, io) {
    const options = { model: { type: 'string' as const }, ...EVAL_OPTIONS };
    const v0 = parseFlags(argv, options);
    if (!v0) return (io.stdout(usage), 0);
    const v = await withConfigFile(v0, options);
    const modelDir = requireString(v, 'model');
    const dataFile = requireString(v, 'data');
    const flags = evalFlags(v);
    const out = optString(v, 'out') ?? path.join('runs', `eval-${path.basename(path.resolve(modelDir))}`);
    const examples = await loadExamples(dataFile, v);
    const backend = await selectBackend(v);
    const { model, tokenizer } = loadModelDir(modelDir);
    try {
      const format = promptFormatFor(v, tokenizer!);
      warnUnrepresentable(tokenizer!, examples, format, io);
      warnPromptMismatch(modelDir, format, io);
      const policies = evaluatedPolicies(modelDir, model, flags.policy, io);
      const t0 = performance.now();
      const result = await runEvaluation(model, tokenizer!, examples, format, flags, policies, io);
      const seconds = (performance.now() - t0) / 1000;
      const files = writeEvalReport(out, result, { ...reportMeta(modelDir, dataFile, examples.length, format, flags, policies, backend), seconds: Number(seconds.toFixed(1)) }, { ks: flags.ks });
      for (const s of result.summaries) io.stdout(`${s.setting.padEnd(13)} pass@1 ${(100 * s.pass1).toFixed(1)}%  CoT ${s.meanCotLength.toFixed(1)}`);
      io.stdout(`wrote ${files.summaryMd}, ${files.summaryJson}, ${files.problems}, ${files.passkSvg}, ${files.entropySvg} (${seconds.toFixed(1)}s)`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
