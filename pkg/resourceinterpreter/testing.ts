// A sample ResourceInterpreterCustomization for a CRD (apps.example.io/v1 Workload with spec.replicas,
// spec.template and status.readyReplicas), used by the tests here and by end-to-end tests.

export const SAMPLE_WORKLOAD_RIC_YAML = `apiVersion: config.karmada.io/v1alpha1
kind: ResourceInterpreterCustomization
metadata:
  name: workload-example
spec:
  target:
    apiVersion: apps.example.io/v1
    kind: Workload
  customizations:
    replicaResource:
      luaScript: |
        local kube = require("kube")
        function GetReplicas(obj)
          local replica = obj.spec.replicas
          if replica == nil then
            replica = 1
          end
          local requirement = kube.accuratePodRequirements(obj.spec.template)
          return replica, requirement
        end
    replicaRevision:
      luaScript: |
        function ReviseReplica(obj, desiredReplica)
          obj.spec.replicas = desiredReplica
          return obj
        end
    retention:
      luaScript: |
        function Retain(desiredObj, observedObj)
          if observedObj.spec ~= nil and observedObj.spec.paused ~= nil then
            desiredObj.spec.paused = observedObj.spec.paused
          end
          return desiredObj
        end
    statusReflection:
      luaScript: |
        function ReflectStatus(observedObj)
          local status = {}
          if observedObj.status == nil then
            return status
          end
          status.replicas = observedObj.status.replicas
          status.readyReplicas = observedObj.status.readyReplicas
          status.observedGeneration = observedObj.status.observedGeneration
          status.generation = observedObj.metadata.generation
          return status
        end
    statusAggregation:
      luaScript: |
        function AggregateStatus(desiredObj, statusItems)
          if desiredObj.status == nil then
            desiredObj.status = {}
          end
          local replicas = 0
          local ready = 0
          for i = 1, #statusItems do
            local s = statusItems[i].status
            if s ~= nil then
              replicas = replicas + (s.replicas or 0)
              ready = ready + (s.readyReplicas or 0)
            end
          end
          desiredObj.status.replicas = replicas
          desiredObj.status.readyReplicas = ready
          return desiredObj
        end
    healthInterpretation:
      luaScript: |
        function InterpretHealth(observedObj)
          if observedObj.status == nil then
            return false
          end
          local want = observedObj.spec.replicas or 1
          return (observedObj.status.readyReplicas or 0) >= want
        end
    dependencyInterpretation:
      luaScript: |
        local kube = require("kube")
        function GetDependencies(desiredObj)
          return kube.getPodDependencies(desiredObj.spec.template, desiredObj.metadata.namespace)
        end
`;

/** A Workload the sample customization understands. */
export function sampleWorkload(replicas = 3): Record<string, unknown> {
  return {
    apiVersion: 'apps.example.io/v1',
    kind: 'Workload',
    metadata: { name: 'demo', namespace: 'default', generation: 2 },
    spec: {
      replicas,
      paused: false,
      template: {
        metadata: { labels: { app: 'demo' } },
        spec: {
          serviceAccountName: 'demo-sa',
          containers: [
            {
              name: 'app',
              image: 'nginx',
              resources: { requests: { cpu: '250m', memory: '128Mi' } },
              envFrom: [{ configMapRef: { name: 'demo-config' } }],
            },
          ],
          volumes: [{ name: 'creds', secret: { secretName: 'demo-secret' } }],
        },
      },
    },
  };
}
