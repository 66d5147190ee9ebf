// The controller runtime: clients, informers, indexed caches, work queue, controllers, leader election.

export * from './types.js';
export * from './gvr.js';
export * from './rest.js';
export * from './client.js';
export * from './indexer.js';
export * from './informer.js';
export * from './factory.js';
export * from './controller.js';
export * from './leaderelection.js';
export * from './backoff.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
