// A character-level tokenizer for synthetic tasks that saves itself as a real HF tokenizer.json (BPE with a char
// vocab and no merges, Fuse decoder), so its checkpoints load anywhere an HF folder does.
import * as path from 'node:path';
import { writeJsonAtomic } from '@softcot/base';
import { ChatTemplates } from './chat-template';
import { TokenizerError } from './errors';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, type ChatMessage, type ChatTemplateOptions, type Tokenizer } from './tokenizer';

export const DEFAULT_CHAR_CHAT_TEMPLATE =
  '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}assistant: {% endif %}';

export interface CharTokenizerOptions {
  pad?: string;
  bos?: string;
  eos?: string;
  unk?: string;
  /** Jinja chat template; null for none (applyChatTemplate then throws). Default DEFAULT_CHAR_CHAT_TEMPLATE. */
  chatTemplate?: string | null;
  /**
   * Multi-character tokens, e.g. a prompt format's fixed phrases (`The final answer is: `), with ids after the
   * characters in this order. Encoding takes the longest piece or special token that starts at each position, else
   * one character, so a phrase the model writes often is one step (one action) instead of one per character.
   */
  pieces?: readonly string[];
}

/**
 * Character-level tokenizer: ids 0..3 are `<pad>`, `<bos>`, `<eos>`, `<unk>`, then one id per alphabet character
 * (Unicode code points, in alphabet order), then one per multi-character piece (`pieces`). Special-token strings and
 * pieces appearing in the text encode to their ids (as HF tokenizers do for added tokens). `save(dir)` writes an
 * equivalent HF tokenizer.json + tokenizer_config.json.
 */
export class CharTokenizer implements Tokenizer {
  readonly chars: string[];
  readonly pieces: string[];
  readonly specials: { pad: string; bos: string; eos: string; unk: string };
  readonly padTokenId = 0;
  readonly bosTokenId = 1;
  readonly eosTokenId = 2;
  readonly unkTokenId = 3;
  readonly vocabSize: number;
  readonly stopTokenIds: number[];
  readonly chatTemplate: string | null;
  private readonly charToId = new Map<string, number>();
  /** Specials and pieces with their ids, longest first: the first one that matches at a position is the longest. */
  private readonly multiChar: Array<[string, number]>;
  private readonly templates: ChatTemplates;

  constructor(alphabet: string, opts: CharTokenizerOptions = {}) {
    this.specials = { pad: opts.pad ?? '<pad>', bos: opts.bos ?? '<bos>', eos: opts.eos ?? '<eos>', unk: opts.unk ?? '<unk>' };
    const specialList = [this.specials.pad, this.specials.bos, this.specials.eos, this.specials.unk];
    if (specialList.some((s) => typeof s !== 'string' || s === '') || new Set(specialList).size !== 4) {
      throw new TokenizerError(`special tokens must be 4 distinct non-empty strings, got ${JSON.stringify(specialList)}`, { field: 'CharTokenizer special tokens' });
    }
    this.chars = Array.from(alphabet);
    this.chars.forEach((c, i) => {
      if (this.charToId.has(c)) throw new TokenizerError(`duplicate character ${JSON.stringify(c)}`, { field: 'CharTokenizer alphabet' });
      if (specialList.includes(c)) throw new TokenizerError(`character ${JSON.stringify(c)} is also a special token`, { field: 'CharTokenizer alphabet' });
      this.charToId.set(c, 4 + i);
    });
    this.pieces = [...(opts.pieces ?? [])];
    const pieceSet = new Set<string>();
    for (const p of this.pieces) {
      if (typeof p !== 'string' || Array.from(p).length < 2) throw new TokenizerError(`pieces must be strings of at least 2 characters, got ${JSON.stringify(p)}`, { field: 'CharTokenizer pieces' });
      if (pieceSet.has(p)) throw new TokenizerError(`duplicate piece ${JSON.stringify(p)}`, { field: 'CharTokenizer pieces' });
      if (specialList.includes(p)) throw new TokenizerError(`piece ${JSON.stringify(p)} is also a special token`, { field: 'CharTokenizer pieces' });
      pieceSet.add(p);
    }
    this.vocabSize = 4 + this.chars.length + this.pieces.length;
    this.stopTokenIds = [this.eosTokenId];
    this.chatTemplate = opts.chatTemplate === undefined ? DEFAULT_CHAR_CHAT_TEMPLATE : opts.chatTemplate;
    const templates = new Map<string, string>();
    if (this.chatTemplate !== null) templates.set('default', this.chatTemplate);
    this.templates = new ChatTemplates(templates, undefined, {
      bos_token: this.specials.bos,
      eos_token: this.specials.eos,
      pad_token: this.specials.pad,
      unk_token: this.specials.unk,
    });
    // longest first, so a special or piece that is a prefix of another cannot shadow it
    this.multiChar = [...specialList.map((t, i) => [t, i] as [string, number]), ...this.pieces.map((p, k) => [p, 4 + this.chars.length + k] as [string, number])];
    this.multiChar.sort((a, b) => b[0].length - a[0].length);
  }

  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    const ids: number[] = [];
    if (opts.addSpecialTokens ?? true) ids.push(this.bosTokenId);
    let i = 0;
    while (i < text.length) {
      const multi = this.multiChar.find(([t]) => text.startsWith(t, i));
      if (multi !== undefined) {
        ids.push(multi[1]);
        i += multi[0].length;
        continue;
      }
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      ids.push(this.charToId.get(ch) ?? this.unkTokenId);
      i += ch.length;
    }
    return ids;
  }

  decode(ids: number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    let out = '';
    for (const id of ids) {
      if (id >= 0 && id < 4) {
        if (!opts.skipSpecialTokens) out += [this.specials.pad, this.specials.bos, this.specials.eos, this.specials.unk][id];
      } else {
        out += this.idToToken(id) ?? '';
      }
    }
    return out;
  }

  idToToken(id: number): string | undefined {
    if (!Number.isInteger(id) || id < 0) return undefined;
    if (id < 4) return [this.specials.pad, this.specials.bos, this.specials.eos, this.specials.unk][id];
    return id < 4 + this.chars.length ? this.chars[id - 4] : this.pieces[id - 4 - this.chars.length];
  }

  get hasChatTemplate(): boolean {
    return this.templates.has;
  }

  applyChatTemplate(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
    return this.templates.render(messages, opts);
  }

  /**
   * HF tokenizer.json: BPE model with the char vocab and no merges, no normalizer/pre-tokenizer, Fuse decoder; the
   * pieces are non-special added tokens (matched before the model, as `encode` does).
   */
  toTokenizerJson(): Record<string, unknown> {
    const specialsById = [this.specials.pad, this.specials.bos, this.specials.eos, this.specials.unk];
    const vocab: Record<string, number> = {};
    specialsById.forEach((s, i) => (vocab[s] = i));
    this.chars.forEach((c, i) => (vocab[c] = 4 + i));
    const bos = this.specials.bos;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...specialsById, ...this.pieces].map((content, k) => ({
        id: k < 4 ? k : 4 + this.chars.length + (k - 4),
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: k < 4,
      })),
      normalizer: null,
      pre_tokenizer: null,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [
          { SpecialToken: { id: bos, type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: bos, type_id: 1 } },
          { Sequence: { id: 'B', type_id: 1 } },
        ],
        special_tokens: { [bos]: { id: bos, ids: [this.bosTokenId], tokens: [bos] } },
      },
      decoder: { type: 'Fuse' },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: this.specials.unk,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: [],
      },
    };
  }

  toTokenizerConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = {
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: this.specials.bos,
      eos_token: this.specials.eos,
      pad_token: this.specials.pad,
      unk_token: this.specials.unk,
      clean_up_tokenization_spaces: false,
      model_max_length: 1_000_000_000,
    };
    if (this.chatTemplate !== null) cfg.chat_template = this.chatTemplate;
    return cfg;
  }

  /** Write tokenizer.json and tokenizer_config.json into `dir` (created if needed). */
  save(dir: string): void {
    writeJsonAtomic(path.join(dir, TOKENIZER_FILE), this.toTokenizerJson());
    writeJsonAtomic(path.join(dir, TOKENIZER_CONFIG_FILE), this.toTokenizerConfig());
  }
}
