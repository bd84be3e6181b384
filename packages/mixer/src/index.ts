export * from './settings';
export * from './mixture';
export * from './token-sampling';
export * from './step';
export * from './registry';
export { gumbelNoise, gumbelSupport } from './modes/gumbel';
export * from './cot-config';
