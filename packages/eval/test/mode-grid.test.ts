import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { result, summary } from './fixtures';
import { compareGrid, compareMarkdown, passAtKLabel, writeCompareReport } from '../src/mode-grid';

describe('compare grid', () => {
  it('rows = models, columns = settings, pass@1 and pass@k for the largest k', () => {
    const grid = compareGrid([
      { name: 'hard', summaries: result.summaries },
      { name: 'soft', summaries: [summary('soft sample', false, 0.75, { 1: 0.75, 2: 0.8, 4: 1 })] },
    ]);
    expect(grid.models).toEqual(['hard', 'soft']);
    expect(grid.settings).toEqual(['hard greedy', 'soft sample']);
    expect(grid.cells.hard!['soft sample']).toEqual({ pass1: 0.25, passAtK: 0.5, k: 4 });
    expect(grid.cells.soft!['hard greedy']).toBeUndefined();
    const md = compareMarkdown(grid);
    expect(md).toContain('| hard | 50.0 | 25.0 |');
    expect(md).toContain('| soft | – | 75.0 |');
    expect(md).toContain('| soft | – | 100.0 |');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-'));
    const files = writeCompareReport(dir, grid);
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8')).cells.soft['soft sample'].k).toBe(4);
    expect(fs.readFileSync(files.svg, 'utf8')).toContain('<rect');
    expect(files.passkSvg && fs.existsSync(files.passkSvg)).toBe(true);
    // The grid titles name k.
    expect(fs.readFileSync(files.passkSvg!, 'utf8')).toContain('>pass@4 by training (groups) and inference (bars)</text>');
    const mixed = compareGrid([
      { name: 'a', summaries: result.summaries },
      { name: 'b', summaries: [summary('soft sample', false, 0.75, { 1: 0.75, 8: 0.9 })] },
    ]);
    expect(passAtKLabel(mixed)).toBe('pass@k (k = 4, 8)');
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects a model name given twice', () => {
    expect(() => compareGrid([{ name: 'a', summaries: [] }, { name: 'a', summaries: [] }])).toThrow('given twice');
  });
});
