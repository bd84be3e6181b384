// The characters a synthetic task's texts use, to build a CharTokenizer.
import type { PromptFormat } from '../prompts';
import { ARITH_OPS, type ArithOp } from './arithmetic';
import { finishSolution, syntheticPromptFormat } from './format';
import { oodCharacters } from './ood-texts';

export type SyntheticTask = 'arithmetic' | 'ood' | 'all';

export interface AlphabetOptions {
  /** Prompt format(s) whose fixed strings are included (default: both synthetic formats, paper and r1, empty instruction). */
  format?: PromptFormat | PromptFormat[];
  /** Arithmetic: ops used (default + - *). */
  ops?: readonly ArithOp[];
  /** Arithmetic: include the ` mod N` question suffix (default false). */
  modulus?: boolean;
}

function formatChars(format: PromptFormat): string {
  // Everything a format adds around the task text: the prompt wrapper, stop, prefills, answer wrappers and
  // the synthetic solution endings of both styles.
  return (
    format.render('') +
    format.cotStop +
    format.prefillAfterStop +
    format.prefillAfterMaxLength +
    format.answerTarget('') +
    format.completionText('', '', '') +
    ' '
  );
}

/**
 * The set of characters (sorted by code point) that a synthetic task's texts use: prompt rendering, solution,
 * answer, answer target and prefills. Build a CharTokenizer from it; `'all'` covers every task and both styles.
 */
export function syntheticAlphabet(task: SyntheticTask, opts: AlphabetOptions = {}): string[] {
  const formats = opts.format === undefined ? [syntheticPromptFormat('paper'), syntheticPromptFormat('r1')] : Array.isArray(opts.format) ? opts.format : [opts.format];
  let s = formats.map(formatChars).join('');
  // Solution endings (finishSolution) of the styles the formats stand for (r1 for an 'r1' format, else paper).
  for (const f of formats) s += finishSolution('', '0123456789', f.name === 'r1' ? 'r1' : 'paper');
  if (task === 'arithmetic' || task === 'all') {
    s += '0123456789=. ' + (task === 'all' ? ARITH_OPS : (opts.ops ?? ARITH_OPS)).join('');
    if (opts.modulus || task === 'all') s += ' mod ';
  }
  if (task === 'ood' || task === 'all') s += oodCharacters();
  return [...new Set([...s])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
