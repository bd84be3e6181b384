// Brace matching shared by extraction and normalisation. Iterative (no recursion), so 10k-deep
// nesting cannot overflow the stack, and linear in the input.

/** Index of the `}` closing the `{` at `open`, or -1 when unbalanced. Escaped `\{` / `\}` do not count. */
export function matchBrace(s: string, open: number, openCh = '{', closeCh = '}'): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++; // skip the escaped character (\{ \} are literal braces in LaTeX)
      continue;
    }
    if (c === openCh) depth++;
    else if (c === closeCh) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The argument of a LaTeX command starting at `pos` (after the command name): a braced group, or
 * for the brace-less forms (`\boxed 5`, `\frac12`) a single token. Returns [content, endIndex) or null.
 */
export function readArgument(s: string, pos: number, bareToken: 'char' | 'word' = 'char'): [string, number] | null {
  let i = pos;
  while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n')) i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    const close = matchBrace(s, i);
    if (close < 0) return null;
    return [s.slice(i + 1, close), close + 1];
  }
  if (s[i] === '\\') {
    // a control word like \pi counts as one token
    let j = i + 1;
    while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
    if (j === i + 1) j++;
    return [s.slice(i, j), j];
  }
  if (bareToken === 'word') {
    // `\boxed 5.5` / `\boxed -3`: everything up to whitespace or a math delimiter
    let j = i;
    while (j < s.length && !/[\s$]/.test(s[j]!)) j++;
    return [s.slice(i, j), j];
  }
  if (s[i] === '}' ) return null;
  return [s[i]!, i + 1];
}

const BOX_RE = /\\(boxed|fbox)(?![A-Za-z])/g;

export type BoxCommand = 'boxed' | 'fbox';

/** One `\boxed{…}` / `\fbox{…}` found in a text: its content and where it starts and ends. */
export interface Box {
  content: string;
  command: BoxCommand;
  /** Index of the backslash of `\boxed`. */
  start: number;
  /** Index just past the closing brace (or past the bare token of `\boxed 5`). */
  end: number;
}

/**
 * State of the last box opener in a text: `closed` with its content, `unclosed` (a truncated or
 * never-finished `\boxed{`), `empty` (`\boxed{}` or only spaces), or `none`.
 */
export type LastBoxState = { state: 'closed'; box: Box } | { state: 'unclosed' | 'empty' | 'none' };

function boxStarts(text: string): Array<[number, number, BoxCommand]> {
  const starts: Array<[number, number, BoxCommand]> = [];
  BOX_RE.lastIndex = 0;
  for (let m = BOX_RE.exec(text); m; m = BOX_RE.exec(text)) starts.push([m.index, m.index + m[0].length, m[1] as BoxCommand]);
  return starts;
}

function readBox(text: string, start: number, afterCommand: number, command: BoxCommand): Box | null {
  const arg = readArgument(text, afterCommand, 'word');
  if (!arg) return null;
  return { content: arg[0].trim(), command, start, end: arg[1] };
}

/** The last box opener of `text` and whether it closes with non-empty content (no fallback to earlier boxes). */
export function lastBoxState(text: string): LastBoxState {
  const starts = boxStarts(text);
  const last = starts[starts.length - 1];
  if (!last) return { state: 'none' };
  const box = readBox(text, last[0], last[1], last[2]);
  if (!box) return { state: 'unclosed' };
  return box.content === '' ? { state: 'empty' } : { state: 'closed', box };
}

/**
 * The closed, non-empty boxes of `text`, last first, at most `limit` of them. Bounded: each attempt
 * stops at the first balancing brace, and only the last `limit` openers are tried.
 */
export function closedBoxes(text: string, limit = 20): Box[] {
  const starts = boxStarts(text);
  const out: Box[] = [];
  for (let k = starts.length - 1; k >= 0 && k >= starts.length - limit; k--) {
    const [start, after, command] = starts[k]!;
    const box = readBox(text, start, after, command);
    if (box && box.content !== '') out.push(box);
  }
  return out;
}

/**
 * The last complete `\boxed{}` (or `\fbox{}` / `\boxed x`) of a reference solution, by brace matching;
 * null if none. An unbalanced last box falls back to the previous complete one: reference solutions
 * are not truncated, so a stray `\boxed{` there is a typo, not a missing answer.
 */
export function lastBoxedContent(text: string): string | null {
  if (typeof text !== 'string') return null;
  return closedBoxes(text)[0]?.content ?? null;
}

/** True when every unescaped `{` has its `}` (and none closes early). Linear. */
export function bracesBalanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}
