export * from './types';
export * from './errors';
export * from './jsonl';
export * from './parquet';
export * from './loaders';
export * from './sampling';
export * from './prompts';
export * from './synthetic';
