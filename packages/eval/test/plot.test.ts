import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barChart, escapeXml, formatTick, formatTicks, groupedBarChart, lineChart, niceTicks, runningMean, writeSvg } from '../src/plot';

/** Well-formedness check: tags balance, attributes are quoted, text has no raw `<` or bare `&`. */
function assertWellFormed(svg: string): void {
  expect(svg.startsWith('<svg ')).toBe(true);
  const stack: string[] = [];
  const tagRe = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tagRe.exec(svg); m; m = tagRe.exec(svg)) {
    const text = svg.slice(last, m.index);
    expect(text).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    last = m.index + m[0].length;
    const [, close, name, , selfClose] = m;
    if (close) expect(stack.pop()).toBe(name);
    else if (!selfClose) stack.push(name!);
  }
  expect(svg.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

const dir = mkdtempSync(join(tmpdir(), 'softcot-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lineChart', () => {
  it('draws axes, ticks, legend and one colour per series', () => {
    const svg = lineChart({
      title: 'pass@k',
      xLabel: 'k',
      yLabel: 'pass@k',
      logX: true,
      yRange: [0, 1],
      series: [
        { name: 'hard', points: [1, 2, 4, 8, 16, 32].map((k) => [k, 1 - 0.7 ** k] as [number, number]) },
        { name: 'soft', points: [1, 2, 4, 8, 16, 32].map((k) => [k, 1 - 0.6 ** k] as [number, number]) },
        { name: 'fuzzy', points: [1, 2, 4, 8, 16, 32].map((k) => [k, 1 - 0.65 ** k] as [number, number]) },
      ],
    });
    assertWellFormed(svg);
    for (const name of ['hard', 'soft', 'fuzzy', 'pass@k']) expect(svg).toContain(`>${name}</text>`);
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    const colours = new Set([...svg.matchAll(/<polyline fill="none" stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]));
    expect(colours.size).toBe(3);
    for (const t of ['1', '2', '4', '8', '16', '32']) expect(svg).toContain(`>${t}</text>`); // powers-of-two ticks
    expect(svg).toContain('>0.2</text>');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('handles NaN, infinities, empty series and no data without throwing', () => {
    const svg = lineChart({
      title: 'reward',
      series: [
        { name: 'gaps', points: [[0, 1], [1, NaN], [2, 3], [3, 4], [4, Infinity], [5, 2]] },
        { name: 'empty', points: [] },
      ],
    });
    assertWellFormed(svg);
    expect(svg).toContain('>empty</text>');
    expect(svg.match(/<polyline/g)).toHaveLength(1); // [2,3]-[3,4]; single points are markers only
    expect(svg).not.toMatch(/NaN|Infinity/);
    const none = lineChart({ series: [] });
    assertWellFormed(none);
    expect(none).toContain('no data');
    const allNaN = lineChart({ series: [{ name: 'x', points: [[NaN, NaN]] }], logX: true });
    assertWellFormed(allNaN);
    const flat = lineChart({ series: [{ name: 'flat', points: [[1, 5], [1, 5]] }] });
    assertWellFormed(flat);
    expect(flat).not.toMatch(/NaN/);
  });

  it('escapes < & > and quotes in labels and names', () => {
    const svg = lineChart({
      title: 'a < b & c > "d"',
      xLabel: "x's",
      yLabel: '<y>',
      series: [{ name: '<script>&amp', points: [[0, 0], [1, 1]] }],
    });
    assertWellFormed(svg);
    expect(svg).toContain('a &lt; b &amp; c &gt; &quot;d&quot;');
    expect(svg).toContain('&lt;script&gt;&amp;amp');
    expect(svg).not.toContain('<script>');
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('many series stay distinguishable (dash patterns after the palette)', () => {
    const series = Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, points: [[0, i], [1, i + 1]] as Array<[number, number]> }));
    const svg = lineChart({ series });
    assertWellFormed(svg);
    const styles = new Set([...svg.matchAll(/<polyline fill="none" stroke="([^"]+)" stroke-width="2"(?: stroke-dasharray="([^"]+)")?/g)].map((m) => `${m[1]}|${m[2]}`));
    expect(styles.size).toBe(12);
  });
});

describe('bar charts', () => {
  it('3×3 grouped grid with value labels, NaN cells and legend', () => {
    const modes = ['hard', 'soft', 'fuzzy'];
    const svg = groupedBarChart({
      title: 'pass@1: training × inference',
      xLabel: 'training mode',
      yLabel: 'pass@1 (%)',
      groups: modes,
      seriesNames: modes.map((m) => `${m} inference`),
      values: [
        [40.1, 35.2, 38],
        [41, NaN, 39.5],
        [42.25, 37, 40],
      ],
      valueDigits: 1,
    });
    assertWellFormed(svg);
    expect(svg.match(/<rect [^>]*fill="#(?!ffffff)/g)!.length).toBe(8 + 3); // 8 bars + 3 legend boxes (not the background)
    for (const m of modes) expect(svg).toContain(`>${m} inference</text>`);
    expect(svg).toContain('>42.3</text>'); // valueDigits: 1 (42.25 is exact in binary, ties round up)
    expect(svg).toContain('>n/a</text>');
    expect(() => groupedBarChart({ groups: ['a'], seriesNames: ['x', 'y'], values: [[1]] })).toThrow(/values\[0\]/);
  });

  it('barChart with negative values and empty input', () => {
    const svg = barChart({ title: 'Δ NLL', labels: ['hard', 'soft', 'fuzzy'], values: [0.5, -0.2, 0.01] });
    assertWellFormed(svg);
    expect(svg).toContain('>-0.2</text>');
    assertWellFormed(barChart({ labels: [], values: [] }));
  });
});

describe('line styles, bands and raw points', () => {
  it('a narrow y range and integer steps give distinct, round labels (entropy plot, reward curve)', () => {
    const svg = lineChart({ series: [{ name: 'H', points: [[0, 11.9195], [1, 11.9201], [2, 11.9205]] }] });
    const yLabels = [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]);
    expect(new Set(yLabels).size).toBe(yLabels.length);
    expect(yLabels.length).toBeGreaterThanOrEqual(3);
    const steps = lineChart({ series: [{ name: 'reward', points: [[1, 0.5], [2, 0.7], [3, 0.6]] }] });
    const xLabels = [...steps.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
    expect(xLabels).toEqual(['1', '2', '3']);
  });

  it('overlapping series stay distinguishable: each has its own dash pattern and marker shape', () => {
    const pts = [[1, 50], [2, 60], [4, 70]] as Array<[number, number]>;
    const svg = lineChart({ series: ['a', 'b', 'c', 'd'].map((name) => ({ name, points: pts })) });
    const dashes = [...svg.matchAll(/<polyline [^>]*?(?:stroke-dasharray="([^"]+)")?\s*points=/g)].map((m) => m[1] ?? 'solid');
    expect(new Set(dashes).size).toBe(4);
    expect(svg).toMatch(/<circle [^>]*fill-opacity/); // hollow markers let the line under them show
    expect(svg).toMatch(/<rect [^>]*fill-opacity/);
    expect(svg).toMatch(/<polygon [^>]*fill-opacity="0.6"/);
  });

  it('draws a spread band under the lines and raw values as dots', () => {
    const svg = lineChart({
      series: [
        { name: 'raw', points: [[1, 1], [2, 3], [3, 2]], dotsOnly: true, band: [[1, 0, 2], [2, 2, 4], [3, 1, 3]] },
        { name: 'mean', points: [[1, 1], [2, 2], [3, 2]] },
      ],
    });
    assertWellFormed(svg);
    const band = svg.indexOf('fill-opacity="0.15"');
    expect(band).toBeGreaterThan(0);
    expect(band).toBeLessThan(svg.indexOf('<polyline')); // under the lines
    expect(svg.match(/<polyline/g)).toHaveLength(1); // the dots have no line
    expect(svg.match(/r="1.8"/g)).toHaveLength(3);
    expect(svg).toContain('>4</text>'); // the band widens the y range
  });
});

describe('helpers', () => {
  it('ticks and labels are round', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80]);
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(123456)).toBe('1.2e5');
  });

  it('steps of 1, 2 or 5 × 10^k; integer axes never get a tick between integers', () => {
    expect(niceTicks(1, 3)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(1, 3, 5, true)).toEqual([1, 2, 3]);
    expect(niceTicks(0, 7, 5, true)).toEqual([0, 2, 4, 6]);
    expect(niceTicks(0, 1000, 5, true)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(-0.35, 0.35)).toEqual([-0.2, 0, 0.2]);
    expect(niceTicks(11.9195, 11.9205)).toEqual([11.9195, 11.92, 11.9205]);
    expect(niceTicks(2.5, 2.5, 5, true)).toEqual([]);
  });

  it('tick labels are as precise as the step, so neighbours always differ', () => {
    // The entropy plot's case: formatTick alone rounds every one of these to "11.92".
    expect(niceTicks(11.9195, 11.9205).map(formatTick)).toEqual(['11.92', '11.92', '11.92']);
    expect(formatTicks(niceTicks(11.9195, 11.9205))).toEqual(['11.9195', '11.92', '11.9205']);
    expect(formatTicks([0, 0.2, 0.4])).toEqual(['0', '0.2', '0.4']);
    expect(formatTicks([-0.2, 0, 0.2])).toEqual(['-0.2', '0', '0.2']);
    expect(formatTicks([1000, 1500, 2000])).toEqual(['1000', '1500', '2000']);
    expect(formatTicks([100000, 100500, 101000])).toEqual(['1e5', '1.005e5', '1.01e5']);
    for (const [lo, hi] of [[0.123456, 0.123459], [99.99, 100.01], [1e-5, 3e-5], [-7.25, -7.2]]) {
      const labels = formatTicks(niceTicks(lo!, hi!));
      expect(new Set(labels).size, `${lo}..${hi}: ${labels.join(' ')}`).toBe(labels.length);
    }
  });

  it('runningMean: trailing window mean with a ± std band', () => {
    const { mean, band } = runningMean([[1, 2], [2, 4], [3, NaN], [4, 9]], 2);
    expect(mean).toEqual([[1, 2], [2, 3], [4, 6.5]]);
    expect(band[1]).toEqual([2, 2, 4]);
    expect(band[2]).toEqual([4, 4, 9]);
    expect(() => runningMean([], 0)).toThrow(/window/);
  });
  it('writeSvg writes the file', () => {
    const p = join(dir, 'a', 'b.svg');
    const svg = lineChart({ series: [{ name: 'x', points: [[0, 1], [1, 2]] }] });
    writeSvg(p, svg);
    expect(readFileSync(p, 'utf8')).toBe(svg);
  });
});
