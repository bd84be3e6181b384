export * from './modes';
export * from './mixture';
export * from './random';
