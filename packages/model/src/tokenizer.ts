/**
 * The tokenizer interface every model folder's tokenizer implements, and the HF file names it reads and writes.
 * Implementations: HFTokenizer (hf-tokenizer.ts, any `tokenizer.json`) and CharTokenizer (char-tokenizer.ts, for
 * synthetic tasks; it saves itself as a real HF tokenizer.json). See docs/formats.md.
 */

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

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** Special tokens that end a turn / a document in common model families; added to stopTokenIds when present. */
export const KNOWN_STOP_TOKENS = ['<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|end_of_text|>', '<|eom_id|>'];
