// Member clusters for the member-side controllers: caches of Karmada-managed objects per cluster and
// resource, and Push clusters built from their Cluster + credentials Secret.

export * from './manager.js';
export * from './member.js';
export * from './pushmembers.js';
