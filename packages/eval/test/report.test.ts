import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { result } from './fixtures';
import { evalMarkdown, passAtKChart, writeEvalReport } from '../src/report';

describe('writeEvalReport', () => {
  it('writes problems.jsonl, summary.json, summary.md and two SVGs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    const files = writeEvalReport(dir, result, { model: 'm', data: 'd' }, { ks: [1, 2, 4] });
    const rows = fs.readFileSync(files.problems, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows[0]).toEqual({ id: 'p1', setting: 'hard greedy', question: 'q1', reference: '3', correct: 1, samples: [{ cot: 'z', completion: 'c', answer: '3', correct: true, cotLength: 5, cotStop: 'stop' }] });
    expect(JSON.parse(fs.readFileSync(files.summaryJson, 'utf8'))).toEqual({ meta: { model: 'm', data: 'd' }, summaries: result.summaries });
    const md = fs.readFileSync(files.summaryMd, 'utf8');
    expect(md).toContain('- model: m');
    expect(md).toContain('| soft sample | 25.0 | 40.0 | 50.0 |');
    for (const f of [files.passkSvg, files.entropySvg]) expect(fs.readFileSync(f, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    fs.rmSync(dir, { recursive: true });
  });

  it('pass@k chart has one series per setting', () => {
    const svg = passAtKChart(result.summaries);
    expect(svg).toContain('hard greedy');
    expect(svg).toContain('soft sample');
    expect(evalMarkdown(result)).toContain('| hard greedy | 50.0 |');
  });
});

