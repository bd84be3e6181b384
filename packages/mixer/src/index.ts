export * from './modes';
export * from './mixture';
export * from './token-sampling';
