export * from './types.js';
export * from './wellknown.js';
