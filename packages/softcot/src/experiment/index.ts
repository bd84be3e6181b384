export * from './config';
export * from './task';
export * from './pipeline';
export * from './report';
