export * from './passk';
export * from './plot';
export * from './evaluate';
export * from './report';
export * from './mode-grid';
export * from './ood';
export * from './base-profile';
