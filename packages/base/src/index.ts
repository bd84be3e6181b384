export * from './atomic-write';
export * from './file-errors';
export * from './folder-lock';
export * from './random';
export * from './read-file';
export * from './sizes';
export * from './stats';
