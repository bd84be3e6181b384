// The training-mode × inference-mode grid (method.md §5): rows are checkpoints (e.g. base, hard-, soft-,
// fuzzy-trained), columns are inference settings; cells hold pass@1 (greedy pass@1 for greedy settings,
// mean sample accuracy for sampled ones) and pass@k for the largest k evaluated.
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@softcot/base';
import type { SettingSummary } from './evaluate';
import { groupedBarChart, writeSvg } from './plot';

export interface CompareCell {
  pass1: number;
  /** pass@k for the largest evaluated k (sampled settings only). */
  passAtK?: number;
  k?: number;
}

export interface CompareGrid {
  models: string[];
  settings: string[];
  /** cells[model][setting]; undefined when that model was not evaluated in that setting. */
  cells: Record<string, Record<string, CompareCell | undefined>>;
}

/** Build the grid from per-model evaluation summaries. Column order: first appearance. */
export function compareGrid(runs: ReadonlyArray<{ name: string; summaries: readonly SettingSummary[] }>): CompareGrid {
  const settings: string[] = [];
  const cells: CompareGrid['cells'] = {};
  for (const run of runs) {
    if (cells[run.name]) throw new Error(`compare: model name "${run.name}" is given twice`);
    cells[run.name] = {};
    for (const s of run.summaries) {
      if (!settings.includes(s.setting)) settings.push(s.setting);
      const ks = Object.keys(s.passAtK).map(Number);
      const k = Math.max(...ks);
      cells[run.name]![s.setting] = s.greedy || ks.length === 0 || k <= 1 ? { pass1: s.pass1 } : { pass1: s.pass1, passAtK: s.passAtK[k]!, k };
    }
  }
  return { models: runs.map((r) => r.name), settings, cells };
}

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : (100 * x).toFixed(1));

/** Markdown: a pass@1 table and, when any sampled setting has k > 1, a pass@k table. */
export function compareMarkdown(grid: CompareGrid, title = 'Training × inference grid'): string {
  const table = (label: string, pick: (c: CompareCell | undefined) => string) => [
    `| ${label} | ${grid.settings.join(' | ')} |`,
    `|---|${grid.settings.map(() => '---|').join('')}`,
    ...grid.models.map((m) => `| ${m} | ${grid.settings.map((s) => pick(grid.cells[m]![s])).join(' | ')} |`),
  ];
  const out = [`# ${title}`, '', 'Rows: checkpoints (training mode). Columns: inference setting. Values in %.', '', '## pass@1 (greedy pass@1 for greedy settings, mean sample accuracy for sampled ones)', ''];
  out.push(...table('model \\ inference', (c) => pct(c?.pass1)));
  const ks = [...new Set(grid.models.flatMap((m) => grid.settings.map((s) => grid.cells[m]![s]?.k).filter((k): k is number => k !== undefined)))];
  if (ks.length) {
    out.push('', `## pass@k (k = ${ks.join(', ')}; sampled settings only)`, '');
    out.push(...table('model \\ inference', (c) => (c?.passAtK !== undefined ? pct(c.passAtK) : '–')));
  }
  return out.join('\n') + '\n';
}

/** "pass@8", or "pass@k (k = 4, 8)" when the cells were evaluated with different k. */
export function passAtKLabel(grid: CompareGrid): string {
  const ks = [...new Set(grid.models.flatMap((m) => grid.settings.map((s) => grid.cells[m]![s]?.k)).filter((k): k is number => k !== undefined))].sort((a, b) => a - b);
  return ks.length === 1 ? `pass@${ks[0]}` : `pass@k (k = ${ks.join(', ')})`;
}

/** Grouped bars: groups = models, bars = settings, value = pass@1 (or pass@k with metric 'passAtK'). */
export function compareChart(grid: CompareGrid, metric: 'pass1' | 'passAtK' = 'pass1'): string {
  const values = grid.models.map((m) => grid.settings.map((s) => {
    const c = grid.cells[m]![s];
    const x = metric === 'pass1' ? c?.pass1 : c?.passAtK;
    return x === undefined ? NaN : 100 * x;
  }));
  const name = metric === 'pass1' ? 'pass@1' : passAtKLabel(grid);
  return groupedBarChart({
    title: `${name} by training (groups) and inference (bars)`,
    yLabel: `${name} (%)`,
    groups: grid.models,
    seriesNames: grid.settings,
    values,
    yRange: [0, 100],
    valueDigits: 1,
  });
}

export interface CompareFiles {
  json: string;
  markdown: string;
  svg: string;
  passkSvg?: string;
}

/** Write grid.json, grid.md, grid.svg (pass@1) and, when there are pass@k values, grid-passk.svg into `dir`. */
export function writeCompareReport(dir: string, grid: CompareGrid, meta: Record<string, unknown> = {}): CompareFiles {
  const files: CompareFiles = { json: join(dir, 'grid.json'), markdown: join(dir, 'grid.md'), svg: join(dir, 'grid.svg') };
  writeJsonAtomic(files.json, { meta, ...grid });
  writeFileAtomic(files.markdown, compareMarkdown(grid));
  writeSvg(files.svg, compareChart(grid, 'pass1'));
  if (grid.models.some((m) => grid.settings.some((s) => grid.cells[m]![s]?.passAtK !== undefined))) {
    files.passkSvg = join(dir, 'grid-passk.svg');
    writeSvg(files.passkSvg, compareChart(grid, 'passAtK'));
  }
  return files;
}
