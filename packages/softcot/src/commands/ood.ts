// softcot ood: out-of-domain multiple-choice accuracy and per-token NLL of the correct answer.
import * as path from 'node:path';
import { writeJsonAtomic } from '@softcot/base';
import { MC_KINDS, evaluateOod, loadMcItems, mcItemsFromOod, type McKind } from '@softcot/eval';
import { oodTextSet } from '@softcot/data';
import { BACKEND_HELP, BACKEND_OPTION, UsageError, optChoice, optInt, optString, parseFlags, progressReporter, requireString, selectBackend, type Command } from '../args';
import { loadModelDir } from './inputs';

const usage = `Usage: softcot ood --model DIR --data FILE|synthetic [--kind K] [--limit N] [--out DIR] [--backend B]

Out-of-domain preservation: multiple-choice accuracy by scoring each option's continuation
(sum and per-token mean log-likelihood; argmax) and the per-token NLL of the correct answer.
Accepted rows (JSONL or JSON array), see docs/evaluation.md:
  hellaswag  {ctx | ctx_a, ctx_b, endings: [..], label}
  arc        {question, choices: {text: [..], label: [..]} | [..], answerKey}
  mmlu       {question, choices: [..], answer: index | letter}
  synthetic  oodTextSet items {question, choices, answerKey, answerIndex, template}
--data synthetic uses 200 generated oodTextSet items (seed --seed).

Options:
  --model DIR          model folder with tokenizer.json
  --data FILE          items file, or "synthetic"
  --kind K             ${MC_KINDS.join(' | ')} (default auto: detected per row)
  --limit N            first N items
  --out DIR            write ood.json (summary + per-item scores)
  --seed N             seed of --data synthetic (default 0)
${BACKEND_HELP}
  -h, --help           show this help`;

export const oodCommand: Command = {
  name: 'ood',
  usage,
  async run(argv, io) {
    const v = parseFlags(argv, { model: { type: 'string' }, data: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, ...BACKEND_OPTION });
    if (!v) return (io.stdout(usage), 0);
    const modelDir = requireString(v, 'model');
    const data = requireString(v, 'data');
    const kind = optChoice(v, 'kind', MC_KINDS, 'auto') as McKind | 'auto';
    const limit = optInt(v, 'limit', { min: 1 });
    const seed = optInt(v, 'seed') ?? 0;
    if (data === 'synthetic' && kind !== 'auto' && kind !== 'synthetic') throw new UsageError('--data synthetic goes with --kind synthetic or auto');
    const items = data === 'synthetic' ? mcItemsFromOod(oodTextSet({ n: limit ?? 200, seed })) : loadMcItems(data, { kind, ...(limit !== undefined ? { limit } : {}) });
    await selectBackend(v);
    const { model, tokenizer } = loadModelDir(modelDir);
    try {
      const res = evaluateOod(model, tokenizer!, items, { onProgress: progressReporter(io, 'items') });
      const s = res.summary;
      io.stdout(`items ${s.items}  accuracy ${(100 * s.accuracy).toFixed(1)}%  accuracy(norm) ${(100 * s.accuracyNorm).toFixed(1)}%  answer NLL/token ${s.answerNll.toFixed(4)} nats`);
      const out = optString(v, 'out');
      if (out) {
        const file = path.join(out, 'ood.json');
        writeJsonAtomic(file, { meta: { model: modelDir, data, kind }, ...res });
        io.stdout(`wrote ${file}`);
      }
    } finally {
      model.dispose();
    }
    return 0;
  },
};
