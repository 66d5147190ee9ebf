export * from './propagation.js';
export * from './override.js';
export * from './federatedresourcequota.js';
export * from './clustertaintpolicy.js';
export * from './wellknown.js';
export * from './defaults.js';
export * from './validation.js';
