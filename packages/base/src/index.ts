export * from './atomic-write';
export * from './random';
export * from './stats';
