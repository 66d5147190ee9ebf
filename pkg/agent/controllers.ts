// The karmada-agent's controllers and --controllers selection, with upstream's names and semantics
// ("*" = every controller on by default, "foo" enables foo, "-foo" disables foo; certRotation is off by
// default). serviceExport and endpointsliceCollect are upstream names this agent does not implement: they
// are accepted so that upstream command lines work, and reported as not running.

export interface AgentControllerDescriptor {
  name: string;
  enabledByDefault: boolean;
  implemented: boolean;
}

export const AGENT_CONTROLLERS: readonly AgentControllerDescriptor[] = [
  { name: 'clusterStatus', enabledByDefault: true, implemented: true },
  { name: 'execution', enabledByDefault: true, implemented: true },
  { name: 'workStatus', enabledByDefault: true, implemented: true },
  { name: 'certRotation', enabledByDefault: false, implemented: true },
  { name: 'serviceExport', enabledByDefault: true, implemented: false },
  { name: 'endpointsliceCollect', enabledByDefault: true, implemented: false },
];

export type AgentControllerName = 'clusterStatus' | 'execution' | 'workStatus' | 'certRotation';

export const DEFAULT_AGENT_CONTROLLERS: readonly AgentControllerName[] = ['clusterStatus', 'execution', 'workStatus'];

/**
 * The implemented controllers a --controllers spec selects (items may be comma-separated); throws on
 * unknown names. `enableCertRotation` (--enable-cert-rotation) adds certRotation unless "-certRotation".
 */
export function selectAgentControllers(spec: readonly string[], enableCertRotation = false): { enabled: AgentControllerName[]; ignored: string[] } {
  const items = spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const known = new Set(AGENT_CONTROLLERS.map((c) => c.name));
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !known.has(name)) {
      throw new Error(`"${name}" is not in the list of known agent controllers (${[...known].join(', ')}); use "*", "name" or "-name"`);
    }
  }
  const on = AGENT_CONTROLLERS.filter((c) => {
    if (items.includes(`-${c.name}`)) return false;
    if (items.includes(c.name)) return true;
    if (c.name === 'certRotation' && enableCertRotation) return true;
    return items.includes('*') && c.enabledByDefault;
  });
  return {
    enabled: on.filter((c) => c.implemented).map((c) => c.name as AgentControllerName),
    ignored: on.filter((c) => !c.implemented).map((c) => c.name),
  };
}
