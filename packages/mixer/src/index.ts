export * from './settings';
export * from './mixture';
export * from './random';
export * from './step';
export * from './registry';
export { gumbelNoise, gumbelSupport } from './modes/gumbel';
export * from './cot-config';
