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

/** Content and command of the last well-formed \boxed / \fbox in `text` (brace matched), or null. */
export function lastBox(text: string): { content: string; command: 'boxed' | 'fbox' } | null {
  const starts: Array<[number, 'boxed' | 'fbox']> = [];
  BOX_RE.lastIndex = 0;
  for (let m = BOX_RE.exec(text); m; m = BOX_RE.exec(text)) starts.push([m.index + m[0].length, m[1] as 'boxed' | 'fbox']);
  // Try from the last one backwards: an unbalanced last box (truncated generation) falls back to
  // the previous complete one. Bounded: each attempt stops at the first balancing brace.
  for (let k = starts.length - 1; k >= 0 && k >= starts.length - 20; k--) {
    const [pos, command] = starts[k]!;
    const arg = readArgument(text, pos, 'word');
    if (arg && arg[0].trim() !== '') return { content: arg[0].trim(), command };
  }
  return null;
}

/** The last `\boxed{}` (or `\fbox{}` / `\boxed x`) of a solution, by brace matching; null if none. */
export function lastBoxedContent(text: string): string | null {
  if (typeof text !== 'string') return null;
  return lastBox(text)?.content ?? null;
}
