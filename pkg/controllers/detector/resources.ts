// Which served resources are resource templates (Karmada util.SkippedResourceConfig,
// --skipped-propagating-apis, lifted.GetDeletableResources): every kind the server lets us list, watch,
// create and delete, in its preferred version, except Karmada's own groups, events and leases.

import type { APIResourceInfo } from '../../runtime/restmapper.js';

/** NewSkippedResourceConfig plus what --skipped-propagating-apis adds. */
export class SkippedResourceConfig {
  readonly groups = new Set<string>();
  readonly groupVersions = new Set<string>();
  /** "group/version/Kind" ("/v1/Kind" for the core group). */
  readonly groupVersionKinds = new Set<string>();

  constructor() {
    // Karmada's own API groups
    for (const g of [
      'cluster.karmada.io',
      'policy.karmada.io',
      'work.karmada.io',
      'config.karmada.io',
      'networking.karmada.io',
      'autoscaling.karmada.io',
    ]) {
      this.groups.add(g);
    }
    // events are never propagated
    this.groups.add('events.k8s.io');
    this.groupVersionKinds.add('/v1/Event');
    // nor leases
    this.groupVersions.add('coordination.k8s.io/v1');
  }

  /**
   * Parses --skipped-propagating-apis: ';'-separated tokens "<group>", "<group>/<version>",
   * "<group>/<version>/<kind>[,<kind>...]" or, for the core group, "v1/<kind>[,<kind>...]".
   */
  parse(value: string | undefined): this {
    if (!value) return this;
    for (const token of value.split(';').map((t) => t.trim()).filter(Boolean)) {
      const slashes = token.split('/').length - 1;
      if (slashes === 0) {
        this.groups.add(token);
      } else if (slashes === 1) {
        if (token.startsWith('v1')) {
          for (const k of token.split(',')) this.groupVersionKinds.add(`/v1/${k.includes('/') ? k.split('/')[1] : k}`);
        } else {
          this.groupVersions.add(token);
        }
      } else if (slashes === 2) {
        let gv = '';
        for (const k of token.split(',')) {
          if (k.includes('/')) {
            const [g, v, kind] = k.split('/');
            gv = `${g}/${v}`;
            this.groupVersionKinds.add(`${gv}/${kind}`);
          } else {
            this.groupVersionKinds.add(`${gv}/${k}`);
          }
        }
      } else {
        throw new Error(`--skipped-propagating-apis: invalid token "${token}"; use <group>, <group>/<version>, <group>/<version>/<kind>,<kind> or v1/<kind>,<kind>`);
      }
    }
    return this;
  }

  /** gvrDisabled: the group, group/version or group/version/kind is skipped. */
  disabled(r: { group: string; version: string; kind: string }): boolean {
    return this.groups.has(r.group) || this.groupVersions.has(`${r.group}/${r.version}`) || this.groupVersionKinds.has(`${r.group}/${r.version}/${r.kind}`);
  }
}

const TEMPLATE_VERBS = ['list', 'watch', 'create', 'delete'];

/**
 * The resources to watch as templates: top-level, with every verb the detector needs, one per
 * group/kind in the server's preferred version (discovery lists versions in preference order), minus the
 * skipped ones.
 */
export function selectTemplateResources(resources: readonly APIResourceInfo[], skipped: SkippedResourceConfig): APIResourceInfo[] {
  const seen = new Set<string>();
  const out: APIResourceInfo[] = [];
  for (const r of resources) {
    if (!r.kind || r.resource.includes('/')) continue;
    if (!TEMPLATE_VERBS.every((v) => r.verbs.includes(v))) continue;
    const gk = `${r.group}/${r.kind}`;
    if (seen.has(gk)) continue;
    seen.add(gk);
    if (!skipped.disabled(r)) out.push(r);
  }
  return out;
}
