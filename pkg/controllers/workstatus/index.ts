// The work status controller (push) and the status reporting the karmada-agent shares with it.

export * from './controller.js';
export * from './reflect.js';
