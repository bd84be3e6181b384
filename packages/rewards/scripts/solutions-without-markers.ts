// Reference solutions with their answer markers removed (`\boxed{X}` -> `X`, `#### n` -> `The answer is n`):
// model-like free text whose answer the `math-verify` extraction must find. Used by bench-grade.ts and
// agreement.ts.
import { matchBrace } from '../src/braces';

export function withoutMarkers(solution: string): string {
  let out = solution;
  for (let at = out.indexOf('\\boxed{'); at >= 0; at = out.indexOf('\\boxed{', at)) {
    const close = matchBrace(out, at + 6);
    if (close < 0) break;
    out = out.slice(0, at) + out.slice(at + 7, close) + out.slice(close + 1);
  }
  return out.replace(/####/g, 'The answer is');
}
