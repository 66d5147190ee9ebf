// Karmada kinds as the API server serves them: Cluster natively (a descriptor, as karmada-aggregated-apiserver
// serves it), every other Karmada kind through the CRDs generated into crds/ (installed at startup).

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KindDefinition } from '../../apis/kind.js';
import { structuralSchema } from '../../apis/jsonschema.js';
import { clusterKind, defaultCluster, validateCluster, type Cluster } from '../../apis/cluster/v1alpha1/index.js';
import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import { STANDARD_VERBS } from '../schema/builtin.js';
import { deepEqual, type Store, type UserInfo } from '../store/store.js';
import { ApiError } from '../errors.js';

/** A natively served descriptor for a Karmada kind definition. */
export function descriptorForKind(k: KindDefinition): ResourceDescriptor {
  return {
    group: k.group,
    version: k.version,
    resource: k.plural,
    singular: k.singular,
    kind: k.kind,
    listKind: `${k.kind}List`,
    namespaced: k.scope === 'Namespaced',
    ...(k.shortNames?.length ? { shortNames: k.shortNames } : {}),
    ...(k.categories?.length ? { categories: k.categories } : {}),
    verbs: [...STANDARD_VERBS],
    subresources: k.statusSubresource ? { status: true } : {},
    schema: structuralSchema(k.schema),
    strategicMergePatch: false,
    printerColumns: k.printerColumns,
  };
}

/**
 * cluster.karmada.io/v1alpha1 clusters: cluster-scoped, status subresource, no short names (as Karmada).
 * `default` applies Karmada's create/update-time mutation (NoExecute taints get timeAdded, zone → zones,
 * default resource models on create); `validate` applies its Cluster validation. karmadaAdmission() runs
 * the same two for Cluster writes, so wiring either is enough.
 */
export const clusterDescriptor: ResourceDescriptor = {
  ...descriptorForKind(clusterKind),
  default(obj: KubeObject) {
    // The store sets resourceVersion only on stored objects: its absence means a create.
    defaultCluster(obj as Cluster, { operation: obj.metadata?.resourceVersion ? 'UPDATE' : 'CREATE' });
  },
  validate(obj: KubeObject) {
    return validateCluster(obj as Cluster);
  },
};

/** The repository's crds/ directory (this file is dist/pkg/apiserver/karmada/kinds.js when running). */
export function crdsDirectory(): string {
  return fileURLToPath(new URL('../../../../crds/', import.meta.url));
}

/** Every CustomResourceDefinition in crds/*.yaml, for the server to install at startup. */
export function karmadaCRDs(dir: string = crdsDirectory()): KubeObject[] {
  const out: KubeObject[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(`${dir}/${file}`, 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubeObject | null;
      if (obj && obj.kind === 'CustomResourceDefinition') out.push(obj);
    }
  }
  return out;
}

/**
 * Creates every Karmada CRD that is missing and updates those whose spec differs from crds/ (an upgrade),
 * through the store so CRD admission and the CRD controller see them as any client's. Returns the names
 * of the CRDs written. `crdDescriptor` is apiextensions.k8s.io/v1 customresourcedefinitions.
 */
export async function installKarmadaCRDs(store: Store, crdDescriptor: ResourceDescriptor, user: UserInfo): Promise<string[]> {
  const written: string[] = [];
  for (const crd of karmadaCRDs()) {
    const name = crd.metadata!.name!;
    // Replicas sharing one storage (etcd) install at the same time: a 409 (created or changed by the
    // other replica meanwhile) or 404 (deleted meanwhile) means "read it again and decide anew".
    for (let attempt = 1; ; attempt++) {
      try {
        if (await installOne(store, crdDescriptor, user, crd)) written.push(name);
        break;
      } catch (err) {
        const code = err instanceof ApiError ? err.code : 0;
        if ((code !== 409 && code !== 404) || attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 10 * attempt));
      }
    }
  }
  return written;
}

/** Creates or upgrades one CRD; true when it wrote something. */
async function installOne(store: Store, crdDescriptor: ResourceDescriptor, user: UserInfo, crd: KubeObject): Promise<boolean> {
  const name = crd.metadata!.name!;
  const existing = await store.tryGet(crdDescriptor, undefined, name);
  if (!existing) {
    await store.create(crdDescriptor, undefined, structuredClone(crd), { user });
    return true;
  }
  const want = crd.spec as Record<string, unknown>;
  const same = (o: KubeObject) => {
    const have = o.spec as Record<string, unknown>;
    // Compare only what crds/ states (the server fills in conversion, served/storage defaults, ...).
    return Object.keys(want).every((k) => deepEqual(want[k], have?.[k]));
  };
  if (same(existing)) return false;
  let wrote = false;
  await store.guaranteedUpdate(crdDescriptor, undefined, name, { user }, (cur) => {
    wrote = !same(cur);
    if (!wrote) return cur;
    cur.spec = { ...(cur.spec as Record<string, unknown>), ...want };
    return cur;
  });
  return wrote;
}
