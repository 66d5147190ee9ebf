export * from './types.js';
export * from './wellknown.js';
export * from './helpers.js';
export * from './validation.js';
