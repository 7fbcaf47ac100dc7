/**
 * The mixed-GPU plan as code (issue 13, examples/fleet.ts): H100s for production, A100s for research with a quota of 32
 * GPUs, spot capacity of both, the production priority; and the plan's mistakes, refused with exact messages that name
 * the machine types that fit.
 */
import { Chart } from 'cdk8s';
import { Accelerator, ComputeClass, ComputeClassCapacity, DdpJob, GpuFleet, Platform } from '../lib';
import { addFleetExamples } from '../examples/fleet';
import { chartFor, find, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();

function planChart(platform: Platform): { chart: Chart; objects: any[] } {
  const chart = chartFor(platform);
  addFleetExamples(chart, platform);
  return { chart, objects: synth(chart, platform) };
}

test('the split: production H100s (a reservation first), research A100s (Spot first), spot of both, DWS for pretraining', () => {
  const { objects } = planChart(standard);
  const gpuFlavors = (team: string) => find(objects, 'ClusterQueue', team).spec.resourceGroups[1].flavors
    .map((f: any) => [f.name, f.resources[0].nominalQuota, f.resources[0].borrowingLimit, f.resources[0].lendingLimit]);
  expect(gpuFlavors('production')).toEqual([['class-production-h100', 32, undefined, 16], ['class-research-a100', 16, undefined, undefined]]);
  expect(gpuFlavors('research')).toEqual([['class-research-a100', 32, 16, undefined]]);
  expect(gpuFlavors('spot')).toEqual([['h100-80gb-spot', 16, undefined, undefined], ['a100-80gb-spot', 32, undefined, undefined]]);
  expect(gpuFlavors('dws')).toEqual([['h100-80gb-flex-start-queued', 16, undefined, undefined]]);
  expect(find(objects, 'ComputeClass', 'production-h100').spec.priorities.map((p: any) => p.reservations?.affinity ?? 'on-demand'))
    .toEqual(['Specific', 'on-demand']);
  expect(find(objects, 'WorkloadPriorityClass', 'production').value).toBe(100000);
  const finetune = find(objects, 'Job', 'prod-finetune');
  expect(finetune.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'production', 'kueue.x-k8s.io/priority-class': 'production' });
  expect(finetune.spec.template.spec.priorityClassName).toBe('gpu-production');
});

test('the research team gets its 32 A100s at once: the 4-node DDP run fits its quota', () => {
  const ddp = find(planChart(Platform.karpenter()).objects, 'Job', 'research-ddp');
  expect([ddp.spec.parallelism, ddp.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']]).toEqual([4, 8]);
});

describe('the plan\'s mistakes', () => {
  test('a machine type that does not exist for its GPU count', () => {
    expect(synthError(c => new ComputeClass(c, 'research-a100', {
      platform: standard, name: 'research-a100',
      priorities: [{ accelerator: Accelerator.A100_80GB, gpus: 16, machineType: 'a2-ultragpu-16g', capacity: ComputeClassCapacity.SPOT }],
    }), standard)).toContain('[gke-standard/research-a100] priorities[0].machineType="a2-ultragpu-16g" is invalid: does not exist: no a2-ultragpu machine carries 16 GPUs (no machine type carries 16 x A100 80GB; A100 80GB machine types: a2-ultragpu-1g (1), a2-ultragpu-2g (2), a2-ultragpu-4g (4), a2-ultragpu-8g (8))');
  });

  test('GPUs per node that do not match the machine type', () => {
    expect(synthError(c => new ComputeClass(c, 'production-h100', {
      platform: standard, name: 'production-h100',
      priorities: [{ accelerator: Accelerator.H100_80GB, gpus: 4, machineType: 'a3-highgpu-8g', capacity: ComputeClassCapacity.reservations(['h100-production']) }],
    }), standard)).toContain('[gke-standard/production-h100] priorities[0].gpus=4 is invalid: machineType a3-highgpu-8g carries 8 x H100 80GB, and a node\'s GPUs come with its machine type (allowed: 8, or the machine types for 4 x H100 80GB: a3-highgpu-4g)');
  });

  test('an A100 80GB plan on the A100 40GB machine type', () => {
    expect(synthError(c => new ComputeClass(c, 'research-a100', {
      platform: standard, name: 'research-a100', priorities: [{ accelerator: Accelerator.A100_80GB, gpus: 8, machineType: 'a2-highgpu-8g' }],
    }), standard)).toContain('[gke-standard/research-a100] priorities[0].machineType="a2-highgpu-8g" is invalid: carries A100 40GB, not A100 80GB (machine types for 8 x A100 80GB: a2-ultragpu-8g)');
  });

  test('a research run bigger than the research quota can ever be, even with what production lends', () => {
    expect(synthError(c => {
      addFleetExamples(c, standard);
      const fleet = c.node.findChild('gpu-fleet') as GpuFleet;
      new DdpJob(c, 'too-big', {
        platform: standard, name: 'too-big', namespace: 'ml-research', image: 'us-docker.pkg.dev/example/ml/trainer:2.4.0', module: 'train',
        accelerator: Accelerator.A100_80GB, gpus: 8, nodes: 7, computeClass: ComputeClass.fromName('research-a100'), queue: fleet.queue('research'),
      });
    }, standard)).toContain('[gke-standard/too-big] queue="research" is invalid: one admission needs 56 GPUs, more than ClusterQueue research can ever hold of flavor class-research-a100: nominal 32 + borrowing limit 16 (16) = 48; Kueue admits a workload whole or not at all (allowed: at most 48 GPUs, or a larger quota)');
  });
});
