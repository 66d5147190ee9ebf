export * from './types.js';
export * from './validation.js';
