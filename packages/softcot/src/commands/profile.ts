// softcot profile: is a base model fit for comparing training modes? The paper's six inference settings on held-out
// problems, the ratios soft/hard greedy and fuzzy-sample/fuzzy-greedy, and the verdict against 0.9 (method.md §8).
import * as path from 'node:path';
import { writeFileAtomic } from '@softcot/base';
import { baseProfile, baseProfileMarkdown, summaryTable, SIX_SETTINGS, writeEvalReport } from '@softcot/eval';
import { optString, parseFlags, requireString, selectBackend, type Command } from '../args';
import { withConfigFile } from '../config-file';
import { EVAL_HELP, EVAL_OPTIONS, evalFlags, evaluatedPolicies, reportMeta, runEvaluation, warnUnrepresentable } from './eval';
import { loadExamples, loadModelDir, promptFormatFor, warnPromptMismatch } from './inputs';

const usage = `Usage: softcot profile --model DIR --data FILE [options]

Profile a base model before comparing training modes on it (method.md §8): the six inference settings of the
paper (hard, soft and fuzzy CoT, greedy and sampled) on held-out problems, the ratios soft greedy / hard greedy
and fuzzy sample / fuzzy greedy, and the verdict "fit" when both reach 0.9 (the paper's Llama-3.2-3B: 0.96 and
0.98). Writes the eval report and profile.md to --out.

Options:
  --model DIR          the base model folder
${EVAL_HELP.replace(/  --settings LIST[\s\S]*?gumbel-greedy\n/, '')}
  -h, --help           show this help`;

export const profileCommand: Command = {
  name: 'profile',
  usage,
  async run(argv, io) {
    const options = { model: { type: 'string' as const }, ...EVAL_OPTIONS };
    delete (options as Record<string, unknown>).settings;
    const v0 = parseFlags(argv, options);
    if (!v0) return (io.stdout(usage), 0);
    const v = await withConfigFile(v0, options);
    const modelDir = requireString(v, 'model');
    const dataFile = requireString(v, 'data');
    const flags = { ...evalFlags(v), settings: [...SIX_SETTINGS] };
    const out = optString(v, 'out') ?? path.join('runs', `profile-${path.basename(path.resolve(modelDir))}`);
    const examples = await loadExamples(dataFile, v);
    const backend = await selectBackend(v);
    const { model, tokenizer } = loadModelDir(modelDir);
    try {
      const format = promptFormatFor(v, tokenizer!);
      warnUnrepresentable(tokenizer!, examples, format, io);
      warnPromptMismatch(modelDir, format, io);
      const policies = evaluatedPolicies(modelDir, model, flags.policy, io);
      const result = await runEvaluation(model, tokenizer!, examples, format, flags, policies, io);
      const profile = baseProfile(result.summaries);
      writeEvalReport(out, result, { ...reportMeta(modelDir, dataFile, examples.length, format, flags, policies, backend), profile }, { ks: flags.ks });
      const markdown = `# Base profile: ${modelDir}\n\n${examples.length} problems of ${dataFile}, ${flags.samples} samples per problem for the sampled settings.\n\n${baseProfileMarkdown(profile)}\n\n${summaryTable(result.summaries, flags.ks)}\n`;
      writeFileAtomic(path.join(out, 'profile.md'), markdown);
      io.stdout(baseProfileMarkdown(profile));
      io.stdout(`wrote ${path.join(out, 'profile.md')} and the eval report in ${out}`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
