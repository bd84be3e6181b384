// The command registry: every `softcot <name>` command, in the order `softcot --help` lists them.
import { errnoWords, LimitError } from '@softcot/base';
import { UsageError, limitAsUsage, processIO, type Command, type CommandIO } from '../args';

/**
 * A command as `softcot --help` lists it; its module (and the packages it needs: tfjs, mathjs) is loaded only when
 * the command runs, so the top-level help answers at once.
 */
export interface CommandEntry {
  name: string;
  /** One line for `softcot --help`. */
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'train', summary: 'RLOO post-training with a hard, soft, fuzzy, gumbel or multiplex chain of thought', load: async () => (await import('./train')).trainCommand },
  { name: 'eval', summary: 'evaluate a checkpoint under every inference setting (pass@1, pass@k, entropy)', load: async () => (await import('./eval')).evalCommand },
  { name: 'profile', summary: 'is a base fit for comparing training modes? six settings, ratios and a verdict', load: async () => (await import('./profile')).profileCommand },
  { name: 'compare', summary: 'training × inference grid over several checkpoints (markdown, JSON, grouped bars)', load: async () => (await import('./compare')).compareCommand },
  { name: 'ood', summary: 'out-of-domain multiple-choice accuracy and answer NLL (HellaSwag/ARC/MMLU shapes)', load: async () => (await import('./ood')).oodCommand },
  { name: 'forward', summary: 'logits or greedy tokens of a checkpoint for token ids (+ mixture positions), as JSON', load: async () => (await import('./forward')).forwardCommand },
  { name: 'init', summary: 'write a random-weight checkpoint from a preset or config.json', load: async () => (await import('./init')).initCommand },
  { name: 'grade', summary: 'grade a JSONL file of {pred, gold} rows (math answer equivalence)', load: async () => (await import('./grade')).gradeCommand },
  { name: 'demo', summary: 'end-to-end demo on a synthetic task (no downloads)', load: async () => (await import('./demo')).demoCommand },
  { name: 'study', summary: 'reproduction study: five training modes × every inference setting on a synthetic task', load: async () => (await import('./study')).studyCommand },
  { name: 'plan', summary: 'memory plan of a training step (per component, peak, fits H100/H200)', load: async () => (await import('./plan')).planCommand },
  { name: 'merge', summary: 'fold a LoRA adapter into its base model (plain Hugging Face checkpoint)', load: async () => (await import('./merge')).mergeCommand },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

const VERSION = '0.1.0';

export function topUsage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: softcot <command> [flags]

RL post-training of LLMs with continuous chain-of-thought (soft and fuzzy tokens), on TensorFlow.js.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Run "softcot <command> --help" for a command's flags. Common flag: --backend native-cpu|wasm|cpu|cuda.
Exit codes: 0 success, 1 bad input or failure, 2 usage error.`;
}

/**
 * One line for an error; the stack only with SOFTCOT_DEBUG=1. An operating-system error that escaped the file
 * helpers still names its path; errors that look like bugs say so.
 */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const first = e.message.split('\n')[0]!;
  const errno = e as NodeJS.ErrnoException;
  if (typeof errno.code === 'string' && /^E[A-Z]+$/.test(errno.code) && typeof errno.path === 'string') return `${errno.path}: ${errnoWords(e)}`;
  const bug = e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError;
  return bug ? `${e.name}: ${first} (internal error; run with SOFTCOT_DEBUG=1 for the stack)` : first;
}

/** Run the CLI with arguments (without "node softcot"); returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && findCommand(rest[0])) return runCli([rest[0], '--help'], io);
    (name === undefined ? io.stderr : io.stdout)(topUsage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(VERSION);
    return 0;
  }
  const entry = findCommand(name);
  if (!entry) {
    io.stderr(`softcot: unknown command "${name}"`);
    io.stderr('');
    io.stderr(topUsage());
    return 2;
  }
  let cmd: Command | undefined;
  try {
    cmd = await entry.load();
    return await cmd.run(rest, io);
  } catch (caught) {
    // A library's limit (a count too large, a plan over the memory budget) is a usage error naming the flags.
    const e = caught instanceof LimitError && caught.options.length > 0 ? limitAsUsage(caught) : caught;
    if (e instanceof UsageError && cmd) {
      io.stderr(`softcot ${cmd.name}: ${e.message}`);
      io.stderr('');
      io.stderr(cmd.usage);
      return 2;
    }
    io.stderr(`softcot ${entry.name}: error: ${describeError(e)}`);
    if (process.env.SOFTCOT_DEBUG && e instanceof Error && e.stack) io.stderr(e.stack);
    return 1;
  }
}
