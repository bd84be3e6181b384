export * from './atomic-write';
export * from './random';
