// softcot: the umbrella package. The library's packages as namespaces, the experiment pipeline (demo and study),
// and the CLI entry points.
//
//   import { model, trainer, runCli } from 'softcot';
export * as model from '@softcot/model';
export * as mixer from '@softcot/mixer';
export * as rollout from '@softcot/rollout';
export * as rewards from '@softcot/rewards';
export * as trainer from '@softcot/trainer';
export * as data from '@softcot/data';
export * as evaluation from '@softcot/eval';
export * from './experiment';
export { runCli, topUsage, COMMANDS, findCommand } from './commands/index';
export { UsageError, CliInputError, type Command, type CommandIO } from './args';
export { PRESETS } from './commands/init';
export { validateForwardInput, forwardLogits, forwardGenerate, mixtureEmbeds, type ForwardInput } from './commands/forward';
