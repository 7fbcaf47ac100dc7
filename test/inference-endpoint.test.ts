import { Duration, JsonPatch, Size, Testing } from 'cdk8s';
import {
  Accelerator, CapacityType, ClusterAddon, GpuMetric, InferenceDeployment, InferenceDeploymentProps, InferenceEndpoint,
  KServeDeploymentMode, KServeInferenceService, KServeInferenceServiceProps, ModelFormat, Platform, ProtocolVersion,
  ScalingMetric, ServiceType,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();

/** An InferenceDeployment named `ep`, synthesized. */
function deployment(platform: Platform, props: Partial<InferenceDeploymentProps>): any[] {
  const chart = chartFor(platform);
  new InferenceDeployment(chart, 'ep', { platform, name: 'ep', ...props } as InferenceDeploymentProps);
  return synth(chart, platform);
}

/** A KServeInferenceService named `ep`, synthesized. */
function kserve(platform: Platform, props: Partial<KServeInferenceServiceProps>): any[] {
  const chart = chartFor(platform);
  new KServeInferenceService(chart, 'ep', { platform, name: 'ep', ...props } as KServeInferenceServiceProps);
  return synth(chart, platform);
}

const kserveHf: Partial<KServeInferenceServiceProps> = {
  modelFormat: ModelFormat.HUGGINGFACE, storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
  accelerator: Accelerator.L4, memory: Size.gibibytes(32),
};

describe('reference: llava-inference Deployment (LoadBalancer, /health liveness, HPA on CPU 70 % and memory 80 %)', () => {
  const objects = deployment(autopilot, {
    name: 'llava-inference', image: 'us-docker.pkg.dev/example/ml/llava:1.6', accelerator: Accelerator.L4,
    port: 8000, serviceType: ServiceType.LOAD_BALANCER, minReplicas: 1, maxReplicas: 3,
    scalingMetrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)],
  });
  const deploy = find(objects, 'Deployment', 'llava-inference');
  const pod = deploy.spec.template.spec;
  const c = pod.containers[0];

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('emits Deployment, LoadBalancer Service, HPA, PDB, NetworkPolicy and its own ServiceAccount', () => {
    expect(objects.map(o => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']);
    const svc = find(objects, 'Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(deploy.spec.selector.matchLabels);
  });
  test('/health liveness, readiness and a startup probe that allows 20 minutes of model loading', () => {
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 30, failureThreshold: 5, timeoutSeconds: 10 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 8000 });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBe(1200);
    expect(deploy.spec.progressDeadlineSeconds).toBe(1800);
  });
  test('HPA on CPU 70 % and memory 80 %, replicas left to the HPA', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llava-inference' });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.maxReplicas).toBe(3);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(deploy.spec.replicas).toBeUndefined();
  });
  test('GPU scheduled for Autopilot, /dev/shm, secure defaults', () => {
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false });
  });
  test('NetworkPolicy admits only the serving port; PDB lets one pod go at a time', () => {
    expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([{ ports: [{ port: 8000, protocol: 'TCP' }] }]);
    expect(find(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/instance': 'llava-inference' } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
  });
});

describe('reference: mnist-model InferenceService (TensorFlow from pvc://model-storage/, 1 GPU, 4Gi / 2 CPU)', () => {
  const objects = kserve(standard, {
    name: 'mnist-model', modelFormat: ModelFormat.TENSORFLOW, storageUri: 'pvc://model-storage/',
    accelerator: Accelerator.T4, gpus: 1, cpu: 2, memory: Size.gibibytes(4),
  });
  const isvc = find(objects, 'InferenceService', 'mnist-model');
  const predictor = isvc.spec.predictor;

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('TensorFlow predictor loading pvc://model-storage/, Standard mode (legacy value RawDeployment)', () => {
    expect(isvc.apiVersion).toBe('serving.kserve.io/v1beta1');
    expect(isvc.metadata.annotations['serving.kserve.io/deploymentMode']).toBe('RawDeployment');
    expect(predictor.model.modelFormat).toEqual({ name: 'tensorflow' });
    expect(predictor.model.storageUri).toBe('pvc://model-storage/');
    expect(predictor.model.image).toBeUndefined();
    expect(predictor.model.name).toBeUndefined();
  });
  test('GPU, CPU and memory on the model container only; scheduling on the predictor pod', () => {
    expect(predictor.model.resources.limits).toEqual({ 'memory': '4Gi', 'nvidia.com/gpu': 1 });
    expect(predictor.model.resources.requests.cpu).toBe('2');
    expect(predictor.resources).toBeUndefined();
    expect(predictor.containers).toBeUndefined();
    expect(predictor.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' });
    expect(predictor.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(predictor.serviceAccountName).toBe('mnist-model');
    expect(predictor.minReplicas).toBe(1);
  });
  test('NetworkPolicy admits only the predictor port', () => {
    expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });
});

describe('KServe Knative mode on Autopilot with scale-to-zero', () => {
  const build = () => kserve(autopilot, {
    ...kserveHf, deploymentMode: KServeDeploymentMode.KNATIVE, minReplicas: 0, maxReplicas: 2, scalingMetrics: [ScalingMetric.concurrency(4)],
    protocolVersion: ProtocolVersion.V2,
  });
  const objects = build();
  const isvc = find(objects, 'InferenceService');
  const predictor = isvc.spec.predictor;

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('legacy Serverless value, raised progress deadline, concurrency target', () => {
    expect(isvc.metadata.annotations).toEqual({ 'serving.kserve.io/deploymentMode': 'Serverless', 'serving.knative.dev/progress-deadline': '1800s' });
    expect(predictor).toMatchObject({ minReplicas: 0, maxReplicas: 2, scaleMetric: 'concurrency', scaleTarget: 4 });
    expect(predictor.model.protocolVersion).toBe('v2');
  });
  test('accelerator via KServe\'s gke-accelerator annotation, no nodeSelector or tolerations (Knative rejects them)', () => {
    expect(predictor.annotations).toEqual({ 'serving.kserve.io/gke-accelerator': 'nvidia-l4' });
    expect(predictor.nodeSelector).toBeUndefined();
    expect(predictor.tolerations).toBeUndefined();
  });
  test('only fields Knative accepts: no grace period or pod securityContext; non-root moved to the container', () => {
    expect(predictor.terminationGracePeriodSeconds).toBeUndefined();
    expect(predictor.securityContext).toBeUndefined();
    expect(predictor.model.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' },
    });
  });
  test('NetworkPolicy admits the queue-proxy ports', () => {
    expect(find(objects, 'NetworkPolicy').spec.ingress[0].ports.map((x: any) => x.port)).toEqual([8012, 8013, 9090]);
  });
  test('scale-to-zero with GPUs is a warning, fatal in strict mode', () => {
    const chart = chartFor(autopilot);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    new KServeInferenceService(chart, 'ep', { platform: autopilot, name: 'ep', ...kserveHf, deploymentMode: KServeDeploymentMode.KNATIVE, minReplicas: 0 } as KServeInferenceServiceProps);
    expect(() => Testing.synth(chart)).toThrow('[gke-autopilot/ep] (strict mode) minReplicas=0 with 1 GPU(s): after an idle period the first request waits for a GPU node and the model load (minutes); the revision\'s progress deadline is raised to 1800s (Knative\'s default: 600s) so a cold start is not marked failed (kserve#1247)');
  });
});

describe('KServe Knative mode on Karpenter', () => {
  test('needs the Knative podspec flags for the GPU selector and toleration', () => {
    expect(synthError(chart => new KServeInferenceService(chart, 'ep', { platform: karpenter, ...kserveHf, accelerator: Accelerator.A10G, deploymentMode: KServeDeploymentMode.KNATIVE } as KServeInferenceServiceProps), karpenter))
      .toContain('[karpenter/ep] deploymentMode="Serverless" is invalid for this pod on Karpenter (EKS): Knative rejects it unless its config-features enable kubernetes.podspec-nodeselector, kubernetes.podspec-tolerations; enable them and set knativeFeatureFlags: true, or use KServeDeploymentMode.STANDARD');
  });
  test('with knativeFeatureFlags the selector and toleration are emitted; serving pods are not do-not-disrupt', () => {
    const predictor = find(kserve(karpenter, { ...kserveHf, accelerator: Accelerator.A10G, deploymentMode: KServeDeploymentMode.KNATIVE, knativeFeatureFlags: true }), 'InferenceService').spec.predictor;
    expect(predictor.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/capacity-type': 'on-demand' });
    expect(predictor.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(predictor.annotations).toBeUndefined();
  });
  test('GKE Standard spot in Knative mode still needs the flags (the spot selector has no annotation)', () => {
    expect(synthError(chart => new KServeInferenceService(chart, 'ep', { platform: standard, ...kserveHf, accelerator: Accelerator.T4, deploymentMode: KServeDeploymentMode.KNATIVE, capacityType: CapacityType.SPOT, terminationGracePeriod: Duration.seconds(15) } as KServeInferenceServiceProps), standard))
      .toContain('enable kubernetes.podspec-nodeselector, kubernetes.podspec-tolerations;');
  });
});

test('reference: HPA on an external Pub/Sub queue-depth metric', () => {
  const hpa = find(deployment(standard, {
    image: 'server:1', accelerator: Accelerator.L4, minReplicas: 1, maxReplicas: 5,
    scalingMetrics: [ScalingMetric.external('pubsub.googleapis.com|subscription|num_undelivered_messages', 10, { 'resource.labels.subscription_id': 'inference-requests' })],
  }), 'HorizontalPodAutoscaler');
  expect(hpa.spec.metrics).toEqual([{
    type: 'External',
    external: {
      metric: { name: 'pubsub.googleapis.com|subscription|num_undelivered_messages', selector: { matchLabels: { 'resource.labels.subscription_id': 'inference-requests' } } },
      target: { type: 'AverageValue', averageValue: '10' },
    },
  }]);
});

test('HPA on GPU utilization per pod reads GpuMonitoring\'s recording rule, by the name prometheus-adapter serves (issue 18)', () => {
  const hpa = find(deployment(karpenter, { image: 'server:1', accelerator: Accelerator.A10G, maxReplicas: 4, scalingMetrics: [ScalingMetric.gpuUtilization(60)] }), 'HorizontalPodAutoscaler');
  expect(hpa.spec.metrics).toEqual([{ type: 'Pods', pods: { metric: { name: GpuMetric.POD_GPU_UTILIZATION_FOR_AUTOSCALING.name }, target: { type: 'AverageValue', averageValue: '60' } } }]);
});

test('reference: GKE Ingress with a ManagedCertificate for HTTPS', () => {
  const chart = chartFor(autopilot);
  const ep = new InferenceDeployment(chart, 'ep', { platform: autopilot, name: 'llava', image: 'llava:1', accelerator: Accelerator.L4, httpsHost: 'llava.example.com', staticIpName: 'llava-ip' });
  const objects = synth(chart, autopilot);
  const cert = find(objects, 'ManagedCertificate');
  expect(cert).toEqual({ apiVersion: 'networking.gke.io/v1', kind: 'ManagedCertificate', metadata: expect.objectContaining({ name: 'llava-tls', namespace: 'ml' }), spec: { domains: ['llava.example.com'] } });
  const ingress = find(objects, 'Ingress');
  expect(ingress.metadata.annotations).toEqual({ 'kubernetes.io/ingress.class': 'gce', 'networking.gke.io/managed-certificates': 'llava-tls', 'kubernetes.io/ingress.global-static-ip-name': 'llava-ip' });
  expect(ingress.spec.rules).toEqual([{ host: 'llava.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'llava', port: { number: 80 } } } }] } }]);
  expect(find(objects, 'Service').metadata.annotations).toEqual({ 'cloud.google.com/neg': '{"ingress": true}' });
  // The escape hatch of the HTTPS exposure: the ManagedCertificate and the Ingress, as emitted.
  expect(ep.httpsObjects.map(o => o.kind)).toEqual(['ManagedCertificate', 'Ingress']);
  expect(ep.httpsObjects.map(o => o.name)).toEqual(['llava-tls', 'llava']);
});

test('CPU-only sklearn endpoint (gpus: 0): no GPU resources, selectors, tolerations or /dev/shm', () => {
  const predictor = find(kserve(autopilot, { modelFormat: ModelFormat.SKLEARN, storageUri: 'gs://models/iris', gpus: 0 }), 'InferenceService').spec.predictor;
  expect(predictor.model.resources).toEqual({ limits: { memory: '4Gi' }, requests: { 'cpu': '2', 'memory': '4Gi', 'ephemeral-storage': '10Gi' } });
  expect(predictor.nodeSelector).toBeUndefined();
  expect(predictor.volumes).toBeUndefined();
});

test('KServe custom container: kserve-container with STORAGE_URI and one port; secret credentials annotation', () => {
  const isvc = find(kserve(kubernetes, { image: 'vllm/vllm-openai:v0.6.3', storageUri: 's3://models/llama', storageSecretName: 's3-creds', args: ['--model', '/mnt/models'] }), 'InferenceService');
  const c = isvc.spec.predictor.containers[0];
  expect(c.name).toBe('kserve-container');
  expect(c.image).toBe('vllm/vllm-openai:v0.6.3');
  expect(c.env).toContainEqual({ name: 'STORAGE_URI', value: 's3://models/llama' });
  expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  expect(isvc.metadata.annotations['serving.kserve.io/storageSecretName']).toBe('s3-creds');
  expect(isvc.spec.predictor.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
});

test('KServe custom container in Standard mode with a metrics port: the port is exposed and the NetworkPolicy admits it', () => {
  const objects = kserve(kubernetes, { image: 'vllm/vllm-openai:v0.6.3', metricsPort: 9400 });
  const c = find(objects, 'InferenceService').spec.predictor.containers[0];
  expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9400, protocol: 'TCP' }]);
  expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }, { port: 9400, protocol: 'TCP' }] }]);
});

test('InferenceDeployment mounts pvc:// read-only at /mnt/models with $MODEL_DIR; fixed size without metrics', () => {
  const objects = deployment(karpenter, { image: 'server:1', accelerator: Accelerator.A10G, storageUri: 'pvc://models/llama-3', minReplicas: 2 });
  const deploy = find(objects, 'Deployment');
  const pod = deploy.spec.template;
  expect(pod.spec.volumes).toContainEqual({ name: 'volume-0', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
  expect(pod.spec.containers[0].env).toContainEqual({ name: 'MODEL_DIR', value: '/mnt/models/llama-3' });
  expect(deploy.spec.replicas).toBe(2);
  expect(objects.filter(o => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  expect(pod.metadata.annotations).toBeUndefined(); // no karpenter.sh/do-not-disrupt on serving pods
});

test('escape hatches: the Deployment and the InferenceService are reachable and patches render', () => {
  const chart = chartFor(autopilot);
  const d = new InferenceDeployment(chart, 'd', { platform: autopilot, image: 'server:1', accelerator: Accelerator.L4 });
  const k = new KServeInferenceService(chart, 'k', { platform: autopilot, ...kserveHf });
  d.deployment.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 3));
  k.apiObject.addJsonPatch(JsonPatch.add('/spec/predictor/timeout', 600));
  const objects = synth(chart, autopilot);
  expect(find(objects, 'Deployment').spec.revisionHistoryLimit).toBe(3);
  expect(find(objects, 'InferenceService').spec.predictor.timeout).toBe(600);
  // Both are InferenceEndpoints; apiObject is the main object of each, and the other escape hatches are reachable.
  const endpoints: InferenceEndpoint[] = [d, k];
  expect(endpoints.map(e => e.apiObject.kind)).toEqual(['Deployment', 'InferenceService']);
  expect(d.apiObject).toBe(d.deployment);
  expect([d.service.kind, d.disruptionBudget?.kind, d.autoscaler, d.httpsObjects]).toEqual(['Service', 'PodDisruptionBudget', undefined, []]);
  expect([d.serviceAccount?.kind, d.networkPolicy?.kind, k.serviceAccount?.kind, k.networkPolicy?.kind]).toEqual(['ServiceAccount', 'NetworkPolicy', 'ServiceAccount', 'NetworkPolicy']);
});

test('escape-hatch patches that break Autopilot rules are reported for the KServe predictor too', () => {
  const msg = synthError(chart => {
    const k = new KServeInferenceService(chart, 'k', { platform: autopilot, ...kserveHf });
    k.apiObject.addJsonPatch(JsonPatch.add('/spec/predictor/hostNetwork', true));
  }, autopilot);
  expect(msg).toContain('[gke-autopilot/k] GKE Autopilot admission (spec.predictor): hostNetwork: true is rejected by Autopilot');
});

const P = 'gke-autopilot/ep';
const dep: Partial<InferenceDeploymentProps> = { image: 'server:1', accelerator: Accelerator.L4 };
const ks: Partial<KServeInferenceServiceProps> = { modelFormat: ModelFormat.HUGGINGFACE, accelerator: Accelerator.L4 };
const badDeployment: [string, Platform, Partial<InferenceDeploymentProps>, string][] = [
  ['minReplicas > maxReplicas', autopilot, { ...dep, minReplicas: 3, maxReplicas: 2 }, `[${P}] minReplicas=3 is invalid: must be at most maxReplicas (2)`],
  ['HPA minReplicas 0', autopilot, { ...dep, minReplicas: 0, maxReplicas: 3, scalingMetrics: [ScalingMetric.cpu(70)] }, `[${P}] minReplicas=0 is invalid: a Deployment cannot scale to zero (a HorizontalPodAutoscaler needs minReplicas >= 1 unless the HPAScaleToZero alpha feature gate is on); use KServeInferenceService with KServeDeploymentMode.KNATIVE`],
  ['scale-to-zero on InferenceDeployment', autopilot, { ...dep, minReplicas: 0 }, `[${P}] minReplicas=0 is invalid: a Deployment cannot scale to zero (a HorizontalPodAutoscaler needs minReplicas >= 1 unless the HPAScaleToZero alpha feature gate is on); use KServeInferenceService with KServeDeploymentMode.KNATIVE`],
  ['no image on InferenceDeployment', autopilot, { accelerator: Accelerator.L4 }, `[${P}] image=undefined is invalid: required (a string)`],
  ['storageUri scheme InferenceDeployment cannot mount', autopilot, { ...dep, storageUri: 's3://bucket/model' }, `[${P}] storageUri="s3://bucket/model" is invalid: InferenceDeployment mounts only pvc:// and gs:// (GCS FUSE) at /mnt/models; use KServeInferenceService, whose storage initializer downloads gs://, s3://, hf://, https://, oci://`],
  ['gs:// without GCS FUSE on InferenceDeployment', karpenter, { image: 'server:1', accelerator: Accelerator.A10G, storageUri: 'gs://bucket/model' }, '[karpenter/ep] storageUri="gs://bucket/model" is invalid: InferenceDeployment mounts only pvc:// at /mnt/models; use KServeInferenceService, whose storage initializer downloads gs://, s3://, hf://, https://, oci://'],
  ['probe port the container does not expose', autopilot, { ...dep, healthPort: 9000 }, `[${P}] healthPort=9000 is invalid: the container exposes only 8080 (port); probe one of those`],
  ['probe port with a metrics port', autopilot, { ...dep, metricsPort: 9400, healthPort: 9000 }, `[${P}] healthPort=9000 is invalid: the container exposes only 8080 (port), 9400 (metricsPort); probe one of those`],
  ['target utilization 0', autopilot, { ...dep, maxReplicas: 2, scalingMetrics: [ScalingMetric.cpu(0)] }, `[${P}] scalingMetrics[0]=cpu 0% is invalid: the target utilization must be an integer from 1 to 100 (percent)`],
  ['target utilization above 100', autopilot, { ...dep, maxReplicas: 2, scalingMetrics: [ScalingMetric.gpuUtilization(150)] }, `[${P}] scalingMetrics[0]=pod:dcgm_gpu_utilization:avg 150% is invalid: the target utilization must be an integer from 1 to 100 (percent)`],
  ['ManagedCertificate on a non-GKE platform', karpenter, { image: 'server:1', accelerator: Accelerator.A10G, httpsHost: 'llava.example.com' }, '[karpenter/ep] httpsHost="llava.example.com" is invalid: Karpenter (EKS) has no HTTPS exposure with a managed certificate (GKE has one: an Ingress with a ManagedCertificate); expose the Service with serviceType: ServiceType.LOAD_BALANCER, or bring your own Ingress'],
  ['httpsHost not a DNS name', autopilot, { ...dep, httpsHost: '*.example.com' }, `[${P}] httpsHost="*.example.com" is invalid: must be a lowercase, non-wildcard DNS name of at most 63 characters, e.g. "llava.example.com"`],
  ['concurrency on InferenceDeployment', autopilot, { ...dep, maxReplicas: 2, scalingMetrics: [ScalingMetric.concurrency(4)] }, `[${P}] scalingMetrics[0]=concurrency 4 is invalid: InferenceDeployment's HPA scales on cpu, memory, pod and external metrics`],
  ['gpus 3 x L4 on Autopilot (from the pod builder)', autopilot, { ...dep, gpus: 3 }, `[${P}] gpus=3 is not accepted by GKE Autopilot for nvidia-l4 (allowed: 1, 2, 4, 8)`],
  ['negative gpus', autopilot, { ...dep, gpus: -1 }, `[${P}] gpus=-1 is invalid: must be a whole number of GPUs, at least 0`],
  ['modelLoadTimeout of 0', autopilot, { ...dep, modelLoadTimeout: Duration.seconds(0) }, `[${P}] modelLoadTimeout=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
];
const badKServe: [string, Platform, Partial<KServeInferenceServiceProps>, string][] = [
  ['scale-to-zero in KServe Standard mode', autopilot, { ...ks, minReplicas: 0 }, `[${P}] minReplicas=0 is invalid: KServe Standard (RawDeployment) mode does not scale to zero (kserve#3514); use deploymentMode: KServeDeploymentMode.KNATIVE`],
  ['model format with no runtime', autopilot, { ...ks, modelFormat: ModelFormat.custom('my-format') }, `[${P}] modelFormat="my-format" is invalid without runtime: no runtime installed with KServe serves it; set runtime to the ServingRuntime that lists it in supportedModelFormats`],
  ['neither modelFormat nor image on KServe', autopilot, { ...ks, modelFormat: undefined }, `[${P}] modelFormat=undefined is invalid: a KServeInferenceService needs a modelFormat (a KServe runtime) or an image (a custom container)`],
  ['image together with modelFormat', autopilot, { ...ks, image: 'x:1' }, `[${P}] image="x:1" is invalid together with modelFormat="huggingface": the KServe runtime brings its own image (choose its tag with runtimeVersion), or drop modelFormat for a custom container`],
  ['storageUri scheme KServe cannot load', autopilot, { ...ks, storageUri: 'ftp://host/model' }, `[${P}] storageUri="ftp://host/model" is invalid: KServe loads gs://, s3://, pvc://, hf://, https://, oci://`],
  ['storageUri that is not a URI', autopilot, { ...ks, storageUri: 'models/llama' }, `[${P}] storageUri="models/llama" is invalid: must be a URI such as pvc://claim/path, gs://bucket/path, s3://bucket/path or hf://org/model`],
  ['GPU metric on KServe Standard', autopilot, { ...ks, scalingMetrics: [ScalingMetric.gpuUtilization(60)] }, `[${P}] scalingMetrics[0]=pod:dcgm_gpu_utilization:avg 60% is invalid: KServe Standard mode scales on cpu or memory only (kserve#4259); use InferenceDeployment for GPU, pod or external metrics`],
  ['cpu metric in Knative mode', autopilot, { ...ks, deploymentMode: KServeDeploymentMode.KNATIVE, scalingMetrics: [ScalingMetric.cpu(70)] }, `[${P}] scalingMetrics[0]=cpu 70% is invalid: KServe Knative mode scales on concurrency or requests per second (ScalingMetric.concurrency / requestsPerSecond)`],
  ['several metrics on KServe', autopilot, { ...ks, scalingMetrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)] }, `[${P}] scalingMetrics=[cpu 70%, memory 80%] is invalid: KServe scales on one metric; use InferenceDeployment to combine several`],
  ['KServe missing from the platform\'s add-ons', Platform.gkeAutopilot({ addons: [] }), ks, `[${P}] platform.addons=[] is invalid: a KServe InferenceService needs KServe (serving.kserve.io), which GKE Autopilot does not list; install it and add ClusterAddon.KSERVE to the platform's addons, or choose a construct that does not need it`],
  ['Knative mode without Knative Serving in the add-ons', Platform.gkeAutopilot({ addons: [ClusterAddon.KSERVE] }), { ...ks, deploymentMode: KServeDeploymentMode.KNATIVE }, `[${P}] platform.addons=[kserve] is invalid: KServe's Knative deployment mode needs Knative Serving, which GKE Autopilot does not list; install it and add ClusterAddon.KNATIVE_SERVING to the platform's addons, or choose a construct that does not need it`],
];

test.each(badDeployment)('bad input (InferenceDeployment): %s', (_name, platform, props, message) => {
  expect(synthError(chart => new InferenceDeployment(chart, 'ep', { platform, ...props } as InferenceDeploymentProps), platform)).toContain(message);
});

test.each(badKServe)('bad input (KServeInferenceService): %s', (_name, platform, props, message) => {
  expect(synthError(chart => new KServeInferenceService(chart, 'ep', { platform, ...props } as KServeInferenceServiceProps), platform)).toContain(message);
});

test('the add-ons a KServe predictor needs, when listed, let it synthesize', () => {
  const platform = Platform.gkeAutopilot({ addons: [ClusterAddon.KSERVE, ClusterAddon.KNATIVE_SERVING] });
  expect(find(kserve(platform, { ...ks, deploymentMode: KServeDeploymentMode.KNATIVE }), 'InferenceService').metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Serverless');
  // InferenceDeployment needs no add-on at all.
  expect(find(deployment(Platform.gkeAutopilot({ addons: [] }), dep), 'Deployment').metadata.name).toBe('ep');
});

test('every problem is reported at once', () => {
  const msg = synthError(chart => new InferenceDeployment(chart, 'ep', { platform: autopilot, ...dep, minReplicas: 0, healthPort: 1, scalingMetrics: [ScalingMetric.cpu(101)] } as InferenceDeploymentProps), autopilot);
  expect(msg).toContain('minReplicas=0 is invalid');
  expect(msg).toContain('healthPort=1 is invalid');
  expect(msg).toContain('scalingMetrics[0]=cpu 101% is invalid');
});

describe('found by the property-based tests', () => {
  test('a fractional requests-per-second target is refused (KServe scaleTarget is an integer)', () => {
    const platform = Platform.gkeStandard();
    const msg = synthError(chart => new KServeInferenceService(chart, 'ep', {
      platform, deploymentMode: KServeDeploymentMode.KNATIVE, modelFormat: ModelFormat.HUGGINGFACE,
      accelerator: Accelerator.T4, scalingMetrics: [ScalingMetric.requestsPerSecond(0.25)],
    }), platform);
    expect(msg).toContain('[gke-standard/ep] scalingMetrics[0]=');
    expect(msg).toContain('the target must be a whole number of requests from 1 to 2147483647 (KServe\'s scaleTarget is a 32-bit integer)');
  });

  test('Knative on Autopilot spot is refused up front, naming capacityType (Knative sets a grace above the 25 s cap)', () => {
    const platform = Platform.gkeAutopilot();
    const msg = synthError(chart => new KServeInferenceService(chart, 'ep', {
      platform, deploymentMode: KServeDeploymentMode.KNATIVE, modelFormat: ModelFormat.HUGGINGFACE,
      accelerator: Accelerator.L4, capacityType: CapacityType.SPOT, knativeFeatureFlags: true,
    }), platform);
    expect(msg).toContain('[gke-autopilot/ep] capacityType="spot" is invalid with deploymentMode="Serverless" on GKE Autopilot: Knative sets the pod\'s termination grace itself (at least 30s), above the 25s spot pods get there');
  });
});
