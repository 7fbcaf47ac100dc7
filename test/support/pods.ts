/**
 * Finds the pods in manifest objects, the one way every test does: workload pod templates (Jobs, Deployments,
 * DaemonSets, TFJob/PyTorchJob replicas, JobSets, LeaderWorkerSets) and the pods KServe makes of an InferenceService's
 * components and of an LLMInferenceService's template.
 */
import { TrainingRuntime } from '../../lib';
import { _trainJobPods } from '../../lib/training/_trainer-pods';

/** Every pod spec inside an object (Job, Deployment, DaemonSet, CRDs with pod templates), with its annotations. */
export function podSpecsOf(obj: any): { spec: any; annotations?: { [k: string]: string }; where: string }[] {
  const out: { spec: any; annotations?: any; where: string }[] = [];
  const walk = (node: any, where: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${where}[${i}]`)); return; }
    if (Array.isArray(node.containers) && node.containers.every((c: any) => c && typeof c.image === 'string')) {
      out.push({ spec: node, where });
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'spec' && v && typeof v === 'object' && Array.isArray((v as any).containers) && (node.metadata !== undefined || where.endsWith('template'))) {
        out.push({ spec: v, annotations: node.metadata?.annotations, where: `${where}.spec` });
        continue;
      }
      walk(v, `${where}.${k}`);
    }
  };
  walk(obj, `${obj.kind}/${obj.metadata?.name}`);
  return out;
}

/** A pod found in a manifest object: its spec, template labels and annotations, and where it is. */
export interface FoundPod {
  readonly spec: any;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  readonly where: string;
  /** For a KServe predictor: which KServe fields were mapped onto the pod spec. */
  readonly kserve?: { knative: boolean; podSecurityContext: boolean };
}

/** KServe predictor fields that are not pod-spec fields. */
const KSERVE_COMPONENT_FIELDS = ['minReplicas', 'maxReplicas', 'scaleMetric', 'scaleTarget', 'scaleMetricType', 'labels', 'annotations',
  'model', 'containers', 'canaryTrafficPercent', 'containerConcurrency', 'timeout', 'batcher', 'logger', 'deploymentStrategy', 'autoScaling',
  'workerSpec', 'storageUris'];

/**
 * The pod a KServe component (predictor, transformer, explainer) makes: its pod-spec fields, and its containers
 * (`containers`, or the `model` container merged over the ServingRuntime's). With `webhook`, KServe's pod webhook is
 * applied too: `serving.kserve.io/gke-accelerator` becomes the `cloud.google.com/gke-accelerator` node selector.
 */
export function kservePod(component: any, webhook = false): any {
  const spec: any = {};
  for (const [k, val] of Object.entries(component ?? {})) if (!KSERVE_COMPONENT_FIELDS.includes(k)) spec[k] = val;
  if (component?.model) {
    const { modelFormat: _f, runtime: _r, runtimeVersion: _v, storageUri: _s, protocolVersion: _p, ...container } = component.model;
    spec.containers = [{ name: 'kserve-container', image: '(from the ServingRuntime)', ...container }];
  } else {
    spec.containers = component?.containers ?? [];
  }
  const accelerator = component?.annotations?.['serving.kserve.io/gke-accelerator'];
  if (webhook && accelerator) spec.nodeSelector = { ...(spec.nodeSelector ?? {}), 'cloud.google.com/gke-accelerator': accelerator };
  return spec;
}

/** Finds the template metadata next to a pod spec that `podSpecsOf` returned. */
function templateMetadataOf(obj: any, spec: any): any {
  let found: any;
  const walk = (node: any) => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (node.spec === spec) { found = node.metadata ?? {}; return; }
    for (const v of Object.values(node)) walk(v);
  };
  walk(obj);
  return found ?? {};
}

/**
 * Every pod of a manifest object: `podSpecsOf` for workloads (Jobs, Deployments, DaemonSets, TFJob/PyTorchJob
 * replicas, JobSets), and the KServe predictor (custom container or model format) of an InferenceService, which
 * `podSpecsOf` finds only in its custom-container form and never with its own labels and annotations.
 */
export function podsOf(obj: any, opts: { kserveWebhook?: boolean; objects?: any[] } = {}): FoundPod[] {
  // A training runtime's template is no pod: its pods are its TrainJobs' (below), with their patches.
  if ((obj?.kind === 'ClusterTrainingRuntime' || obj?.kind === 'TrainingRuntime') && String(obj.apiVersion).startsWith('trainer.kubeflow.org/')) return [];
  if (obj?.kind === 'TrainJob' && String(obj.apiVersion).startsWith('trainer.kubeflow.org/')) {
    // The pods Trainer makes: the runtime's template (from the same manifests, else the upstream torch runtime's
    // shape) with the TrainJob's runtime patches and spec.trainer applied, as the construct's own admission check does.
    const ref = obj.spec?.runtimeRef ?? {};
    const runtime = (opts.objects ?? []).find(o => o?.kind === (ref.kind ?? 'ClusterTrainingRuntime') && o?.metadata?.name === ref.name
      && (o.kind === 'ClusterTrainingRuntime' || o.metadata?.namespace === obj.metadata?.namespace));
    const image = ref.name === 'torch-distributed' ? TrainingRuntime.TORCH_DISTRIBUTED_IMAGE : '(the runtime\'s image)';
    return _trainJobPods(obj, runtime, image).map(p => ({ spec: p.spec, labels: p.labels, annotations: p.annotations ?? {}, where: `TrainJob/${obj.metadata?.name}.${p.where}` }));
  }
  if (obj?.kind === 'InferenceService' && String(obj.apiVersion).startsWith('serving.kserve.io/')) {
    const knative = obj.metadata?.annotations?.['serving.kserve.io/deploymentMode'] === 'Serverless'
      || obj.metadata?.annotations?.['serving.kserve.io/deploymentMode'] === 'Knative'
      || obj.metadata?.annotations?.['serving.kserve.io/deploymentMode'] === undefined;
    return ['predictor', 'transformer', 'explainer'].filter(c => obj.spec?.[c]).map(c => {
      const component = obj.spec[c];
      return {
        spec: kservePod(component, opts.kserveWebhook),
        labels: component.labels ?? {},
        annotations: component.annotations ?? {},
        where: `InferenceService/${obj.metadata?.name}.spec.${c}`,
        kserve: { knative, podSecurityContext: component.securityContext !== undefined },
      };
    });
  }
  if (obj?.kind === 'LLMInferenceService' && String(obj.apiVersion).startsWith('serving.kserve.io/')) {
    // `template` (and `worker`, `prefill.template`) are pod specs; KServe's config brings the image of `main`.
    const specs = [['spec.template', obj.spec?.template], ['spec.worker', obj.spec?.worker], ['spec.prefill.template', obj.spec?.prefill?.template]];
    return specs.filter(([, spec]) => spec).map(([where, spec]) => ({
      spec: { ...spec, containers: (spec.containers ?? []).map((c: any) => ({ image: '(from KServe\'s config)', ...c })) },
      labels: obj.spec?.labels ?? {},
      annotations: obj.spec?.annotations ?? {},
      where: `LLMInferenceService/${obj.metadata?.name}.${where}`,
    }));
  }
  return podSpecsOf(obj).map(p => {
    const meta = templateMetadataOf(obj, p.spec);
    return { spec: p.spec, labels: meta.labels ?? {}, annotations: meta.annotations ?? {}, where: p.where };
  });
}
