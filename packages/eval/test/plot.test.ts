import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barChart, escapeXml, formatTick, groupedBarChart, lineChart, niceTicks, writeSvg } from '../src/plot';

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

describe('helpers', () => {
  it('ticks and labels are round', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80]);
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(123456)).toBe('1.2e5');
  });
  it('writeSvg writes the file', () => {
    const p = join(dir, 'a', 'b.svg');
    const svg = lineChart({ series: [{ name: 'x', points: [[0, 1], [1, 2]] }] });
    writeSvg(p, svg);
    expect(readFileSync(p, 'utf8')).toBe(svg);
  });
});
