// The CoT stop string with real BPE tokenizers (method.md §2): Qwen attaches the stop string's trailing space to the
// next token (" is" ":" " \\boxed"), so the stop must fire on "…is:" and the prefill must supply the space.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initModel, loadTokenizer, makeConfigJson, parseModelConfig, type Tokenizer } from '@softcot/model';
import { getPromptFormat, type PromptFormat } from '@softcot/data';
import { resolveCot } from '@softcot/mixer';
import { cotEnd, rollout } from '@softcot/rollout';
import { scriptedModel } from './scripted';
import { repoRoot, sharedDir } from '../../../test-support/shared-data';

tf.setBackend('cpu');

const shared = sharedDir() ?? path.resolve(repoRoot, '../shared');
const TOKENIZERS = ['qwen2.5', 'qwen3'].map((name) => ({ name, dir: path.join(shared, 'tokenizers', name) }));
const have = TOKENIZERS.every((t) => fs.existsSync(path.join(t.dir, 'tokenizer.json')));
if (!have) console.warn(`stop-bpe tests: ../shared is missing (${shared}/tokenizers/{qwen2.5,qwen3}); skipping them. Set SOFTCOT_SHARED.`);

/** A natural completion per format: the CoT as the model would write it, the prefill the engine must feed, the answer. */
const CASES: Record<string, { cot: string; prefill: string; answer: string }> = {
  paper: { cot: 'So 6*7=42. The final answer is:', prefill: ' \\boxed{', answer: '42}' },
  chat: { cot: 'We need 1/2. The final answer is:', prefill: ' \\boxed{', answer: '\\frac{1}{2}}' },
  r1: { cot: '3+4=7 </think> <answer', prefill: '>', answer: '7</answer>' },
};

function formatFor(name: string, tokenizer: Tokenizer): PromptFormat {
  return getPromptFormat(name, name === 'chat' ? { tokenizer } : {});
}

describe.skipIf(!have)('the CoT stop with real Qwen tokenizers', () => {
  for (const { name, dir } of TOKENIZERS) {
    const tokenizer = loadTokenizer(dir);
    const stopIds = new Set(tokenizer.stopTokenIds);

    for (const [formatName, c] of Object.entries(CASES)) {
      const format = formatFor(formatName, tokenizer);

      it(`${name}, ${formatName} format: the stop fires on the token that completes it, and the prefill supplies the rest`, () => {
        // Tokenize the whole natural text, as a model trained on it would emit it, and step through it.
        const ids = tokenizer.encode(c.cot + c.prefill + c.answer, { addSpecialTokens: false });
        let end: ReturnType<typeof cotEnd> = null;
        let n = 0;
        while (end === null && n < ids.length) {
          n++;
          end = cotEnd(ids.slice(0, n), ids[n - 1]!, stopIds, tokenizer, format.cotStop, 1000);
        }
        expect(end?.reason).toBe('stop-string');
        expect(tokenizer.decode(ids.slice(0, n))).toBe(c.cot);
        expect(end!.missing + format.prefillAfterStop).toBe(c.prefill);
        // One token earlier the stop has not fired.
        expect(cotEnd(ids.slice(0, n - 1), ids[n - 2]!, stopIds, tokenizer, format.cotStop, 1000)).toBeNull();
      });

      for (const mode of ['hard', 'soft'] as const) {
        it(`${name}, ${formatName} format, ${mode} rollout (${mode === 'hard' ? 'sampled' : 'shadow'} text): CoT, prefill and completion text exact`, () => {
          const question = 'What is 6 times 7?';
          const promptIds = tokenizer.encode(format.render(question));
          const cotIds = tokenizer.encode(c.cot, { addSpecialTokens: false });
          const prefillIds = tokenizer.encode(c.prefill, { addSpecialTokens: false });
          const answerIds = tokenizer.encode(c.answer, { addSpecialTokens: false });
          // Outputs read while the prefill is fed are ignored by the engine: script anything there.
          const script = [...cotIds, ...prefillIds, ...answerIds];
          const config = parseModelConfig(makeConfigJson('qwen2', { vocabSize: tokenizer.vocabSize, hiddenSize: 8, intermediateSize: 16, numLayers: 1, numHeads: 2, tieWordEmbeddings: true }));
          const model = scriptedModel(initModel(config, 1), [script], () => promptIds.length);
          const [t] = rollout(model, tokenizer, [question], { cot: resolveCot({ mode, greedy: true }), format, maxCotTokens: 64, maxAnswerTokens: 16, seed: 1 });
          model.dispose();
          expect(t!.cotStop).toBe('stop-string');
          expect(t!.cotTokens).toEqual(cotIds);
          expect(t!.cotText).toBe(c.cot);
          expect(t!.prefillText).toBe(c.prefill);
          expect(t!.prefillIds).toEqual(prefillIds);
          expect(t!.answerText).toBe(c.answer);
          expect(t!.answerStop).toBe('complete');
          expect(t!.completion).toBe(c.cot + c.prefill + c.answer);
        });
      }
    }
  }
});
