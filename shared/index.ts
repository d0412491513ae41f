/** What both processes import: element symbols, the composition parser and formatter, and their types. */
export * from './elements/symbols.js';
export * from './composition/types.js';
export * from './composition/errors.js';
export * from './composition/parse.js';
export * from './composition/format.js';
