// Admission: mutating then validating plugins run on every write, as in kube-apiserver. Built-in
// strategies, CRD schemas, namespace lifecycle and (later) Karmada's webhook rules are all plugins.

import type { KubeObject, ResourceDescriptor } from '../registry/types.js';
import type { Store, UserInfo } from '../store/store.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  descriptor: ResourceDescriptor;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The object to be written (mutable in admit). Absent for DELETE. */
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** Warnings returned to the client as Warning headers. */
  warnings: string[];
  store: Store;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** Mutating phase: may change attrs.object. */
  admit?(attrs: AdmissionAttributes): void | Promise<void>;
  /** Validating phase: throws an ApiError to reject. */
  validate?(attrs: AdmissionAttributes): void | Promise<void>;
}

export class Admission {
  constructor(private readonly plugins: AdmissionPlugin[] = []) {}

  use(plugin: AdmissionPlugin): void {
    this.plugins.push(plugin);
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(attrs);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(attrs);
  }
}
