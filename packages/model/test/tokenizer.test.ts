import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CharTokenizer, DEFAULT_CHAR_CHAT_TEMPLATE } from '../src/char-tokenizer';
import { HFTokenizer, loadTokenizer } from '../src/hf-tokenizer';
import { ConfigError, TokenizerError } from '../src/errors';
import { expectError } from './expect-error';
import { repoRoot, sharedDir } from '../../../test-support/shared-data';

const shared = sharedDir() ?? path.resolve(repoRoot, '../shared');
const qwen25Dir = path.join(shared, 'tokenizers', 'qwen2.5');
const qwen3Dir = path.join(shared, 'tokenizers', 'qwen3');
const haveQwen = fs.existsSync(path.join(qwen25Dir, 'tokenizer.json')) && fs.existsSync(path.join(qwen3Dir, 'tokenizer.json'));
if (!haveQwen) {
  console.warn(`tokenizer tests: ../shared is missing (${shared}/tokenizers/{qwen2.5,qwen3}); skipping the Qwen tokenizer tests. Set SOFTCOT_SHARED.`);
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-tok-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const ROUND_TRIP_TEXTS = [
  'Hello world',
  'héllo wörld — naïve café, Ångström',
  '日本語のテキストと中文文本',
  'emoji 🎉🚀👍🏽 and 👨‍👩‍👧',
  'LaTeX: \\boxed{\\frac{1}{2}} and $x^2 + y_i = \\sqrt{z}$',
  'line one\nline two\n\n\tindented\r\nwindows',
  'multiple    spaces   here  ',
  '  leading and trailing  ',
  'digits 12345 and 3.14159, -42',
  '<|im_start|>user\nhi<|im_end|>',
  '',
];

describe.skipIf(!haveQwen)('HFTokenizer (Qwen2.5)', () => {
  let tok: HFTokenizer;
  beforeAll(() => {
    tok = HFTokenizer.fromDir(qwen25Dir);
  });

  it('encodes "Hello world" to [9707, 1879]', () => {
    expect(tok.encode('Hello world')).toEqual([9707, 1879]);
    expect(tok.encode('Hello world', { addSpecialTokens: false })).toEqual([9707, 1879]);
    expect(tok.idToToken(9707)).toBe('Hello');
  });

  it('splits digits one by one', () => {
    expect(tok.encode('12345')).toHaveLength(5);
    expect(tok.encode('12345')).toEqual([16, 17, 18, 19, 20]);
  });

  it('decode(encode(x)) === x on varied text', () => {
    for (const text of ROUND_TRIP_TEXTS) expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('special tokens: no BOS, <|im_end|> eos, <|endoftext|> pad, stop ids', () => {
    expect(tok.bosTokenId).toBeNull();
    expect(tok.eosTokenId).toBe(151645);
    expect(tok.padTokenId).toBe(151643);
    expect(tok.encode('<|endoftext|>')).toEqual([151643]);
    expect(tok.encode('<|im_start|>')).toEqual([151644]);
    expect(new Set(tok.stopTokenIds)).toEqual(new Set([151645, 151643]));
    expect(tok.vocabSize).toBe(151665);
  });

  it('skipSpecialTokens and ids past the tokenizer vocab', () => {
    const ids = tok.encode('<|im_start|>user\nhi<|im_end|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
    expect(tok.decode([9707, 151900, 1879])).toBe('Hello world'); // unused embedding rows decode to nothing
    expect(tok.decode([])).toBe('');
  });

  it('chat template: system + user with generation prompt', () => {
    const text = tok.applyChatTemplate(
      [
        { role: 'system', content: 'You are a helpful math tutor.' },
        { role: 'user', content: 'What is 1+1?' },
      ],
      { addGenerationPrompt: true },
    );
    expect(text).toBe(
      '<|im_start|>system\nYou are a helpful math tutor.<|im_end|>\n<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(tok.hasChatTemplate).toBe(true);
  });

  it('chat template: default system prompt, no generation prompt', () => {
    const text = tok.applyChatTemplate([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
    expect(text).toBe(
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
    );
  });

  it('fromFiles works and reads generation_config.json eos ids from a folder', () => {
    const t = HFTokenizer.fromFiles(path.join(qwen25Dir, 'tokenizer.json'), path.join(qwen25Dir, 'tokenizer_config.json'));
    expect(t.encode('Hello world')).toEqual([9707, 1879]);
    const dir = path.join(tmp, 'qwen-gen');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(qwen25Dir, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    fs.copyFileSync(path.join(qwen25Dir, 'tokenizer_config.json'), path.join(dir, 'tokenizer_config.json'));
    fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [151645, 151643, 151646] }));
    expect(new Set(loadTokenizer(dir).stopTokenIds)).toEqual(new Set([151643, 151645, 151646]));
    fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: 'x' }));
    expectError(() => loadTokenizer(dir), ConfigError, 'generation_config.json', 'eos_token_id');
  });
});

describe.skipIf(!haveQwen)('HFTokenizer (Qwen3)', () => {
  let tok: HFTokenizer;
  let loadMs = 0;
  beforeAll(() => {
    const t0 = performance.now();
    tok = loadTokenizer(qwen3Dir) as HFTokenizer;
    loadMs = performance.now() - t0;
  });

  it('loads the 11 MB file (pair-form merges) quickly', () => {
    expect(tok).toBeInstanceOf(HFTokenizer);
    expect(loadMs).toBeLessThan(5000);
    expect(tok.encode('Hello world')).toEqual([9707, 1879]);
    expect(tok.encode('12345')).toEqual([16, 17, 18, 19, 20]);
    for (const text of ROUND_TRIP_TEXTS) expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('special tokens', () => {
    expect(tok.bosTokenId).toBeNull();
    expect(tok.eosTokenId).toBe(151645);
    expect(tok.padTokenId).toBe(151643);
    expect(tok.encode('<think>')).toEqual([151667]);
    expect(tok.encode('</think>')).toEqual([151668]);
    expect(tok.vocabSize).toBe(151669);
  });

  it('chat template with enable_thinking false / default', () => {
    const msgs = [{ role: 'user', content: 'What is 2+2?' }];
    expect(tok.applyChatTemplate(msgs, { addGenerationPrompt: true, enable_thinking: false })).toBe(
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
    expect(tok.applyChatTemplate(msgs, { addGenerationPrompt: true })).toBe('<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n');
  });
});

describe('malformed tokenizer files', () => {
  it('bad JSON, missing model, bad special tokens, missing folder', () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    const tj = path.join(dir, 'tokenizer.json');
    const tc = path.join(dir, 'tokenizer_config.json');
    fs.writeFileSync(tj, '{"model": {');
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tj, 'invalid JSON');
    expectError(() => loadTokenizer(dir), TokenizerError, 'tokenizer.json', 'invalid JSON');

    fs.writeFileSync(tj, JSON.stringify({ version: '1.0', added_tokens: [] }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tj, 'model');

    fs.writeFileSync(tj, JSON.stringify({ version: '1.0', added_tokens: [], model: { type: 'Nope', vocab: 3 } }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tj, 'model.type', 'model type "Nope" is not supported');
    fs.writeFileSync(tj, JSON.stringify({ version: '1.0', added_tokens: [], model: { type: 'BPE' } }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tj, 'model.vocab');
    fs.writeFileSync(tj, JSON.stringify({ version: '1.0', added_tokens: [], model: { type: 'BPE', vocab: {}, merges: [] }, pre_tokenizer: { type: 'Bogus' } }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tj, 'cannot build tokenizer');

    const char = new CharTokenizer('ab');
    fs.writeFileSync(tj, JSON.stringify(char.toTokenizerJson()));
    fs.writeFileSync(tc, '{"bos_token": ');
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tc, 'invalid JSON');
    fs.writeFileSync(tc, JSON.stringify({ eos_token: '<nope>' }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tc, 'eos_token', '"<nope>" is not in the vocabulary');
    fs.writeFileSync(tc, JSON.stringify({ eos_token: { content: '<eos>' }, bos_token: 5 }));
    expectError(() => HFTokenizer.fromDir(dir), TokenizerError, tc, 'bos_token');
    fs.writeFileSync(tc, JSON.stringify({ eos_token: { content: '<eos>', special: true } }));
    const t = HFTokenizer.fromDir(dir);
    expect(t.eosTokenId).toBe(2);
    expect(t.hasChatTemplate).toBe(false);
    expectError(() => t.applyChatTemplate([{ role: 'user', content: 'x' }]), TokenizerError, tc, 'no chat template');

    fs.writeFileSync(tc, JSON.stringify({ chat_template: '{% for m in messages %}{{ m.content }' }));
    expectError(() => HFTokenizer.fromDir(dir).applyChatTemplate([]), TokenizerError, tc, 'chat_template');

    expectError(() => loadTokenizer(path.join(tmp, 'nowhere')), TokenizerError, 'nowhere', 'tokenizer.json');
  });

  it('list-of-named-templates form, chat_template.jinja and raise_exception', () => {
    const dir = path.join(tmp, 'named');
    const char = new CharTokenizer('ab', { chatTemplate: null });
    char.save(dir);
    const tc = path.join(dir, 'tokenizer_config.json');
    const cfg = JSON.parse(fs.readFileSync(tc, 'utf8'));
    cfg.chat_template = [
      { name: 'default', template: '{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}' },
      { name: 'tool_use', template: 'T{{ extra }}' },
      { name: 'strict', template: "{{ raise_exception('roles must alternate') }}" },
    ];
    fs.writeFileSync(tc, JSON.stringify(cfg));
    const t = HFTokenizer.fromDir(dir);
    expect(t.applyChatTemplate([{ role: 'user', content: 'ab' }])).toBe('<bos>[ab]');
    expect(t.applyChatTemplate([], { templateName: 'tool_use', extra: 7 })).toBe('T7');
    expectError(() => t.applyChatTemplate([], { templateName: 'strict' }), TokenizerError, tc, 'roles must alternate');
    expectError(() => t.applyChatTemplate([], { templateName: 'missing' }), TokenizerError, 'no chat template named "missing"');

    delete cfg.chat_template;
    fs.writeFileSync(tc, JSON.stringify(cfg));
    fs.writeFileSync(path.join(dir, 'chat_template.jinja'), '{% for m in messages %}<{{ m.role }}>{% endfor %}');
    expect(HFTokenizer.fromDir(dir).applyChatTemplate([{ role: 'user', content: '' }])).toBe('<user>');
  });
});

describe('CharTokenizer', () => {
  const alphabet = '0123456789+-*/=() abcxyz\n';
  const tok = new CharTokenizer(alphabet);

  it('ids, encode/decode round trip, unknown chars and specials', () => {
    expect(tok.vocabSize).toBe(4 + Array.from(alphabet).length);
    expect([tok.padTokenId, tok.bosTokenId, tok.eosTokenId, tok.unkTokenId]).toEqual([0, 1, 2, 3]);
    expect(tok.stopTokenIds).toEqual([2]);
    expect(tok.encode('12+3', { addSpecialTokens: false })).toEqual([5, 6, 14, 7]);
    expect(tok.encode('12+3')).toEqual([1, 5, 6, 14, 7]);
    expect(tok.decode(tok.encode('(1+2)*3 = 9\n', { addSpecialTokens: false }))).toBe('(1+2)*3 = 9\n');
    expect(tok.encode('1?2', { addSpecialTokens: false })).toEqual([5, 3, 6]);
    expect(tok.encode('a🎉', { addSpecialTokens: false })).toEqual([4 + alphabet.indexOf('a'), 3]);
    expect(tok.encode('1<eos>', { addSpecialTokens: false })).toEqual([5, 2]);
    expect(tok.decode([1, 5, 2, 0, 0])).toBe('<bos>1<eos><pad><pad>');
    expect(tok.decode([1, 5, 3, 2, 0], { skipSpecialTokens: true })).toBe('1');
    expect(tok.idToToken(5)).toBe('1');
    expect(tok.idToToken(0)).toBe('<pad>');
    expect(tok.idToToken(999)).toBeUndefined();
  });

  it('chat template', () => {
    expect(tok.hasChatTemplate).toBe(true);
    expect(tok.applyChatTemplate([{ role: 'user', content: '1+1' }], { addGenerationPrompt: true })).toBe('user: 1+1\nassistant: ');
    const none = new CharTokenizer('ab', { chatTemplate: null });
    expect(none.hasChatTemplate).toBe(false);
    expectError(() => none.applyChatTemplate([{ role: 'user', content: 'a' }]), TokenizerError, 'no chat template');
  });

  it('rejects duplicate characters', () => {
    expectError(() => new CharTokenizer('abca'), TokenizerError, 'duplicate character "a"');
  });

  it('pieces: multi-character tokens after the characters, longest match first', () => {
    const pt = new CharTokenizer('ab =', { pieces: ['ab', 'ab=', 'b a'] });
    expect(pt.vocabSize).toBe(4 + 4 + 3);
    const [a, b, sp, eq, ab, abEq, bSpA] = [4, 5, 6, 7, 8, 9, 10];
    expect(pt.encode('ab=', { addSpecialTokens: false })).toEqual([abEq]); // 'ab=' beats its prefix 'ab'
    expect(pt.encode('abab', { addSpecialTokens: false })).toEqual([ab, ab]);
    expect(pt.encode('ab a', { addSpecialTokens: false })).toEqual([ab, sp, a]); // leftmost match wins over 'b a'
    expect(pt.encode('b ab<eos>', { addSpecialTokens: false })).toEqual([bSpA, b, 2]);
    expect(pt.encode('=a', { addSpecialTokens: false })).toEqual([eq, a]);
    expect(pt.idToToken(abEq)).toBe('ab=');
    expect(pt.decode([1, bSpA, abEq, 2], { skipSpecialTokens: true })).toBe('b aab=');
    expectError(() => new CharTokenizer('ab', { pieces: ['a'] }), TokenizerError, 'at least 2 characters');
    expectError(() => new CharTokenizer('ab', { pieces: ['ab', 'ab'] }), TokenizerError, 'duplicate piece "ab"');
    expectError(() => new CharTokenizer('ab', { pieces: ['<eos>'] }), TokenizerError, 'also a special token');
  });

  it.each([
    ['characters only', tok],
    ['with pieces', new CharTokenizer(alphabet, { pieces: ['The answer is: ', '\\boxed{', '= 9', '12'] })],
  ])('save -> loadTokenizer gives a real HF tokenizer.json with identical ids and text (%s)', (_name, tok) => {
    const dir = path.join(tmp, `char-model-${tok.pieces.length}`);
    tok.save(dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
    expect(json.model.type).toBe('BPE');
    expect(json.model.merges).toEqual([]);
    expect(json.decoder).toEqual({ type: 'Fuse' });
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(cfg.chat_template).toBe(DEFAULT_CHAR_CHAT_TEMPLATE);

    const loaded = loadTokenizer(dir);
    expect(loaded).toBeInstanceOf(HFTokenizer);
    expect(loaded.vocabSize).toBe(tok.vocabSize);
    expect([loaded.padTokenId, loaded.bosTokenId, loaded.eosTokenId]).toEqual([0, 1, 2]);
    expect(loaded.stopTokenIds).toEqual([2]);
    const texts = ['12+3', '(1+2)*3 = 9\n', '  spaced  out  ', 'unknown ?! chars é 🎉', '1<eos><pad>2<bos>', 'x<unk>y', '', 'abc\n\nxyz', '112 = 99 The answer is: \\boxed{12}'];
    for (const text of texts) {
      for (const addSpecialTokens of [true, false]) {
        const ids = tok.encode(text, { addSpecialTokens });
        expect(loaded.encode(text, { addSpecialTokens }), JSON.stringify(text)).toEqual(ids);
        for (const skipSpecialTokens of [true, false]) {
          expect(loaded.decode(ids, { skipSpecialTokens })).toBe(tok.decode(ids, { skipSpecialTokens }));
        }
      }
    }
    expect(loaded.decode(tok.encode('(1+2)*3 = 9\n', { addSpecialTokens: false }))).toBe('(1+2)*3 = 9\n');
    for (let id = 0; id < tok.vocabSize; id++) expect(loaded.idToToken(id)).toBe(tok.idToToken(id));
    const msgs = [
      { role: 'system', content: 'solve' },
      { role: 'user', content: '1+1' },
    ];
    expect(loaded.applyChatTemplate(msgs, { addGenerationPrompt: true })).toBe(tok.applyChatTemplate(msgs, { addGenerationPrompt: true }));
  });
});

describe.skipIf(!haveQwen)('HFTokenizer.save', () => {
  it('writes a folder that loads to the same tokenizer (ids, specials, chat template)', () => {
    const tok = HFTokenizer.fromDir(qwen25Dir);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'softcot-hfsave-'));
    tok.save(dir);
    const again = loadTokenizer(dir);
    const text = 'Hello world: \\boxed{\\frac{1}{2}} 12345 ünïcödé';
    expect(again.encode(text)).toEqual(tok.encode(text));
    expect(again.stopTokenIds).toEqual(tok.stopTokenIds);
    const messages = [{ role: 'user', content: 'hi' }];
    expect(again.applyChatTemplate(messages, { addGenerationPrompt: true })).toBe(tok.applyChatTemplate(messages, { addGenerationPrompt: true }));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
