import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeletDecision, normalizeImage, qosClass, type KubeletView } from './kubelet.js';
import type { Pod } from './types.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const view = (now: number, extra: Partial<KubeletView> = {}): KubeletView => ({ hostIP: '172.16.0.2', podIP: '10.244.0.2', now, startupDelayMs: 0, jobDurationMs: 1000, ...extra });

function pod(extra: { owner?: string; annotations?: Record<string, string>; restartPolicy?: string } = {}): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'default',
      uid: 'uid-1',
      annotations: extra.annotations,
      ownerReferences: extra.owner ? [{ apiVersion: 'v1', kind: extra.owner, name: 'o', uid: 'o', controller: true }] : undefined,
    },
    spec: { nodeName: 'n1', restartPolicy: extra.restartPolicy ?? 'Always', containers: [{ name: 'c', image: 'nginx' }] },
  };
}

describe('normalizeImage', () => {
  it('spells images as containerd reports them', () => {
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeImage('nginx:1.27'), 'docker.io/library/nginx:1.27');
    assert.equal(normalizeImage('bitnami/redis'), 'docker.io/bitnami/redis:latest');
    assert.equal(normalizeImage('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
    assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  });
});

describe('qosClass', () => {
  it('classifies pods by requests and limits', () => {
    const p = pod();
    assert.equal(qosClass(p), 'BestEffort');
    p.spec!.containers[0]!.resources = { requests: { cpu: '1' } };
    assert.equal(qosClass(p), 'Burstable');
    p.spec!.containers[0]!.resources = { limits: { cpu: '1', memory: '1Gi' } };
    assert.equal(qosClass(p), 'Guaranteed');
  });
});

describe('kubeletDecision', () => {
  it('runs a bound pod: phase, IPs, conditions and container state', () => {
    const d = kubeletDecision(pod(), view(T0));
    const s = d.status!;
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.244.0.2');
    assert.deepEqual(s.hostIPs, [{ ip: '172.16.0.2' }]);
    assert.equal(s.startTime, '2025-01-01T00:00:00Z');
    assert.deepEqual(s.conditions!.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    const cs = s.containerStatuses![0]!;
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.image, 'docker.io/library/nginx:latest');
    assert.match(cs.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(cs.state!.running);
    assert.equal(d.requeueAfterMs, undefined);
    // Idempotent: the same pod at a later time yields the same status.
    const again = kubeletDecision({ ...pod(), status: s }, view(T0 + 5000));
    assert.deepEqual(again.status, s);
  });

  it('creates containers first when there is a startup delay', () => {
    const d = kubeletDecision(pod(), view(T0, { startupDelayMs: 2000 }));
    assert.equal(d.status!.phase, 'Pending');
    assert.equal(d.status!.containerStatuses![0]!.state!.waiting!.reason, 'ContainerCreating');
    assert.equal(d.requeueAfterMs, 2000);
    const later = kubeletDecision({ ...pod(), status: d.status }, view(T0 + 2000, { startupDelayMs: 2000 }));
    assert.equal(later.status!.phase, 'Running');
  });

  it('completes Job pods after the job duration', () => {
    const running = kubeletDecision(pod({ owner: 'Job', restartPolicy: 'Never' }), view(T0));
    assert.equal(running.status!.phase, 'Running');
    assert.equal(running.requeueAfterMs, 1000);
    const done = kubeletDecision({ ...pod({ owner: 'Job', restartPolicy: 'Never' }), status: running.status }, view(T0 + 1000));
    assert.equal(done.status!.phase, 'Succeeded');
    const term = done.status!.containerStatuses![0]!.state!.terminated!;
    assert.equal(term.reason, 'Completed');
    assert.equal(term.exitCode, 0);
    assert.equal(done.status!.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  });

  it('fails pods with a non-zero exit code and restarts them under restartPolicy Always', () => {
    const ann = { 'kube-sim.karmada.io/run-duration': '1s', 'kube-sim.karmada.io/exit-code': '3' };
    const never = pod({ annotations: ann, restartPolicy: 'Never' });
    const failed = kubeletDecision({ ...never, status: kubeletDecision(never, view(T0)).status }, view(T0 + 1000));
    assert.equal(failed.status!.phase, 'Failed');
    assert.equal(failed.status!.containerStatuses![0]!.state!.terminated!.exitCode, 3);
    const p = pod({ annotations: ann });
    const first = kubeletDecision(p, view(T0));
    const restarted = kubeletDecision({ ...p, status: first.status }, view(T0 + 1000));
    assert.equal(restarted.status!.phase, 'Running');
    assert.equal(restarted.status!.containerStatuses![0]!.restartCount, 1);
    assert.equal((restarted.status!.containerStatuses![0]!.lastState as { terminated: { exitCode: number } }).terminated.exitCode, 3);
  });
});
