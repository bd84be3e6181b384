/**
 * Tokenizers: HF `tokenizer.json` folders (via @huggingface/tokenizers + @huggingface/jinja chat templates) and a
 * character-level tokenizer for synthetic tasks that saves itself as a real HF tokenizer.json (BPE with a char vocab
 * and no merges, Fuse decoder). See docs/formats.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as HFLibTokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { ConfigError, TokenizerError } from './errors';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplateOptions {
  addGenerationPrompt?: boolean;
  /** Pick one of several named templates (list form of `chat_template`); default "default" or the first. */
  templateName?: string;
  /** Extra template variables, e.g. `enable_thinking: false`, `tools`. */
  [k: string]: unknown;
}

export interface Tokenizer {
  /** Number of ids the tokenizer can produce (max id + 1, including added tokens). */
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  /** Ids that end generation (eos, generation_config eos ids, plus e.g. <|im_end|>, <|endoftext|>). */
  readonly stopTokenIds: number[];
  /** `addSpecialTokens` defaults to true (as in HF); it adds what the post-processor adds (BOS for CharTokenizer, nothing for Qwen). */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  /** Ids with no token (e.g. unused embedding rows past the tokenizer vocab) decode to nothing. */
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  idToToken(id: number): string | undefined;
  applyChatTemplate(messages: ChatMessage[], opts?: ChatTemplateOptions): string;
  readonly hasChatTemplate: boolean;
  /** Write tokenizer.json and tokenizer_config.json into a model folder (checkpoints carry their tokenizer). */
  save(dir: string): void;
}

/** Write a JSON file atomically (temp file + rename). */
function writeJsonAtomic(dir: string, name: string, obj: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(obj, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** Special tokens that end a turn / a document in common model families; added to stopTokenIds when present. */
export const KNOWN_STOP_TOKENS = ['<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|end_of_text|>', '<|eom_id|>'];

/** Model types @huggingface/tokenizers 0.2.0 implements (WordLevel is not one: it would silently misbehave). */
const SUPPORTED_MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(file: string, ErrorClass: typeof TokenizerError | typeof ConfigError): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ErrorClass(`cannot read file (${(e as Error).message})`, { file, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ErrorClass(`invalid JSON (${(e as Error).message})`, { file, cause: e });
  }
}

/** `bos_token` etc. may be a string, `{content: string}` (AddedToken form) or null. */
function tokenString(v: unknown, file: string | undefined, field: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  throw new TokenizerError(`must be a string, {"content": string} or null, got ${JSON.stringify(v)}`, { file, field });
}

// ---------------------------------------------------------------------------------------------------------------
// chat templates

/** Renders (and caches compiled) chat templates; errors name the file the template came from. */
class ChatTemplates {
  private compiled = new Map<string, Template>();
  constructor(
    private readonly templates: Map<string, string>,
    private readonly file: string | undefined,
    private readonly specialTokens: Record<string, string>,
  ) {}

  get has(): boolean {
    return this.templates.size > 0;
  }

  render(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
    const { addGenerationPrompt, templateName, ...kwargs } = opts;
    if (this.templates.size === 0) {
      throw new TokenizerError('this tokenizer has no chat template (tokenizer_config.json has no "chat_template")', {
        file: this.file,
        field: 'chat_template',
      });
    }
    const name = templateName ?? (this.templates.has('default') ? 'default' : [...this.templates.keys()][0]);
    const source = this.templates.get(name);
    if (source === undefined) {
      throw new TokenizerError(`no chat template named ${JSON.stringify(name)} (have: ${[...this.templates.keys()].join(', ')})`, {
        file: this.file,
        field: 'chat_template',
      });
    }
    let tpl = this.compiled.get(name);
    if (!tpl) {
      try {
        tpl = new Template(source);
      } catch (e) {
        throw new TokenizerError(`cannot parse chat template ${JSON.stringify(name)} (${(e as Error).message})`, {
          file: this.file,
          field: 'chat_template',
          cause: e,
        });
      }
      this.compiled.set(name, tpl);
    }
    // @huggingface/jinja already provides raise_exception, strftime_now and range as globals.
    try {
      return tpl.render({
        ...this.specialTokens,
        messages,
        add_generation_prompt: addGenerationPrompt ?? false,
        ...kwargs,
      });
    } catch (e) {
      throw new TokenizerError(`chat template failed: ${(e as Error).message}`, { file: this.file, field: 'chat_template', cause: e });
    }
  }
}

function parseChatTemplates(raw: unknown, file: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw === 'string') {
    out.set('default', raw);
    return out;
  }
  if (Array.isArray(raw)) {
    for (const t of raw) {
      if (!isObject(t) || typeof t.name !== 'string' || typeof t.template !== 'string') {
        throw new TokenizerError('list entries must be {"name": string, "template": string}', { file, field: 'chat_template' });
      }
      out.set(t.name, t.template);
    }
    return out;
  }
  throw new TokenizerError('must be a string or a list of {name, template}', { file, field: 'chat_template' });
}

// ---------------------------------------------------------------------------------------------------------------
// HF tokenizer.json

export interface HFTokenizerSources {
  /** For error messages. */
  tokenizerFile?: string;
  configFile?: string;
  generationConfigFile?: string;
  /** generation_config.json contents (its `eos_token_id` adds stop ids). */
  generationConfig?: unknown;
  /** Chat template text that overrides/supplies `chat_template` (e.g. from chat_template.jinja). */
  chatTemplate?: string;
}

export class HFTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly unkTokenId: number | null;
  readonly stopTokenIds: number[];
  /** Special token strings from tokenizer_config.json (null when unset). */
  readonly specialTokens: { bos: string | null; eos: string | null; pad: string | null; unk: string | null };
  private readonly tk: HFLibTokenizer;
  private readonly templates: ChatTemplates;
  private readonly cleanUpSpaces: boolean;
  /** The parsed files, kept so that save() writes them back unchanged. */
  private readonly source: { tokenizer: unknown; config: Record<string, unknown> };

  private constructor(tokenizerJson: unknown, config: unknown, src: HFTokenizerSources) {
    const tfile = src.tokenizerFile ?? TOKENIZER_FILE;
    const cfile = src.configFile ?? TOKENIZER_CONFIG_FILE;
    if (!isObject(tokenizerJson)) throw new TokenizerError('tokenizer.json must be a JSON object', { file: tfile });
    if (!isObject(tokenizerJson.model)) throw new TokenizerError('missing "model" object', { file: tfile, field: 'model' });
    const modelType = tokenizerJson.model.type;
    if (modelType !== undefined && !SUPPORTED_MODEL_TYPES.includes(modelType as string)) {
      throw new TokenizerError(`model type ${JSON.stringify(modelType)} is not supported (${SUPPORTED_MODEL_TYPES.join(', ')})`, { file: tfile, field: 'model.type' });
    }
    const mv = tokenizerJson.model.vocab;
    if (!isObject(mv) && !Array.isArray(mv)) throw new TokenizerError('missing or invalid "vocab"', { file: tfile, field: 'model.vocab' });
    const addedRaw = tokenizerJson.added_tokens ?? [];
    if (!Array.isArray(addedRaw) || !addedRaw.every((t) => isObject(t) && typeof t.content === 'string' && Number.isInteger(t.id))) {
      throw new TokenizerError('must be a list of {"id": int, "content": string, ...}', { file: tfile, field: 'added_tokens' });
    }
    const cfg: Record<string, unknown> = config === undefined || config === null ? {} : (config as Record<string, unknown>);
    if (!isObject(cfg)) throw new TokenizerError('tokenizer_config.json must be a JSON object', { file: cfile });
    this.source = { tokenizer: tokenizerJson, config: src.chatTemplate !== undefined ? { ...cfg, chat_template: src.chatTemplate } : cfg };

    // generation_config.json is checked before the (slow) library tokenizer is built.
    const generationEosIds: number[] = [];
    if (src.generationConfig !== undefined && src.generationConfig !== null) {
      const gfile = src.generationConfigFile ?? GENERATION_CONFIG_FILE;
      if (!isObject(src.generationConfig)) throw new ConfigError('must be a JSON object', { file: gfile });
      const g = src.generationConfig.eos_token_id;
      const ids = g === undefined || g === null ? [] : Array.isArray(g) ? g : [g];
      for (const id of ids) {
        if (!Number.isInteger(id) || (id as number) < 0) throw new ConfigError(`must be an integer or a list of integers, got ${JSON.stringify(g)}`, { file: gfile, field: 'eos_token_id' });
        generationEosIds.push(id as number);
      }
    }

    // The library expects every top-level key to be present.
    const json = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      ...tokenizerJson,
      added_tokens: addedRaw,
    };
    try {
      this.tk = new HFLibTokenizer(json, cfg);
    } catch (e) {
      throw new TokenizerError(`cannot build tokenizer (${(e as Error).message})`, { file: tfile, cause: e });
    }

    // vocab size = max id + 1 over the model vocab and the added tokens
    let maxId = -1;
    const vocab = tokenizerJson.model.vocab;
    if (Array.isArray(vocab)) maxId = vocab.length - 1;
    else if (isObject(vocab)) for (const v of Object.values(vocab)) if (typeof v === 'number' && v > maxId) maxId = v;
    for (const t of addedRaw as { id: number }[]) if (t.id > maxId) maxId = t.id;
    this.vocabSize = maxId + 1;

    const resolve = (field: 'bos_token' | 'eos_token' | 'pad_token' | 'unk_token'): [string | null, number | null] => {
      const s = tokenString(cfg[field], cfile, field);
      if (s === null) return [null, null];
      const id = this.tk.token_to_id(s);
      if (id === undefined) throw new TokenizerError(`token ${JSON.stringify(s)} is not in the vocabulary`, { file: cfile, field });
      return [s, id];
    };
    const [bos, bosId] = resolve('bos_token');
    const [eos, eosId] = resolve('eos_token');
    const [pad, padId] = resolve('pad_token');
    const [unk, unkId] = resolve('unk_token');
    this.specialTokens = { bos, eos, pad, unk };
    this.bosTokenId = bosId;
    this.eosTokenId = eosId;
    this.padTokenId = padId;
    this.unkTokenId = unkId;

    const stops = new Set<number>();
    if (eosId !== null) stops.add(eosId);
    for (const id of generationEosIds) stops.add(id);
    const specialAdded = new Map<string, number>();
    for (const t of addedRaw as { id: number; content: string; special?: boolean }[]) if (t.special) specialAdded.set(t.content, t.id);
    for (const s of KNOWN_STOP_TOKENS) {
      const id = specialAdded.get(s);
      if (id !== undefined) stops.add(id);
    }
    this.stopTokenIds = [...stops];

    const templates = parseChatTemplates(cfg.chat_template, cfile);
    if (src.chatTemplate !== undefined) templates.set('default', src.chatTemplate);
    const special: Record<string, string> = {};
    if (bos !== null) special.bos_token = bos;
    if (eos !== null) special.eos_token = eos;
    if (pad !== null) special.pad_token = pad;
    if (unk !== null) special.unk_token = unk;
    this.templates = new ChatTemplates(templates, cfile, special);
    this.cleanUpSpaces = cfg.clean_up_tokenization_spaces === true;
  }

  /** From parsed JSON objects. */
  static fromJSON(tokenizerJson: unknown, tokenizerConfig?: unknown, sources: HFTokenizerSources = {}): HFTokenizer {
    return new HFTokenizer(tokenizerJson, tokenizerConfig, sources);
  }

  static fromFiles(tokenizerJsonPath: string, tokenizerConfigPath?: string, generationConfigPath?: string): HFTokenizer {
    const tj = readJson(tokenizerJsonPath, TokenizerError);
    const tc = tokenizerConfigPath !== undefined ? readJson(tokenizerConfigPath, TokenizerError) : undefined;
    const gc = generationConfigPath !== undefined ? readJson(generationConfigPath, ConfigError) : undefined;
    return new HFTokenizer(tj, tc, {
      tokenizerFile: tokenizerJsonPath,
      configFile: tokenizerConfigPath,
      generationConfigFile: generationConfigPath,
      generationConfig: gc,
    });
  }

  /** tokenizer.json (required), tokenizer_config.json, generation_config.json, chat_template.jinja (optional). */
  static fromDir(dir: string): HFTokenizer {
    const tjPath = path.join(dir, TOKENIZER_FILE);
    if (!fs.existsSync(tjPath)) throw new TokenizerError(`no ${TOKENIZER_FILE} in this folder`, { file: dir });
    const tcPath = path.join(dir, TOKENIZER_CONFIG_FILE);
    const gcPath = path.join(dir, GENERATION_CONFIG_FILE);
    const jinjaPath = path.join(dir, CHAT_TEMPLATE_FILE);
    const tj = readJson(tjPath, TokenizerError);
    const tc = fs.existsSync(tcPath) ? readJson(tcPath, TokenizerError) : undefined;
    const gc = fs.existsSync(gcPath) ? readJson(gcPath, ConfigError) : undefined;
    const hasInlineTemplate = isObject(tc) && tc.chat_template !== undefined && tc.chat_template !== null;
    const chatTemplate = !hasInlineTemplate && fs.existsSync(jinjaPath) ? fs.readFileSync(jinjaPath, 'utf8') : undefined;
    return new HFTokenizer(tj, tc, {
      tokenizerFile: tjPath,
      configFile: tcPath,
      generationConfigFile: gcPath,
      generationConfig: gc,
      chatTemplate,
    });
  }

  save(dir: string): void {
    writeJsonAtomic(dir, TOKENIZER_FILE, this.source.tokenizer);
    writeJsonAtomic(dir, TOKENIZER_CONFIG_FILE, this.source.config);
  }

  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    return this.tk.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  decode(ids: number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    const known = ids.filter((id) => Number.isInteger(id) && id >= 0 && this.tk.id_to_token(id) !== undefined);
    if (known.length === 0) return '';
    return this.tk.decode(known, { skip_special_tokens: opts.skipSpecialTokens ?? false, clean_up_tokenization_spaces: this.cleanUpSpaces });
  }

  idToToken(id: number): string | undefined {
    return this.tk.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.tk.token_to_id(token);
  }

  get hasChatTemplate(): boolean {
    return this.templates.has;
  }

  applyChatTemplate(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
    return this.templates.render(messages, opts);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// character-level tokenizer

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
    writeJsonAtomic(dir, TOKENIZER_FILE, this.toTokenizerJson());
    writeJsonAtomic(dir, TOKENIZER_CONFIG_FILE, this.toTokenizerConfig());
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Load the tokenizer of a model folder (HF tokenizer.json; CharTokenizer folders are plain HF folders too). */
export function loadTokenizer(dir: string): Tokenizer {
  if (fs.existsSync(path.join(dir, TOKENIZER_FILE))) return HFTokenizer.fromDir(dir);
  const others = ['tokenizer.model', 'vocab.json'].filter((f) => fs.existsSync(path.join(dir, f)));
  throw new TokenizerError(
    `no tokenizer found: looked for ${TOKENIZER_FILE}${others.length ? ` (found ${others.join(', ')}, which are not supported; convert to tokenizer.json)` : ''}`,
    { file: dir },
  );
}
