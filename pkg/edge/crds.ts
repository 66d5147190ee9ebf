// The devices.kubeedge.io CustomResourceDefinitions, generated from the zod schemas of device.ts the same
// way crds/ is generated from pkg/apis. kube-sim installs them in clusters with edge nodes;
// samples/edge/crds.yaml ships the same YAML for the control plane (a test keeps the two equal;
// `node <build>/pkg/edge/crds.js` rewrites the file).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { crdForKind } from '../apis/crd.js';
import type { KubeObject } from '../apiserver/registry/types.js';
import { KUBEEDGE_DEVICE_KINDS } from './device.js';

/** The Device and DeviceModel CRDs (apiextensions.k8s.io/v1). */
export function kubeEdgeCRDs(): KubeObject[] {
  return KUBEEDGE_DEVICE_KINDS.map((k) => crdForKind(k));
}

/** The multi-document YAML of samples/edge/crds.yaml. */
export function kubeEdgeCRDsYAML(): string {
  const header =
    '# KubeEdge devices.kubeedge.io/v1beta1 Device and DeviceModel CRDs, generated from pkg/edge/device.ts. DO NOT EDIT;\n' +
    '# regenerate with `node dist/pkg/edge/crds.js`. Apply them to the Karmada control plane so Devices can be propagated:\n' +
    '#   kubectl --kubeconfig karmada.config apply -f samples/edge/crds.yaml\n';
  return header + kubeEdgeCRDs().map((crd) => '---\n' + stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })).join('');
}

/** samples/edge/crds.yaml of the repository (this file runs as <outDir>/pkg/edge/crds.js). */
export const SAMPLE_CRDS_PATH = fileURLToPath(new URL('../../../samples/edge/crds.yaml', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SAMPLE_CRDS_PATH, kubeEdgeCRDsYAML());
  console.log(SAMPLE_CRDS_PATH);
}
