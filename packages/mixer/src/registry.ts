// The CoT modes, registered in one place: the rollout engine and the training pass look a policy's mixer up here.
import type { CotMode, CotPolicy } from './settings';
import type { CotMixer } from './step';
import { hardMixer } from './modes/hard';
import { gaussianMixer } from './modes/gaussian';
import { gumbelMixer } from './modes/gumbel';
import { multiplexMixer } from './modes/multiplex';

const MIXERS: Record<CotMode, CotMixer<never>> = {
  hard: hardMixer,
  soft: gaussianMixer,
  fuzzy: gaussianMixer,
  gumbel: gumbelMixer,
  multiplex: multiplexMixer,
};

/** The mixer of a policy's mode. */
export function mixerFor<P extends CotPolicy>(policy: P): CotMixer<P> {
  const mixer = MIXERS[policy.mode];
  if (!mixer) throw new Error(`no CoT mixer for mode "${String(policy.mode)}"`);
  return mixer as unknown as CotMixer<P>;
}
