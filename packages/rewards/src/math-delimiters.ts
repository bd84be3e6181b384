// LaTeX math delimiters in free text: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. Found by a linear scan
// (no regex backtracking), so 100 kB outputs cost microseconds.

/** A math environment in a text: its content and the span of the whole environment, delimiters included. */
export interface MathEnv {
  content: string;
  start: number;
  end: number;
}

/** Strip surrounding math delimiters, markdown emphasis and a trailing period: `$5$.` -> `5`. */
export function stripDelimiters(s: string): string {
  let t = s.trim();
  for (let k = 0; k < 3; k++) {
    const before = t;
    t = t.replace(/(?<![.])[.。]$/, '').trim(); // one period: an ellipsis `…, ...` is part of the answer
    // markdown emphasis around the answer: **72**, *72*
    t = t.replace(/^\*+\s*|\s*\*+$/g, '').trim();
    if (t.startsWith('$$') && t.endsWith('$$') && t.length >= 4) t = t.slice(2, -2).trim();
    else if (t.startsWith('$') && t.endsWith('$') && t.length >= 2 && !t.slice(1, -1).includes('$')) t = t.slice(1, -1).trim();
    else if (t.startsWith('\\(') && t.endsWith('\\)')) t = t.slice(2, -2).trim();
    else if (t.startsWith('\\[') && t.endsWith('\\]')) t = t.slice(2, -2).trim();
    if (t === before) break;
  }
  return t;
}

const MULTILINE_BEGIN = /^\\begin\{(align\*?|aligned|equation\*?|gather\*?|eqnarray\*?|multline\*?)\}/;
const MULTILINE_WRAPPED = /^\\begin\{(align\*?|aligned|equation\*?|gather\*?|eqnarray\*?|multline\*?|split)\}([\s\S]*)\\end\{\1\}$/;

/**
 * The result of a multi-line derivation (`\begin{align*} … &= 3s^2. \end{align*}`, also inside `\[ … \]`):
 * its last line without alignment marks or a leading `=`. Other formulas are returned unchanged.
 */
export function lastLineOfDerivation(content: string): string {
  const m = MULTILINE_WRAPPED.exec(content.trim());
  if (!m) return content;
  const rows = m[2]!.split(/\\\\/).map((r) => r.replace(/&/g, ' ').replace(/\\(?:nonumber|notag)\b/g, '').trim()).filter((r) => r !== '');
  const last = rows[rows.length - 1] ?? '';
  return last.replace(/^(?:=|\\leq|\\geq|<|>|\\approx)\s*/, '');
}

/** Index of the next unescaped occurrence of `close` at or after `from`, or -1 (stops at a newline when `inline`). */
function findClose(text: string, from: number, close: string, inline: boolean): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inline && c === '\n') return -1;
    if (text.startsWith(close, i) && (close[0] === '\\' || text[i - 1] !== '\\')) return i;
    // `\$` inside `$…$` is a literal dollar, skip the escaped character
    if (c === '\\' && close[0] !== '\\') i++;
  }
  return -1;
}

/**
 * Every math environment of `text`, in order. Display forms (`$$…$$`, `\[…\]`) may span lines; inline
 * forms (`$…$`, `\(…\)`) may not, as in Math-Verify. An escaped `\$` is a currency sign, not a delimiter.
 */
export function findMathEnvs(text: string, maxEnvs = 2000): MathEnv[] {
  const envs: MathEnv[] = [];
  let i = 0;
  while (i < text.length && envs.length < maxEnvs) {
    const c = text[i];
    let open = '';
    let close = '';
    let inline = false;
    const multiline = c === '\\' ? MULTILINE_BEGIN.exec(text.slice(i, i + 24)) : null;
    if (multiline) {
      // \begin{align*} … \end{align*} and friends: a display formula of several lines
      const close = `\\end{${multiline[1]}}`;
      const at = text.indexOf(close, i + multiline[0].length);
      if (at < 0) {
        i += multiline[0].length;
        continue;
      }
      envs.push({ content: text.slice(i, at + close.length), start: i, end: at + close.length });
      i = at + close.length;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '(' || text[i + 1] === '[')) {
      open = text.slice(i, i + 2);
      close = text[i + 1] === '(' ? '\\)' : '\\]';
      inline = text[i + 1] === '(';
    } else if (c === '\\') {
      i += 2; // any other escape, including \$
      continue;
    } else if (c === '$') {
      open = text[i + 1] === '$' ? '$$' : '$';
      close = open;
      inline = open === '$';
    } else {
      i++;
      continue;
    }
    const at = findClose(text, i + open.length, close, inline);
    if (at < 0) {
      i += open.length;
      continue;
    }
    const content = text.slice(i + open.length, at);
    if (content.trim() !== '') envs.push({ content, start: i, end: at + close.length });
    i = at + close.length;
  }
  return envs;
}
