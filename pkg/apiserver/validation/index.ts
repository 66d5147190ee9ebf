// Object-meta, name and field-error helpers shared by built-in kinds, CRDs and custom resources.
export * from './field.js';
export * from './names.js';
export * from './objectmeta.js';
