import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { _placedPodsOf } from '../capacity/_placed-pods';
import { _Renders } from '../pod/renders';

/** Pods of one template of a workload, and their GPUs. @internal */
export interface _PodSet {
  /** Where the template is in the object, e.g. `spec.template`. */
  readonly where: string;
  /** GPUs per pod: `nvidia.com/gpu` and MIG slices of the mixed strategy (`nvidia.com/mig-<profile>`) together. */
  readonly gpusPerPod: number;
  /** Pods at the fewest replicas (serving) or at once (jobs). */
  readonly minPods: number;
  /** Pods at the most replicas (serving) or at once (jobs). */
  readonly maxPods: number;
}

/** What a workload asks of the fleet: its pods and GPUs, how long it may run, what one Kueue admission needs. @internal */
export interface _Demand {
  readonly podSets: _PodSet[];
  /** Whether it runs to completion (a job) rather than serving. */
  readonly runsToCompletion: boolean;
  /** The tightest active deadline, if any. */
  readonly deadlineSeconds?: number;
  /** GPUs at the fewest and the most replicas (jobs: the pods that run at once). */
  readonly minGpus: number;
  readonly maxGpus: number;
  readonly minPods: number;
  readonly maxPods: number;
  /** GPUs one Kueue workload needs (Deployment: one pod; LeaderWorkerSet: one group; others: every pod at once). */
  readonly admissionGpus: number;
  /** The GPU resources the pods request, sorted (`nvidia.com/gpu`, or `nvidia.com/mig-1g.5gb` under mixed MIG). */
  readonly gpuResources: string[];
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/**
 * Pods per template: the `replicas` and `parallelism` on the way from the object to the template (Deployment and
 * StatefulSet replicas, a Job's parallelism, a JobSet's replicated-job replicas times its Job's parallelism, a Kubeflow
 * replica spec's replicas), and a LeaderWorkerSet's group size. `scale` replaces the object's own `spec.replicas`
 * (an autoscaler's bound).
 */
function podsAt(json: any, where: string, scale?: number): number {
  let node: any = json;
  let pods = 1;
  const steps = Array.from(where.matchAll(/([^.[\]]+)|\[(\d+)\]/g));
  steps.forEach(([, key, index], i) => {
    const parent = node;
    node = index !== undefined ? node?.[Number(index)] : node?.[key];
    if (i === steps.length - 1) {
      // LeaderWorkerSet: one leader per group, `size - 1` workers (the worker template also runs the leader when there
      // is no leader template).
      const lwt = parent;
      if (key === 'workerTemplate' && typeof lwt?.size === 'number') pods *= lwt.leaderTemplate ? lwt.size - 1 : lwt.size;
      return;
    }
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const isSpec = i === 0 && key === 'spec';
      pods *= isSpec && scale !== undefined ? scale : num(node.replicas, 1);
      pods *= num(node.parallelism, 1);
    }
  });
  return pods;
}

/** The autoscaling bounds of a serving object: its HPA or KEDA ScaledObject among the owner's objects, if any. */
function scaleBounds(owner: Construct, resource: ApiObject): { min: number; max: number } | undefined {
  for (const c of owner.node.findAll()) {
    if (!(c instanceof ApiObject) || c === resource) continue;
    if (c.kind === 'HorizontalPodAutoscaler') {
      const spec = _Renders.of(c).spec;
      if (spec?.scaleTargetRef?.name === resource.name) return { min: num(spec.minReplicas, 1), max: num(spec.maxReplicas, 1) };
    }
    if (c.kind === 'ScaledObject') {
      const spec = _Renders.of(c).spec;
      if (spec?.scaleTargetRef?.name === resource.name) return { min: num(spec.minReplicaCount, 0), max: num(spec.maxReplicaCount, 100) };
    }
  }
  return undefined;
}

/** Whether a resource is a GPU: whole or shared (`nvidia.com/gpu`), or a MIG slice of the mixed strategy. */
function isGpuResource(name: string): boolean {
  return name === 'nvidia.com/gpu' || name.startsWith('nvidia.com/mig-');
}

/** The GPU resources a pod spec's containers ask for, with their count (init containers run before them). */
function gpuLimitsOf(spec: any): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) {
    const limits = c?.resources?.limits;
    if (!limits || typeof limits !== 'object') continue;
    for (const [name, value] of Object.entries(limits)) {
      const n = Number(value) || 0;
      if (isGpuResource(name) && n > 0) out.set(name, (out.get(name) ?? 0) + n);
    }
  }
  return out;
}

/** GPUs of a pod spec: its containers' together, whole or shared GPUs and mixed-strategy MIG slices alike. */
function gpusOf(spec: any): number {
  return [...gpuLimitsOf(spec).values()].reduce((n, v) => n + v, 0);
}

/**
 * What a workload's rendered main object asks for: read from the object (escape-hatch edits included) and, for
 * serving, from its autoscaler.
 * @internal
 */
export function _demandOf(owner: Construct, resource: ApiObject, json: any = _Renders.of(resource)): _Demand {
  const placed = _placedPodsOf(json);
  const kserve = json?.kind === 'InferenceService';
  const bounds = kserve ? undefined : scaleBounds(owner, resource);
  const podSets: _PodSet[] = placed.map(pod => {
    if (kserve) {
      const component = json.spec?.[pod.where.replace(/^spec\./, '')] ?? {};
      const min = num(component.minReplicas, 1);
      return { where: pod.where, gpusPerPod: gpusOf(pod.spec), minPods: min, maxPods: Math.max(min, num(component.maxReplicas, min)) };
    }
    return {
      where: pod.where,
      gpusPerPod: gpusOf(pod.spec),
      minPods: pod.pods ?? podsAt(json, pod.where, bounds?.min),
      maxPods: pod.pods ?? podsAt(json, pod.where, bounds?.max),
    };
  });
  const deadlines = placed.map(p => p.deadline?.seconds).filter((s): s is number => s !== undefined);
  const sum = (f: (s: _PodSet) => number) => podSets.reduce((n, s) => n + f(s), 0);
  const kind = json?.kind;
  let admissionGpus: number;
  if (kind === 'Deployment') {
    admissionGpus = Math.max(0, ...podSets.map(s => s.gpusPerPod));
  } else if (kind === 'LeaderWorkerSet') {
    const groups = Math.max(1, num(json.spec?.replicas, 1));
    admissionGpus = sum(s => s.gpusPerPod * s.maxPods) / groups;
  } else {
    admissionGpus = sum(s => s.gpusPerPod * s.maxPods);
  }
  return {
    podSets,
    runsToCompletion: placed.some(p => p.runsToCompletion),
    deadlineSeconds: deadlines.length ? Math.min(...deadlines) : undefined,
    minGpus: sum(s => s.gpusPerPod * s.minPods),
    maxGpus: sum(s => s.gpusPerPod * s.maxPods),
    minPods: sum(s => s.minPods),
    maxPods: sum(s => s.maxPods),
    admissionGpus,
    gpuResources: [...new Set(placed.flatMap(p => [...gpuLimitsOf(p.spec).keys()]))].sort(),
  };
}
