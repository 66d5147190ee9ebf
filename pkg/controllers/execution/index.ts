// The execution controller (push) and the member-side apply logic the karmada-agent shares with it.

export * from './apply.js';
export * from './conditions.js';
export * from './controller.js';
export * from './needsupdate.js';
export * from './objectwatcher.js';
export * from './retain.js';
export * from './statuswriter.js';
export * from './workref.js';
