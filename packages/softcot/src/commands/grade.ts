// softcot grade: grade a JSONL file of {pred, gold} rows with the math-answer grader of @softcot/rewards
// (gradeCompletion; docs/grader.md). Flags, errors and exit codes as every command's (docs/cli.md).
import { utf8Lines, readRegularFile, writeFileAtomic } from '@softcot/base';
import { parseJsonLine } from '@softcot/data';
import { EXTRACT_MODES, gradeCompletion, type GradeCompletionOptions } from '@softcot/rewards';
import { CliInputError, UsageError, optChoice, optFloat, parseFlags, requireString, type Command } from '../args';
import { checkOutputFile } from '../outputs';

const usage = `Usage: softcot grade --input preds.jsonl --output verdicts.jsonl [options]

Grade model outputs against reference answers (math-answer equivalence, see docs/grader.md).

Each input line is a JSON object with string fields:
  pred   the model output: free text, read as --extract says
  gold   the reference answer (or a whole reference solution with --gold-is-solution)
Each output line is the input object, every field kept, plus "correct" (boolean) and
"extracted" (the answer taken from pred, or null). Blank lines are skipped. A malformed line
(bad JSON or UTF-8, not an object, missing or non-string pred/gold) is an error naming its
line; with --skip-bad-rows each one is reported on stderr with its line number, counted, and
NOT written to the output. The output is written atomically (temp file + rename).
A summary line (accuracy, count, malformed) is printed to stdout.

Options:
  --input FILE            input JSONL (required)
  --output FILE           output JSONL (required; a new path or a regular file, not the input)
  --extract MODE          how the answer is found in pred (default markers):
                            markers      the last closed \\boxed{}/\\fbox{}, <answer>…</answer>, "#### n" or
                                         "The final answer is …" (the RL protocol; an unclosed box is no answer)
                            math-verify  the markers, then as Math-Verify reads free text: "The answer is X",
                                         "Final answer: X", "Therefore, X", else the last $…$/\\(…\\)/\\[…\\]
                                         or plain number/expression; a gold written with $…$ or \\boxed{}
                                         is read the same way
                            answer       pred already is the answer (MATH is_equiv style)
  --gold-is-solution      gold is a full solution: use its last \\boxed{} or "#### n"
  --last-number-fallback  with --extract markers: if pred has no answer marker, use its last number
  --rel-tol X             relative numeric tolerance (default 1e-9)
  --skip-bad-rows         skip malformed lines (reported and counted) instead of stopping at the first
  -h, --help              show this help

Exit codes: 0 success, 1 bad input (unreadable or malformed file), 2 usage error.`;

/** Why a parsed line is not a {pred, gold} row, or null. */
function rowProblem(row: unknown): string | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not a JSON object';
  const bad = ['pred', 'gold'].filter((k) => typeof (row as Record<string, unknown>)[k] !== 'string');
  return bad.length > 0 ? `field ${bad.join(' and ')} missing or not a string` : null;
}

export const gradeCommand: Command = {
  name: 'grade',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, {
      input: { type: 'string' },
      output: { type: 'string' },
      extract: { type: 'string' },
      'gold-is-solution': { type: 'boolean' },
      'last-number-fallback': { type: 'boolean' },
      'rel-tol': { type: 'string' },
      'skip-bad-rows': { type: 'boolean' },
    });
    if (!v) return (io.stdout(usage), 0);
    const input = requireString(v, 'input');
    const output = requireString(v, 'output');
    const extract = optChoice(v, 'extract', EXTRACT_MODES, 'markers');
    const relTol = optFloat(v, 'rel-tol', { min: 0 });
    if (v['last-number-fallback'] && extract !== 'markers') throw new UsageError('--last-number-fallback only applies to --extract markers');
    checkOutputFile(output, '--output', { '--input': input });
    const skip = Boolean(v['skip-bad-rows']);
    const opts: GradeCompletionOptions = {
      extract,
      goldIsSolution: Boolean(v['gold-is-solution']),
      lastNumberFallback: Boolean(v['last-number-fallback']),
      ...(relTol !== undefined ? { relTol } : {}),
    };
    const out: string[] = [];
    let graded = 0;
    let correct = 0;
    let malformed = 0;
    for (const l of utf8Lines(readRegularFile(input, { what: 'input file' }))) {
      if (l.text !== undefined && l.text.trim() === '') continue;
      const rec = l.error !== undefined ? { line: l.line, error: l.error } : parseJsonLine(l.text, l.line);
      const problem = rec.error ?? rowProblem(rec.value);
      if (problem !== null) {
        if (!skip) throw new CliInputError(`${input}:${l.line}: malformed line: ${problem} (pass --skip-bad-rows to skip such lines; they are counted)`);
        malformed++;
        io.stderr(`${input}:${l.line}: malformed line: ${problem}`);
        continue;
      }
      const row = rec.value as Record<string, unknown>;
      const g = gradeCompletion(row.pred as string, row.gold as string, opts);
      if (g.reason === 'no-answer-in-gold-solution') io.stderr(`${input}:${l.line}: warning: no \\boxed{} or #### answer in gold; graded as incorrect`);
      graded++;
      if (g.correct) correct++;
      out.push(JSON.stringify({ ...row, correct: g.correct, extracted: g.extracted }));
    }
    writeFileAtomic(output, out.length > 0 ? `${out.join('\n')}\n` : '');
    const acc = graded > 0 ? correct / graded : 0;
    io.stdout(`accuracy ${(acc * 100).toFixed(2)}% (${correct}/${graded} correct), ${graded} graded, ${malformed} malformed`);
    return 0;
  },
};
