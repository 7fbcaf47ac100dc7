import { _FoundTemplate } from '../pod/admission';
import { _ANCESTOR_LABEL, _NODE } from './_trainer-api';

// How Kubeflow Trainer v2 makes a TrainJob's pods, read from the rendered objects. A module of its own (lib/index.ts
// does not re-export it): the node-pool and fleet checks read TrainJobs through it without importing the construct.

/**
 * The pods Trainer creates for a TrainJob: the runtime's pod template of the replicated Job `node` (the given runtime
 * object, else the upstream torch runtime's shape), with every runtime patch applied as a strategic merge patch (the
 * way Trainer v2.3 merges them: containers, volumes and env by name, mounts by path, maps merged, tolerations
 * replaced), then `spec.trainer` on the `node` container (image, command, args, env upserted, resources merged).
 * @internal
 */
export function _trainJobPods(trainJob: any, runtime?: any, runtimeImage?: string): _TrainJobPod[] {
  const rJobs: any[] = runtime?.spec?.template?.spec?.replicatedJobs ?? [];
  const fromRuntime = rJobs.find(r => r?.template?.metadata?.labels?.[_ANCESTOR_LABEL] === 'trainer') ?? rJobs.find(r => r?.name === _NODE);
  const base = fromRuntime?.template?.spec?.template
    ?? { metadata: { labels: {} }, spec: { containers: [{ name: _NODE, image: runtimeImage }] } };
  const rJobName = fromRuntime?.name ?? _NODE;
  let metadata = clone(base.metadata ?? {});
  let spec = clone(base.spec ?? {});
  for (const patch of trainJob?.spec?.runtimePatches ?? []) {
    for (const r of patch?.trainingRuntimeSpec?.template?.spec?.replicatedJobs ?? []) {
      if (r?.name !== rJobName) continue;
      const t = r.template?.spec?.template ?? {};
      const m = t.metadata ?? {};
      metadata = { ...metadata, labels: { ...metadata.labels, ...m.labels }, annotations: { ...metadata.annotations, ...m.annotations } };
      spec = mergePodSpec(spec, t.spec ?? {});
    }
  }
  const trainer = trainJob?.spec?.trainer ?? {};
  spec.containers = (spec.containers ?? []).map((c: any) => {
    if (c?.name !== _NODE) return c;
    const out = { ...c };
    if (trainer.image !== undefined) out.image = trainer.image;
    if (trainer.command !== undefined) out.command = trainer.command;
    if (trainer.args !== undefined) out.args = trainer.args;
    if (trainer.env !== undefined) out.env = mergeBy(out.env, trainer.env, 'name', (_a, b) => b);
    if (trainer.resourcesPerNode !== undefined) {
      const r = trainer.resourcesPerNode;
      out.resources = { requests: { ...c.resources?.requests, ...r.requests }, limits: { ...c.resources?.limits, ...r.limits } };
    }
    return out;
  });
  const where = `spec.runtimeRef(${trainJob?.spec?.runtimeRef?.name}).replicatedJobs[${rJobName}] with spec.trainer and spec.runtimePatches`;
  const annotations = Object.keys(metadata.annotations ?? {}).length ? metadata.annotations : undefined;
  return [{ where, spec, labels: metadata.labels ?? {}, annotations }];
}

/** A pod of a TrainJob, with its labels. @internal */
export interface _TrainJobPod extends _FoundTemplate {
  readonly labels: { [key: string]: string };
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** A list merged by a key, as a strategic merge patch merges a list with that patch merge key. */
function mergeBy(base: any[] | undefined, patch: any[] | undefined, key: string, merge: (a: any, b: any) => any): any[] | undefined {
  if (patch === undefined) return base;
  const out = [...(base ?? [])];
  for (const item of patch) {
    const i = out.findIndex(o => o?.[key] === item?.[key]);
    if (i >= 0) out[i] = merge(out[i], item);
    else out.push(item);
  }
  return out;
}

/** Maps merged recursively, anything else replaced: a strategic merge patch of fields without a list strategy. */
function deepMerge(base: any, patch: any): any {
  if (patch === undefined) return base;
  if (base === null || typeof base !== 'object' || Array.isArray(base) || patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}

function mergeContainer(base: any, patch: any): any {
  const out = deepMerge({ ...base, env: undefined, volumeMounts: undefined }, { ...patch, env: undefined, volumeMounts: undefined });
  out.env = mergeBy(base.env, patch.env, 'name', (_a, b) => b);
  out.volumeMounts = mergeBy(base.volumeMounts, patch.volumeMounts, 'mountPath', (_a, b) => b);
  for (const k of ['env', 'volumeMounts']) if (out[k] === undefined) delete out[k];
  return out;
}

/** The pod spec fields a runtime patch may carry, merged as Trainer merges them (core/v1 patch strategies). */
function mergePodSpec(base: any, patch: any): any {
  const out = { ...base };
  for (const [k, v] of Object.entries<any>(patch)) {
    if (v === undefined) continue;
    if (k === 'containers' || k === 'initContainers') out[k] = mergeBy(base[k], v, 'name', mergeContainer);
    else if (k === 'volumes' || k === 'imagePullSecrets' || k === 'schedulingGates') out[k] = mergeBy(base[k], v, 'name', deepMerge);
    else if (k === 'nodeSelector' || k === 'affinity' || k === 'securityContext') out[k] = deepMerge(base[k], v);
    else out[k] = v;
  }
  return out;
}
