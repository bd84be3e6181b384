/**
 * Prompt formats: how a question becomes the text the model continues, where the CoT phase ends, which
 * hard tokens are prefilled before the answer phase, and what the likelihood rewards score.
 *
 * Rollout protocol (method.md §2): the CoT phase stops when the decoded CoT text ends with `cotStop`
 * (then `prefillAfterStop` is fed) or when it reaches the maximum CoT length (then `prefillAfterMaxLength`
 * is fed). Prefilled tokens are hard and are not actions. The answer phase then generates greedily until
 * `isAnswerComplete(answerText)` or the answer budget runs out. Graders receive
 * `completionText(cot, prefill, answer)`.
 */
export interface PromptFormat {
  name: string;
  /** The text the model continues (hard prompt). */
  render(question: string): string;
  /** When the decoded CoT text ends with this, the CoT phase ends. */
  cotStop: string;
  /** Hard tokens fed after a stop-string stop (not actions). */
  prefillAfterStop: string;
  /** Hard tokens fed after the CoT hit its maximum length (not actions). */
  prefillAfterMaxLength: string;
  /** Text scored after the prefill by likelihood rewards, e.g. `42}`. */
  answerTarget(reference: string): string;
  /** True when the answer phase can stop early (e.g. the `\boxed{` brace closed). */
  isAnswerComplete(answerText: string): boolean;
  /** The full completion handed to graders. */
  completionText(cot: string, prefill: string, answer: string): string;
}

/**
 * Does the decoded CoT text end the CoT at the stop string (method.md §2)? It fires when the text ends with the
 * stop string, or with the stop string's non-space part followed by any whitespace: BPE tokenizers attach the
 * trailing space to the next token (Qwen2.5: `" is"` `":"` `" \\boxed"`), so a CoT that means to stop reads
 * `…is:` and never `…is: `. `missing` is what the text lacks of the stop string (that space); the prefill after
 * the stop starts with it, so CoT + prefill still reads `…is: \boxed{`.
 */
export function matchCotStop(stop: string, text: string): { missing: string } | null {
  if (stop === '') return null;
  if (text.endsWith(stop)) return { missing: '' };
  const core = stop.trimEnd();
  if (core === stop || core === '') return null;
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith(core)) return null;
  // Whitespace the text has after the core; if it is a prefix of the stop's own, the rest is missing.
  const present = text.slice(trimmed.length);
  const tail = stop.slice(core.length);
  return { missing: tail.startsWith(present) ? tail.slice(present.length) : '' };
}

export const PAPER_COT_STOP = 'The final answer is: ';
export const PAPER_PREFILL_AFTER_STOP = '\\boxed{';
export const PAPER_PREFILL_AFTER_MAX_LENGTH = 'The final answer is: \\boxed{';

/** Default instruction of the paper format (our wording; the paper does not publish its exact prompt). */
export const PAPER_DEFAULT_INSTRUCTION =
  'Solve the following problem. Reason step by step, then finish with "The final answer is: \\boxed{answer}", ' +
  'where answer is the final result.';

/**
 * True once the `\boxed{` opened by the prefill is closed: brace depth counting on `answerText`, which starts
 * inside the box (depth 1). Escaped `\{` / `\}` are literal braces and do not count.
 */
export function boxClosed(answerText: string): boolean {
  let depth = 1;
  for (let i = 0; i < answerText.length; i++) {
    const c = answerText[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return true;
    }
  }
  return false;
}

function joinInstruction(instruction: string, rest: string): string {
  if (instruction === '') return rest;
  return /\s$/.test(instruction) ? instruction + rest : `${instruction}\n\n${rest}`;
}

export interface PaperPromptOptions {
  /** Text before `User: {question} Assistant:`; '' gives the bare `User: {question} Assistant:`. */
  instruction?: string;
}

/**
 * The paper's raw zero-shot format (same for Llama and Qwen):
 * `{instruction}\n\nUser: {question} Assistant:`. CoT stop `The final answer is: `, prefill `\boxed{` after a
 * stop, `The final answer is: \boxed{` after the max length; answer target `{ref}}`.
 */
export function paperPrompt(opts: PaperPromptOptions = {}): PromptFormat {
  const instruction = opts.instruction ?? PAPER_DEFAULT_INSTRUCTION;
  return {
    name: 'paper',
    render: (question) => joinInstruction(instruction, `User: ${question} Assistant:`),
    cotStop: PAPER_COT_STOP,
    prefillAfterStop: PAPER_PREFILL_AFTER_STOP,
    prefillAfterMaxLength: PAPER_PREFILL_AFTER_MAX_LENGTH,
    answerTarget: (reference) => `${reference}}`,
    isAnswerComplete: boxClosed,
    completionText: (cot, prefill, answer) => cot + prefill + answer,
  };
}

/** The part of a tokenizer the chat format needs (structurally compatible with @softcot/model's Tokenizer). */
export interface ChatTemplateTokenizer {
  hasChatTemplate: boolean;
  applyChatTemplate(messages: Array<{ role: string; content: string }>, opts: { addGenerationPrompt?: boolean; [key: string]: unknown }): string;
}

export interface ChatPromptOptions {
  /** Optional system message. */
  system?: string;
  /** Prepended to the question in the user message (default: the paper instruction followed by a blank line). */
  instruction?: string;
  /** Passed to the template as the variable `enable_thinking` (Qwen3). Left out when undefined. */
  enableThinking?: boolean;
  /** Extra template variables (snake_case, as the Jinja template names them). */
  templateOptions?: Record<string, unknown>;
}

/**
 * The model's own chat template: `[{role:'user', content: instruction + question}]` rendered with
 * `applyChatTemplate(messages, { addGenerationPrompt: true })`. Same stop and prefills as the paper format.
 */
export function chatTemplatePrompt(tokenizer: ChatTemplateTokenizer, opts: ChatPromptOptions = {}): PromptFormat {
  if (!tokenizer || typeof tokenizer.applyChatTemplate !== 'function') {
    throw new Error('chatTemplatePrompt: the tokenizer has no applyChatTemplate()');
  }
  if (!tokenizer.hasChatTemplate) {
    throw new Error("chatTemplatePrompt: the tokenizer has no chat template (tokenizer_config.json: chat_template); use the 'paper' format");
  }
  const instruction = opts.instruction ?? `${PAPER_DEFAULT_INSTRUCTION}\n\n`;
  const paper = paperPrompt();
  return {
    ...paper,
    name: 'chat',
    render: (question) => {
      const messages: Array<{ role: string; content: string }> = [];
      if (opts.system !== undefined) messages.push({ role: 'system', content: opts.system });
      messages.push({ role: 'user', content: instruction + question });
      return tokenizer.applyChatTemplate(messages, {
        ...(opts.templateOptions ?? {}),
        addGenerationPrompt: true,
        ...(opts.enableThinking !== undefined ? { enable_thinking: opts.enableThinking } : {}),
      });
    },
  };
}

/** Default instruction of the R1 format (the DeepSeek-R1-Zero template). */
export const R1_DEFAULT_INSTRUCTION =
  'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. ' +
  'The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. ' +
  'The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, ' +
  'i.e., <think> reasoning process here </think> <answer> answer here </answer>.';

export interface R1PromptOptions {
  /** Text before `User: {question} Assistant: <think>`; '' gives just that. */
  instruction?: string;
}

/**
 * R1-style `<think>…</think><answer>…</answer>`: the prompt ends with `<think>`; the CoT ends at `<answer`
 * (prefill `>`), or after the max length (prefill `</think><answer>`); answer target `{ref}</answer>`;
 * the answer is complete once `</answer>` appears.
 */
export function r1Prompt(opts: R1PromptOptions = {}): PromptFormat {
  const instruction = opts.instruction ?? R1_DEFAULT_INSTRUCTION;
  return {
    name: 'r1',
    render: (question) => joinInstruction(instruction, `User: ${question} Assistant: <think>`),
    cotStop: '<answer',
    prefillAfterStop: '>',
    prefillAfterMaxLength: '</think><answer>',
    answerTarget: (reference) => `${reference}</answer>`,
    isAnswerComplete: (answerText) => answerText.includes('</answer>'),
    completionText: (cot, prefill, answer) => cot + prefill + answer,
  };
}

export type PromptFormatName = 'paper' | 'chat' | 'r1';

export interface GetPromptFormatOptions {
  instruction?: string;
  /** Required for 'chat'. */
  tokenizer?: ChatTemplateTokenizer;
  system?: string;
  enableThinking?: boolean;
  templateOptions?: Record<string, unknown>;
}

/** A prompt format by name. */
export function getPromptFormat(name: PromptFormatName | string, opts: GetPromptFormatOptions = {}): PromptFormat {
  switch (name) {
    case 'paper':
      return paperPrompt(opts.instruction !== undefined ? { instruction: opts.instruction } : {});
    case 'r1':
      return r1Prompt(opts.instruction !== undefined ? { instruction: opts.instruction } : {});
    case 'chat': {
      if (!opts.tokenizer) throw new Error("getPromptFormat('chat'): pass { tokenizer } (one with a chat template)");
      const c: ChatPromptOptions = {};
      if (opts.instruction !== undefined) c.instruction = opts.instruction;
      if (opts.system !== undefined) c.system = opts.system;
      if (opts.enableThinking !== undefined) c.enableThinking = opts.enableThinking;
      if (opts.templateOptions !== undefined) c.templateOptions = opts.templateOptions;
      return chatTemplatePrompt(opts.tokenizer, c);
    }
    default:
      throw new Error(`unknown prompt format "${name}" (expected 'paper', 'chat' or 'r1')`);
  }
}
