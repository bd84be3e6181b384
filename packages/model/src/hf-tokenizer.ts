// Tokenizers of Hugging Face model folders: tokenizer.json through @huggingface/tokenizers, the special tokens and chat
// templates of tokenizer_config.json, the stop ids of generation_config.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as HFLibTokenizer } from '@huggingface/tokenizers';
import { writeJsonAtomic } from '@softcot/base';
import { ChatTemplates, parseChatTemplates } from './chat-template';
import { ConfigError, TokenizerError } from './errors';
import {
  CHAT_TEMPLATE_FILE,
  GENERATION_CONFIG_FILE,
  KNOWN_STOP_TOKENS,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type ChatMessage,
  type ChatTemplateOptions,
  type Tokenizer,
} from './tokenizer';

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
    writeJsonAtomic(path.join(dir, TOKENIZER_FILE), this.source.tokenizer);
    writeJsonAtomic(path.join(dir, TOKENIZER_CONFIG_FILE), this.source.config);
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

/** Load the tokenizer of a model folder (HF tokenizer.json; CharTokenizer folders are plain HF folders too). */
export function loadTokenizer(dir: string): Tokenizer {
  if (fs.existsSync(path.join(dir, TOKENIZER_FILE))) return HFTokenizer.fromDir(dir);
  const others = ['tokenizer.model', 'vocab.json'].filter((f) => fs.existsSync(path.join(dir, f)));
  throw new TokenizerError(
    `no tokenizer found: looked for ${TOKENIZER_FILE}${others.length ? ` (found ${others.join(', ')}, which are not supported; convert to tokenizer.json)` : ''}`,
    { file: dir },
  );
}
