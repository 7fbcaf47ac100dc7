import { _podTemplatesOf } from '../pod/admission';
import { _trainJobPods } from '../training/_trainer-pods';

/** The tightest active deadline bounding a pod, and the field that sets it. @internal */
export interface _Deadline {
  readonly seconds: number;
  /** Path of the field in the object, e.g. `spec.runPolicy.activeDeadlineSeconds`. */
  readonly field: string;
}

/** A pod a rendered object makes, with what a node pool checks about it. @internal */
export interface _PlacedPod {
  /** Where the pod is described in the object, e.g. `spec.tfReplicaSpecs.Chief.template`. */
  readonly where: string;
  /** The pod spec: containers, nodeSelector, affinity. */
  readonly spec: any;
  /** Whether the pod runs to completion (a job) rather than as a service. */
  readonly runsToCompletion: boolean;
  /** The tightest active deadline bounding the pod, if any. */
  readonly deadline?: _Deadline;
  /**
   * How many such pods run at once, when the object says it outside the path to the pod (a TrainJob's `numNodes`);
   * undefined: read the replicas and parallelism on the way to `where`.
   */
  readonly pods?: number;
}

/** Restart policies of a pod or a Kubeflow replica (anything else named restartPolicy is about something else). */
const REPLICA_RESTART: unknown[] = ['Always', 'OnFailure', 'Never', 'ExitCode'];

/** Kinds that never describe pods: skipped without rendering. */
const NO_PODS = new Set([
  'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'NetworkPolicy', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
  'PriorityClass', 'ResourceQuota', 'LimitRange', 'Namespace', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
  'PersistentVolumeClaim', 'NodePool', 'EC2NodeClass', 'PrometheusRule', 'ServiceMonitor', 'PodMonitor', 'PodMonitoring',
  'ClusterRules', 'ManagedCertificate', 'ScaledObject', 'TriggerAuthentication',
]);

/** Whether objects of `kind` may describe pods (cheap pre-filter; unknown kinds are scanned). @internal */
export function _mayHavePods(kind: string): boolean {
  return !NO_PODS.has(kind);
}

/** KServe component fields that are not pod-spec fields. */
const KSERVE_FIELDS = new Set(['minReplicas', 'maxReplicas', 'scaleMetric', 'scaleTarget', 'scaleMetricType', 'labels', 'annotations',
  'model', 'containers', 'canaryTrafficPercent', 'containerConcurrency', 'timeout', 'batcher', 'logger', 'deploymentStrategy',
  'autoScaling', 'workerSpec', 'storageUris']);

/**
 * Every pod a rendered object makes, read generically: every pod template in it (`_podTemplatesOf`: Jobs, Deployments,
 * JobSet replicated jobs, Kubeflow replica specs, LeaderWorkerSet templates...), and the components of a KServe
 * InferenceService (predictor, transformer, explainer: pod fields inline, the model container over the runtime's).
 * A pod's deadline is the tightest `activeDeadlineSeconds` on the way to it (the object's, a Kubeflow
 * `runPolicy`'s, a JobSet child Job's) or on the pod itself; it runs to completion when its restart policy (or its
 * replica spec's) is not Always. A TrainJob (Kubeflow Trainer v2) has no pod template: its `numNodes` pods are the
 * runtime's with the TrainJob's runtime patches (the platform's placement) and `spec.trainer` (`resourcesPerNode`).
 * @internal
 */
export function _placedPodsOf(json: any): _PlacedPod[] {
  if (json?.kind === 'TrainJob' && String(json.apiVersion).startsWith('trainer.kubeflow.org/')) {
    const seconds = json.spec?.activeDeadlineSeconds;
    const deadline = typeof seconds === 'number' ? { seconds, field: 'spec.activeDeadlineSeconds' } : undefined;
    const nodes = json.spec?.trainer?.numNodes;
    // Read without the runtime object: the placement and the resources a pool or a queue checks are the TrainJob's own.
    return _trainJobPods(json).map(t => ({
      where: 'spec.trainer', spec: t.spec, runsToCompletion: true, deadline, pods: typeof nodes === 'number' ? nodes : 1,
    }));
  }
  if (json?.kind === 'InferenceService' && String(json.apiVersion).startsWith('serving.kserve.io/')) {
    return ['predictor', 'transformer', 'explainer'].filter(c => json.spec?.[c]).map(c => {
      const component = json.spec[c];
      const spec: any = {};
      for (const [k, v] of Object.entries(component)) if (!KSERVE_FIELDS.has(k)) spec[k] = v;
      spec.containers = component.model ? [component.model] : component.containers ?? [];
      return { where: `spec.${c}`, spec, runsToCompletion: false };
    });
  }
  return _podTemplatesOf(json).map(t => {
    const deadlines: _Deadline[] = [];
    let replicaRestart: string | undefined;
    let node: any = json;
    let path = '';
    const consider = (n: any, at: string) => {
      if (typeof n?.activeDeadlineSeconds === 'number') deadlines.push({ seconds: n.activeDeadlineSeconds, field: `${at}.activeDeadlineSeconds` });
      if (typeof n?.runPolicy?.activeDeadlineSeconds === 'number') {
        deadlines.push({ seconds: n.runPolicy.activeDeadlineSeconds, field: `${at}.runPolicy.activeDeadlineSeconds` });
      }
      // A replica's pod restart policy (Kubeflow: Always, OnFailure, Never, ExitCode); a LeaderWorkerSet's restartPolicy
      // (RecreateGroupOnPodRestart, None) is what a group does when a pod restarts, not a pod's.
      if (REPLICA_RESTART.includes(n?.restartPolicy)) replicaRestart = n.restartPolicy;
    };
    // Walk from the object to the template, looking at every object on the way.
    for (const [, key, index] of Array.from(t.where.matchAll(/([^.[\]]+)|\[(\d+)\]/g))) {
      node = index !== undefined ? node?.[Number(index)] : node?.[key];
      path = index !== undefined ? `${path}[${index}]` : path ? `${path}.${key}` : key;
      if (path === t.where) break;
      if (node && typeof node === 'object' && !Array.isArray(node)) consider(node, path);
    }
    if (typeof t.spec.activeDeadlineSeconds === 'number') deadlines.push({ seconds: t.spec.activeDeadlineSeconds, field: `${t.where}.spec.activeDeadlineSeconds` });
    const podRestart = t.spec.restartPolicy;
    const runsToCompletion = podRestart === 'Never' || podRestart === 'OnFailure'
      || (replicaRestart !== undefined && replicaRestart !== 'Always');
    const deadline = deadlines.sort((a, b) => a.seconds - b.seconds)[0];
    return { where: t.where, spec: t.spec, runsToCompletion, deadline };
  });
}
