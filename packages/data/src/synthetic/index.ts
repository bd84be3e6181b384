// Synthetic reasoning tasks whose chain of thought carries the computation. Texts are short and use a small
// alphabet so a tiny character-level model can learn them (demo, CI tests, reproduction study).
export * from './format';
export * from './arithmetic';
export { oodTextSet, type OodItem } from './ood-texts';
export * from './alphabet';
export * from './splits';
