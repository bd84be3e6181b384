// softcot compare: the training-mode × inference-mode grid over several checkpoints.
import * as path from 'node:path';
import { compareGrid, compareMarkdown, writeCompareReport, writeEvalReport, type SettingSummary } from '@softcot/eval';
import { UsageError, optString, parseFlags, requireString, selectBackend, type Command } from '../args';
import { EVAL_HELP, EVAL_OPTIONS, evalFlags, evaluatedPolicies, reportMeta, runEvaluation, warnUnrepresentable } from './eval';
import { withConfigFile } from '../config-file';
import { loadExamples, loadModelDir, promptFormatFor, warnPromptMismatch } from './inputs';

const usage = `Usage: softcot compare --models name=DIR,name=DIR,... --data FILE [options]

Evaluate several checkpoints (e.g. base, hard-, soft- and fuzzy-trained) under the chosen inference settings
and write the training × inference grid: grid.md, grid.json, grid.svg (pass@1) and grid-passk.svg, plus one
eval report per model under <out>/<name>/.

Options:
  --models LIST        comma list of name=DIR (a bare DIR is named after its folder)
${EVAL_HELP}
  -h, --help           show this help`;

export function parseModelList(spec: string): { name: string; dir: string }[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError('flag --models needs name=DIR,name=DIR,...');
  return items.map((it) => {
    const eq = it.indexOf('=');
    const name = eq > 0 ? it.slice(0, eq) : path.basename(path.resolve(it));
    const dir = eq > 0 ? it.slice(eq + 1) : it;
    if (!dir) throw new UsageError(`flag --models: "${it}" has no folder`);
    return { name, dir };
  });
}

export const compareCommand: Command = {
  name: 'compare',
  usage,
  async run(argv, io) {
    const options = { models: { type: 'string' as const }, ...EVAL_OPTIONS };
    const v0 = parseFlags(argv, options);
    if (!v0) return (io.stdout(usage), 0);
    const v = await withConfigFile(v0, options);
    const models = parseModelList(requireString(v, 'models'));
    const names = new Set<string>();
    for (const m of models) {
      if (names.has(m.name)) throw new UsageError(`flag --models: name "${m.name}" is used twice`);
      names.add(m.name);
    }
    const dataFile = requireString(v, 'data');
    const flags = evalFlags(v);
    const out = optString(v, 'out') ?? path.join('runs', 'compare');
    const examples = await loadExamples(dataFile, v);
    const backend = await selectBackend(v);
    const runs: { name: string; summaries: SettingSummary[] }[] = [];
    for (const m of models) {
      const { model, tokenizer } = loadModelDir(m.dir);
      try {
        const format = promptFormatFor(v, tokenizer!);
        warnUnrepresentable(tokenizer!, examples, format, io);
        warnPromptMismatch(m.dir, format, io);
        const policies = evaluatedPolicies(m.dir, model, flags.policy, io);
        const result = await runEvaluation(model, tokenizer!, examples, format, flags, policies, io, m.name);
        writeEvalReport(path.join(out, m.name), result, reportMeta(m.dir, dataFile, examples.length, format, flags, policies, backend), { ks: flags.ks });
        runs.push({ name: m.name, summaries: result.summaries });
      } finally {
        model.dispose();
      }
    }
    const grid = compareGrid(runs);
    const files = writeCompareReport(out, grid, { data: dataFile, problems: examples.length, samples: flags.samples, models: Object.fromEntries(models.map((m) => [m.name, m.dir])) });
    io.stdout(compareMarkdown(grid));
    io.stdout(`wrote ${files.markdown}, ${files.json}, ${files.svg}${files.passkSvg ? `, ${files.passkSvg}` : ''}`);
    return 0;
  },
};
