export * from './types.js';
export * from './read-csv.js';
export * from './named.js';
export * from './infer.js';
