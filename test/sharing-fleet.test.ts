/**
 * GPU sharing meets the fleet (issues 13 and 14): flavors of shared GPUs (their node labels and tolerations are the
 * platform's sharing selectors, their quota is in shares), a shared NodePool's platform as the fleet's, a workload's
 * share against its queue's flavors, and mixed-strategy MIG slices, which a fleet's nvidia.com/gpu quota never covers.
 */
import { Chart, Duration } from 'cdk8s';
import {
  Accelerator, CapacityType, GpuFleet, GpuFlavor, GpuNodePool, GpuShare, GpuTrainingJob, InferenceDeployment, MigProfile, MigStrategy,
  Platform, SpotBatchJob,
} from '../lib';
import { celCheck } from './support/cel';
import { SHARED_AVAILABLE } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const mixed = Platform.kubernetes({ migStrategy: MigStrategy.MIXED });
const image = 'us-docker.pkg.dev/p/r/trainer:1.0';
const L4 = Accelerator.L4;
const T4 = Accelerator.T4;
const TIME4 = GpuShare.timeShared(4);
const SLICE = GpuShare.mig(MigProfile.of('1g.5gb'));

/** A team with whole L4s and a team with L4s time-shared four ways, both in namespace ml. */
function fleetOf(c: Chart, platform: Platform): GpuFleet {
  return new GpuFleet(c, 'fleet', { platform, name: 'gpu', teams: [
    { name: 'whole', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(L4), gpus: 8 }] },
    { name: 'shared', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(L4, { share: TIME4 }), gpus: 16 }] },
  ] });
}

describe('a flavor of shared GPUs', () => {
  test('GKE: its node labels are the sharing selectors the pods carry, its name says the share', () => {
    const chart = chartFor(standard);
    const fleet = fleetOf(chart, standard);
    new InferenceDeployment(chart, 'embed', { platform: standard, image, accelerator: L4, gpuShare: TIME4, queue: fleet.queue('shared') });
    const objects = synth(chart, standard);
    const flavor = find(objects, 'ResourceFlavor', 'l4-on-demand-time-shared-4');
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(flavor.spec.nodeLabels).toEqual({
      'cloud.google.com/gke-accelerator': 'nvidia-l4',
      'cloud.google.com/gke-gpu-sharing-strategy': 'time-sharing',
      'cloud.google.com/gke-max-shared-clients-per-gpu': '4',
    });
    // Kueue injects the flavor's labels: they must be the ones the pod selects already.
    expect(pod.nodeSelector).toMatchObject(flavor.spec.nodeLabels);
    expect(find(objects, 'ResourceFlavor', 'l4-on-demand').spec.nodeLabels).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    const cq = find(objects, 'ClusterQueue', 'shared');
    if (SHARED_AVAILABLE) {
      const kueue = objects.filter(o => o.apiVersion.startsWith('kueue.')).map(o => celCheck(o));
      expect(kueue.flatMap(r => r.failures)).toEqual([]);
      expect(kueue.reduce((n, r) => n + r.rules, 0)).toBeGreaterThan(10);
    }
    expect(cq.spec.resourceGroups[1]).toEqual({
      coveredResources: ['nvidia.com/gpu'],
      flavors: [{ name: 'l4-on-demand-time-shared-4', resources: [{ name: 'nvidia.com/gpu', nominalQuota: 16 }] }],
    });
  });

  test('GKE Standard MIG: the partition size label', () => {
    const chart = chartFor(standard);
    new GpuFleet(chart, 'fleet', { platform: standard, teams: [
      { name: 'mig', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.A100_40GB, { share: SLICE }), gpus: 14 }] },
    ] });
    expect(find(synth(chart, standard), 'ResourceFlavor', 'a100-40gb-on-demand-mig-1g-5gb').spec.nodeLabels).toEqual({
      'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100', 'cloud.google.com/gke-gpu-partition-size': '1g.5gb',
    });
  });

  test('a shared GpuNodePool\'s platform: the flavor takes the pool\'s share, its labels and its share taint', () => {
    const chart = chartFor(karpenter);
    const pool = new GpuNodePool(chart, 'pool', {
      platform: karpenter, name: 'gpu-t4-shared', accelerator: T4, gpuShare: TIME4, gpusPerNode: [1], gpuLimit: 4,
      role: 'KarpenterNodeRole-ml', clusterName: 'ml',
    });
    const platform = pool.platform();
    const fleet = new GpuFleet(chart, 'fleet', { platform, name: 'gpu', teams: [{ name: 'serving', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(T4), gpus: 16 }] }] });
    new InferenceDeployment(chart, 'rerank', { platform, image, accelerator: T4, queue: fleet.queue('serving') });
    const objects = synth(chart, karpenter);
    const flavor = find(objects, 'ResourceFlavor', 't4-on-demand-time-shared-4');
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(flavor.spec.nodeLabels).toMatchObject({ 'nvidia.com/device-plugin.config': 'time-slicing-4' });
    expect(pod.nodeSelector).toMatchObject(flavor.spec.nodeLabels);
    expect(flavor.spec.tolerations).toContainEqual({ key: GpuShare.TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' });
    if (SHARED_AVAILABLE) expect(objects.filter(o => o.apiVersion.startsWith('kueue.')).flatMap(o => celCheck(o).failures)).toEqual([]);
  });

  const team = { name: 't', namespace: 'ml' };
  const pool = (c: Chart) => new GpuNodePool(c, 'pool', {
    platform: karpenter, name: 'gpu-t4-shared', accelerator: T4, gpuShare: TIME4, gpusPerNode: [1], gpuLimit: 4, role: 'KarpenterNodeRole-ml', clusterName: 'ml',
  }).platform();
  const cases: [string, (c: Chart) => void, string, Platform][] = [
    ['another share than the shared pool\'s', c => new GpuFleet(c, 'fleet', { platform: pool(c), teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(T4, { share: GpuShare.EXCLUSIVE }), gpus: 4 }] }] }),
      '[karpenter/fleet] teams[0].quotas[0].flavor.share=GpuShare.EXCLUSIVE is invalid: the NodePool "gpu-t4-shared" of this platform gives its GPUs as GpuShare.timeShared(4) (allowed: GpuShare.timeShared(4), or the platform of another NodePool)', karpenter],
    ['a share the platform does not offer', c => new GpuFleet(c, 'fleet', { platform: standard, teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(T4, { share: SLICE }), gpus: 4 }] }] }),
      '[gke-standard/fleet] teams[0].quotas[0].flavor.share=GpuShare.mig("1g.5gb") is invalid: GKE Standard does not offer MIG for T4', standard],
    ['one client per GPU', c => new GpuFleet(c, 'fleet', { platform: standard, teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(L4, { share: GpuShare.timeShared(1) }), gpus: 4 }] }] }),
      '[gke-standard/fleet] teams[0].quotas[0].flavor.share=GpuShare.timeShared(1) is invalid: clientsPerGpu=1 must be a whole number of clients from 2 up (one client is an exclusive GPU)', standard],
    ['no GpuShare (JavaScript)', c => new GpuFleet(c, 'fleet', { platform: standard, teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(L4, { share: 'x' as any }), gpus: 4 }] }] }),
      '[gke-standard/fleet] teams[0].quotas[0].flavor.share="x" is invalid: must be a GpuShare, e.g. GpuShare.EXCLUSIVE', standard],
    ['a mixed-strategy MIG slice, which a ClusterQueue of nvidia.com/gpu does not cover',
      c => new GpuFleet(c, 'fleet', { platform: mixed, teams: [{ ...team, quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.A100_40GB, { share: SLICE }), gpus: 7 }] }] }),
      '[kubernetes/fleet] teams[0].quotas[0].flavor.share=GpuShare.mig("1g.5gb") is invalid: Kubernetes (NVIDIA device plugin) advertises it as nvidia.com/mig-1g.5gb (the mixed MIG strategy), and a GpuFleet\'s ClusterQueues hold nvidia.com/gpu quota only (allowed: a platform with migStrategy: MigStrategy.SINGLE, whose slices are nvidia.com/gpu)', mixed],
  ];
  test.each(cases)('refused: %s', (_name, make, message, platform) => {
    expect(synthError(make, platform)).toContain(message);
  });
});

describe('a workload\'s share against its queue\'s flavors', () => {
  test('a time-shared job queued to whole GPUs is refused, naming both shares', () => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', {
      platform: standard, name: 'train', image, accelerator: L4, gpuShare: TIME4, activeDeadline: Duration.hours(1), queue: fleetOf(c, standard).queue('whole'),
    }), standard)).toContain('[gke-standard/train] queue="whole" is invalid: Job ml/train takes its GPUs as GpuShare.timeShared(4), and the flavors of ClusterQueue whole for L4 on-demand give them otherwise: l4-on-demand (GpuShare.EXCLUSIVE); a flavor\'s quota counts units of its own share and its node labels pick its nodes, so Kueue would charge the pods to GPUs they do not run on (allowed: a queue whose team has a flavor with share: GpuShare.timeShared(4))');
  });

  test('a whole-GPU job queued to time-shared GPUs is refused', () => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', {
      platform: standard, name: 'train', image, accelerator: L4, activeDeadline: Duration.hours(1), queue: fleetOf(c, standard).queue('shared'),
    }), standard)).toContain('[gke-standard/train] queue="shared" is invalid: Job ml/train takes its GPUs as GpuShare.EXCLUSIVE, and the flavors of ClusterQueue shared for L4 on-demand give them otherwise: l4-on-demand-time-shared-4 (GpuShare.timeShared(4))');
  });

  test('another number of clients is another share', () => {
    expect(synthError(c => new SpotBatchJob(c, 'score', {
      platform: standard, name: 'score', image, accelerator: L4, gpuShare: GpuShare.timeShared(2), capacityType: CapacityType.ON_DEMAND, completions: 4,
      parallelism: 2, activeDeadline: Duration.hours(1), queue: fleetOf(c, standard).queue('shared'),
    }), standard)).toContain('Job ml/score takes its GPUs as GpuShare.timeShared(2), and the flavors of ClusterQueue shared for L4 on-demand give them otherwise: l4-on-demand-time-shared-4 (GpuShare.timeShared(4))');
  });

  test('the matching share is admitted, its shares counted against the quota in shares', () => {
    const chart = chartFor(standard);
    const fleet = fleetOf(chart, standard);
    new SpotBatchJob(chart, 'score', {
      platform: standard, name: 'score', image, accelerator: L4, gpuShare: TIME4, capacityType: CapacityType.ON_DEMAND, completions: 32, parallelism: 16,
      activeDeadline: Duration.hours(1), queue: fleet.queue('shared'),
    });
    expect(() => synth(chart, standard)).not.toThrow();
    // 17 shares at once are more than the 16 shares of quota (4 physical L4s).
    new SpotBatchJob(chart, 'more', {
      platform: standard, name: 'more', image, accelerator: L4, gpuShare: TIME4, capacityType: CapacityType.ON_DEMAND, completions: 17, parallelism: 17,
      activeDeadline: Duration.hours(1), queue: fleet.queue('shared'),
    });
    expect(() => synth(chart, standard)).toThrow('[gke-standard/more] queue="shared" is invalid: one admission needs 17 GPUs, more than ClusterQueue shared can ever hold of flavor l4-on-demand-time-shared-4');
  });
});

describe('a mixed-strategy MIG slice (nvidia.com/mig-1g.5gb)', () => {
  test('queued to a fleet, whose ClusterQueues cover nvidia.com/gpu only: refused, naming the resource', () => {
    expect(synthError(c => {
      const fleet = new GpuFleet(c, 'fleet', { platform: mixed, teams: [{ name: 'research', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.A100_40GB), gpus: 8 }] }] });
      new GpuTrainingJob(c, 'lora', {
        platform: mixed, name: 'lora', image, accelerator: Accelerator.A100_40GB, gpuShare: SLICE, activeDeadline: Duration.hours(2), queue: fleet.queue('research'),
      });
    }, mixed)).toContain('[kubernetes/lora] queue="research" is invalid: the pods request nvidia.com/mig-1g.5gb (GpuShare.mig("1g.5gb") under the mixed MIG strategy), a resource ClusterQueue research does not cover (a GpuFleet\'s ClusterQueues hold nvidia.com/gpu quota), so Kueue would never admit the workload (allowed: a platform with migStrategy: MigStrategy.SINGLE, whose slices are nvidia.com/gpu, or no queue)');
  });

  test('the single strategy\'s slice is nvidia.com/gpu: admitted to a MIG flavor', () => {
    const single = Platform.kubernetes({ migStrategy: MigStrategy.SINGLE });
    const chart = chartFor(single);
    const fleet = new GpuFleet(chart, 'fleet', { platform: single, teams: [
      { name: 'research', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.A100_40GB, { share: SLICE }), gpus: 7 }] },
    ] });
    new GpuTrainingJob(chart, 'lora', { platform: single, image, accelerator: Accelerator.A100_40GB, gpuShare: SLICE, activeDeadline: Duration.hours(2), queue: fleet.queue('research') });
    const objects = synth(chart, single);
    expect(find(objects, 'Job').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(find(objects, 'Job').spec.template.spec.nodeSelector).toMatchObject(find(objects, 'ResourceFlavor', 'a100-40gb-on-demand-mig-1g-5gb').spec.nodeLabels);
  });
});
