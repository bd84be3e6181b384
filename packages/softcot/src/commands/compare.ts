// softcot compare: the training-mode × inference-mode grid over several checkpoints.
import * as path from 'node:path';
import { compareGrid, compareMarkdown, writeCompareReport, type SettingSummary } from '@softcot/eval';
import { UsageError, optString, parseFlags, requireString, selectBackend, type Command } from '../args';
import { EVAL_HELP, EVAL_OPTIONS, EVAL_REPORT_FILES, evalFlags, evaluateModelFolder } from './eval';
import { safeName, checkOutputFolder } from '../outputs';
import { withConfigFile } from '../config-file';
import { loadExamples } from './inputs';

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
    // The name becomes <out>/<name>/: a path component, never "..", never a separator.
    const name = safeName(eq > 0 ? it.slice(0, eq) : path.basename(path.resolve(it)), 'flag --models');
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
    const inputs = { '--data': dataFile, ...Object.fromEntries(models.map((m) => [`--models ${m.name}`, m.dir])) };
    checkOutputFolder(out, '--out', inputs, ['grid.md', 'grid.json', 'grid.svg', 'grid-passk.svg', ...models.flatMap((m) => EVAL_REPORT_FILES.map((f) => path.join(m.name, f)))]);
    const examples = await loadExamples(dataFile, v, io);
    const backend = await selectBackend(v);
    const runs: { name: string; summaries: SettingSummary[] }[] = [];
    for (const m of models) {
      const { result } = await evaluateModelFolder(m.dir, { v, flags, examples, dataFile, backend, out: path.join(out, m.name), label: m.name, allMustFit: true }, io);
      runs.push({ name: m.name, summaries: result.summaries });
    }
    const grid = compareGrid(runs);
    const files = writeCompareReport(out, grid, { data: dataFile, problems: examples.length, samples: flags.samples, models: Object.fromEntries(models.map((m) => [m.name, m.dir])) });
    io.stdout(compareMarkdown(grid));
    io.stdout(`wrote ${files.markdown}, ${files.json}, ${files.svg}${files.passkSvg ? `, ${files.passkSvg}` : ''}`);
    return 0;
  },
};
