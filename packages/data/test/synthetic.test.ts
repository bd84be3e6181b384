import { describe, expect, it } from 'vitest';
import {
  arithmeticChain,
  arithmeticSettings,
  assertDisjoint,
  checkArithmetic,
  generateArithmeticDataset,
  generateSyntheticSplits,
  oodTextSet,
  paperPrompt,
  sftText,
  syntheticAlphabet,
  syntheticPieces,
  withLazySolutions,
  syntheticPromptFormat,
  syntheticSplit,
  type Example,
  type PromptFormat,
} from '../src';

/** Every text a synthetic example produces in training and rollouts. */
function texts(ex: Example, f: PromptFormat): string[] {
  return [f.render(ex.question), sftText(ex, f), ex.answer, f.answerTarget(ex.answer), f.cotStop, f.prefillAfterStop, f.prefillAfterMaxLength];
}
function uncovered(strings: string[], alphabet: string[]): string[] {
  const a = new Set(alphabet);
  return [...new Set(strings.join(''))].filter((c) => !a.has(c));
}

describe('arithmetic chains', () => {
  it('evaluates left to right with a readable CoT', () => {
    const c = arithmeticChain({ steps: 3, maxStart: 9, maxOperand: 9, seed: 5 });
    expect(c.steps).toHaveLength(3);
    expect(c.cot.split(' ')).toHaveLength(3);
    expect(checkArithmetic(c.question, c.cot, c.answer)).toBeNull();
    expect(checkArithmetic('7+5*2-3', '7+5=12. 12*2=24. 24-3=21.', '21')).toBeNull();
    expect(checkArithmetic('7+5*2-3', '7+5=12. 12*2=24. 24-3=20.', '20')).toMatch(/step 3/);
  });

  it('1000 generated examples: every CoT is arithmetically correct, results stay in [0, 99], solution format', () => {
    const data = generateArithmeticDataset({ n: 1000, seed: 1, difficulty: 3 });
    expect(data).toHaveLength(1000);
    for (const ex of data) {
      const cot = ex.row.cot as string;
      expect(checkArithmetic(ex.question, cot, ex.answer)).toBeNull();
      expect(ex.solution).toBe(`${cot} The final answer is: \\boxed{${ex.answer}}`);
      for (const r of cot.match(/=(\d+)\./g)!.map((s) => Number(s.slice(1, -1)))) {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(99);
      }
    }
    expect(new Set(data.map((e) => e.id)).size).toBe(1000);
    // all three ops get used
    const ops = new Set(data.flatMap((e) => [...e.question.replace(/\d/g, '')]));
    expect(ops).toEqual(new Set(['+', '-', '*']));
  });

  it('modulus: results reduced mod m, the question says so', () => {
    const data = generateArithmeticDataset({ n: 300, seed: 2, difficulty: 4, modulus: 10, maxOperand: 20 });
    for (const ex of data) {
      expect(ex.question).toMatch(/ mod 10$/);
      expect(checkArithmetic(ex.question, ex.row.cot as string, ex.answer)).toBeNull();
      expect(Number(ex.answer)).toBeLessThan(10);
    }
  });

  it('deterministic by seed; the difficulty knob changes the number of steps', () => {
    expect(generateArithmeticDataset({ n: 20, seed: 9 })).toEqual(generateArithmeticDataset({ n: 20, seed: 9 }));
    expect(generateArithmeticDataset({ n: 20, seed: 9 })).not.toEqual(generateArithmeticDataset({ n: 20, seed: 10 }));
    for (const d of [1, 2, 5]) {
      const data = generateArithmeticDataset({ n: 50, seed: 0, difficulty: d });
      for (const ex of data) expect((ex.row.cot as string).split(' ')).toHaveLength(d);
      expect(data.every((e) => e.row.steps === d)).toBe(true);
    }
    expect(arithmeticSettings({ difficulty: 1 }).ops).toEqual(['+', '-']);
    expect(arithmeticSettings({ difficulty: 3, steps: 7 }).steps).toBe(7);
    const easy = generateArithmeticDataset({ n: 100, seed: 0, difficulty: 1 });
    const hard = generateArithmeticDataset({ n: 100, seed: 0, difficulty: 6 });
    const meanLen = (d: Example[]) => d.reduce((s, e) => s + e.solution!.length, 0) / d.length;
    expect(meanLen(hard)).toBeGreaterThan(2 * meanLen(easy));
  });

  it('r1 style solutions', () => {
    const [ex] = generateArithmeticDataset({ n: 1, seed: 3, style: 'r1' });
    expect(ex!.solution).toBe(`${ex!.row.cot as string}</think><answer>${ex!.answer}</answer>`);
    const f = syntheticPromptFormat('r1');
    expect(sftText(ex!, f)).toMatch(/^User: .* Assistant: <think> .*<\/think><answer>\d+<\/answer>$/);
  });

  it('impossible settings are clear errors', () => {
    expect(() => arithmeticChain({ steps: 5, maxStart: 99, maxOperand: 9, ops: ['+'], maxValue: 20, seed: 1 })).toThrow(/no operation/);
    expect(() => arithmeticChain({ steps: 0, maxStart: 9, maxOperand: 9, seed: 1 })).toThrow(/steps/);
    expect(() => generateArithmeticDataset({ n: 500, seed: 1, difficulty: 1, unique: true })).toThrow(/distinct questions/);
  });
});

describe('lazy solutions (the demo\'s pretraining mix)', () => {
  const data = generateArithmeticDataset({ n: 2000, seed: 3, difficulty: 2, ops: ['+', '-'] });

  it('replaces a seeded share of solutions by the first step with its result boxed; answers stay true', () => {
    const mixed = withLazySolutions(data, { share: 0.5, seed: 1 });
    const lazy = mixed.filter((e) => e.row.lazy === true);
    expect(lazy.length / data.length).toBeGreaterThan(0.45);
    expect(lazy.length / data.length).toBeLessThan(0.55);
    mixed.forEach((e, k) => {
      expect(e.answer).toBe(data[k]!.answer);
      if (e.row.lazy !== true) return expect(e).toBe(data[k]);
      const [first] = String(e.row.cot).split(' ');
      const r = /=(-?\d+)\.$/.exec(first!)![1];
      expect(e.solution).toBe(`${first} The final answer is: \\boxed{${r}}`);
    });
    // e.g. 8-1+4: the lazy solution boxes 7, the verifier wants 11
    expect(lazy.filter((e) => e.solution!.endsWith(`{${e.answer}}`)).length / lazy.length).toBeLessThan(0.2);
    expect(withLazySolutions(data, { share: 0.5, seed: 1 })).toEqual(mixed);
    expect(withLazySolutions(data, { share: 0.5, seed: 2 })).not.toEqual(mixed);
    expect(withLazySolutions(data, { share: 0, seed: 1 })).toEqual(data);
    expect(withLazySolutions(data, { share: 1, seed: 1 }).every((e) => e.row.lazy === true)).toBe(true);
  });

  it('bad input', () => {
    expect(() => withLazySolutions(data, { share: 1.5, seed: 1 })).toThrow(/share must be in \[0, 1\]/);
    const oneStep = generateArithmeticDataset({ n: 3, seed: 3, difficulty: 1 });
    expect(() => withLazySolutions(oneStep, { share: 1, seed: 1 })).toThrow(/arith-3-0 is not an arithmetic chain of at least 2 steps/);
  });
});

describe('syntheticPieces', () => {
  it('the fixed phrases of the format, never one that spans the stop string and the prefill', () => {
    const paper = syntheticPieces(syntheticPromptFormat('paper'));
    expect(paper).toEqual(['User: ', ' Assistant:', 'The final answer is: ', '\\boxed{']);
    expect(paper.some((p) => p.includes('The final answer is: \\boxed{'))).toBe(false);
    expect(syntheticPieces(paperPrompt({ instruction: 'Solve.' }))[0]).toBe('Solve.\n\nUser: ');
  });
});

describe('OOD text set', () => {
  it('ARC-like items with a valid answer key', () => {
    const items = oodTextSet({ n: 500, seed: 1 });
    expect(items).toHaveLength(500);
    expect(oodTextSet({ n: 500, seed: 1 })).toEqual(items);
    const templates = new Set<string>();
    for (const it of items) {
      templates.add(it.template);
      expect(it.choices.length).toBeGreaterThanOrEqual(2);
      expect(new Set(it.choices).size).toBe(it.choices.length);
      expect('ABCD'.indexOf(it.answerKey)).toBe(it.answerIndex);
      expect(it.choices[it.answerIndex]).toBeDefined();
    }
    expect(templates.size).toBe(5);
    const largest = items.find((i) => i.template === 'largest')!;
    expect(Number(largest.choices[largest.answerIndex])).toBe(Math.max(...largest.choices.map(Number)));
  });
});

describe('alphabets', () => {
  it('cover every text of every task (1000 examples each, both formats)', () => {
    const all = syntheticAlphabet('all');
    for (const style of ['paper', 'r1'] as const) {
      const f = syntheticPromptFormat(style);
      const arith = generateArithmeticDataset({ n: 1000, seed: 11, difficulty: 4, style });
      const arithMod = generateArithmeticDataset({ n: 200, seed: 11, modulus: 7, style });
      const aAlpha = syntheticAlphabet('arithmetic', { format: f });
      expect(uncovered(arith.flatMap((e) => texts(e, f)), aAlpha)).toEqual([]);
      expect(uncovered(arithMod.flatMap((e) => texts(e, f)), syntheticAlphabet('arithmetic', { format: f, modulus: true }))).toEqual([]);
      expect(uncovered([...arith, ...arithMod].flatMap((e) => texts(e, f)), all)).toEqual([]);
    }
    const ood = oodTextSet({ n: 1000, seed: 11 });
    expect(uncovered(ood.flatMap((i) => [i.question, ...i.choices, i.answerKey]), syntheticAlphabet('ood'))).toEqual([]);
    expect(uncovered(ood.flatMap((i) => [i.question, ...i.choices, i.answerKey]), all)).toEqual([]);
  });

  it('is small, sorted and task-specific', () => {
    const a = syntheticAlphabet('arithmetic', { format: syntheticPromptFormat('paper') });
    expect(a).toEqual([...a].sort());
    expect(new Set(a).size).toBe(a.length);
    expect(a.length).toBeLessThan(45);
    expect(a).not.toContain('<');
    expect(syntheticAlphabet('all').length).toBeLessThan(80);
    // a format with a long instruction adds its characters
    expect(syntheticAlphabet('arithmetic', { format: paperPrompt() })).toContain('"');
  });
});

describe('splits without overlap', () => {
  it('syntheticSplit dedupes by question', () => {
    const data = generateArithmeticDataset({ n: 400, seed: 5, difficulty: 1 }); // small space: many duplicates
    const { train, test } = syntheticSplit(data, { testFraction: 0.25, seed: 1 });
    assertDisjoint(train, test);
    expect(train.length + test.length).toBe(new Set(data.map((e) => e.question)).size);
  });

  it('generateSyntheticSplits: disjoint train/test', () => {
    const { train, test } = generateSyntheticSplits('arithmetic', { nTrain: 500, nTest: 100, seed: 3, difficulty: 2 });
    expect(train).toHaveLength(500);
    expect(test).toHaveLength(100);
    expect(new Set(test.map((e) => e.question)).size).toBe(100);
    const tq = new Set(test.map((e) => e.question));
    expect(train.some((e) => tq.has(e.question))).toBe(false);
    expect(new Set([...train, ...test].map((e) => e.id)).size).toBe(600);
  });
});
