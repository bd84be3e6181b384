// `softcot grade`: grade a JSONL file of {pred, gold} rows. The umbrella CLI calls runGradeCommand.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EXTRACT_MODES, type ExtractMode } from './extract';
import { gradeCompletion, type GradeCompletionOptions } from './grade-completion';

export interface CommandIO {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const HELP = `Usage: softcot grade --input preds.jsonl --output verdicts.jsonl [options]

Grade model outputs against reference answers (math-answer equivalence, see docs/grader.md).

Each input line is a JSON object with string fields:
  pred   the model output: free text, read as --extract says
  gold   the reference answer (or a whole reference solution with --gold-is-solution)
Each output line is the input object, every field kept, plus "correct" (boolean) and
"extracted" (the answer taken from pred, or null). Blank lines are skipped. Malformed lines
(bad JSON, missing or non-string pred/gold) are reported on stderr with their line number and
are NOT written to the output. The output is written atomically (temp file + rename).
A summary line (accuracy, count, malformed) is printed to stdout.

Options:
  --input FILE            input JSONL (required)
  --output FILE           output JSONL (required)
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
  --help                  show this help

Exit codes: 0 success, 2 usage error or unreadable input.`;

const defaultIO: CommandIO = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
};

interface Args {
  input?: string;
  output?: string;
  goldIsSolution: boolean;
  lastNumberFallback: boolean;
  extract: ExtractMode;
  relTol?: number;
  help: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { goldIsSolution: false, lastNumberFallback: false, extract: 'markers', help: false };
  // tolerate being handed the subcommand name itself
  const list = argv[0] === 'grade' ? argv.slice(1) : argv;
  for (let i = 0; i < list.length; i++) {
    const raw = list[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string | undefined => (inline !== undefined ? inline : list[++i]);
    switch (flag) {
      case '--help': case '-h': a.help = true; break;
      case '--input': a.input = value(); if (!a.input) return '--input needs a file path'; break;
      case '--output': a.output = value(); if (!a.output) return '--output needs a file path'; break;
      case '--gold-is-solution': a.goldIsSolution = true; break;
      case '--last-number-fallback': a.lastNumberFallback = true; break;
      case '--extract': {
        const v = value();
        if (!EXTRACT_MODES.includes(v as ExtractMode)) return `--extract must be one of ${EXTRACT_MODES.join(', ')}, got ${v ?? 'nothing'}`;
        a.extract = v as ExtractMode;
        break;
      }
      case '--rel-tol': {
        const v = value();
        const x = v === undefined ? NaN : Number(v);
        if (!Number.isFinite(x) || x < 0) return `--rel-tol needs a non-negative number, got ${v ?? 'nothing'}`;
        a.relTol = x;
        break;
      }
      default: return `unknown argument: ${raw}`;
    }
  }
  return a;
}

/** Implements `softcot grade`. Returns the exit code; never throws for bad input. */
export async function runGradeCommand(argv: string[], io: CommandIO = defaultIO): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`softcot grade: ${args}`);
    io.stderr('Run `softcot grade --help` for usage.');
    return 2;
  }
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!args.input || !args.output) {
    io.stderr(`softcot grade: ${!args.input ? '--input' : '--output'} is required`);
    return 2;
  }
  let text: string;
  try {
    text = await fs.readFile(args.input, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr(`softcot grade: cannot read input file ${args.input}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
    return 2;
  }
  if (args.lastNumberFallback && args.extract !== 'markers') {
    io.stderr('softcot grade: --last-number-fallback only applies to --extract markers');
    return 2;
  }
  const opts: GradeCompletionOptions = {
    extract: args.extract,
    goldIsSolution: args.goldIsSolution,
    lastNumberFallback: args.lastNumberFallback,
    ...(args.relTol !== undefined ? { relTol: args.relTol } : {}),
  };
  const out: string[] = [];
  let graded = 0;
  let correct = 0;
  let malformed = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const lineNo = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      malformed++;
      io.stderr(`${args.input}:${lineNo}: malformed line: not valid JSON`);
      continue;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      malformed++;
      io.stderr(`${args.input}:${lineNo}: malformed line: not a JSON object`);
      continue;
    }
    const obj = row as Record<string, unknown>;
    const bad = ['pred', 'gold'].filter((k) => typeof obj[k] !== 'string');
    if (bad.length > 0) {
      malformed++;
      io.stderr(`${args.input}:${lineNo}: malformed line: field ${bad.join(' and ')} missing or not a string`);
      continue;
    }
    const g = gradeCompletion(obj.pred as string, obj.gold as string, opts);
    if (g.reason === 'no-answer-in-gold-solution') {
      io.stderr(`${args.input}:${lineNo}: warning: no \\boxed{} or #### answer in gold; graded as incorrect`);
    }
    graded++;
    if (g.correct) correct++;
    out.push(JSON.stringify({ ...obj, correct: g.correct, extracted: g.extracted }));
  }
  const tmp = path.join(path.dirname(path.resolve(args.output)), `.${path.basename(args.output)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, out.length > 0 ? `${out.join('\n')}\n` : '');
    await fs.rename(tmp, args.output);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    io.stderr(`softcot grade: cannot write output file ${args.output}: ${(err as Error).message}`);
    return 2;
  }
  const acc = graded > 0 ? correct / graded : 0;
  io.stdout(`accuracy ${(acc * 100).toFixed(2)}% (${correct}/${graded} correct), ${graded} graded, ${malformed} malformed`);
  return 0;
}
