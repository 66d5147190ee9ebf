// Built-in printer columns, ported from k8s.io/kubernetes pkg/printers/internalversion/printers.go (1.32) and
// kube-aggregator's APIService table. The registry is data: one entry per kind, each column carrying the
// function that renders its cell. The server always renders the wide columns (GenerateOptions{Wide: true});
// kubectl hides priority>0 columns unless `-o wide`.

import { humanDuration, parseTimestamp } from './duration.js';
import {
  type Obj,
  accessModesAsString,
  arr,
  boolPtr,
  formatLabelSelector,
  formatLabels,
  get,
  goSort,
  int,
  intOrString,
  isRecord,
  labelSelectorString,
  layoutContainerCells,
  listWithMore,
  quantity,
  rec,
  str,
  strMap,
} from './format.js';
import type { TableCell, TableRowCondition } from './types.js';

export interface PrintContext {
  now: Date;
  /** translateTimestampSince relative to the request time. */
  since(ts: unknown): string;
}

export interface ColumnSpec<S = unknown> {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  priority?: number;
  description: string;
  cell: (o: Obj, ctx: PrintContext, state: S) => TableCell;
}

export interface PrinterEntry<S = unknown> {
  group: string;
  /** Plural resource names served by this printer. */
  resources: string[];
  /** Computed once per row and handed to every cell (for printers whose cells share a computation). */
  prepare?: (o: Obj, ctx: PrintContext) => S;
  columns: ColumnSpec<S>[];
  conditions?: (o: Obj, state: S) => TableRowCondition[] | undefined;
}

/** Type-checks an entry with its own state type, then erases it for the registry. */
function printer<S = undefined>(e: PrinterEntry<S>): PrinterEntry {
  return e as unknown as PrinterEntry;
}

// ---- shared column definitions --------------------------------------------------------------------

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const CONTAINERS_DESC = 'Names of each container in the template.';
const IMAGES_DESC = 'Images referenced by each container in the template.';
const SELECTOR_DESC = 'A label query over pods that should match the replica count. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const name = (o: Obj): string => str(get(o, 'metadata', 'name'));

const NAME: ColumnSpec<any> = { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, cell: (o) => name(o) };
const AGE: ColumnSpec<any> = {
  name: 'Age',
  type: 'string',
  description: CREATION_TIMESTAMP_DESCRIPTION,
  cell: (o, ctx) => ctx.since(get(o, 'metadata', 'creationTimestamp')),
};
const wide = <S>(c: ColumnSpec<S>): ColumnSpec<S> => ({ ...c, priority: 1 });

/** CONTAINERS, IMAGES (wide) from a pod template spec path, optionally SELECTOR. */
function templateColumns(podSpecPath: string[], selector?: (o: Obj) => string): ColumnSpec<any>[] {
  const cols: ColumnSpec<any>[] = [
    wide({ name: 'Containers', type: 'string', description: CONTAINERS_DESC, cell: (o) => layoutContainerCells(get(o, ...podSpecPath, 'containers'))[0] }),
    wide({ name: 'Images', type: 'string', description: IMAGES_DESC, cell: (o) => layoutContainerCells(get(o, ...podSpecPath, 'containers'))[1] }),
  ];
  if (selector) cols.push(wide({ name: 'Selector', type: 'string', description: SELECTOR_DESC, cell: (o) => selector(o) }));
  return cols;
}

/** Workload replicas default to 1 in Kubernetes when unset. */
const replicas = (o: Obj): number => int(get(o, 'spec', 'replicas'), 1);

// ---- pods -----------------------------------------------------------------------------------------

interface PodState {
  ready: string;
  reason: string;
  restarts: string;
  phase: string;
}

const PodInitialized = 'Initialized';

function isRestartableInitContainer(c: unknown): boolean {
  return str(get(c, 'restartPolicy')) === 'Always';
}

function condTrue(conditions: unknown, type: string): boolean {
  for (const c of arr(conditions)) if (str(get(c, 'type')) === type) return str(get(c, 'status')) === 'True';
  return false;
}

function podState(pod: Obj, ctx: PrintContext): PodState {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestartDate = 0;
  let lastRestartableInitContainerRestartDate = 0;
  const phase = str(status.phase);
  let reason = phase;
  if (str(status.reason) !== '') reason = str(status.reason);
  for (const c of arr(status.conditions)) {
    if (str(get(c, 'type')) === 'PodScheduled' && str(get(c, 'reason')) === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initContainers = new Map<string, unknown>();
  for (const c of arr(spec.initContainers)) {
    initContainers.set(str(get(c, 'name')), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }
  const finishedAt = (cs: unknown): number => parseTimestamp(get(cs, 'lastState', 'terminated', 'finishedAt'))?.getTime() ?? 0;

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const count = int(get(c, 'restartCount'));
    restarts += count;
    if (isRecord(get(c, 'lastState', 'terminated'))) lastRestartDate = Math.max(lastRestartDate, finishedAt(c));
    const restartable = isRestartableInitContainer(initContainers.get(str(get(c, 'name'))));
    if (restartable) {
      restartableInitContainerRestarts += count;
      if (isRecord(get(c, 'lastState', 'terminated'))) lastRestartableInitContainerRestartDate = Math.max(lastRestartableInitContainerRestartDate, finishedAt(c));
    }
    const terminated = get(c, 'state', 'terminated');
    const waiting = get(c, 'state', 'waiting');
    if (isRecord(terminated) && int(terminated.exitCode) === 0) continue;
    if (restartable && get(c, 'started') === true) {
      if (get(c, 'ready') === true) readyContainers++;
      continue;
    }
    if (isRecord(terminated)) {
      if (str(terminated.reason) === '') {
        reason = int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = `Init:${str(terminated.reason)}`;
      }
      initializing = true;
    } else if (isRecord(waiting) && str(waiting.reason) !== '' && str(waiting.reason) !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
      initializing = true;
    } else {
      reason = `Init:${i}/${arr(spec.initContainers).length}`;
      initializing = true;
    }
    break;
  }

  if (!initializing || condTrue(status.conditions, PodInitialized)) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += int(get(c, 'restartCount'));
      if (isRecord(get(c, 'lastState', 'terminated'))) lastRestartDate = Math.max(lastRestartDate, finishedAt(c));
      const waiting = get(c, 'state', 'waiting');
      const terminated = get(c, 'state', 'terminated');
      if (isRecord(waiting) && str(waiting.reason) !== '') {
        reason = str(waiting.reason);
      } else if (isRecord(terminated) && str(terminated.reason) !== '') {
        reason = str(terminated.reason);
      } else if (isRecord(terminated)) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (get(c, 'ready') === true && isRecord(get(c, 'state', 'running'))) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // change pod status back to "Running" if there is at least one container still reporting as "Running" status
    if (reason === 'Completed' && hasRunning) reason = condTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  const deleting = get(pod, 'metadata', 'deletionTimestamp') !== undefined && get(pod, 'metadata', 'deletionTimestamp') !== null;
  if (deleting && str(status.reason) === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestartDate !== 0) {
    restartsStr = `${restarts} (${humanDuration(ctx.now.getTime() - lastRestartDate)} ago)`;
  }
  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts: restartsStr, phase };
}

const pods = printer<PodState>({
  group: '',
  resources: ['pods'],
  prepare: podState,
  conditions: (_o, s) =>
    s.phase === 'Succeeded'
      ? [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]
      : s.phase === 'Failed'
        ? [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]
        : undefined,
  columns: [
    NAME,
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (_o, _c, s) => s.ready },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', cell: (_o, _c, s) => s.reason },
    {
      name: 'Restarts',
      type: 'string',
      description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      cell: (_o, _c, s) => s.restarts,
    },
    AGE,
    wide({
      name: 'IP',
      type: 'string',
      description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      cell: (o) => str(get(o, 'status', 'podIPs', 0, 'ip')) || str(get(o, 'status', 'podIP')) || '<none>',
    }),
    wide({
      name: 'Node',
      type: 'string',
      description: 'NodeName indicates in which node this pod is scheduled.',
      cell: (o) => str(get(o, 'spec', 'nodeName')) || '<none>',
    }),
    wide({
      name: 'Nominated Node',
      type: 'string',
      description: 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      cell: (o) => str(get(o, 'status', 'nominatedNodeName')) || '<none>',
    }),
    wide({
      name: 'Readiness Gates',
      type: 'string',
      description: 'If specified, all readiness gates will be evaluated for pod readiness.',
      cell: (o) => {
        const gates = arr(get(o, 'spec', 'readinessGates'));
        if (gates.length === 0) return '<none>';
        let trueConditions = 0;
        for (const g of gates) {
          const t = str(get(g, 'conditionType'));
          const c = arr(get(o, 'status', 'conditions')).find((x) => str(get(x, 'type')) === t);
          if (c && str(get(c, 'status')) === 'True') trueConditions++;
        }
        return `${trueConditions}/${gates.length}`;
      },
    }),
  ],
});

const podTemplates = printer({
  group: '',
  resources: ['podtemplates'],
  columns: [
    NAME,
    { name: 'Containers', type: 'string', description: CONTAINERS_DESC, cell: (o) => layoutContainerCells(get(o, 'template', 'spec', 'containers'))[0] },
    { name: 'Images', type: 'string', description: IMAGES_DESC, cell: (o) => layoutContainerCells(get(o, 'template', 'spec', 'containers'))[1] },
    { name: 'Pod Labels', type: 'string', description: 'The labels for the pod template.', cell: (o) => formatLabels(get(o, 'template', 'metadata', 'labels')) },
  ],
});

// ---- workloads ------------------------------------------------------------------------------------

const deployments = printer({
  group: 'apps',
  resources: ['deployments'],
  columns: [
    NAME,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (o) => `${int(get(o, 'status', 'readyReplicas'))}/${replicas(o)}` },
    { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', cell: (o) => int(get(o, 'status', 'updatedReplicas')) },
    { name: 'Available', type: 'string', description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', cell: (o) => int(get(o, 'status', 'availableReplicas')) },
    AGE,
    ...templateColumns(['spec', 'template', 'spec'], (o) => labelSelectorString(get(o, 'spec', 'selector')) ?? '<invalid>'),
  ],
});

const replicaSets = printer({
  group: 'apps',
  resources: ['replicasets'],
  columns: [
    NAME,
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (o) => replicas(o) },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (o) => int(get(o, 'status', 'replicas')) },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', cell: (o) => int(get(o, 'status', 'readyReplicas')) },
    AGE,
    ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(get(o, 'spec', 'selector'))),
  ],
});

const replicationControllers = printer({
  group: '',
  resources: ['replicationcontrollers'],
  columns: [
    NAME,
    { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (o) => replicas(o) },
    { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (o) => int(get(o, 'status', 'replicas')) },
    { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replication controller.', cell: (o) => int(get(o, 'status', 'readyReplicas')) },
    AGE,
    ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabels(get(o, 'spec', 'selector'))),
  ],
});

const statefulSets = printer({
  group: 'apps',
  resources: ['statefulsets'],
  columns: [
    NAME,
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', cell: (o) => `${int(get(o, 'status', 'readyReplicas'))}/${replicas(o)}` },
    AGE,
    ...templateColumns(['spec', 'template', 'spec']),
  ],
});

const daemonSets = printer({
  group: 'apps',
  resources: ['daemonsets'],
  columns: [
    NAME,
    { name: 'Desired', type: 'integer', description: 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', cell: (o) => int(get(o, 'status', 'desiredNumberScheduled')) },
    { name: 'Current', type: 'integer', description: 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', cell: (o) => int(get(o, 'status', 'currentNumberScheduled')) },
    { name: 'Ready', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', cell: (o) => int(get(o, 'status', 'numberReady')) },
    { name: 'Up-to-date', type: 'integer', description: 'The total number of nodes that are running updated daemon pod', cell: (o) => int(get(o, 'status', 'updatedNumberScheduled')) },
    { name: 'Available', type: 'integer', description: 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', cell: (o) => int(get(o, 'status', 'numberAvailable')) },
    { name: 'Node Selector', type: 'string', description: 'NodeSelector is a selector which must be true for the pod to fit on a node.', cell: (o) => formatLabels(get(o, 'spec', 'template', 'spec', 'nodeSelector')) },
    AGE,
    ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(get(o, 'spec', 'selector'))),
  ],
});

const controllerRevisions = printer({
  group: 'apps',
  resources: ['controllerrevisions'],
  columns: [
    NAME,
    {
      name: 'Controller',
      type: 'string',
      description: 'Controller of the object',
      cell: (o) => {
        const ref = arr(get(o, 'metadata', 'ownerReferences')).find((r) => get(r, 'controller') === true);
        if (!ref) return '<none>';
        const apiVersion = str(get(ref, 'apiVersion'));
        const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
        const kind = str(get(ref, 'kind'));
        const gk = group ? `${kind}.${group}` : kind;
        return gk ? `${gk.toLowerCase()}/${str(get(ref, 'name'))}` : str(get(ref, 'name'));
      },
    },
    { name: 'Revision', type: 'string', description: 'Revision indicates the revision of the state represented by Data.', cell: (o) => int(get(o, 'revision')) },
    AGE,
  ],
});

function jobStatus(o: Obj): string {
  const conds = get(o, 'status', 'conditions');
  if (condTrue(conds, 'Complete')) return 'Complete';
  if (condTrue(conds, 'Failed')) return 'Failed';
  if (get(o, 'metadata', 'deletionTimestamp')) return 'Terminating';
  if (condTrue(conds, 'Suspended')) return 'Suspended';
  if (condTrue(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

const jobs = printer({
  group: 'batch',
  resources: ['jobs'],
  columns: [
    NAME,
    { name: 'Status', type: 'string', description: 'Status of the job.', cell: (o) => jobStatus(o) },
    {
      name: 'Completions',
      type: 'string',
      description: 'The number of pods which reached phase Succeeded.',
      cell: (o) => {
        const succeeded = int(get(o, 'status', 'succeeded'));
        const completions = get(o, 'spec', 'completions');
        if (typeof completions === 'number') return `${succeeded}/${int(completions)}`;
        const parallelism = int(get(o, 'spec', 'parallelism'));
        return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
      },
    },
    {
      name: 'Duration',
      type: 'string',
      description: 'Time required to complete the job.',
      cell: (o, ctx) => {
        const start = parseTimestamp(get(o, 'status', 'startTime'));
        if (!start) return '';
        const done = parseTimestamp(get(o, 'status', 'completionTime'));
        return humanDuration((done ?? ctx.now).getTime() - start.getTime());
      },
    },
    AGE,
    ...templateColumns(['spec', 'template', 'spec'], (o) => formatLabelSelector(get(o, 'spec', 'selector'))),
  ],
});

const cronJobs = printer({
  group: 'batch',
  resources: ['cronjobs'],
  columns: [
    NAME,
    { name: 'Schedule', type: 'string', description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', cell: (o) => str(get(o, 'spec', 'schedule')) },
    { name: 'Timezone', type: 'string', description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', cell: (o) => str(get(o, 'spec', 'timeZone')) || '<none>' },
    { name: 'Suspend', type: 'boolean', description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions. Defaults to false.', cell: (o) => boolPtr(get(o, 'spec', 'suspend') ?? false) },
    { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', cell: (o) => arr(get(o, 'status', 'active')).length },
    {
      name: 'Last Schedule',
      type: 'string',
      description: 'Information when was the last time the job was successfully scheduled.',
      cell: (o, ctx) => (get(o, 'status', 'lastScheduleTime') ? ctx.since(get(o, 'status', 'lastScheduleTime')) : '<none>'),
    },
    AGE,
    ...templateColumns(['spec', 'jobTemplate', 'spec', 'template', 'spec'], (o) => formatLabelSelector(get(o, 'spec', 'jobTemplate', 'spec', 'selector'))),
  ],
});

// ---- services and networking ----------------------------------------------------------------------

function loadBalancerIngress(ingress: unknown): string {
  const set = new Set<string>();
  for (const i of arr(ingress)) {
    if (str(get(i, 'ip'))) set.add(str(get(i, 'ip')));
    else if (str(get(i, 'hostname'))) set.add(str(get(i, 'hostname')));
  }
  // sets.String.List() is sorted; the server renders wide output, so no 16-char clipping.
  return goSort([...set]).join(',');
}

function serviceExternalIP(o: Obj): string {
  const type = str(get(o, 'spec', 'type')) || 'ClusterIP';
  const externalIPs = arr(get(o, 'spec', 'externalIPs')).map(String);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerIngress(get(o, 'status', 'loadBalancer', 'ingress'));
      if (externalIPs.length > 0) return [...(lbIps ? lbIps.split(',') : []), ...externalIPs].join(',');
      return lbIps || '<pending>';
    }
    case 'ExternalName':
      return str(get(o, 'spec', 'externalName'));
  }
  return '<unknown>';
}

const services = printer({
  group: '',
  resources: ['services'],
  columns: [
    NAME,
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed. Defaults to ClusterIP.', cell: (o) => str(get(o, 'spec', 'type')) || 'ClusterIP' },
    {
      name: 'Cluster-IP',
      type: 'string',
      description: 'clusterIP is the IP address of the service and is usually assigned randomly.',
      cell: (o) => str(get(o, 'spec', 'clusterIPs', 0)) || str(get(o, 'spec', 'clusterIP')) || '<none>',
    },
    { name: 'External-IP', type: 'string', description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', cell: (o) => serviceExternalIP(o) },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'The list of ports that are exposed by this service.',
      cell: (o) => {
        const ports = arr(get(o, 'spec', 'ports')).map((p) => {
          const protocol = str(get(p, 'protocol')) || 'TCP';
          const nodePort = int(get(p, 'nodePort'));
          return nodePort > 0 ? `${int(get(p, 'port'))}:${nodePort}/${protocol}` : `${int(get(p, 'port'))}/${protocol}`;
        });
        return ports.length ? ports.join(',') : '<none>';
      },
    },
    AGE,
    wide({ name: 'Selector', type: 'string', description: 'Route service traffic to pods with label keys and values matching this selector.', cell: (o) => formatLabels(get(o, 'spec', 'selector')) }),
  ],
});

const endpoints = printer({
  group: '',
  resources: ['endpoints'],
  columns: [
    NAME,
    {
      name: 'Endpoints',
      type: 'string',
      description: 'The set of all endpoints is the union of all subsets.',
      cell: (o) => {
        const subsets = arr(get(o, 'subsets'));
        if (subsets.length === 0) return '<none>';
        const list: string[] = [];
        let count = 0;
        for (const ss of subsets) {
          const addrs = arr(get(ss, 'addresses')).map((a) => str(get(a, 'ip')));
          const ports = arr(get(ss, 'ports'));
          if (ports.length === 0) {
            count += addrs.length;
            for (const ip of addrs) if (list.length < 3) list.push(ip);
            continue;
          }
          for (const p of ports) {
            count += addrs.length;
            for (const ip of addrs) if (list.length < 3) list.push(ip.includes(':') ? `[${ip}]:${int(get(p, 'port'))}` : `${ip}:${int(get(p, 'port'))}`);
          }
        }
        const ret = list.join(',');
        return count > 3 ? `${ret} + ${count - 3} more...` : ret;
      },
    },
    AGE,
  ],
});

const endpointSlices = printer({
  group: 'discovery.k8s.io',
  resources: ['endpointslices'],
  columns: [
    NAME,
    { name: 'AddressType', type: 'string', description: 'addressType specifies the type of address carried by this EndpointSlice.', cell: (o) => str(get(o, 'addressType')) },
    {
      name: 'Ports',
      type: 'string',
      description: 'ports specifies the list of network ports exposed by each endpoint in this slice.',
      cell: (o) => {
        const ports = arr(get(o, 'ports'));
        const list = ports.map((p) => (typeof get(p, 'port') === 'number' ? String(int(get(p, 'port'))) : typeof get(p, 'name') === 'string' ? str(get(p, 'name')) : '*'));
        return listWithMore(list, ports.length, 3);
      },
    },
    {
      name: 'Endpoints',
      type: 'string',
      description: 'endpoints is a list of unique endpoints in this slice.',
      cell: (o) => {
        const list = arr(get(o, 'endpoints')).flatMap((e) => arr(get(e, 'addresses')).map(String));
        return listWithMore(list, list.length, 3);
      },
    },
    AGE,
  ],
});

function ingressHosts(o: Obj): string {
  const rules = arr(get(o, 'spec', 'rules'));
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === 3) more = true;
    if (!more && str(get(r, 'host'))) list.push(str(get(r, 'host')));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
}

const ingresses = printer({
  group: 'networking.k8s.io',
  resources: ['ingresses'],
  columns: [
    NAME,
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration', cell: (o) => str(get(o, 'spec', 'ingressClassName')) || '<none>' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: (o) => ingressHosts(o) },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer', cell: (o) => loadBalancerIngress(get(o, 'status', 'loadBalancer', 'ingress')) },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open', cell: (o) => (arr(get(o, 'spec', 'tls')).length ? '80, 443' : '80') },
    AGE,
  ],
});

const ingressClasses = printer({
  group: 'networking.k8s.io',
  resources: ['ingressclasses'],
  columns: [
    NAME,
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', cell: (o) => str(get(o, 'spec', 'controller')) },
    {
      name: 'Parameters',
      type: 'string',
      description: 'A reference to a resource with additional parameters',
      cell: (o) => {
        const p = get(o, 'spec', 'parameters');
        if (!isRecord(p)) return '<none>';
        const kind = str(p.kind) + (typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : '');
        return `${kind}/${str(p.name)}`;
      },
    },
    AGE,
  ],
});

const networkPolicies = printer({
  group: 'networking.k8s.io',
  resources: ['networkpolicies'],
  columns: [
    NAME,
    { name: 'Pod-Selector', type: 'string', description: 'Selects the pods to which this NetworkPolicy object applies.', cell: (o) => formatLabelSelector(get(o, 'spec', 'podSelector') ?? {}) },
    AGE,
  ],
});

// ---- config and storage ---------------------------------------------------------------------------

const configMaps = printer({
  group: '',
  resources: ['configmaps'],
  columns: [
    NAME,
    { name: 'Data', type: 'string', description: 'Data contains the configuration data.', cell: (o) => Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length },
    AGE,
  ],
});

const secrets = printer({
  group: '',
  resources: ['secrets'],
  columns: [
    NAME,
    { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.', cell: (o) => str(o.type) || 'Opaque' },
    { name: 'Data', type: 'string', description: 'Data contains the secret data.', cell: (o) => Object.keys(rec(o.data)).length },
    AGE,
  ],
});

const serviceAccounts = printer({
  group: '',
  resources: ['serviceaccounts'],
  columns: [
    NAME,
    { name: 'Secrets', type: 'string', description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', cell: (o) => arr(o.secrets).length },
    AGE,
  ],
});

function storageClassOf(o: Obj): string {
  const ann = strMap(get(o, 'metadata', 'annotations'));
  if ('volume.beta.kubernetes.io/storage-class' in ann) return ann['volume.beta.kubernetes.io/storage-class'];
  return str(get(o, 'spec', 'storageClassName'));
}

const persistentVolumes = printer({
  group: '',
  resources: ['persistentvolumes'],
  columns: [
    NAME,
    { name: 'Capacity', type: 'string', description: 'capacity is the description of the persistent volume\'s resources and capacity.', cell: (o) => quantity(get(o, 'spec', 'capacity', 'storage')) },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains all ways the volume can be mounted.', cell: (o) => accessModesAsString(get(o, 'spec', 'accessModes')) },
    { name: 'Reclaim Policy', type: 'string', description: 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', cell: (o) => str(get(o, 'spec', 'persistentVolumeReclaimPolicy')) },
    { name: 'Status', type: 'string', description: 'phase indicates if a volume is available, bound to a claim, or released by a claim.', cell: (o) => (get(o, 'metadata', 'deletionTimestamp') ? 'Terminating' : str(get(o, 'status', 'phase'))) },
    {
      name: 'Claim',
      type: 'string',
      description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
      cell: (o) => (isRecord(get(o, 'spec', 'claimRef')) ? `${str(get(o, 'spec', 'claimRef', 'namespace'))}/${str(get(o, 'spec', 'claimRef', 'name'))}` : ''),
    },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pv', cell: (o) => storageClassOf(o) },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pv', cell: (o) => str(get(o, 'spec', 'volumeAttributesClassName')) || '<unset>' },
    { name: 'Reason', type: 'string', description: 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', cell: (o) => str(get(o, 'status', 'reason')) },
    AGE,
    wide({ name: 'VolumeMode', type: 'string', description: 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', cell: (o) => str(get(o, 'spec', 'volumeMode')) || '<unset>' }),
  ],
});

const persistentVolumeClaims = printer({
  group: '',
  resources: ['persistentvolumeclaims'],
  columns: [
    NAME,
    { name: 'Status', type: 'string', description: 'phase represents the current phase of PersistentVolumeClaim.', cell: (o) => (get(o, 'metadata', 'deletionTimestamp') ? 'Terminating' : str(get(o, 'status', 'phase'))) },
    { name: 'Volume', type: 'string', description: 'volumeName is the binding reference to the PersistentVolume backing this claim.', cell: (o) => str(get(o, 'spec', 'volumeName')) },
    { name: 'Capacity', type: 'string', description: 'capacity represents the actual resources of the underlying volume.', cell: (o) => (str(get(o, 'spec', 'volumeName')) ? quantity(get(o, 'status', 'capacity', 'storage')) : '') },
    { name: 'Access Modes', type: 'string', description: 'accessModes contains the actual access modes the volume backing the PVC has.', cell: (o) => (str(get(o, 'spec', 'volumeName')) ? accessModesAsString(get(o, 'status', 'accessModes')) : '') },
    { name: 'StorageClass', type: 'string', description: 'StorageClass of the pvc', cell: (o) => storageClassOf(o) },
    { name: 'VolumeAttributesClass', type: 'string', description: 'VolumeAttributesClass of the pvc', cell: (o) => str(get(o, 'spec', 'volumeAttributesClassName')) || '<unset>' },
    AGE,
    wide({ name: 'VolumeMode', type: 'string', description: 'volumeMode defines what type of volume is required by the claim.', cell: (o) => str(get(o, 'spec', 'volumeMode')) || '<unset>' }),
  ],
});

const storageClasses = printer({
  group: 'storage.k8s.io',
  resources: ['storageclasses'],
  columns: [
    {
      ...NAME,
      cell: (o) => {
        const ann = strMap(get(o, 'metadata', 'annotations'));
        const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
        return isDefault ? `${name(o)} (default)` : name(o);
      },
    },
    { name: 'Provisioner', type: 'string', description: 'provisioner indicates the type of the provisioner.', cell: (o) => str(o.provisioner) },
    { name: 'ReclaimPolicy', type: 'string', description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.', cell: (o) => str(o.reclaimPolicy) || 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.', cell: (o) => str(o.volumeBindingMode) || 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'allowVolumeExpansion shows whether the storage class allow volume expand.', cell: (o) => o.allowVolumeExpansion === true },
    AGE,
  ],
});

const resourceQuotas = printer<{ request: string; limit: string }>({
  group: '',
  resources: ['resourcequotas'],
  prepare: (o) => {
    const hard = rec(get(o, 'status', 'hard'));
    const used = rec(get(o, 'status', 'used'));
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of goSort(Object.keys(hard))) {
      const pieces = r.split('.');
      const text = `${r}: ${quantity(used[r])}/${quantity(hard[r])}`;
      (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(text);
    }
    return { request: request.join(', '), limit: limit.join(', ') };
  },
  columns: [
    NAME,
    { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', cell: (_o, _c, s) => s.request },
    { name: 'Limit', type: 'string', description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', cell: (_o, _c, s) => s.limit },
    AGE,
  ],
});

// ---- cluster --------------------------------------------------------------------------------------

const namespaces = printer({
  group: '',
  resources: ['namespaces'],
  columns: [
    NAME,
    // Namespaces are defaulted to Active by the strategy; an unset phase is shown as Active too.
    { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (o) => str(get(o, 'status', 'phase')) || 'Active' },
    AGE,
  ],
});

function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(strMap(get(o, 'metadata', 'labels')))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  const list = goSort([...roles]);
  return list.length ? list.join(',') : '<none>';
}

const nodeAddress = (o: Obj, type: string): string =>
  str(get(arr(get(o, 'status', 'addresses')).find((a) => str(get(a, 'type')) === type), 'address')) || '<none>';

const nodes = printer({
  group: '',
  resources: ['nodes'],
  columns: [
    NAME,
    {
      name: 'Status',
      type: 'string',
      description: 'The status of the node',
      cell: (o) => {
        const status: string[] = [];
        const ready = arr(get(o, 'status', 'conditions')).filter((c) => str(get(c, 'type')) === 'Ready').pop();
        if (ready) status.push(str(get(ready, 'status')) === 'True' ? 'Ready' : 'NotReady');
        if (status.length === 0) status.push('Unknown');
        if (get(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
        return status.join(',');
      },
    },
    { name: 'Roles', type: 'string', description: 'The roles of the node', cell: (o) => nodeRoles(o) },
    AGE,
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', cell: (o) => str(get(o, 'status', 'nodeInfo', 'kubeletVersion')) },
    wide({ name: 'Internal-IP', type: 'string', description: 'List of addresses reachable to the node.', cell: (o) => nodeAddress(o, 'InternalIP') }),
    wide({ name: 'External-IP', type: 'string', description: 'List of addresses reachable to the node.', cell: (o) => nodeAddress(o, 'ExternalIP') }),
    wide({ name: 'OS-Image', type: 'string', description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', cell: (o) => str(get(o, 'status', 'nodeInfo', 'osImage')) || '<unknown>' }),
    wide({ name: 'Kernel-Version', type: 'string', description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", cell: (o) => str(get(o, 'status', 'nodeInfo', 'kernelVersion')) || '<unknown>' }),
    wide({ name: 'Container-Runtime', type: 'string', description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', cell: (o) => str(get(o, 'status', 'nodeInfo', 'containerRuntimeVersion')) || '<unknown>' }),
  ],
});

// ---- events (core/v1 and events.k8s.io/v1 share kube's internal printer) ----------------------------

interface EventState {
  last: string;
  first: string;
  count: number;
  target: string;
  type: string;
  reason: string;
  fieldPath: string;
  source: string;
  message: string;
}

function eventState(e: {
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  series: unknown;
  count: unknown;
  involved: unknown;
  type: unknown;
  reason: unknown;
  message: unknown;
  sourceComponent: unknown;
  sourceHost: unknown;
  reportingController: unknown;
  reportingInstance: unknown;
}, ctx: PrintContext): EventState {
  let first = ctx.since(e.firstTimestamp);
  if (!parseTimestamp(e.firstTimestamp)) first = ctx.since(e.eventTime);
  let last = ctx.since(e.lastTimestamp);
  if (!parseTimestamp(e.lastTimestamp)) last = first;
  let count = int(e.count);
  if (isRecord(e.series)) {
    last = ctx.since(e.series.lastObservedTime);
    count = int(e.series.count);
  } else if (count === 0) {
    count = 1; // singleton events don't have a count set in the new API
  }
  const kind = str(get(e.involved, 'kind')).toLowerCase();
  const objName = str(get(e.involved, 'name'));
  const component = str(e.sourceComponent) || str(e.reportingController);
  const host = str(e.sourceHost) || str(e.reportingInstance);
  return {
    last,
    first,
    count,
    target: objName ? `${kind}/${objName}` : kind,
    type: str(e.type),
    reason: str(e.reason),
    fieldPath: str(get(e.involved, 'fieldPath')),
    source: host ? `${component}, ${host}` : component,
    message: str(e.message).trim(),
  };
}

const eventColumns: ColumnSpec<EventState>[] = [
  { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', cell: (_o, _c, s) => s.last },
  { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future', cell: (_o, _c, s) => s.type },
  { name: 'Reason', type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", cell: (_o, _c, s) => s.reason },
  { name: 'Object', type: 'string', description: 'The object that this event is about.', cell: (_o, _c, s) => s.target },
  wide({ name: 'Subobject', type: 'string', description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', cell: (_o, _c, s) => s.fieldPath }),
  wide({ name: 'Source', type: 'string', description: 'The component reporting this event. Should be a short machine understandable string.', cell: (_o, _c, s) => s.source }),
  { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', cell: (_o, _c, s) => s.message },
  wide({ name: 'First Seen', type: 'string', description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', cell: (_o, _c, s) => s.first }),
  wide({ name: 'Count', type: 'string', description: 'The number of times this event has occurred.', cell: (_o, _c, s) => s.count }),
  // Kubernetes puts the event name last (and wide); it is still the format=name column.
  wide({ ...NAME }),
];

const coreEvents = printer<EventState>({
  group: '',
  resources: ['events'],
  prepare: (o, ctx) =>
    eventState(
      {
        firstTimestamp: o.firstTimestamp,
        lastTimestamp: o.lastTimestamp,
        eventTime: o.eventTime,
        series: o.series,
        count: o.count,
        involved: o.involvedObject,
        type: o.type,
        reason: o.reason,
        message: o.message,
        sourceComponent: get(o, 'source', 'component'),
        sourceHost: get(o, 'source', 'host'),
        reportingController: o.reportingComponent,
        reportingInstance: o.reportingInstance,
      },
      ctx,
    ),
  columns: eventColumns,
});

const eventsV1 = printer<EventState>({
  group: 'events.k8s.io',
  resources: ['events'],
  prepare: (o, ctx) =>
    eventState(
      {
        firstTimestamp: o.deprecatedFirstTimestamp,
        lastTimestamp: o.deprecatedLastTimestamp,
        eventTime: o.eventTime,
        series: o.series,
        count: o.deprecatedCount,
        involved: o.regarding,
        type: o.type,
        reason: o.reason,
        message: o.note,
        sourceComponent: get(o, 'deprecatedSource', 'component'),
        sourceHost: get(o, 'deprecatedSource', 'host'),
        reportingController: o.reportingController,
        reportingInstance: o.reportingInstance,
      },
      ctx,
    ),
  columns: eventColumns,
});

// ---- coordination, autoscaling, policy ------------------------------------------------------------

const leases = printer({
  group: 'coordination.k8s.io',
  resources: ['leases'],
  columns: [
    NAME,
    { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', cell: (o) => str(get(o, 'spec', 'holderIdentity')) },
    AGE,
  ],
});

function hpaMetrics(o: Obj): string {
  let specs = arr(get(o, 'spec', 'metrics'));
  let statuses = arr(get(o, 'status', 'currentMetrics'));
  // autoscaling/v1 carries a single CPU utilization target; kube converts it to a Resource metric.
  const v1Target = get(o, 'spec', 'targetCPUUtilizationPercentage');
  if (specs.length === 0 && typeof v1Target === 'number') {
    specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: v1Target } } }];
    const cur = get(o, 'status', 'currentCPUUtilizationPercentage');
    statuses = typeof cur === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }] : [];
  }
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const q = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (str(get(spec, 'type'))) {
      case 'External':
      case 'Object': {
        const key = str(get(spec, 'type')) === 'External' ? 'external' : 'object';
        const target = get(spec, key, 'target');
        if (q(get(target, 'averageValue')) !== undefined) {
          const current = q(get(st, key, 'current', 'averageValue')) ?? '<unknown>';
          list.push(`${current}/${q(get(target, 'averageValue'))} (avg)`);
        } else {
          const current = isRecord(get(st, key)) ? (q(get(st, key, 'current', 'value')) ?? '<unknown>') : '<unknown>';
          list.push(`${current}/${q(get(target, 'value')) ?? '<unknown>'}`);
        }
        break;
      }
      case 'Pods': {
        const current = q(get(st, 'pods', 'current', 'averageValue')) ?? '<unknown>';
        list.push(`${current}/${q(get(spec, 'pods', 'target', 'averageValue')) ?? '<unknown>'}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = str(get(spec, 'type')) === 'Resource' ? 'resource' : 'containerResource';
        const rname = str(get(spec, key, 'name'));
        const target = get(spec, key, 'target');
        if (q(get(target, 'averageValue')) !== undefined) {
          const current = q(get(st, key, 'current', 'averageValue')) ?? '<unknown>';
          list.push(`${rname}: ${current}/${q(get(target, 'averageValue'))}`);
        } else {
          const cu = get(st, key, 'current', 'averageUtilization');
          const current = typeof cu === 'number' ? `${cu}%` : '<unknown>';
          const tu = get(target, 'averageUtilization');
          list.push(`${rname}: ${current}/${typeof tu === 'number' ? `${tu}%` : '<auto>'}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

const horizontalPodAutoscalers = printer({
  group: 'autoscaling',
  resources: ['horizontalpodautoscalers'],
  columns: [
    NAME,
    { name: 'Reference', type: 'string', description: 'scaleTargetRef points to the target resource to scale.', cell: (o) => `${str(get(o, 'spec', 'scaleTargetRef', 'kind'))}/${str(get(o, 'spec', 'scaleTargetRef', 'name'))}` },
    { name: 'Targets', type: 'string', description: 'metrics contains the specifications for which to use to calculate the desired replica count.', cell: (o) => hpaMetrics(o) },
    { name: 'MinPods', type: 'string', description: 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.', cell: (o) => (typeof get(o, 'spec', 'minReplicas') === 'number' ? String(int(get(o, 'spec', 'minReplicas'))) : '<unset>') },
    { name: 'MaxPods', type: 'string', description: 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', cell: (o) => int(get(o, 'spec', 'maxReplicas')) },
    { name: 'Replicas', type: 'string', description: 'currentReplicas is current number of replicas of pods managed by this autoscaler.', cell: (o) => int(get(o, 'status', 'currentReplicas')) },
    AGE,
  ],
});

const podDisruptionBudgets = printer({
  group: 'policy',
  resources: ['poddisruptionbudgets'],
  columns: [
    NAME,
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.', cell: (o) => (get(o, 'spec', 'minAvailable') !== undefined ? intOrString(get(o, 'spec', 'minAvailable')) : 'N/A') },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.', cell: (o) => (get(o, 'spec', 'maxUnavailable') !== undefined ? intOrString(get(o, 'spec', 'maxUnavailable')) : 'N/A') },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.', cell: (o) => int(get(o, 'status', 'disruptionsAllowed')) },
    AGE,
  ],
});

const priorityClasses = printer({
  group: 'scheduling.k8s.io',
  resources: ['priorityclasses'],
  columns: [
    NAME,
    { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class.', cell: (o) => int(o.value) },
    { name: 'Global-Default', type: 'boolean', description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', cell: (o) => o.globalDefault === true },
    AGE,
    { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority.', cell: (o) => str(o.preemptionPolicy) },
  ],
});

// ---- rbac -----------------------------------------------------------------------------------------

function subjectsStrings(o: Obj): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(o.subjects)) {
    switch (str(get(s, 'kind'))) {
      case 'ServiceAccount':
        sas.push(`${str(get(s, 'namespace'))}/${str(get(s, 'name'))}`);
        break;
      case 'User':
        users.push(str(get(s, 'name')));
        break;
      case 'Group':
        groups.push(str(get(s, 'name')));
        break;
    }
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(resource: 'rolebindings' | 'clusterrolebindings', what: string): PrinterEntry {
  return printer({
    group: 'rbac.authorization.k8s.io',
    resources: [resource],
    columns: [
      NAME,
      { name: 'Role', type: 'string', description: 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.', cell: (o) => `${str(get(o, 'roleRef', 'kind'))}/${str(get(o, 'roleRef', 'name'))}` },
      AGE,
      wide({ name: 'Users', type: 'string', description: `Users in the ${what}`, cell: (o) => subjectsStrings(o)[0] }),
      wide({ name: 'Groups', type: 'string', description: `Groups in the ${what}`, cell: (o) => subjectsStrings(o)[1] }),
      wide({ name: 'ServiceAccounts', type: 'string', description: `ServiceAccounts in the ${what}`, cell: (o) => subjectsStrings(o)[2] }),
    ],
  });
}

// ---- certificates, admission, aggregation ---------------------------------------------------------

const certificateSigningRequests = printer({
  group: 'certificates.k8s.io',
  resources: ['certificatesigningrequests'],
  columns: [
    NAME,
    AGE,
    { name: 'SignerName', type: 'string', description: 'Requested signer for the request.', cell: (o) => str(get(o, 'spec', 'signerName')) || '<none>' },
    { name: 'Requestor', type: 'string', description: 'Information about the requesting user.', cell: (o) => str(get(o, 'spec', 'username')) },
    {
      name: 'RequestedDuration',
      type: 'string',
      description: 'expirationSeconds is the requested duration of validity of the issued certificate.',
      cell: (o) => (typeof get(o, 'spec', 'expirationSeconds') === 'number' ? humanDuration(int(get(o, 'spec', 'expirationSeconds')) * 1000) : '<none>'),
    },
    {
      name: 'Condition',
      type: 'string',
      description: 'Conditions applied to the request, such as approval or denial.',
      cell: (o) => {
        const types = new Set(arr(get(o, 'status', 'conditions')).map((c) => str(get(c, 'type'))));
        let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
        if (types.has('Failed')) status += ',Failed';
        if (str(get(o, 'status', 'certificate')) !== '') status += ',Issued';
        return status;
      },
    },
  ],
});

const webhookConfigurations = printer({
  group: 'admissionregistration.k8s.io',
  resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
  columns: [
    NAME,
    { name: 'Webhooks', type: 'integer', description: 'Webhooks indicates the number of webhooks registered in this configuration', cell: (o) => arr(o.webhooks).length },
    AGE,
  ],
});

const validatingAdmissionPolicies = printer({
  group: 'admissionregistration.k8s.io',
  resources: ['validatingadmissionpolicies'],
  columns: [
    NAME,
    { name: 'Validations', type: 'integer', description: 'Validations indicates the number of validation rules defined in this configuration', cell: (o) => arr(get(o, 'spec', 'validations')).length },
    {
      name: 'ParamKind',
      type: 'string',
      description: 'ParamKind specifies the kind of resources used to parameterize this policy',
      cell: (o) => (isRecord(get(o, 'spec', 'paramKind')) ? `${str(get(o, 'spec', 'paramKind', 'apiVersion'))}/${str(get(o, 'spec', 'paramKind', 'kind'))}` : '<unset>'),
    },
    AGE,
  ],
});

const validatingAdmissionPolicyBindings = printer({
  group: 'admissionregistration.k8s.io',
  resources: ['validatingadmissionpolicybindings'],
  columns: [
    NAME,
    { name: 'PolicyName', type: 'string', description: 'PolicyName indicates the policy definition which the policy binding binded to', cell: (o) => str(get(o, 'spec', 'policyName')) },
    {
      name: 'ParamRef',
      type: 'string',
      description: 'ParamRef indicates the param resource which sets the configration param',
      cell: (o) => {
        const pr = get(o, 'spec', 'paramRef');
        if (!isRecord(pr)) return '<unset>';
        if (str(pr.name)) return str(pr.namespace) ? `${str(pr.namespace)}/${str(pr.name)}` : `*/${str(pr.name)}`;
        if (isRecord(pr.selector)) return labelSelectorString(pr.selector) ?? '<unset>';
        return '<unset>';
      },
    },
    AGE,
  ],
});

const runtimeClasses = printer({
  group: 'node.k8s.io',
  resources: ['runtimeclasses'],
  columns: [NAME, { name: 'Handler', type: 'string', description: 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.', cell: (o) => str(o.handler) }, AGE],
});

const apiServices = printer({
  group: 'apiregistration.k8s.io',
  resources: ['apiservices'],
  columns: [
    NAME,
    {
      name: 'Service',
      type: 'string',
      description: 'The reference to the service that hosts this API endpoint.',
      cell: (o) => (isRecord(get(o, 'spec', 'service')) ? `${str(get(o, 'spec', 'service', 'namespace'))}/${str(get(o, 'spec', 'service', 'name'))}` : 'Local'),
    },
    {
      name: 'Available',
      type: 'string',
      description: 'Whether this service is available.',
      cell: (o) => {
        const c = arr(get(o, 'status', 'conditions')).find((x) => str(get(x, 'type')) === 'Available');
        if (!c) return 'Unknown';
        const status = str(get(c, 'status'));
        if (status !== 'True' && str(get(c, 'reason'))) return `${status} (${str(get(c, 'reason'))})`;
        return status;
      },
    },
    AGE,
  ],
});

// ---- registry -------------------------------------------------------------------------------------

/** Every built-in printer. Kinds not listed (roles, clusterroles, limitranges, CRDs, ...) use kube's default Name/Created At table. */
export const BUILTIN_PRINTERS: readonly PrinterEntry[] = [
  pods,
  podTemplates,
  deployments,
  replicaSets,
  replicationControllers,
  statefulSets,
  daemonSets,
  controllerRevisions,
  jobs,
  cronJobs,
  services,
  endpoints,
  endpointSlices,
  ingresses,
  ingressClasses,
  networkPolicies,
  configMaps,
  secrets,
  serviceAccounts,
  persistentVolumes,
  persistentVolumeClaims,
  storageClasses,
  resourceQuotas,
  namespaces,
  nodes,
  coreEvents,
  eventsV1,
  leases,
  horizontalPodAutoscalers,
  podDisruptionBudgets,
  priorityClasses,
  bindingPrinter('rolebindings', 'roleBinding'),
  bindingPrinter('clusterrolebindings', 'clusterRoleBinding'),
  certificateSigningRequests,
  webhookConfigurations,
  validatingAdmissionPolicies,
  validatingAdmissionPolicyBindings,
  runtimeClasses,
  apiServices,
];

const byResource = new Map<string, PrinterEntry>();
for (const p of BUILTIN_PRINTERS) for (const r of p.resources) byResource.set(`${p.group}/${r}`, p);

/** The built-in printer for group/resource, if Kubernetes has one. */
export function builtinPrinter(group: string, resource: string): PrinterEntry | undefined {
  return byResource.get(`${group}/${resource}`);
}

