/**
 * Dependency-free SVG charts for reports: line charts (reward curves, pass@k curves, entropy by CoT position),
 * bar charts and grouped bar charts (the training-mode × inference-mode grid). Output is standalone SVG text.
 * Non-finite points (NaN, ±Infinity) are skipped and break a line; empty series are listed in the legend only.
 */
import { writeFileAtomic } from '@softcot/base';

/** A colour-blind-friendly categorical palette (Tableau 10); repeats with a dash pattern after 10 series. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** Escapes text for SVG text content and attribute values. */
export function escapeXml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Short, noise-free number label: 0.30000000000000004 → 0.3, 12000 → 1.2e4. */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/** About `count` round ticks (steps 1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function niceDomain(lo: number, hi: number): [number, number] {
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  const t = niceTicks(lo, hi);
  const step = t.length > 1 ? t[1]! - t[0]! : hi - lo;
  return [Math.min(lo, Math.floor(lo / step + 1e-9) * step), Math.max(hi, Math.ceil(hi / step - 1e-9) * step)];
}

export interface ChartBase {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Fixed y range [min, max]; by default from the data (rounded outwards). */
  yRange?: [number, number];
}

export interface LineSeries {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Optional colour; default from PALETTE. */
  color?: string;
}

export interface LineChartOptions extends ChartBase {
  series: readonly LineSeries[];
  /** Logarithmic x axis (base 10; powers-of-two ticks when the range spans less than two decades). Non-positive x are skipped. */
  logX?: boolean;
  /** Draw point markers (default true when a series has ≤ 50 points). */
  markers?: boolean;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function frame(opts: ChartBase, legendWidth: number): Frame {
  const width = opts.width ?? 720;
  const height = opts.height ?? 420;
  return { width, height, left: 70, right: width - 20 - legendWidth, top: opts.title ? 40 : 20, bottom: height - (opts.xLabel ? 55 : 40) };
}

function header(f: Frame, opts: ChartBase): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
  ];
  if (opts.title) out.push(`<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(opts.title)}</text>`);
  if (opts.xLabel) out.push(`<text x="${(f.left + f.right) / 2}" y="${f.height - 12}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) {
    const cy = (f.top + f.bottom) / 2;
    out.push(`<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(opts.yLabel)}</text>`);
  }
  return out;
}

function yAxis(f: Frame, lo: number, hi: number, y: (v: number) => number): string[] {
  const out: string[] = [`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#333"/>`];
  for (const t of niceTicks(lo, hi)) {
    if (t < lo - 1e-12 || t > hi + 1e-12) continue;
    const py = r(y(t));
    out.push(`<line x1="${f.left}" y1="${py}" x2="${f.right}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${f.left - 4}" y1="${py}" x2="${f.left}" y2="${py}" stroke="#333"/>`);
    out.push(`<text x="${f.left - 7}" y="${py + 4}" text-anchor="end">${escapeXml(formatTick(t))}</text>`);
  }
  return out;
}

function legend(f: Frame, names: ReadonlyArray<{ name: string; color: string; dash?: string }>, kind: 'line' | 'box'): string[] {
  const out: string[] = [];
  const x = f.right + 15;
  names.forEach((s, i) => {
    const y = f.top + 10 + i * 18;
    if (kind === 'line') {
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    } else {
      out.push(`<rect x="${x + 3}" y="${y - 6}" width="12" height="12" fill="${s.color}"/>`);
    }
    out.push(`<text x="${x + 24}" y="${y + 4}">${escapeXml(s.name)}</text>`);
  });
  return out;
}

function legendWidth(names: readonly string[]): number {
  if (names.length === 0) return 0;
  return Math.min(220, 40 + 7 * Math.max(...names.map((n) => n.length)));
}

const r = (v: number) => Math.round(v * 100) / 100;

function seriesStyle(i: number, color?: string): { color: string; dash?: string } {
  const c = color ?? PALETTE[i % PALETTE.length]!;
  const dashes = [undefined, '6 3', '2 3', '8 3 2 3'];
  const dash = dashes[Math.floor(i / PALETTE.length) % dashes.length];
  return dash ? { color: c, dash } : { color: c };
}

/** Line chart as SVG text: axes with ticks, gridlines, a legend and one colour per series. */
export function lineChart(opts: LineChartOptions): string {
  const names = opts.series.map((s) => s.name);
  const f = frame(opts, legendWidth(names));
  const logX = opts.logX ?? false;
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  const ok = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logX || p[0] > 0);
  const finite = opts.series.flatMap((s) => s.points.filter(ok));

  let [x0, x1] = finite.length ? [Math.min(...finite.map((p) => tx(p[0]))), Math.max(...finite.map((p) => tx(p[0])))] : [0, 1];
  if (x0 === x1) {
    x0 -= 0.5;
    x1 += 0.5;
  }
  let [y0, y1]: [number, number] = opts.yRange ?? (finite.length ? niceDomain(Math.min(...finite.map((p) => p[1])), Math.max(...finite.map((p) => p[1]))) : [0, 1]);
  if (!(Number.isFinite(y0) && Number.isFinite(y1)) || y0 === y1) [y0, y1] = niceDomain(Number.isFinite(y0) ? y0 : 0, Number.isFinite(y1) ? y1 : 1);
  const X = (x: number) => f.left + ((tx(x) - x0) / (x1 - x0)) * (f.right - f.left);
  const Y = (y: number) => f.bottom - ((y - y0) / (y1 - y0)) * (f.bottom - f.top);

  const out = header(f, opts);
  out.push(...yAxis(f, y0, y1, Y));
  out.push(`<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#333"/>`);
  // x ticks
  let xticks: number[];
  if (logX) {
    const [e0, e1] = [x0, x1];
    xticks = [];
    if (e1 - e0 < 2) {
      for (let p = Math.floor(e0 / Math.log10(2)); p <= Math.ceil(e1 / Math.log10(2)); p++) xticks.push(2 ** p);
    } else {
      for (let p = Math.floor(e0); p <= Math.ceil(e1); p++) xticks.push(10 ** p);
    }
  } else {
    xticks = niceTicks(x0, x1);
  }
  for (const t of xticks) {
    const v = tx(t);
    if (v < x0 - 1e-9 || v > x1 + 1e-9) continue;
    const px = r(X(t));
    out.push(`<line x1="${px}" y1="${f.bottom}" x2="${px}" y2="${f.bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${px}" y="${f.bottom + 17}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`);
  }
  if (finite.length === 0) {
    out.push(`<text x="${(f.left + f.right) / 2}" y="${(f.top + f.bottom) / 2}" text-anchor="middle" fill="#888">no data</text>`);
  }
  // series
  out.push(`<g>`);
  opts.series.forEach((s, i) => {
    const st = seriesStyle(i, s.color);
    const segments: string[][] = [[]];
    for (const p of s.points) {
      if (!ok(p)) {
        if (segments.at(-1)!.length) segments.push([]);
        continue;
      }
      segments.at(-1)!.push(`${r(X(p[0]))},${r(Y(p[1]))}`);
    }
    for (const seg of segments) {
      if (seg.length > 1) {
        out.push(`<polyline fill="none" stroke="${st.color}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} points="${seg.join(' ')}"/>`);
      }
    }
    const good = s.points.filter(ok);
    if (opts.markers ?? good.length <= 50) {
      for (const p of good) out.push(`<circle cx="${r(X(p[0]))}" cy="${r(Y(p[1]))}" r="3" fill="${st.color}"/>`);
    }
  });
  out.push(`</g>`);
  out.push(...legend(f, opts.series.map((s, i) => ({ name: s.name, ...seriesStyle(i, s.color) })), 'line'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface GroupedBarChartOptions extends ChartBase {
  /** Group labels along the x axis (e.g. training modes). */
  groups: readonly string[];
  /** One bar per series within each group (e.g. inference modes). */
  seriesNames: readonly string[];
  /** values[g][s]: the bar of series s in group g. Non-finite values draw no bar (labelled n/a). */
  values: ReadonlyArray<ReadonlyArray<number>>;
  /** Print each bar's value above it (default true). */
  valueLabels?: boolean;
  /** Digits after the decimal point in value labels (default: short form). */
  valueDigits?: number;
}

/** Grouped bar chart (e.g. the 3×3 grid: training mode × inference mode) as SVG text. */
export function groupedBarChart(opts: GroupedBarChartOptions): string {
  const G = opts.groups.length;
  const S = opts.seriesNames.length;
  if (opts.values.length !== G) throw new Error(`groupedBarChart: values has ${opts.values.length} rows for ${G} groups`);
  opts.values.forEach((row, g) => {
    if (row.length !== S) throw new Error(`groupedBarChart: values[${g}] has ${row.length} entries for ${S} series`);
  });
  const f = frame(opts, S > 1 ? legendWidth(opts.seriesNames) : 0);
  const finite = opts.values.flat().filter(Number.isFinite);
  let [y0, y1]: [number, number] = opts.yRange ?? (finite.length ? niceDomain(Math.min(0, ...finite), Math.max(0, ...finite)) : [0, 1]);
  if (y0 === y1) [y0, y1] = niceDomain(y0, y1);
  const Y = (y: number) => f.bottom - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * (f.bottom - f.top);
  const out = header(f, opts);
  out.push(...yAxis(f, y0, y1, Y));
  const base = r(Y(Math.min(Math.max(0, y0), y1)));
  out.push(`<line x1="${f.left}" y1="${base}" x2="${f.right}" y2="${base}" stroke="#333"/>`);
  const groupW = (f.right - f.left) / Math.max(1, G);
  const barW = (groupW * 0.8) / Math.max(1, S);
  const showValues = opts.valueLabels ?? true;
  opts.groups.forEach((gName, g) => {
    const gx = f.left + g * groupW + groupW * 0.1;
    out.push(`<text x="${r(f.left + (g + 0.5) * groupW)}" y="${f.bottom + 17}" text-anchor="middle">${escapeXml(gName)}</text>`);
    for (let s = 0; s < S; s++) {
      const v = opts.values[g]![s]!;
      const x = r(gx + s * barW);
      const color = seriesStyle(s).color;
      if (!Number.isFinite(v)) {
        if (showValues) out.push(`<text x="${r(x + barW / 2)}" y="${base - 4}" text-anchor="middle" font-size="10" fill="#888">n/a</text>`);
        continue;
      }
      const yv = r(Y(v));
      const top = Math.min(yv, base);
      const h = r(Math.abs(base - yv));
      out.push(`<rect x="${x}" y="${r(top)}" width="${r(barW * 0.92)}" height="${h}" fill="${color}"><title>${escapeXml(`${gName} / ${opts.seriesNames[s]}: ${v}`)}</title></rect>`);
      if (showValues) {
        const label = opts.valueDigits !== undefined ? v.toFixed(opts.valueDigits) : formatTick(v);
        out.push(`<text x="${r(x + barW / 2)}" y="${r(top - 3)}" text-anchor="middle" font-size="10">${escapeXml(label)}</text>`);
      }
    }
  });
  if (S > 1) out.push(...legend(f, opts.seriesNames.map((name, s) => ({ name, ...seriesStyle(s) })), 'box'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface BarChartOptions extends ChartBase {
  labels: readonly string[];
  values: readonly number[];
  valueLabels?: boolean;
  valueDigits?: number;
}

/** Simple bar chart (one bar per label) as SVG text. */
export function barChart(opts: BarChartOptions): string {
  if (opts.labels.length !== opts.values.length) throw new Error(`barChart: ${opts.labels.length} labels for ${opts.values.length} values`);
  const { labels, values, ...rest } = opts;
  return groupedBarChart({ ...rest, groups: labels, seriesNames: [opts.yLabel ?? 'value'], values: values.map((v) => [v]) });
}

/** Writes SVG text to `path` atomically (creating folders). */
export function writeSvg(path: string, svg: string): void {
  writeFileAtomic(path, svg);
}
