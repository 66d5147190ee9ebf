// KubeEdge awareness: edge nodes and clusters (cluster.ts), the devices.kubeedge.io kinds (device.ts) and
// their CRDs (crds.ts). The Device interpreter lives with the other built-ins in
// pkg/resourceinterpreter/native/device.ts; the simulated mapper in pkg/sim/kubeedge.ts.

export * from './cluster.js';
export * from './crds.js';
export * from './device.js';
