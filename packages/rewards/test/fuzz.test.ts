// Never throws, never hangs: random and adversarial inputs through every entry point.
import { describe, expect, it } from 'vitest';
import { extractAnswer, gradeAnswer, gradeCompletion, lastBoxedContent, normalizeAnswer, verifierReward } from '@softcot/rewards';
import { seededRandom } from '../src/scalar-equivalence';

const ADVERSARIAL: Array<[string, string]> = [
  ['10k nested braces', `\\boxed{${'{'.repeat(10000)}1${'}'.repeat(10000)}}`],
  ['10k nested braces, bare', `${'{'.repeat(10000)}${'}'.repeat(10000)}`],
  ['tower of powers', '10^{10^{10^{10}}}'],
  ['tower of powers boxed', '\\boxed{10^{10^{10^{10}}}}'],
  ['huge power', '\\boxed{2^{99999999999}}'],
  ['huge factorial', '\\boxed{1000000000!}'],
  ['factorial chain', '\\boxed{3!!!!!!!!!!}'],
  ['huge binomial', '\\boxed{\\binom{1000000000}{500000000}}'],
  ['unbalanced open', '\\boxed{\\frac{1}{2'],
  ['unbalanced close', '\\boxed{1}}}}}}'],
  ['only opens', '{'.repeat(2000)],
  ['only parens', '('.repeat(1999)],
  ['nested parens', `${'('.repeat(900)}1${')'.repeat(900)}`],
  ['nested frac', `${'\\frac{1}{'.repeat(200)}2${'}'.repeat(200)}`],
  ['nested sqrt', `${'\\sqrt{'.repeat(300)}2${'}'.repeat(300)}`],
  ['nested sets', `${'\\{'.repeat(300)}1${'\\}'.repeat(300)}`],
  ['long sum', `${'1+'.repeat(900)}1`],
  ['long product of variables', 'x'.repeat(1999)],
  ['long comma list', `${'1,'.repeat(990)}1`],
  ['long tuple', `(${'x,'.repeat(900)}y)`],
  ['many unions', Array.from({ length: 200 }, (_, i) => `(${i},${i + 1})`).join('\\cup')],
  ['many \\pm', '1\\pm'.repeat(400)],
  ['exponent chain', 'x^'.repeat(600) + '2'],
  ['many digits', '9'.repeat(1999)],
  ['thousands bait', `${'1,111'.repeat(300)}`],
  ['relation chain', '1<x<2<y<3<z<4=5>6'],
  ['backslashes', '\\'.repeat(1999)],
  ['commands soup', '\\left\\right\\frac\\sqrt\\boxed\\text{'.repeat(40)],
  ['100 kB digits', '7'.repeat(100_000)],
  ['100 kB boxes', '\\boxed{'.repeat(14_000)],
  ['100 kB final answer', 'The final answer is '.repeat(5000)],
  ['100 kB hashes', '#### '.repeat(20_000)],
  ['100 kB words with units', `${'5 cm '.repeat(20_000)}`],
  ['matrix bomb', `\\begin{pmatrix}${'1&'.repeat(500)}1\\\\${'2\\\\'.repeat(300)}\\end{pmatrix}`],
  ['unicode', '∑∫√∞≤≥≠±×÷πθ😀\u0000\uffff\ud800'],
  ['null bytes', '\u0000'.repeat(1000)],
  ['percent soup', '%\\%%\\%50\\%'],
  ['text bomb', '\\text{'.repeat(500)],
  ['many math environments', '$1$ and '.repeat(12_000)],
  ['many unclosed dollars', '$'.repeat(50_000)],
  ['many display brackets', '\\[ 1 \\] '.repeat(10_000)],
  ['long arithmetic run', `${'1 + '.repeat(20_000)}1`],
  ['answer phrases', 'the answer is '.repeat(7_000)],
  ['therefore chain', 'Therefore, $x$ '.repeat(6_000)],
  ['many boxes joined', '\\boxed{1}, '.repeat(8_000)],
  ['many pm', '$1 \\pm 2 \\pm 3 \\pm 4 \\pm 5$'],
  ['inequality chain', '$1 < x < 2 < y < 3 < z < 4$'],
  ['relation bomb', '$x^{2} \\leq |x - 1| \\leq x^{3} + 2 \\leq 5$'],
];

const GOLDS = ['5', '\\frac{1}{2}', '(1,2)', 'x^2+1', '\\{1,2\\}', '[0,\\infty)', '\\text{June}', '10^{10^{10}}', ''];

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

function exercise(input: string): number {
  let worst = 0;
  const run = (f: () => unknown) => {
    const [, ms] = timed(f);
    worst = Math.max(worst, ms);
  };
  run(() => expect(() => extractAnswer(input, { lastNumberFallback: true })).not.toThrow());
  run(() => expect(typeof extractAnswer(input, { extract: 'math-verify' }).rule).toBe('string'));
  run(() => expect(typeof extractAnswer(input, { extract: 'answer' }).rule).toBe('string'));
  run(() => lastBoxedContent(input));
  run(() => normalizeAnswer(input.slice(0, 2000)));
  const reward = verifierReward();
  for (const gold of GOLDS) {
    run(() => {
      const r = gradeAnswer(input, gold);
      expect(typeof r.correct).toBe('boolean');
      expect(typeof r.reason).toBe('string');
    });
    run(() => {
      const r = gradeAnswer(gold, input.slice(0, 2000));
      expect(typeof r.correct).toBe('boolean');
    });
    run(() => {
      const r = gradeAnswer(input.slice(0, 2000), gold);
      expect(typeof r.correct).toBe('boolean');
    });
    run(() => expect(typeof gradeCompletion(input, gold, { goldIsSolution: true }).correct).toBe('boolean'));
    run(() => expect(typeof gradeCompletion(input, gold, { extract: 'math-verify' }).correct).toBe('boolean'));
    run(() => expect(typeof gradeCompletion(gold, input.slice(0, 2000), { extract: 'math-verify' }).correct).toBe('boolean'));
    run(() => expect([0, 10, 100]).toContain(reward({ prompt: '', completion: input, reference: gold, row: null })));
  }
  return worst;
}

describe('fuzz: never throws, never hangs', () => {
  const t0 = performance.now();
  it.each(ADVERSARIAL)('adversarial: %s', (_name, input) => {
    const worst = exercise(input);
    expect(worst).toBeLessThan(1000);
  });

  it('random strings from a LaTeX-ish alphabet and random unicode', () => {
    const r = seededRandom(7);
    const atoms = ['\\boxed{', '\\frac', '{', '}', '(', ')', '[', ']', '\\{', '\\}', '^', '_', '\\sqrt', '[3]', ',', '=', '<', '\\leq',
      '\\infty', '\\pi', 'x', 'y', '1', '2', '0.5', '-', '+', '\\cdot', '!', '\\%', '\\$', '\\text{cm}', ' ', '\\pm', '\\cup',
      '\\left(', '\\right)', '|', '\\begin{pmatrix}', '&', '\\\\', '\\end{pmatrix}', '#### ', 'final answer is ', '<answer>', '</answer>', 'e', 'i',
    '$', '$$', '\\(', '\\)', '\\[', '\\]', 'the answer is ', 'Therefore, ', ' and ', ' or ', '\\approx', '\\neq', ':', ';', '\\sin^2', '\\sec', '4 4/9', '1,000.5'];
    let worst = 0;
    for (let k = 0; k < 300; k++) {
      const len = 1 + Math.floor(r() * 60);
      let s = '';
      for (let j = 0; j < len; j++) {
        s += r() < 0.9 ? atoms[Math.floor(r() * atoms.length)] : String.fromCharCode(Math.floor(r() * 0xffff));
      }
      worst = Math.max(worst, exercise(s));
    }
    expect(worst).toBeLessThan(1000);
  });

  it('whole fuzz suite stays under 20 s', () => {
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});
