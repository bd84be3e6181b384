// Chat templates (Jinja, rendered by @huggingface/jinja exactly as transformers renders them).
import { Template } from '@huggingface/jinja';
import { TokenizerError } from './errors';
import type { ChatMessage, ChatTemplateOptions } from './tokenizer';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renders (and caches compiled) chat templates; errors name the file the template came from. */
export class ChatTemplates {
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

export function parseChatTemplates(raw: unknown, file: string | undefined): Map<string, string> {
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
