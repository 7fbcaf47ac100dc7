/**
 * GpuFleet: Kueue queues and quotas for a cluster's GPU plan (issue 13). The Kueue objects as the v1beta2 CRDs want
 * them (their CEL rules hold), flavors whose labels are the ones the workloads' pods select, the queue label where
 * each workload kind needs it, and the app-wide checks of a workload against its queue, with exact messages.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, CapacityType, ClusterAddon, ComputeClass, ComputeClassCapacity, DdpJob, DdpJobSet, GpuFleet, GpuFleetProps, GpuFlavor,
  GpuTrainingJob, InferenceDeployment, KServeInferenceService, KServeLlmInferenceService, KubeflowNotebook, LlmModel, LocalQueue, ModelFormat,
  Platform, PreemptWithinQueue, PyTorchJob, ReclaimWithinCohort, SpotBatchJob, StatefulSetNotebook, TfJob, TrainJob, VllmLeaderWorkerSet,
  WandbLaunchQueue, WorkloadPriorityClass,
} from '../lib';
import { celCheck } from './support/cel';
import { SHARED_AVAILABLE } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const H100 = Accelerator.H100_80GB;
const A100 = Accelerator.A100_80GB;
const image = 'us-docker.pkg.dev/p/r/trainer:1.0';

/** The teams of the mixed-GPU plan, small: production (H100), research (A100, 32 GPUs), spot (both, on Spot VMs). */
function plan(platform: Platform): GpuFleetProps {
  return {
    platform,
    name: 'gpu',
    priorities: [{ name: 'production', value: 100000, description: 'Serving and scheduled training' }, { name: 'research', value: 1000 }],
    teams: [
      { name: 'production', namespace: 'ml-prod', quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 16, lendingLimit: 8 }] },
      { name: 'research', namespace: 'ml-research', quotas: [{ flavor: GpuFlavor.onDemand(A100), gpus: 32, borrowingLimit: 16 }], preemptWithinQueue: PreemptWithinQueue.NEVER },
      {
        name: 'spot', namespace: 'ml-research', queueName: 'spot', reclaimWithinCohort: ReclaimWithinCohort.NEVER,
        quotas: [{ flavor: GpuFlavor.spot(H100), gpus: 16 }, { flavor: GpuFlavor.spot(A100), gpus: 32 }],
      },
    ],
  };
}

function build(platform: Platform, more?: (chart: Chart, fleet: GpuFleet) => void): any[] {
  const chart = chartFor(platform);
  const fleet = new GpuFleet(chart, 'fleet', plan(platform));
  more?.(chart, fleet);
  return synth(chart, platform);
}

describe('the Kueue objects of a plan (GKE Standard)', () => {
  const objects = build(standard);
  const named = (kind: string, name: string) => find(objects, kind, name);

  test('one ClusterQueue per team, in the cohort, only for its namespace, CPU and memory beside the GPUs', () => {
    const cq = named('ClusterQueue', 'research');
    expect(cq.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(cq.metadata).toEqual({ name: 'research' });
    expect(cq.spec).toEqual({
      cohortName: 'gpu',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml-research' } },
      preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'Never' },
      resourceGroups: [
        {
          coveredResources: ['cpu', 'memory', 'ephemeral-storage'],
          // 32 GPUs x (96 vCPU / 1360 GiB of a2-ultragpu-8g per 8 GPUs) and 1 TiB of disk per GPU; limits alike.
          flavors: [{ name: 'cpu-memory', resources: [
            { name: 'cpu', nominalQuota: 384, borrowingLimit: 192 },
            { name: 'memory', nominalQuota: '5440Gi', borrowingLimit: '2720Gi' },
            { name: 'ephemeral-storage', nominalQuota: '32768Gi', borrowingLimit: '16384Gi' },
          ] }],
        },
        { coveredResources: ['nvidia.com/gpu'], flavors: [{ name: 'a100-80gb-on-demand', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 32, borrowingLimit: 16 }] }] },
      ],
    });
    expect(named('ClusterQueue', 'production').spec.resourceGroups[1].flavors).toEqual([
      { name: 'h100-80gb-on-demand', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 16, lendingLimit: 8 }] },
    ]);
    expect(named('ClusterQueue', 'spot').spec.preemption).toEqual({ reclaimWithinCohort: 'Never', withinClusterQueue: 'LowerPriority' });
  });

  test('a LocalQueue in each team\'s namespace', () => {
    expect(named('LocalQueue', 'research')).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'research', namespace: 'ml-research' }, spec: { clusterQueue: 'research' },
    });
    expect(named('LocalQueue', 'spot').metadata.namespace).toBe('ml-research');
  });

  test('ResourceFlavors carry the node labels and tolerations the platform gives the pods', () => {
    expect(named('ResourceFlavor', 'h100-80gb-on-demand').spec).toEqual({
      nodeLabels: { 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(named('ResourceFlavor', 'a100-80gb-spot').spec).toEqual({
      nodeLabels: { 'cloud.google.com/gke-accelerator': 'nvidia-a100-80gb', 'cloud.google.com/gke-spot': 'true' },
      tolerations: [
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      ],
    });
    // Every node: the flavor of CPU, memory and disk.
    expect(named('ResourceFlavor', 'cpu-memory').spec).toEqual({});
    expect(objects.filter(o => o.kind === 'ResourceFlavor').map(o => o.metadata.name))
      .toEqual(['cpu-memory', 'h100-80gb-on-demand', 'a100-80gb-on-demand', 'h100-80gb-spot', 'a100-80gb-spot']);
  });

  test('WorkloadPriorityClasses', () => {
    expect(named('WorkloadPriorityClass', 'production')).toEqual({
      apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'WorkloadPriorityClass', metadata: { name: 'production' }, value: 100000, description: 'Serving and scheduled training',
    });
  });

  test('every CEL rule of the Kueue CRDs holds', () => {
    if (!SHARED_AVAILABLE) return;
    const results = objects.map(o => celCheck(o));
    expect(results.flatMap(r => r.failures)).toEqual([]);
    expect(results.reduce((n, r) => n + r.rules, 0)).toBeGreaterThan(30);
  });
});

test('Karpenter flavors name the capacity type: on-demand, spot and reserved pods are told apart', () => {
  const chart = chartFor(karpenter);
  new GpuFleet(chart, 'fleet', { platform: karpenter, teams: [{ name: 'prod', namespace: 'ml', quotas: [
    { flavor: GpuFlavor.of(H100, CapacityType.RESERVED), gpus: 32 }, { flavor: GpuFlavor.onDemand(H100), gpus: 8 },
  ] }] });
  const objects = synth(chart, karpenter);
  expect(find(objects, 'ResourceFlavor', 'h100-80gb-reserved').spec.nodeLabels).toEqual({
    'karpenter.k8s.aws/instance-gpu-name': 'h100', 'karpenter.sh/capacity-type': 'reserved',
  });
  expect(find(objects, 'ResourceFlavor', 'h100-80gb-on-demand').spec.nodeLabels['karpenter.sh/capacity-type']).toBe('on-demand');
});

describe('queued provisioning (GKE DWS)', () => {
  function dws(platform: Platform) {
    const chart = chartFor(platform);
    const fleet = new GpuFleet(chart, 'fleet', { platform, name: 'gpu', teams: [
      { name: 'batch', namespace: 'ml', queuedProvisioning: true, quotas: [{ flavor: GpuFlavor.of(H100, CapacityType.FLEX_START), gpus: 32 }] },
    ] });
    new DdpJob(chart, 'pretrain', {
      platform, image, accelerator: H100, gpus: 8, nodes: 4, module: 'train', capacityType: CapacityType.FLEX_START, queue: fleet.queue('batch'),
      activeDeadline: Duration.hours(20),
    });
    return synth(chart, platform);
  }

  test('a ProvisioningRequestConfig and its AdmissionCheck on the team\'s ClusterQueue', () => {
    const objects = dws(standard);
    expect(find(objects, 'ProvisioningRequestConfig').spec).toEqual({ provisioningClassName: 'queued-provisioning.gke.io', managedResources: ['nvidia.com/gpu'] });
    expect(find(objects, 'AdmissionCheck').spec).toEqual({
      controllerName: 'kueue.x-k8s.io/provisioning-request',
      parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'ProvisioningRequestConfig', name: 'gpu-dws' },
    });
    expect(find(objects, 'ClusterQueue').spec.admissionChecksStrategy).toEqual({ admissionChecks: [{ name: 'gpu-dws' }] });
  });

  test('the workload: queue label, its run time for the ProvisioningRequest, flex-start pods; Standard tolerates the queued nodes', () => {
    const objects = dws(standard);
    const job = find(objects, 'Job');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('batch');
    expect(job.metadata.annotations).toEqual({ 'provreq.kueue.x-k8s.io/maxRunDurationSeconds': '72000' });
    expect(job.spec.template.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb', 'cloud.google.com/gke-flex-start': 'true' });
    expect(find(objects, 'ResourceFlavor', 'h100-80gb-flex-start-queued').spec.tolerations).toContainEqual(
      { key: 'cloud.google.com/gke-queued', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
  });

  test('Autopilot adds the tolerations itself', () => {
    expect(find(dws(autopilot), 'ResourceFlavor', 'h100-80gb-flex-start-queued').spec).toEqual({
      nodeLabels: { 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb', 'cloud.google.com/gke-flex-start': 'true' },
    });
  });
});

test('a compute class as a flavor: the pods select the class, so does the flavor', () => {
  const chart = chartFor(autopilot);
  const cc = new ComputeClass(chart, 'cc', { platform: autopilot, name: 'h100-ladder', priorities: [
    { accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.reservations(['h100-prod']) }, { accelerator: H100, gpus: 8 },
  ] });
  const fleet = new GpuFleet(chart, 'fleet', { platform: autopilot, teams: [{ name: 'prod', namespace: 'ml', quotas: [{ flavor: GpuFlavor.ofComputeClass(cc), gpus: 16 }] }] });
  new GpuTrainingJob(chart, 'train', { platform: autopilot, image, accelerator: H100, gpus: 8, computeClass: cc, queue: fleet.queue('prod') });
  const objects = synth(chart, autopilot);
  expect(find(objects, 'ResourceFlavor', 'class-h100-ladder').spec).toEqual({ nodeLabels: { 'cloud.google.com/compute-class': 'h100-ladder' } });
  expect(find(objects, 'Job').spec.template.spec.nodeSelector).toEqual({ 'cloud.google.com/compute-class': 'h100-ladder' });
});

describe('every workload kind gets the queue label where Kueue reads it', () => {
  const llm = { model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192, huggingFaceToken: { secretName: 'hf', key: 'token' } };
  const kinds: [string, (c: Chart, f: GpuFleet, q: any) => void, string][] = [
    ['Job', (c, _f, q) => new GpuTrainingJob(c, 'w', { ...q, image }), 'Job'],
    ['Indexed Job', (c, _f, q) => new SpotBatchJob(c, 'w', { ...q, image, completions: 8, parallelism: 2, capacityType: CapacityType.ON_DEMAND }), 'Job'],
    ['DDP Indexed Job', (c, _f, q) => new DdpJob(c, 'w', { ...q, image, module: 'train' }), 'Job'],
    ['JobSet', (c, _f, q) => new DdpJobSet(c, 'w', { ...q, image, module: 'train' }), 'JobSet'],
    ['PyTorchJob', (c, _f, q) => new PyTorchJob(c, 'w', { ...q, image, module: 'train' }), 'PyTorchJob'],
    ['TFJob', (c, _f, q) => new TfJob(c, 'w', { ...q, image }), 'TFJob'],
    ['Deployment', (c, _f, q) => new InferenceDeployment(c, 'w', { ...q, image }), 'Deployment'],
    ['LeaderWorkerSet', (c, _f, q) => new VllmLeaderWorkerSet(c, 'w', { ...q, ...llm, nodes: 2 }), 'LeaderWorkerSet'],
    ['StatefulSet', (c, _f, q) => new StatefulSetNotebook(c, 'w', { ...q, image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }), 'StatefulSet'],
  ];
  test.each(kinds)('%s: on the main object, never on its pods', (_name, make, kind) => {
    const chart = chartFor(standard);
    const fleet = new GpuFleet(chart, 'fleet', { platform: standard, priorities: [{ name: 'production', value: 1000 }], teams: [
      { name: 'ml', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 64 }] },
    ] });
    make(chart, fleet, { platform: standard, accelerator: Accelerator.L4, queue: fleet.queue('ml'), workloadPriority: fleet.priority('production') });
    const objects = synth(chart, standard);
    const main = find(objects, kind);
    expect(main.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'ml', 'kueue.x-k8s.io/priority-class': 'production' });
    // Pods and child objects stay unlabeled: Kueue's pod integration would take a labeled pod for a workload of its own.
    const elsewhere = JSON.stringify(objects.filter(o => o !== main)) + JSON.stringify(main.spec);
    expect(elsewhere).not.toContain('kueue.x-k8s.io/queue-name');
    // Kueue suspends the workload itself (its webhook); a `suspend: true` in Git would fight Kueue's un-suspend on every sync.
    expect(main.spec.suspend).toBeUndefined();
  });

  const refused: [string, (c: Chart, q: any) => void, string][] = [
    ['KServe InferenceService', (c, q) => new KServeInferenceService(c, 'w', { ...q, modelFormat: ModelFormat.HUGGINGFACE }), 'serving.kserve.io/v1beta1 InferenceService'],
    ['KServe LLMInferenceService', (c, q) => new KServeLlmInferenceService(c, 'w', { ...q, ...llm, huggingFaceToken: { secretName: 'hf', key: 'HF_TOKEN' } }), 'serving.kserve.io/v1alpha2 LLMInferenceService'],
    ['Kubeflow Notebook', (c, q) => new KubeflowNotebook(c, 'w', { ...q, image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' }), 'kubeflow.org/v1 Notebook'],
  ];
  test.each(refused)('%s: refused, Kueue has no integration for it', (_name, make, what) => {
    expect(synthError(c => make(c, { platform: standard, accelerator: Accelerator.L4, queue: LocalQueue.fromName('ml') }), standard))
      .toContain(`[gke-standard/w] queue="ml" is invalid: Kueue has no integration for ${what}, so`);
  });
});

describe('a workload against its queue, at synth', () => {
  const job = { image, accelerator: A100, gpus: 8 };
  const cases: [string, (c: Chart, f: GpuFleet) => void, string][] = [
    ['a queue no fleet of the cluster has', (c) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, namespace: 'ml-research', queue: LocalQueue.fromName('reserach') }),
      '[gke-standard/train] queue="reserach" is invalid: no GpuFleet of cluster "default" has that LocalQueue in namespace "ml-research" (queues there: research, spot)'],
    ['a queue of another namespace', (c, f) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, queue: f.queue('research') }),
      '[gke-standard/train] queue="research" is invalid: the LocalQueue is in namespace "ml-research" and the workload in "ml"; Kueue admits a workload only through a LocalQueue of its own namespace (allowed: namespace: "ml-research", or a queue of "ml")'],
    ['no flavor for its GPUs', (c, f) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, accelerator: H100, namespace: 'ml-research', queue: f.queue('research') }),
      '[gke-standard/train] queue="research" is invalid: ClusterQueue research has no flavor for H100 80GB on-demand (its flavors: a100-80gb-on-demand), so Kueue would never admit the workload (allowed: a queue whose team has a quota for H100 80GB on-demand)'],
    ['no flavor for its capacity', (c, f) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, namespace: 'ml-research', queue: f.queue('spot') }),
      '[gke-standard/train] queue="spot" is invalid: ClusterQueue spot has no flavor for A100 80GB on-demand (its flavors: h100-80gb-spot, a100-80gb-spot)'],
    ['more GPUs at once than the team can ever hold', (c, f) => new DdpJob(c, 'train', {
      platform: standard, ...job, module: 'train', nodes: 8, namespace: 'ml-research', queue: f.queue('research'),
    }), '[gke-standard/train] queue="research" is invalid: one admission needs 64 GPUs, more than ClusterQueue research can ever hold of flavor a100-80gb-on-demand: nominal 32 + borrowing limit 16 (0) = 32; Kueue admits a workload whole or not at all (allowed: at most 32 GPUs, or a larger quota)'],
    // A TrainJob's pods are numNodes x spec.trainer.resourcesPerNode (no pod template in the object).
    ['a TrainJob needing more GPUs at once than the team can ever hold', (c, f) => new TrainJob(c, 'train', {
      platform: standard, ...job, nodes: 8, namespace: 'ml-research', queue: f.queue('research'),
    }), '[gke-standard/train] queue="research" is invalid: one admission needs 64 GPUs, more than ClusterQueue research can ever hold of flavor a100-80gb-on-demand: nominal 32 + borrowing limit 16 (0) = 32; Kueue admits a workload whole or not at all (allowed: at most 32 GPUs, or a larger quota)'],
    ['a priority no fleet defines', (c, f) => new GpuTrainingJob(c, 'train', {
      platform: standard, ...job, namespace: 'ml-research', queue: f.queue('research'), workloadPriority: WorkloadPriorityClass.fromName('urgent'),
    }), '[gke-standard/train] workloadPriority="urgent" is invalid: no GpuFleet of cluster "default" defines that WorkloadPriorityClass (allowed: production, research)'],
    ['a priority without a queue', (c) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, workloadPriority: WorkloadPriorityClass.fromName('production') }),
      '[gke-standard/train] workloadPriority="production" is invalid: needs a queue: Kueue orders and preempts only the workloads it queues'],
    ['a team the fleet does not have', (c, f) => new GpuTrainingJob(c, 'train', { platform: standard, ...job, queue: f.queue('reserach') }),
      '[gke-standard/fleet] queue("reserach") is invalid: the fleet has no such team (teams: production, research, spot)'],
    ['a priority the fleet does not have', (_c, f) => f.priority('urgent'),
      '[gke-standard/fleet] priority("urgent") is invalid: the fleet has no such WorkloadPriorityClass (priorities: production, research)'],
  ];
  test.each(cases)('%s', (_name, make, message) => {
    expect(synthError(c => make(c, new GpuFleet(c, 'fleet', plan(standard))), standard)).toContain(message);
  });

  test('borrowing: a workload above the nominal quota fits with what the cohort lends', () => {
    // research: 32 A100 + up to 16 borrowed; spot lends none of its A100 (another flavor). Production lends all of its 32
    // idle A100s: the borrowing limit, not what the cohort lends, bounds research.
    const chart = chartFor(standard);
    const props = plan(standard);
    const fleet = new GpuFleet(chart, 'fleet', { ...props, teams: [
      { name: 'production', namespace: 'ml-prod', quotas: [{ flavor: GpuFlavor.onDemand(A100), gpus: 32 }] },
      props.teams[1],
    ] });
    new DdpJob(chart, 'train', { platform: standard, ...job, module: 'train', nodes: 6, namespace: 'ml-research', queue: fleet.queue('research') });
    expect(() => synth(chart, standard)).not.toThrow();
    new DdpJob(chart, 'bigger', { platform: standard, ...job, module: 'train', nodes: 7, namespace: 'ml-research', queue: fleet.queue('research') });
    expect(() => synth(chart, standard)).toThrow('one admission needs 56 GPUs, more than ClusterQueue research can ever hold of flavor a100-80gb-on-demand: nominal 32 + borrowing limit 16 (16) = 48');
  });

  test('a Deployment is admitted pod by pod: only one pod must fit', () => {
    const chart = chartFor(standard);
    const fleet = new GpuFleet(chart, 'fleet', plan(standard));
    new InferenceDeployment(chart, 'serve', { platform: standard, image, accelerator: H100, gpus: 8, namespace: 'ml-prod', minReplicas: 2, maxReplicas: 6, queue: fleet.queue('production') });
    expect(() => synth(chart, standard)).not.toThrow();
  });

  test('a queue of a cluster without a fleet in the app is not checked', () => {
    const chart = chartFor(standard);
    new GpuTrainingJob(chart, 'train', { platform: standard, ...job, queue: LocalQueue.fromName('anything') });
    expect(find(synth(chart, standard), 'Job').metadata.labels['kueue.x-k8s.io/queue-name']).toBe('anything');
  });

  test('a queue needs Kueue among the platform\'s add-ons', () => {
    const platform = Platform.gkeStandard({ addons: [ClusterAddon.JOBSET] });
    expect(synthError(c => new GpuTrainingJob(c, 'train', { platform, ...job, queue: LocalQueue.fromName('q') }), platform))
      .toContain('[gke-standard/train] platform.addons=[jobset] is invalid: a workload with a queue needs Kueue (kueue.x-k8s.io), which GKE Standard does not list; install it and add ClusterAddon.KUEUE to the platform\'s addons');
  });
});

describe('fleet mistakes', () => {
  const team = { name: 't', namespace: 'ml' };
  const cases: [string, Partial<GpuFleetProps>, string, Platform?][] = [
    ['lending more than the quota', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8, lendingLimit: 16 }] }] },
      'teams[0].quotas[0].lendingLimit=16 is invalid: must be a whole number of GPUs from 0 to the quota\'s gpus (8)'],
    ['flex-start on Karpenter', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.of(H100, CapacityType.FLEX_START), gpus: 8 }] }] },
      'teams[0].quotas[0].flavor.capacityType="flex-start" is invalid: Karpenter (EKS) has no flex-start capacity (GKE\'s Dynamic Workload Scheduler) (allowed: on-demand, spot, spot-with-fallback, reserved)', karpenter],
    ['a GPU the platform does not offer', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.A10G), gpus: 8 }] }] },
      'teams[0].quotas[0].flavor.accelerator="A10G" is invalid: GKE Standard does not offer it'],
    ['queued provisioning on Karpenter', { teams: [{ ...team, queuedProvisioning: true, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }] },
      'teams[0].queuedProvisioning=true is invalid: Karpenter (EKS) has no queued provisioning (GKE\'s Dynamic Workload Scheduler only)', karpenter],
    ['queued provisioning on on-demand VMs', { teams: [{ ...team, queuedProvisioning: true, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }] },
      'teams[0].quotas[0].flavor="h100-80gb-on-demand-queued" is invalid: queued provisioning makes flex-start nodes: every quota of the team must be GpuFlavor.of(accelerator, CapacityType.FLEX_START)'],
    ['a flavor twice', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }, { flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }] },
      'teams[0].quotas[1].flavor="h100-80gb-on-demand" is invalid: is listed twice for the team'],
    ['two teams of one name', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }, { ...team, namespace: 'other', quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }] },
      'teams[1].name="t" is invalid: is used twice: ClusterQueue names are unique in a cluster'],
    ['no teams', { teams: [] }, 'teams=[] is invalid: must list at least one team'],
    ['no Kueue', { teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }] }] },
      'platform.addons=[] is invalid: a GpuFleet (Kueue queues) needs Kueue (kueue.x-k8s.io), which GKE Standard does not list', Platform.gkeStandard({ addons: [] })],
  ];
  test.each(cases)('%s', (_name, props, message, platform = standard) => {
    expect(synthError(c => new GpuFleet(c, 'fleet', { platform, ...props } as GpuFleetProps), platform)).toContain(`[${platform.id}/fleet] ${message}`);
  });

  test('flavors of one team that Kueue cannot tell apart are a warning', () => {
    const chart = chartFor(standard);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    new GpuFleet(chart, 'fleet', { platform: standard, teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(H100), gpus: 8 }, { flavor: GpuFlavor.spot(H100), gpus: 8 }] }] });
    expect(() => synth(chart, standard)).toThrow('[gke-standard/fleet] (strict mode) teams: flavors h100-80gb-on-demand and h100-80gb-spot of team t select the same nodes as far as Kueue can tell (it matches only the labels a flavor names: {"cloud.google.com/gke-accelerator":"nvidia-h100-80gb"} vs {"cloud.google.com/gke-accelerator":"nvidia-h100-80gb","cloud.google.com/gke-spot":"true"}), so Kueue may admit a workload meant for one to the other; give them separate teams');
  });
});

test('a W&B Launch queue\'s runs join a Kueue queue: the labels on the Job of its config, not its pod', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'wb-kueue-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'wb', { namespace: 'ml', disableResourceNameHashes: true });
  const fleet = new GpuFleet(chart, 'fleet', { platform: standard, priorities: [{ name: 'research', value: 1000 }], teams: [
    { name: 'launch', namespace: 'ml-launch', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 8 }] },
  ] });
  const queue = new WandbLaunchQueue(chart, 'gpu', {
    platform: standard, namespace: 'ml-launch', accelerator: Accelerator.L4, queue: fleet.queue('launch'), workloadPriority: fleet.priority('research'),
  });
  app.synth();
  const config = JSON.parse(fs.readFileSync(path.join(outdir, queue.configFile), 'utf8'));
  expect(config.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'launch', 'kueue.x-k8s.io/priority-class': 'research' });
  expect(JSON.stringify(config.spec)).not.toContain('kueue.x-k8s.io');
  const elsewhere = { localQueueName: 'launch', namespace: 'ml' };
  expect(synthError(c => new WandbLaunchQueue(c, 'gpu', { platform: standard, namespace: 'ml-launch', accelerator: Accelerator.L4, queue: elsewhere }), standard))
    .toContain('[gke-standard/gpu] queue="launch" is invalid: the LocalQueue is in namespace "ml" and the workload in "ml-launch"');
});
