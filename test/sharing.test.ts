/**
 * GPU sharing (issue 14): time-sharing, MPS and MIG on every platform. What each platform puts on a shared pod, what it
 * refuses (with the exact message), the node side on Karpenter and plain Kubernetes (shared NodePool, device plugin
 * configs, Helm values), and the admission safety net on rendered pods.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, ClusterAddon, DdpJob, GpuNodePool, GpuNodePoolProps, GpuShare, GpuSharingConfig, GpuSharingStrategy, GpuTrainingJob,
  GpuTrainingJobProps, InferenceDeployment, JupyterHubGpuProfiles, KServeDeploymentMode, KServeInferenceService, LlmModel, MigProfile,
  MigStrategy, ModelFormat, Platform, SpotBatchJob, StatefulSetNotebook, VllmDeployment,
} from '../lib';
import { podsOf } from './support/pods';
import { schemaErrors } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';
import { DIST, distObjects } from './support/dist';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const mixed = Platform.kubernetes({ migStrategy: MigStrategy.MIXED, selectGpuProduct: true });
const single = Platform.kubernetes({ migStrategy: MigStrategy.SINGLE, selectGpuProduct: true });
const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml' };
const image = 'us-docker.pkg.dev/p/r/trainer:1.0';
const mig = (name: string) => GpuShare.mig(MigProfile.of(name));

/** The pod spec of a GpuTrainingJob. */
function jobPod(platform: Platform, props: Partial<GpuTrainingJobProps>): any {
  const chart = chartFor(platform);
  new GpuTrainingJob(chart, 'job', { platform, image, ...props } as GpuTrainingJobProps);
  return find(synth(chart, platform), 'Job').spec.template;
}

describe('GpuShare', () => {
  test('names, fractions and config names', () => {
    expect(GpuShare.EXCLUSIVE.isShared).toBe(false);
    expect(GpuShare.EXCLUSIVE.fractionOf(Accelerator.T4)).toBe(1);
    expect(GpuShare.timeShared(4).fractionOf()).toBe(0.25);
    expect(GpuShare.mps(8).fractionOf(Accelerator.L4)).toBe(0.125);
    // MIG: one over the instances of the profile on one GPU (GKE and the MIG manager's all-<profile> cut every GPU alike).
    expect(mig('1g.5gb').fractionOf(Accelerator.A100_40GB)).toBeCloseTo(1 / 7);
    expect(mig('3g.40gb').fractionOf(Accelerator.H100_80GB)).toBe(0.5);
    expect(mig('1g.20gb').fractionOf(Accelerator.H100_80GB)).toBe(0.25);
    expect(mig('1g.5gb').fractionOf(Accelerator.T4)).toBeUndefined();
    expect([GpuShare.timeShared(4), GpuShare.mps(2), mig('1g.10gb+me'), GpuShare.EXCLUSIVE].map(s => s.configName))
      .toEqual(['time-slicing-4', 'mps-2', 'all-1g.10gb.me', 'exclusive']);
    expect([GpuShare.timeShared(4), GpuShare.mps(2, { memoryLimit: Size.gibibytes(4) }), mig('1g.5gb')].map(String))
      .toEqual(['GpuShare.timeShared(4)', 'GpuShare.mps(2, { memoryLimit })', 'GpuShare.mig("1g.5gb")']);
    expect(MigProfile.of('1g.10gb+me').mixedResourceName).toBe('nvidia.com/mig-1g.10gb.me');
    expect(MigProfile.of('3g.40gb').computeSlices).toBe(3);
  });

  test('the catalog: MIG profiles per model, as NVIDIA\'s MIG manager and GKE cut them', () => {
    const names = (a: Accelerator) => [a.migProfiles.map(m => `${m.profile}:${m.instancesPerGpu}`), a.gkeMigProfiles.map(m => m.profile)];
    expect(names(Accelerator.A100_40GB)).toEqual([
      ['1g.5gb:7', '1g.5gb+me:1', '1g.10gb:4', '2g.10gb:3', '3g.20gb:2', '4g.20gb:1', '7g.40gb:1'],
      ['1g.5gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
    ]);
    expect(names(Accelerator.H100_80GB)[1]).toEqual(['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb']);
    const none = [Accelerator.T4, Accelerator.L4, Accelerator.A10G, Accelerator.L40S, Accelerator.H100_MEGA_80GB];
    for (const a of none) expect(names(a)).toEqual([[], []]);
    // Every listed profile is a well-formed name, and the two lists agree on the instances per GPU.
    for (const a of Accelerator.all()) {
      for (const m of [...a.migProfiles, ...a.gkeMigProfiles]) {
        expect(MigProfile.of(m.profile)._problem()).toBeUndefined();
        const other = [...a.migProfiles, ...a.gkeMigProfiles].filter(o => o.profile === m.profile);
        expect(new Set(other.map(o => o.instancesPerGpu)).size).toBe(1);
      }
    }
  });

  test('which sharing each platform offers for a model', () => {
    const offered = (p: Platform, a: Accelerator) => p.sharingStrategies(a).join(',');
    expect(offered(autopilot, Accelerator.L4)).toBe('exclusive,time-sharing');
    expect(offered(autopilot, Accelerator.A100_40GB)).toBe('exclusive,time-sharing,mig');
    expect(offered(standard, Accelerator.T4)).toBe('exclusive,time-sharing,mps');
    expect(offered(standard, Accelerator.H100_80GB)).toBe('exclusive,time-sharing,mps,mig');
    expect(offered(karpenter, Accelerator.A10G)).toBe('exclusive,time-sharing,mps');
    expect(offered(karpenter, Accelerator.RTX_PRO_6000)).toBe('exclusive,time-sharing,mps');
    expect(offered(kubernetes, Accelerator.B200)).toBe('exclusive,time-sharing,mps,mig');
    // A platform of your own offers whole GPUs until it says more.
    class Own extends Platform {
      public constructor() { super({ id: 'own', displayName: 'Own' }); }
      public allowedGpuCounts(): number[] { return [1]; }
      public schedule() { return { nodeSelector: {}, tolerations: [], podAnnotations: {} }; }
    }
    expect(new Own().sharingStrategies(Accelerator.L4)).toEqual([GpuSharingStrategy.EXCLUSIVE]);
  });
});

describe('what a shared pod gets on each platform', () => {
  test('GKE Autopilot, time-shared L4: sharing selectors, nvidia.com/gpu: 1, a quarter of the CPU and memory defaults', () => {
    const t = jobPod(autopilot, { accelerator: Accelerator.L4, gpuShare: GpuShare.timeShared(4) });
    expect(t.spec.nodeSelector).toEqual({
      'cloud.google.com/gke-accelerator': 'nvidia-l4',
      'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing',
      'cloud.google.com/gke-max-shared-clients-per-gpu': '4',
    });
    expect(t.spec.tolerations).toBeUndefined();
    expect(t.spec.containers[0].resources).toEqual({
      requests: { 'cpu': '1', 'memory': '4Gi', 'ephemeral-storage': '10Gi', 'nvidia.com/gpu': 1 },
      limits: { 'memory': '4Gi', 'nvidia.com/gpu': 1 },
    });
  });

  test('GKE Autopilot, MIG: the partition size', () => {
    const t = jobPod(autopilot, { accelerator: Accelerator.A100_80GB, gpuShare: mig('3g.40gb') });
    expect(t.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-a100-80gb', 'cloud.google.com/gke-gpu-partition-size': '3g.40gb' });
    // Half an A100 80GB: 2 of the 4 vCPU and 8 of the 16 GiB per GPU.
    expect(t.spec.containers[0].resources.requests).toMatchObject({ cpu: '2', memory: '8Gi', 'nvidia.com/gpu': 1 });
  });

  test('GKE Standard, MPS: selectors, the share taint toleration, the host IPC namespace (labelled as a Pod Security exception), no /dev/shm of its own', () => {
    const t = jobPod(standard, { accelerator: Accelerator.T4, gpuShare: GpuShare.mps(4) });
    expect(t.spec.nodeSelector).toEqual({
      'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4',
      'cloud.google.com/gke-gpu-sharing-strategy': 'mps',
      'cloud.google.com/gke-max-shared-clients-per-gpu': '4',
    });
    expect(t.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(t.spec.hostIPC).toBe(true);
    expect(t.metadata.labels['gpu-ml.cdk8s.io/pss-exception']).toBe('mps-host-ipc');
    expect(t.spec.volumes).toBeUndefined();
    expect(t.spec.containers[0].volumeMounts).toBeUndefined();
  });

  test('GKE Standard, MIG: partition size, one nvidia.com/gpu, a seventh of the defaults for 1g.5gb', () => {
    const t = jobPod(standard, { accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.5gb') });
    expect(t.spec.nodeSelector['cloud.google.com/gke-gpu-partition-size']).toBe('1g.5gb');
    expect(t.spec.hostIPC).toBeUndefined();
    expect(t.spec.containers[0].resources.requests).toMatchObject({ 'cpu': '571m', 'memory': '2340Mi', 'nvidia.com/gpu': 1 });
  });

  test('Karpenter: the device plugin config label for time-slicing and MPS, the MIG layout for MIG (single strategy)', () => {
    const ts = jobPod(karpenter, { accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(4) });
    expect(ts.spec.nodeSelector).toEqual({
      'karpenter.k8s.aws/instance-gpu-name': 't4', 'karpenter.sh/capacity-type': 'on-demand', 'nvidia.com/device-plugin.config': 'time-slicing-4',
    });
    expect(ts.spec.tolerations).toContainEqual({ key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' });
    const m = jobPod(karpenter, { accelerator: Accelerator.A100_80GB, gpuShare: mig('1g.10gb') });
    expect(m.spec.nodeSelector['nvidia.com/mig.config']).toBe('all-1g.10gb');
    expect(m.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
  });

  test('Kubernetes: mixed strategy asks for nvidia.com/mig-<profile>; GFD marks shared and MIG products', () => {
    const m = jobPod(mixed, { accelerator: Accelerator.A100_80GB, gpuShare: mig('1g.10gb') });
    expect(m.spec.containers[0].resources.limits).toEqual({ 'memory': '2340Mi', 'nvidia.com/mig-1g.10gb': 1 });
    expect(m.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' });
    const s = jobPod(single, { accelerator: Accelerator.A100_80GB, gpuShare: mig('1g.10gb+me') });
    expect(s.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB-MIG-1g.10gbme', 'nvidia.com/mig.config': 'all-1g.10gb.me' });
    expect(s.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    const ts = jobPod(single, { accelerator: Accelerator.L4, gpuShare: GpuShare.mps(2, { memoryLimit: Size.gibibytes(8) }) });
    expect(ts.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L4-SHARED', 'nvidia.com/device-plugin.config': 'mps-2' });
    // The MPS client's own limit, as CUDA reads it: device 0 (the one GPU the container sees), in MiB.
    expect(ts.spec.containers[0].env).toContainEqual({ name: 'CUDA_MPS_PINNED_DEVICE_MEM_LIMIT', value: '0=8192M' });
    expect(ts.spec.hostIPC).toBeUndefined();
    // Without an accelerator (any GPU the plugin offers), time-slicing needs none.
    const any = jobPod(kubernetes, { gpuShare: GpuShare.timeShared(8) });
    expect(any.spec.nodeSelector).toEqual({ 'nvidia.com/device-plugin.config': 'time-slicing-8' });
  });

  test('explicit CPU and memory win over the shrunk defaults; whole GPUs keep 4 vCPU and 16 GiB per GPU', () => {
    const t = jobPod(autopilot, { accelerator: Accelerator.L4, gpuShare: GpuShare.timeShared(4), cpu: 3, memory: Size.gibibytes(10) });
    expect(t.spec.containers[0].resources.requests).toMatchObject({ cpu: '3', memory: '10Gi' });
    const whole = jobPod(autopilot, { accelerator: Accelerator.L4, gpus: 2 });
    expect(whole.spec.containers[0].resources.requests).toMatchObject({ cpu: '8', memory: '32Gi' });
  });

  test('every workload kind takes the share: Deployment, KServe, notebook, batch job', () => {
    const chart = chartFor(standard);
    const share = GpuShare.timeShared(2);
    new InferenceDeployment(chart, 'api', { platform: standard, image, accelerator: Accelerator.L4, gpuShare: share });
    new KServeInferenceService(chart, 'isvc', { platform: standard, modelFormat: ModelFormat.SKLEARN, storageUri: 'gs://b/m', accelerator: Accelerator.L4, gpuShare: share });
    new StatefulSetNotebook(chart, 'nb', { platform: standard, image, accelerator: Accelerator.L4, gpuShare: share });
    new SpotBatchJob(chart, 'batch', { platform: standard, image, accelerator: Accelerator.L4, gpuShare: share, completions: 4 });
    const objects = synth(chart, standard);
    const selectors = objects.filter(o => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map(o => o.spec.template.spec.nodeSelector);
    selectors.push(find(objects, 'InferenceService').spec.predictor.nodeSelector);
    expect(selectors).toHaveLength(4);
    for (const s of selectors) expect(s).toMatchObject({ 'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing', 'cloud.google.com/gke-max-shared-clients-per-gpu': '2' });
  });
});

describe('invalid combinations are refused with the allowed values', () => {
  const bad: [string, Platform, Partial<GpuTrainingJobProps>, string][] = [
    ['MIG on a T4', standard, { accelerator: Accelerator.T4, gpuShare: mig('1g.5gb') },
      'gpuShare=GpuShare.mig("1g.5gb") is invalid: GKE Standard does not offer MIG for T4 (allowed: GpuShare.EXCLUSIVE, GpuShare.timeShared(clients), GpuShare.mps(clients))'],
    ['MIG on a T4 (Karpenter)', karpenter, { accelerator: Accelerator.T4, gpuShare: mig('1g.5gb') },
      'gpuShare=GpuShare.mig("1g.5gb") is invalid: Karpenter (EKS) does not offer MIG for T4 (allowed: GpuShare.EXCLUSIVE, GpuShare.timeShared(clients), GpuShare.mps(clients))'],
    ['MPS on Autopilot', autopilot, { accelerator: Accelerator.L4, gpuShare: GpuShare.mps(4) },
      'gpuShare=GpuShare.mps(4) is invalid: GKE Autopilot does not offer MPS for L4 (allowed: GpuShare.EXCLUSIVE, GpuShare.timeShared(clients))'],
    ['two time-shared GPUs', autopilot, { accelerator: Accelerator.L4, gpus: 2, gpuShare: GpuShare.timeShared(4) },
      'gpus=2 is invalid with gpuShare=GpuShare.timeShared(4): a container gets at most one time-sharing GPU on GKE Autopilot (allowed: 1)'],
    ['two MPS shares', karpenter, { accelerator: Accelerator.A10G, gpus: 2, gpuShare: GpuShare.mps(4) },
      'gpus=2 is invalid with gpuShare=GpuShare.mps(4): a container gets at most one MPS GPU on Karpenter (EKS) (allowed: 1)'],
    ['two MIG slices', standard, { accelerator: Accelerator.A100_40GB, gpus: 2, gpuShare: mig('1g.5gb') },
      'gpus=2 is invalid with gpuShare=GpuShare.mig("1g.5gb"): a CUDA process sees one MIG slice only (allowed: 1)'],
    ['a profile GKE does not cut', standard, { accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.10gb') },
      'gpuShare=GpuShare.mig("1g.10gb") is invalid: GKE Standard does not cut A100 40GB into 1g.10gb slices (allowed: 1g.5gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb)'],
    ['a profile of another model', karpenter, { accelerator: Accelerator.H100_80GB, gpuShare: mig('1g.5gb') },
      'gpuShare=GpuShare.mig("1g.5gb") is invalid: Karpenter (EKS) does not cut H100 80GB into 1g.5gb slices (allowed: 1g.10gb, 1g.10gb+me, 1g.20gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb)'],
    ['too many clients on GKE', standard, { accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(64) },
      'gpuShare=GpuShare.timeShared(64) is invalid: GKE Standard shares one GPU among at most 48 time-sharing clients (allowed: 2-48)'],
    ['too many MPS clients on the NVIDIA device plugin', kubernetes, { gpuShare: GpuShare.mps(64) },
      'gpuShare=GpuShare.mps(64) is invalid: Kubernetes (NVIDIA device plugin) shares one GPU among at most 48 MPS clients (allowed: 2-48)'],
    ['one client is no sharing', standard, { accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(1) },
      'gpuShare=GpuShare.timeShared(1) is invalid: clientsPerGpu=1 must be a whole number of clients from 2 up (one client is an exclusive GPU)'],
    ['a malformed profile', standard, { accelerator: Accelerator.A100_40GB, gpuShare: mig('big') },
      'gpuShare=GpuShare.mig("big") is invalid: its profile "big" must be a MIG profile name like "1g.5gb" or "3g.40gb" (compute slices, "g.", memory in GB)'],
    ['MIG on plain Kubernetes without the strategy', kubernetes, { accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.5gb') },
      'gpuShare=GpuShare.mig("1g.5gb") is invalid: Kubernetes (NVIDIA device plugin) has no migStrategy, so the library cannot tell whether a slice is nvidia.com/gpu on a node of one profile (single) or nvidia.com/mig-1g.5gb (mixed) (allowed: state it with Platform.kubernetes({ migStrategy: MigStrategy.SINGLE }) or MigStrategy.MIXED)'],
    ['MIG without an accelerator', mixed, { gpuShare: mig('1g.5gb') },
      'accelerator=undefined is invalid with gpuShare=GpuShare.mig("1g.5gb"): the MIG profiles depend on the GPU model (allowed: an accelerator with MIG on Kubernetes (NVIDIA device plugin): A100 40GB, A100 80GB, H100 80GB, H200 141GB, B200)'],
    ['an MPS memory limit on GKE', standard, { accelerator: Accelerator.T4, gpuShare: GpuShare.mps(4, { memoryLimit: Size.gibibytes(2) }) },
      'gpuShare=GpuShare.mps(4, { memoryLimit }) is invalid: GKE\'s device plugin sets each MPS client\'s memory limit itself (CUDA_MPS_PINNED_DEVICE_MEM_LIMIT, the GPU\'s memory divided by the clients) (allowed: GpuShare.mps(4) without memoryLimit)'],
    ['an MPS memory limit above the client\'s share', karpenter, { accelerator: Accelerator.T4, gpuShare: GpuShare.mps(4, { memoryLimit: Size.gibibytes(6) }) },
      'gpuShare=GpuShare.mps(4, { memoryLimit }) is invalid: memoryLimit=6Gi is more than the 4Gi each of the 4 MPS clients of a T4 gets on Karpenter (EKS) (16Gi / 4); the limit can only lower it (allowed: at most 4Gi)'],
    ['/dev/shm of its own for an MPS client', standard, { accelerator: Accelerator.T4, gpuShare: GpuShare.mps(4), sharedMemory: true },
      'sharedMemory=true is invalid with gpuShare=GpuShare.mps(4): MPS clients reach the MPS server through the node\'s /dev/shm, which a /dev/shm of the pod\'s own would hide (allowed: sharedMemory unset or false, no sharedMemorySize)'],
    ['garbage from JavaScript', standard, { accelerator: Accelerator.T4, gpuShare: 'time-sharing' as any },
      'gpuShare="time-sharing" is invalid'],
  ];
  test.each(bad)('%s', (_name, platform, props, expected) => {
    expect(synthError(chart => new GpuTrainingJob(chart, 'job', { platform, image, ...props } as GpuTrainingJobProps), platform)).toContain(expected);
  });

  test('a share for a pod without GPUs', () => {
    expect(synthError(chart => new StatefulSetNotebook(chart, 'nb', { platform: standard, image, gpus: 0, gpuShare: GpuShare.timeShared(2) }), standard))
      .toContain('gpuShare=GpuShare.timeShared(2) is invalid for a pod without GPUs (gpus=0): only GPUs are shared (allowed: GpuShare.EXCLUSIVE, or gpus=1)');
  });

  test('distributed training and LLM servers need whole GPUs', () => {
    expect(synthError(chart => new DdpJob(chart, 'ddp', { platform: standard, image, script: 'train.py', nodes: 2, accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(2) }), standard))
      .toContain('gpuShare=GpuShare.timeShared(2) is invalid: the ranks of a 2-node run talk over NCCL, which refuses two ranks on one GPU and has no path between MIG slices; a distributed run needs whole GPUs (allowed: GpuShare.EXCLUSIVE)');
    expect(synthError(chart => new VllmDeployment(chart, 'llm', { platform: standard, model: LlmModel.huggingFace('Qwen/Qwen2.5-0.5B-Instruct', { parameters: 0.5e9, layers: 24, attentionHeads: 14, kvHeads: 2, headDim: 64 }), accelerator: Accelerator.L4, gpuShare: GpuShare.timeShared(2) }), standard))
      .toContain('gpuShare=GpuShare.timeShared(2) is invalid: vLLM takes gpuMemoryUtilization of all the GPU memory it sees when it starts');
    // A single-node DDP run is one pod: it may share.
    const chart = chartFor(standard);
    new DdpJob(chart, 'ddp', { platform: standard, image, script: 'train.py', nodes: 1, accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(2) });
    expect(find(synth(chart, standard), 'Job').spec.template.spec.nodeSelector['cloud.google.com/gke-gpu-sharing-strategy']).toBe('time-sharing');
  });
});

describe('Karpenter: a shared GpuNodePool', () => {
  function pool(props: Partial<GpuNodePoolProps>, build?: (chart: Chart, pool: GpuNodePool) => void): any[] {
    const chart = chartFor(karpenter);
    const p = new GpuNodePool(chart, 'pool', { name: 'gpu-t4-shared', accelerator: Accelerator.T4, gpuLimit: 8, ...aws, ...props } as GpuNodePoolProps);
    build?.(chart, p);
    return synth(chart, karpenter);
  }

  test('its nodes carry the device plugin config label and the share taint; pool.platform() gives its workloads the share', () => {
    const objects = pool({ gpuShare: GpuShare.timeShared(4), nodeLabels: { team: 'ml' } }, (chart, p) => {
      new InferenceDeployment(chart, 'api', { platform: p.platform(), image, accelerator: Accelerator.T4 });
    });
    const spec = find(objects, 'NodePool').spec.template;
    expect(spec.metadata.labels).toEqual({ 'team': 'ml', 'nvidia.com/device-plugin.config': 'time-slicing-4' });
    expect(spec.spec.taints).toEqual([
      { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
      { key: 'gpu-ml.cdk8s.io/gpu-share', value: 'time-slicing-4', effect: 'NoSchedule' },
    ]);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.nodeSelector).toMatchObject({ 'karpenter.sh/nodepool': 'gpu-t4-shared', 'nvidia.com/device-plugin.config': 'time-slicing-4' });
    expect(pod.tolerations).toContainEqual({ key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' });
    expect(pod.containers[0].resources.requests).toMatchObject({ cpu: '1', memory: '4Gi' });
  });

  test('a MIG pool labels its nodes with the MIG manager\'s layout', () => {
    const objects = pool({ accelerator: Accelerator.A100_40GB, gpuShare: mig('3g.20gb') });
    expect(find(objects, 'NodePool').spec.template.metadata.labels).toEqual({ 'nvidia.com/mig.config': 'all-3g.20gb' });
  });

  test('a whole-GPU pool has no share taint or label (unchanged)', () => {
    const spec = find(pool({}), 'NodePool').spec.template;
    expect(spec.metadata).toBeUndefined();
    expect(spec.spec.taints).toHaveLength(1);
  });

  test.each([
    ['a share the accelerator does not offer', { gpuShare: mig('1g.5gb') },
      'gpuShare=GpuShare.mig("1g.5gb") is invalid: Karpenter (EKS) does not offer MIG for T4 (allowed: GpuShare.EXCLUSIVE, GpuShare.timeShared(clients), GpuShare.mps(clients))'],
    ['a node label the share sets', { gpuShare: GpuShare.timeShared(4), nodeLabels: { 'nvidia.com/device-plugin.config': 'mine' } },
      'nodeLabels["nvidia.com/device-plugin.config"]="mine" is invalid: is set by gpuShare=GpuShare.timeShared(4) (to "time-slicing-4"); drop it'],
  ] as [string, Partial<GpuNodePoolProps>, string][])('%s', (_name, props, expected) => {
    expect(synthError(chart => new GpuNodePool(chart, 'pool', { accelerator: Accelerator.T4, gpuLimit: 8, ...aws, ...props } as GpuNodePoolProps), karpenter)).toContain(expected);
  });

  test('a workload on the pool\'s platform may not ask for another share', () => {
    const msg = synthError(chart => {
      const p = new GpuNodePool(chart, 'pool', { name: 'gpu-t4-shared', accelerator: Accelerator.T4, gpuLimit: 8, ...aws, gpuShare: GpuShare.timeShared(4) });
      new GpuTrainingJob(chart, 'job', { platform: p.platform(), image, accelerator: Accelerator.T4, gpuShare: GpuShare.EXCLUSIVE });
    }, karpenter);
    expect(msg).toContain('gpuShare=GpuShare.EXCLUSIVE is invalid: the NodePool "gpu-t4-shared" of this platform gives its GPUs as GpuShare.timeShared(4) (allowed: GpuShare.timeShared(4), or the platform of another NodePool)');
  });

  test('a hand-written pod that selects the pool without tolerating its share taint is caught', () => {
    const msg = synthError(chart => {
      new GpuNodePool(chart, 'pool', { name: 'gpu-t4-shared', accelerator: Accelerator.T4, gpuLimit: 8, ...aws, gpuShare: GpuShare.timeShared(4) });
      new ApiObject(chart, 'pod', {
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'mine' },
        spec: { template: { spec: { restartPolicy: 'Never', activeDeadlineSeconds: 60, nodeSelector: { 'karpenter.sh/nodepool': 'gpu-t4-shared' }, containers: [{ name: 'c', image }] } } },
      });
    }, karpenter);
    expect(msg).toContain('gpuShare=GpuShare.timeShared(4) is invalid for Job ml/mine (karpenter): it selects this NodePool but does not tolerate its taint gpu-ml.cdk8s.io/gpu-share=time-slicing-4:NoSchedule, so it never schedules (give it gpuShare: GpuShare.timeShared(4), or use pool.platform())');
  });
});

describe('GpuSharingConfig: the device plugin side on Karpenter and plain Kubernetes', () => {
  function app(platform: Platform, build: (chart: Chart) => void): { objects: any[]; files: { [name: string]: string } } {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sharing-'));
    const a = new App({ outdir });
    const chart = new Chart(a, platform.id, { namespace: 'ml', disableResourceNameHashes: true });
    build(chart);
    a.synth();
    const objects = synth(chart, platform);
    const dir = path.join(outdir, 'extras');
    const files = Object.fromEntries(fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    return { objects, files };
  }

  test('the configs the cluster uses, found at synth; GPU Operator values pointing at them', () => {
    const { objects, files } = app(karpenter, chart => {
      const p = new GpuNodePool(chart, 'pool', { name: 'gpu-t4-shared', accelerator: Accelerator.T4, gpuLimit: 8, ...aws, gpuShare: GpuShare.timeShared(4) });
      new InferenceDeployment(chart, 'api', { platform: p.platform(), image, accelerator: Accelerator.T4 });
      new GpuTrainingJob(chart, 'mps', { platform: karpenter, image, accelerator: Accelerator.L4, gpuShare: GpuShare.mps(2) });
      new GpuSharingConfig(chart, 'sharing', { platform: karpenter, name: 'gpu-sharing' });
    });
    const cm = find(objects, 'ConfigMap', 'gpu-sharing');
    expect(cm.metadata.namespace).toBe('gpu-operator');
    expect(Object.fromEntries(Object.entries(cm.data).map(([k, v]) => [k, parse(v as string)]))).toEqual({
      'exclusive': { version: 'v1' },
      'mps-2': { version: 'v1', sharing: { mps: { renameByDefault: false, resources: [{ name: 'nvidia.com/gpu', replicas: 2 }] } } },
      'time-slicing-4': { version: 'v1', sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } } },
    });
    const values = parse(files['karpenter.gpu-sharing.gpu-operator-values.yml']);
    const share = { key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' };
    const gpu = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
    expect(values).toEqual({
      'daemonsets': { tolerations: [gpu, share] },
      'devicePlugin': { config: { name: 'gpu-sharing', default: 'exclusive' } },
      'node-feature-discovery': { worker: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: '', effect: 'NoSchedule' }, gpu, share] } },
    });
    expect(files['karpenter.gpu-sharing.gpu-operator-values.yml']).toMatch(/^# GPU sharing for Karpenter \(EKS\), generated by cdk8s-gpu-ml from \[karpenter\/sharing\]/);
  });

  test('MIG turns on the MIG manager with the single strategy on Karpenter, the stated one on Kubernetes', () => {
    const k = app(karpenter, chart => {
      new GpuTrainingJob(chart, 'job', { platform: karpenter, image, accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.5gb') });
      new GpuSharingConfig(chart, 'sharing', { platform: karpenter, name: 'gpu-sharing' });
    });
    expect(parse(k.files['karpenter.gpu-sharing.gpu-operator-values.yml'])).toMatchObject({ mig: { strategy: 'single' }, migManager: { enabled: true } });
    // MIG needs no device plugin config: the MIG manager generates its layouts.
    expect(Object.keys(find(k.objects, 'ConfigMap', 'gpu-sharing').data)).toEqual(['exclusive']);
    const m = app(mixed, chart => {
      new GpuTrainingJob(chart, 'job', { platform: mixed, image, accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.5gb') });
      new GpuSharingConfig(chart, 'sharing', { platform: mixed, name: 'gpu-sharing' });
    });
    expect(parse(m.files['kubernetes.gpu-sharing.gpu-operator-values.yml'])).toMatchObject({ mig: { strategy: 'mixed' } });
  });

  test('without the GPU Operator: values of the standalone device plugin chart, with GPU feature discovery for MPS', () => {
    const plain = Platform.kubernetes({ addons: [] });
    const { objects, files } = app(plain, chart => {
      new GpuSharingConfig(chart, 'sharing', { platform: plain, name: 'gpu-sharing', shares: [GpuShare.mps(4)] });
    });
    expect(find(objects, 'ConfigMap').metadata.namespace).toBe('nvidia-device-plugin');
    const values = parse(files['kubernetes.gpu-sharing.device-plugin-values.yml']);
    expect(values.config).toEqual({ name: 'gpu-sharing', default: 'exclusive' });
    expect(values.gfd).toEqual({ enabled: true });
    expect(values.tolerations).toContainEqual({ key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' });
  });

  test.each([
    ['GKE', standard, {}, 'platform="gke-standard" is invalid: GKE Standard configures GPU sharing on its node pools itself (e.g. gcloud container node-pools create --accelerator=type=nvidia-l4,count=1,gpu-sharing-strategy=time-sharing,max-shared-clients-per-gpu=4), so there is no device plugin config to write (allowed: Platform.karpenter() or Platform.kubernetes())'],
    ['no shares', karpenter, { shares: [] }, 'shares=[] is invalid: must list at least one share, e.g. [GpuShare.timeShared(4)] (or leave it out to take the shares the cluster uses)'],
    ['whole GPUs', karpenter, { shares: [GpuShare.EXCLUSIVE] }, 'shares[0]=GpuShare.EXCLUSIVE is invalid: whole GPUs need no config, every node without a config label gets the "exclusive" one (allowed: GpuShare.timeShared, GpuShare.mps or GpuShare.mig)'],
    // The values file is named after the config: an invalid name was a crash of the file writer (hostile inputs).
    ['empty name', karpenter, { name: '' }, `[karpenter/sharing] name="" is invalid: must be a DNS-1123 subdomain of at most 253 characters: lowercase letters, digits, '-' and '.'`],
    ['blank name', karpenter, { name: ' ' }, `[karpenter/sharing] name=" " is invalid: must be a DNS-1123 subdomain of at most 253 characters: lowercase letters, digits, '-' and '.'`],
  ] as [string, Platform, any, string][])('refused: %s', (_name, platform, props, expected) => {
    expect(synthError(chart => new GpuSharingConfig(chart, 'sharing', { platform, ...props }), platform)).toContain(expected);
  });

  test('a share the cluster uses but the given shares lack; MIG without the GPU Operator; two configs in one cluster', () => {
    const missing = synthError(chart => {
      new GpuTrainingJob(chart, 'job', { platform: karpenter, image, accelerator: Accelerator.T4, gpuShare: GpuShare.timeShared(8) });
      new GpuSharingConfig(chart, 'sharing', { platform: karpenter, shares: [GpuShare.timeShared(4)] });
    }, karpenter);
    expect(missing).toContain('shares="GpuShare.timeShared(4)" is invalid: [karpenter/job] uses GpuShare.timeShared(8), which no config offers, so its pods select nvidia.com/device-plugin.config=time-slicing-8 and nodes of that config never exist (allowed: add it to shares, or leave shares out)');
    const noOperator = Platform.karpenter({ addons: [ClusterAddon.KUEUE] });
    expect(synthError(chart => {
      new GpuTrainingJob(chart, 'job', { platform: noOperator, image, accelerator: Accelerator.A100_40GB, gpuShare: mig('1g.5gb') });
      new GpuSharingConfig(chart, 'sharing', { platform: noOperator });
    }, noOperator)).toContain('platform="karpenter" is invalid: GpuShare.mig("1g.5gb") needs the GPU Operator\'s MIG manager, which the platform\'s addons do not list (allowed: add ClusterAddon.NVIDIA_GPU_OPERATOR to the platform\'s addons)');
    expect(synthError(chart => {
      new GpuSharingConfig(chart, 'a', { platform: karpenter, shares: [GpuShare.timeShared(2)] });
      new GpuSharingConfig(chart, 'b', { platform: karpenter, shares: [GpuShare.timeShared(2)] });
    }, karpenter)).toContain('already configures GPU sharing for cluster "default"; the device plugin reads one ConfigMap (keep one GpuSharingConfig per cluster)');
  });
});

describe('admission safety net on rendered pods (escape-hatch edits)', () => {
  const pod = (nodeSelector: any, gpus = 1, extra: any = {}) => ({
    nodeSelector, containers: [{ name: 'c', resources: { limits: { 'nvidia.com/gpu': gpus } } }], ...extra,
  });
  test.each([
    [autopilot, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-gpu-sharing-strategy': 'mps', 'cloud.google.com/gke-max-shared-clients-per-gpu': '4' }),
      'cloud.google.com/gke-gpu-sharing-strategy=mps is not offered by GKE Autopilot (allowed: time-sharing)'],
    [autopilot, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing' }),
      'cloud.google.com/gke-gpu-sharing-strategy and cloud.google.com/gke-max-shared-clients-per-gpu select a shared node pool together'],
    [standard, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing', 'cloud.google.com/gke-max-shared-clients-per-gpu': '100' }),
      'cloud.google.com/gke-max-shared-clients-per-gpu=100 is no clients count GKE accepts (allowed: 2-48)'],
    [standard, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100', 'cloud.google.com/gke-gpu-partition-size': '1g.10gb' }),
      'cloud.google.com/gke-gpu-partition-size=1g.10gb is no partition size of nvidia-tesla-a100 (allowed: 1g.5gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb)'],
    [standard, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing', 'cloud.google.com/gke-max-shared-clients-per-gpu': '4' }, 2),
      'container c asks for 2 nvidia.com/gpu on a time-sharing node: GKE\'s device plugin refuses more than 1 there'],
    [standard, pod({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-gpu-sharing-strategy': 'mps', 'cloud.google.com/gke-max-shared-clients-per-gpu': '4' }),
      'an MPS pod (cloud.google.com/gke-gpu-sharing-strategy=mps) needs hostIPC: true'],
    [karpenter, pod({ 'nvidia.com/device-plugin.config': 'time-slicing-4' }, 2),
      'container c asks for 2 nvidia.com/gpu on a time-slicing node (nvidia.com/device-plugin.config=time-slicing-4): the device plugin fails a request for more than 1 shared GPU (UnexpectedAdmissionError)'],
    [karpenter, { containers: [{ name: 'c', resources: { limits: { 'nvidia.com/mig-1g.5gb': 1 } } }] },
      'nvidia.com/mig-1g.5gb is a resource Karpenter launches no node for (it knows nvidia.com/gpu): use GpuShare.mig, which asks for nvidia.com/gpu on nodes of the single MIG strategy'],
    [kubernetes, pod({ 'nvidia.com/device-plugin.config': 'mps-4' }, 3),
      'container c asks for 3 nvidia.com/gpu on a mps node (nvidia.com/device-plugin.config=mps-4)'],
  ] as [Platform, any, string][])('%#: %s', (platform, spec, expected) => {
    expect(platform.admissionViolations(spec).join('\n')).toContain(expected);
  });

  test('what the library renders passes them all (the synth helper checks every pod)', () => {
    for (const platform of [autopilot, standard, karpenter, mixed]) {
      const chart = chartFor(platform);
      const share = platform === autopilot ? GpuShare.timeShared(4) : platform === standard ? GpuShare.mps(4) : mig('1g.10gb');
      new GpuTrainingJob(chart, 'job', { platform, image, accelerator: platform === standard || platform === autopilot ? Accelerator.L4 : Accelerator.A100_80GB, gpuShare: share });
      expect(() => synth(chart, platform)).not.toThrow();
    }
    void Testing;
  });
});

describe('dist/ shows GPU sharing on every platform (issue 14\'s "done when")', () => {
  const load = (file: string) => distObjects(file);
  const pods = (file: string) => load(file).flatMap(o => podsOf(o).map(p => ({ ...p, object: o })));
  const selects = (key: string, value: string) => (p: any) => p.spec.nodeSelector?.[key] === value;

  test('a time-shared GKE pod (Autopilot): sharing selectors, one nvidia.com/gpu, within Autopilot\'s rules', () => {
    const shared = pods('gke-autopilot.k8s.yaml').filter(selects('cloud.google.com/gke-gpu-sharing-strategy', 'time-sharing'));
    expect(shared.length).toBeGreaterThan(0);
    for (const p of shared) {
      expect(p.spec.nodeSelector['cloud.google.com/gke-max-shared-clients-per-gpu']).toBe('4');
      expect(p.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
      expect(autopilot.admissionViolations(p.spec, p.annotations)).toEqual([]);
    }
  });

  test('an MPS-shared GKE pod (Standard): MPS selectors, hostIPC, one nvidia.com/gpu', () => {
    const shared = pods('gke-standard.k8s.yaml').filter(selects('cloud.google.com/gke-gpu-sharing-strategy', 'mps'));
    expect(shared.length).toBeGreaterThan(0);
    for (const p of shared) {
      expect(p.spec.hostIPC).toBe(true);
      expect(p.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
      expect(standard.admissionViolations(p.spec, p.annotations)).toEqual([]);
    }
  });

  test('a MIG partition (GKE Standard partition size, one of GKE\'s sizes for the selected GPU)', () => {
    const slices = pods('gke-standard.k8s.yaml').filter(p => p.spec.nodeSelector?.['cloud.google.com/gke-gpu-partition-size']);
    expect(slices.map(p => [p.spec.nodeSelector['cloud.google.com/gke-accelerator'], p.spec.nodeSelector['cloud.google.com/gke-gpu-partition-size']]))
      .toEqual([['nvidia-tesla-a100', '1g.5gb']]);
  });

  test('a device plugin sharing config for Karpenter: the ConfigMap holds the config its shared NodePool\'s nodes name', () => {
    const objs = load('karpenter.k8s.yaml');
    const cm = objs.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'gpu-sharing');
    const pool = objs.find(o => o.kind === 'NodePool' && o.metadata.name === 'gpu-t4-shared');
    const config = pool.spec.template.metadata.labels['nvidia.com/device-plugin.config'];
    expect(parse(cm.data[config])).toEqual({ version: 'v1', sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } } });
    expect(parse(cm.data.exclusive)).toEqual({ version: 'v1' });
    // The Helm values point the GPU Operator's device plugin at it.
    const values = parse(fs.readFileSync(path.join(DIST, 'extras', 'karpenter.gpu-sharing.gpu-operator-values.yml'), 'utf8'));
    expect(values.devicePlugin.config).toEqual({ name: cm.metadata.name, default: 'exclusive' });
    expect(cm.metadata.namespace).toBe('gpu-operator');
    // Its workload lands on it and tolerates its taint.
    const reranker = pods('karpenter.k8s.yaml').find(p => p.object.metadata.name === 'reranker')!;
    expect(reranker.spec.nodeSelector).toMatchObject({ 'karpenter.sh/nodepool': 'gpu-t4-shared', 'nvidia.com/device-plugin.config': config });
  });

  test('the values\' GPU Operator fields are ClusterPolicy fields (strictly schema-valid in a ClusterPolicy)', () => {
    for (const file of ['karpenter.gpu-sharing.gpu-operator-values.yml', 'kubernetes.gpu-sharing.gpu-operator-values.yml']) {
      const values = parse(fs.readFileSync(path.join(DIST, 'extras', file), 'utf8'));
      // The chart renders these keys into the ClusterPolicy's spec; NFD is a subchart, not part of it.
      const { 'node-feature-discovery': nfd, ...spec } = values;
      expect(nfd.worker.tolerations).toContainEqual({ key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' });
      const required = { dcgm: {}, dcgmExporter: {}, driver: {}, gfd: {}, nodeStatusExporter: {}, operator: {}, toolkit: {} };
      expect(schemaErrors({ apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'cluster-policy' }, spec: { ...required, ...spec } })).toEqual([]);
      // The check can fail: a field the CRD does not have.
      expect(schemaErrors({ apiVersion: 'nvidia.com/v1', kind: 'ClusterPolicy', metadata: { name: 'x' }, spec: { ...required, ...spec, devicePlugin: { configs: {} } } })).not.toEqual([]);
    }
  });
});

test('a custom accelerator with MIG profiles: its own fraction, and a bad instance count is reported, not thrown', () => {
  const gpu = Accelerator.custom({ name: 'X100', karpenterGpuName: 'x100', awsInstanceFamilies: [{ family: 'px', gpusPerInstance: [8] }], memoryGiB: 96,
    migProfiles: [{ profile: '1g.12gb', instancesPerGpu: 7 }, { profile: '2g.24gb', instancesPerGpu: 0 }] });
  expect(mig('1g.12gb').fractionOf(gpu)).toBeCloseTo(1 / 7);
  expect(mig('2g.24gb').fractionOf(gpu)).toBeUndefined();
  const t = jobPod(karpenter, { accelerator: gpu, gpuShare: mig('1g.12gb') });
  expect(t.spec.nodeSelector['nvidia.com/mig.config']).toBe('all-1g.12gb');
  expect(synthError(chart => new GpuTrainingJob(chart, 'job', { platform: karpenter, image, accelerator: gpu, gpuShare: mig('2g.24gb') }), karpenter))
    .toContain('accelerator="X100" is invalid: its MIG profile 2g.24gb has instancesPerGpu=0 (allowed: a whole number from 1 to 7)');
});

test('a KServe predictor in Knative mode on GKE MPS needs Knative\'s hostIPC feature flag', () => {
  const msg = synthError(chart => new KServeInferenceService(chart, 'isvc', {
    platform: standard, modelFormat: ModelFormat.SKLEARN, storageUri: 'gs://b/m', accelerator: Accelerator.T4, gpuShare: GpuShare.mps(4),
    deploymentMode: KServeDeploymentMode.KNATIVE,
  }), standard);
  expect(msg).toContain('kubernetes.podspec-hostipc');
});

test('JupyterHub GPU profiles take a share: a time-shared L4 server, an MPS one with the host IPC namespace', () => {
  const profiles = (platform: Platform, share: GpuShare) => {
    const chart = chartFor(platform);
    const hub = new JupyterHubGpuProfiles(chart, 'hub', { platform, profiles: [{ displayName: 'Shared L4', accelerator: Accelerator.L4, gpuShare: share }] });
    synth(chart, platform);
    return hub.values.singleuser.profileList[0].kubespawner_override;
  };
  const ts = profiles(autopilot, GpuShare.timeShared(4));
  expect(ts.node_selector).toMatchObject({ 'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing', 'cloud.google.com/gke-max-shared-clients-per-gpu': '4' });
  expect(ts).toMatchObject({ cpu_guarantee: 1, mem_limit: '4G', extra_resource_limits: { 'nvidia.com/gpu': '1' } });
  const mps = profiles(standard, GpuShare.mps(2));
  expect(mps).toMatchObject({ extra_pod_config: { hostIPC: true }, extra_labels: { 'gpu-ml.cdk8s.io/pss-exception': 'mps-host-ipc' } });
  expect(mps.volumes).toBeUndefined();
});
