// The command registry: every `softcot <name>` command, in the order `softcot --help` lists them.
import { UsageError, processIO, type Command, type CommandIO } from '../args';
import { trainCommand } from './train';
import { evalCommand } from './eval';
import { compareCommand } from './compare';
import { oodCommand } from './ood';
import { forwardCommand } from './forward';
import { initCommand } from './init';
import { gradeCommand } from './grade';
import { demoCommand } from './demo';
import { studyCommand } from './study';
import { planCommand } from './plan';
import { mergeCommand } from './merge';

export const COMMANDS: readonly Command[] = [trainCommand, evalCommand, compareCommand, oodCommand, forwardCommand, initCommand, gradeCommand, demoCommand, studyCommand, planCommand, mergeCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

const VERSION = '0.1.0';

export function topUsage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: softcot <command> [flags]

RL post-training of LLMs with continuous chain-of-thought (soft and fuzzy tokens), on TensorFlow.js.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Run "softcot <command> --help" for a command's flags. Common flag: --backend cpu|wasm|cuda.
Exit codes: 0 success, 1 bad input or failure, 2 usage error.`;
}

/** One line for an error; the stack only with SOFTCOT_DEBUG=1 or for errors that look like bugs. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const first = e.message.split('\n')[0]!;
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
  const cmd = findCommand(name);
  if (!cmd) {
    io.stderr(`softcot: unknown command "${name}"`);
    io.stderr('');
    io.stderr(topUsage());
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`softcot ${cmd.name}: ${e.message}`);
      io.stderr('');
      io.stderr(cmd.usage);
      return 2;
    }
    io.stderr(`softcot ${cmd.name}: error: ${describeError(e)}`);
    if (process.env.SOFTCOT_DEBUG && e instanceof Error && e.stack) io.stderr(e.stack);
    return 1;
  }
}
