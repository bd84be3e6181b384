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

/**
 * About `count` round ticks covering [lo, hi]: step = m·10^k with m ∈ {1, 2, 5} the smallest not below
 * (hi − lo)/count, ticks at the multiples of the step inside the range. With `integer` (steps, positions, k) the
 * step is at least 1, so no tick falls between two integers.
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return integer && !Number.isInteger(lo) ? [] : [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

/**
 * Labels for evenly spaced ticks: as many decimals as the step needs and no more, so neighbouring labels always
 * differ (11.9196, 11.9198, … rather than five "11.92"). Exponent form for very large or small magnitudes.
 */
export function formatTicks(ticks: readonly number[]): string[] {
  if (ticks.length < 2) return ticks.map(formatTick);
  const step = Math.min(...ticks.slice(1).map((t, i) => Math.abs(t - ticks[i]!)).filter((d) => d > 0));
  const biggest = Math.max(...ticks.map(Math.abs));
  if (biggest >= 1e5 || biggest < 1e-3) {
    // Exponent form with enough mantissa digits for the step.
    const digits = Math.max(1, Math.ceil(Math.log10(biggest / step) - 1e-9));
    return ticks.map((t) => (t === 0 ? '0' : t.toExponential(Math.min(digits, 10)).replace(/\.?0+e/, 'e').replace('e+', 'e')));
  }
  const decimals = Math.max(0, Math.min(12, Math.ceil(-Math.log10(step) - 1e-9)));
  return ticks.map((t) => (Object.is(Number(t.toFixed(decimals)), -0) ? '0' : String(Number(t.toFixed(decimals)))));
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
  /** Draw the points as faint dots without a line (raw values under a running mean). */
  dotsOnly?: boolean;
  /** A shaded spread [x, low, high] in the series colour (e.g. mean ± std), drawn under the lines. */
  band?: ReadonlyArray<readonly [number, number, number]>;
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
  const ticks = niceTicks(lo, hi).filter((t) => t >= lo - 1e-12 && t <= hi + 1e-12);
  const labels = formatTicks(ticks);
  ticks.forEach((t, i) => {
    const py = r(y(t));
    out.push(`<line x1="${f.left}" y1="${py}" x2="${f.right}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${f.left - 4}" y1="${py}" x2="${f.left}" y2="${py}" stroke="#333"/>`);
    out.push(`<text x="${f.left - 7}" y="${py + 4}" text-anchor="end">${escapeXml(labels[i]!)}</text>`);
  });
  return out;
}

function legend(f: Frame, names: ReadonlyArray<{ name: string; color: string; dash?: string; marker?: Marker }>, kind: 'line' | 'box'): string[] {
  const out: string[] = [];
  const x = f.right + 15;
  names.forEach((s, i) => {
    const y = f.top + 10 + i * 18;
    if (kind === 'line') {
      out.push(`<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      if (s.marker) out.push(markerSvg(s.marker, x + 9, y, s.color));
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

type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'cross'];
const DASHES: ReadonlyArray<string | undefined> = [undefined, '7 4', '2 3', '9 3 2 3'];

/**
 * Series i: a palette colour, a dash pattern and a marker shape that all change with i (4 dashes and 5 markers
 * cycle with different periods), so two series that lie on top of each other still show both.
 */
function seriesStyle(i: number, color?: string): { color: string; dash?: string; marker: Marker } {
  const c = color ?? PALETTE[i % PALETTE.length]!;
  const dash = DASHES[i % DASHES.length];
  const marker = MARKERS[i % MARKERS.length]!;
  return dash ? { color: c, dash, marker } : { color: c, marker };
}

/** A hollow marker (the line under it stays visible) centred on (x, y). */
function markerSvg(m: Marker, x: number, y: number, color: string): string {
  const a = `fill="#ffffff" fill-opacity="0.6" stroke="${color}" stroke-width="1.5"`;
  switch (m) {
    case 'circle':
      return `<circle cx="${r(x)}" cy="${r(y)}" r="3.5" ${a}/>`;
    case 'square':
      return `<rect x="${r(x - 3.2)}" y="${r(y - 3.2)}" width="6.4" height="6.4" ${a}/>`;
    case 'triangle':
      return `<polygon points="${r(x)},${r(y - 4)} ${r(x + 4)},${r(y + 3)} ${r(x - 4)},${r(y + 3)}" ${a}/>`;
    case 'diamond':
      return `<polygon points="${r(x)},${r(y - 4.5)} ${r(x + 4.5)},${r(y)} ${r(x)},${r(y + 4.5)} ${r(x - 4.5)},${r(y)}" ${a}/>`;
    case 'cross':
      return `<path d="M${r(x - 3.5)},${r(y - 3.5)}L${r(x + 3.5)},${r(y + 3.5)}M${r(x - 3.5)},${r(y + 3.5)}L${r(x + 3.5)},${r(y - 3.5)}" stroke="${color}" stroke-width="1.8"/>`;
  }
}

/**
 * Trailing running mean over `window` points, with the spread (mean ± std of the same window, population std)
 * as a band: [x, mean] points and [x, mean − std, mean + std] band entries. Non-finite values are left out.
 */
export function runningMean(
  points: ReadonlyArray<readonly [number, number]>,
  window: number,
): { mean: Array<[number, number]>; band: Array<[number, number, number]> } {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`runningMean: window must be a positive integer, got ${window}`);
  const good = points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const mean: Array<[number, number]> = [];
  const band: Array<[number, number, number]> = [];
  good.forEach((p, i) => {
    const w = good.slice(Math.max(0, i - window + 1), i + 1).map((q) => q[1]);
    const m = w.reduce((a, b) => a + b, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / w.length);
    mean.push([p[0], m]);
    band.push([p[0], m - sd, m + sd]);
  });
  return { mean, band };
}

/** Line chart as SVG text: axes with ticks, gridlines, a legend and one colour per series. */
export function lineChart(opts: LineChartOptions): string {
  const names = opts.series.map((s) => s.name);
  const f = frame(opts, legendWidth(names));
  const logX = opts.logX ?? false;
  const tx = (x: number) => (logX ? Math.log10(x) : x);
  const ok = (p: readonly [number, number]) => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logX || p[0] > 0);
  const finite = opts.series.flatMap((s) => [
    ...s.points.filter(ok),
    ...(s.band ?? []).flatMap(([x, lo, hi]) => [[x, lo] as const, [x, hi] as const]).filter(ok),
  ]);

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
    // Integer x values (steps, positions, k) get integer ticks: no tick at step 1.5.
    xticks = niceTicks(x0, x1, 5, finite.every((p) => Number.isInteger(p[0])));
  }
  xticks = xticks.filter((t) => tx(t) >= x0 - 1e-9 && tx(t) <= x1 + 1e-9);
  const xlabels = logX ? xticks.map(formatTick) : formatTicks(xticks);
  xticks.forEach((t, i) => {
    const px = r(X(t));
    out.push(`<line x1="${px}" y1="${f.bottom}" x2="${px}" y2="${f.bottom + 4}" stroke="#333"/>`);
    out.push(`<text x="${px}" y="${f.bottom + 17}" text-anchor="middle">${escapeXml(xlabels[i]!)}</text>`);
  });
  if (finite.length === 0) {
    out.push(`<text x="${(f.left + f.right) / 2}" y="${(f.top + f.bottom) / 2}" text-anchor="middle" fill="#888">no data</text>`);
  }
  // bands first, so every line is drawn over them
  opts.series.forEach((s, i) => {
    const band = (s.band ?? []).filter(([x, lo, hi]) => ok([x, lo]) && ok([x, hi]));
    if (band.length < 2) return;
    const upper = band.map(([x, , hi]) => `${r(X(x))},${r(Y(hi))}`);
    const lower = band.map(([x, lo]) => `${r(X(x))},${r(Y(lo))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${seriesStyle(i, s.color).color}" fill-opacity="0.15" stroke="none"/>`);
  });
  // series
  out.push(`<g>`);
  opts.series.forEach((s, i) => {
    const st = seriesStyle(i, s.color);
    if (s.dotsOnly) {
      for (const p of s.points.filter(ok)) out.push(`<circle cx="${r(X(p[0]))}" cy="${r(Y(p[1]))}" r="1.8" fill="${st.color}" fill-opacity="0.35"/>`);
      return;
    }
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
      for (const p of good) out.push(markerSvg(st.marker, X(p[0]), Y(p[1]), st.color));
    }
  });
  out.push(`</g>`);
  out.push(...legend(f, opts.series.map((s, i) => ({ name: s.name, ...seriesStyle(i, s.color), ...(s.dotsOnly ? { dash: '1 4' } : {}) })), 'line'));
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
