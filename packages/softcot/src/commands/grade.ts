// softcot grade: delegates to @softcot/rewards' runGradeCommand (its own flags, help and exit codes).
import { runGradeCommand } from '@softcot/rewards';
import type { Command } from '../args';

export const gradeCommand: Command = {
  name: 'grade',
  usage: 'Usage: softcot grade --input preds.jsonl --output verdicts.jsonl [options]   (see softcot grade --help)',
  async run(argv, io) {
    return runGradeCommand(argv, { stdout: io.stdout, stderr: io.stderr });
  },
};
