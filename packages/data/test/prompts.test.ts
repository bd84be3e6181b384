import { describe, expect, it } from 'vitest';
import { boxClosed, chatTemplatePrompt, getPromptFormat, matchCotStop, paperPrompt, r1Prompt, type ChatTemplateTokenizer } from '../src';

describe('paper format', () => {
  const f = paperPrompt();
  it('renders the instruction and ends with User: … Assistant:', () => {
    const p = f.render('What is 2+3?');
    expect(p.endsWith('User: What is 2+3? Assistant:')).toBe(true);
    expect(p).toContain('The final answer is: \\boxed{answer}');
    expect(p).toMatch(/step by step/);
    expect(paperPrompt({ instruction: '' }).render('Q')).toBe('User: Q Assistant:');
    expect(paperPrompt({ instruction: 'Think.' }).render('Q')).toBe('Think.\n\nUser: Q Assistant:');
    expect(paperPrompt({ instruction: 'Think.\n' }).render('Q')).toBe('Think.\nUser: Q Assistant:');
  });

  it('stop string and prefills are the paper strings', () => {
    expect(f.cotStop).toBe('The final answer is: ');
    expect(f.prefillAfterStop).toBe('\\boxed{');
    expect(f.prefillAfterMaxLength).toBe('The final answer is: \\boxed{');
    expect(f.answerTarget('42')).toBe('42}');
  });

  it('the stop fires with or without the trailing space, and says what is missing', () => {
    const stop = f.cotStop;
    expect(matchCotStop(stop, ' 2+3=5. The final answer is: ')).toEqual({ missing: '' });
    // BPE: the space belongs to the next token (" \\boxed"), so the text ends at the colon.
    expect(matchCotStop(stop, ' 2+3=5. The final answer is:')).toEqual({ missing: ' ' });
    expect(matchCotStop(stop, ' 2+3=5. The final answer is:\n')).toEqual({ missing: '' });
    expect(matchCotStop(stop, ' 2+3=5. The final answer is')).toBeNull();
    expect(matchCotStop(stop, ' 2+3=5. The final answer is: 5')).toBeNull();
    expect(matchCotStop(stop, 'The final answer is:x')).toBeNull();
    // A stop string without trailing whitespace matches exactly.
    expect(matchCotStop('<answer', 'so <answer')).toEqual({ missing: '' });
    expect(matchCotStop('<answer', 'so <answer ')).toBeNull();
    expect(matchCotStop('', 'anything')).toBeNull();
  });

  it('isAnswerComplete counts braces from inside the box', () => {
    expect(f.isAnswerComplete('42')).toBe(false);
    expect(f.isAnswerComplete('42}')).toBe(true);
    expect(f.isAnswerComplete('\\frac{1}{2}')).toBe(false);
    expect(f.isAnswerComplete('\\frac{1}{2}}')).toBe(true);
    expect(f.isAnswerComplete('\\{1,2\\}')).toBe(false); // escaped braces are literal
    expect(f.isAnswerComplete('\\{1,2\\}}.')).toBe(true);
    expect(f.isAnswerComplete('')).toBe(false);
    expect(boxClosed('a}b}')).toBe(true);
    expect(f.isAnswerComplete(f.answerTarget('x^{2}'))).toBe(true);
  });

  it('completionText contains a gradable box after either prefill', () => {
    expect(f.completionText(' 2+3=5. The final answer is: ', f.prefillAfterStop, '5}')).toBe(' 2+3=5. The final answer is: \\boxed{5}');
    expect(f.completionText(' 2+3=', f.prefillAfterMaxLength, '5}')).toBe(' 2+3=The final answer is: \\boxed{5}');
  });
});

describe('r1 format', () => {
  const f = r1Prompt();
  it('prompt ends with <think>; stop <answer; prefills; target; completion', () => {
    expect(f.render('Q').endsWith('User: Q Assistant: <think>')).toBe(true);
    expect(r1Prompt({ instruction: '' }).render('Q')).toBe('User: Q Assistant: <think>');
    expect(f.cotStop).toBe('<answer');
    expect(f.prefillAfterStop).toBe('>');
    expect(f.prefillAfterMaxLength).toBe('</think><answer>');
    expect(f.answerTarget('7')).toBe('7</answer>');
    expect(f.isAnswerComplete('7')).toBe(false);
    expect(f.isAnswerComplete('7</answer')).toBe(false);
    expect(f.isAnswerComplete('7</answer>')).toBe(true);
    const c = f.completionText(' 3+4=7 </think> <answer', f.prefillAfterStop, '7</answer>');
    expect(c).toContain('<answer>7</answer>');
    expect(f.completionText(' 3+4', f.prefillAfterMaxLength, '7</answer>')).toContain('<answer>7</answer>');
  });
});

describe('chat format', () => {
  const calls: unknown[] = [];
  const tok: ChatTemplateTokenizer = {
    hasChatTemplate: true,
    applyChatTemplate(messages, opts) {
      calls.push({ messages, opts });
      return messages.map((m) => `<|${m.role}|>${m.content}`).join('') + (opts.addGenerationPrompt ? '<|assistant|>' : '');
    },
  };
  it('renders the user message with the generation prompt and the paper stop/prefills', () => {
    const f = chatTemplatePrompt(tok, { instruction: 'Solve: ', system: 'S', enableThinking: false });
    expect(f.render('1+1')).toBe('<|system|>S<|user|>Solve: 1+1<|assistant|>');
    expect(calls.at(-1)).toEqual({
      messages: [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'Solve: 1+1' },
      ],
      opts: { addGenerationPrompt: true, enable_thinking: false },
    });
    expect(f.name).toBe('chat');
    expect(f.cotStop).toBe('The final answer is: ');
    expect(f.prefillAfterStop).toBe('\\boxed{');
    expect(f.prefillAfterMaxLength).toBe('The final answer is: \\boxed{');
    expect(f.isAnswerComplete('3}')).toBe(true);
    expect(chatTemplatePrompt(tok).render('Q')).toContain('The final answer is: \\boxed{answer}');
  });
  it('a tokenizer without a chat template is a clear error', () => {
    expect(() => chatTemplatePrompt({ ...tok, hasChatTemplate: false })).toThrow(/no chat template/);
  });
});

describe('getPromptFormat', () => {
  it('by name', () => {
    expect(getPromptFormat('paper').name).toBe('paper');
    expect(getPromptFormat('r1', { instruction: '' }).render('x')).toBe('User: x Assistant: <think>');
    expect(getPromptFormat('paper', { instruction: '' }).render('x')).toBe('User: x Assistant:');
    expect(() => getPromptFormat('chat')).toThrow(/tokenizer/);
    expect(() => getPromptFormat('nope')).toThrow(/unknown prompt format/);
  });
});
