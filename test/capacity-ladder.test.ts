/**
 * The capacity ladder per platform (issue 13): flex-start pods on GKE, reserved capacity on Karpenter (a reserved
 * NodePool with its capacity reservations, pools weighted reserved -> spot -> on-demand), compute-class selection, and
 * what each platform refuses.
 */
import { Duration } from 'cdk8s';
import {
  Accelerator, CapacityReservation, CapacityType, ComputeClass, GpuNodePool, GpuNodePoolProps, GpuTrainingJob, GpuTrainingJobProps,
  InferenceDeployment, Platform, SpotBatchJob,
} from '../lib';
import { expectCelRulesHold } from './support/cel';
import { SHARED_AVAILABLE } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml' };
const job = { image: 'us-docker.pkg.dev/p/r/trainer:1.0', gpus: 1 };

function podOf(platform: Platform, props: Partial<GpuTrainingJobProps>): any {
  const chart = chartFor(platform);
  new GpuTrainingJob(chart, 'train', { platform, ...job, ...props } as GpuTrainingJobProps);
  return find(synth(chart, platform), 'Job').spec.template.spec;
}

describe('flex-start (GKE Dynamic Workload Scheduler)', () => {
  test('Autopilot: the flex-start selector beside the GPU model; Autopilot adds the tolerations', () => {
    const pod = podOf(autopilot, { accelerator: Accelerator.H100_80GB, capacityType: CapacityType.FLEX_START, activeDeadline: Duration.hours(12) });
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb', 'cloud.google.com/gke-flex-start': 'true' });
    expect(pod.tolerations).toBeUndefined();
    // Flex-start VMs are not Spot VMs: the pod keeps its full grace.
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  test('Standard: the flex-start selector and the GPU toleration, no Spot toleration', () => {
    const pod = podOf(standard, { accelerator: Accelerator.L4, capacityType: CapacityType.FLEX_START });
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-flex-start': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test.each([
    ['Karpenter', karpenter, 'capacityType="flex-start" is invalid: Karpenter (EKS) has no flex-start capacity (GKE\'s Dynamic Workload Scheduler) (allowed: on-demand, spot, spot-with-fallback, reserved)'],
    ['plain Kubernetes', kubernetes, 'capacityType="flex-start" is invalid: Kubernetes (NVIDIA device plugin) has no flex-start capacity (GKE\'s Dynamic Workload Scheduler) (allowed: on-demand)'],
  ])('refused on %s', (_name, platform, message) => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', { platform, ...job, accelerator: Accelerator.L4, capacityType: CapacityType.FLEX_START }), platform))
      .toContain(`[${platform.id}/train] ${message}`);
  });

  test('a job that may run longer than a flex-start VM lives is refused', () => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', {
      platform: autopilot, ...job, accelerator: Accelerator.L4, capacityType: CapacityType.FLEX_START, activeDeadline: Duration.days(8),
    }), autopilot)).toContain('[gke-autopilot/train] activeDeadline=691200s is invalid: capacityType="flex-start" nodes live at most 7 days (604800s), so the node would go before the job ends (allowed: at most 604800s)');
  });

  test('serving on flex-start: the Deployment\'s pods select it', () => {
    const chart = chartFor(standard);
    new InferenceDeployment(chart, 'serve', { platform: standard, image: 'vllm/vllm-openai:v0.11.0', accelerator: Accelerator.L4, capacityType: CapacityType.FLEX_START });
    expect(find(synth(chart, standard), 'Deployment').spec.template.spec.nodeSelector['cloud.google.com/gke-flex-start']).toBe('true');
  });
});

describe('reserved capacity (Karpenter)', () => {
  test('a reserved pod selects karpenter.sh/capacity-type: reserved', () => {
    const pod = podOf(karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, capacityType: CapacityType.RESERVED });
    expect(pod.nodeSelector['karpenter.sh/capacity-type']).toBe('reserved');
  });

  test.each([
    ['GKE Autopilot', autopilot, 'capacityType="reserved" is invalid: GKE Autopilot has no reserved capacity type (reservations are priorities of a ComputeClass here) (allowed: on-demand, spot, flex-start)'],
    ['GKE Standard', standard, 'capacityType="reserved" is invalid: GKE Standard has no reserved capacity type (reservations are priorities of a ComputeClass here) (allowed: on-demand, spot, flex-start)'],
  ])('refused on %s, pointing at compute classes', (_name, platform, message) => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', { platform, ...job, accelerator: Accelerator.L4, capacityType: CapacityType.RESERVED }), platform))
      .toContain(`[${platform.id}/train] ${message}`);
  });

  function pools() {
    const chart = chartFor(karpenter);
    const h100 = { accelerator: Accelerator.H100_80GB, gpusPerNode: [8], platform: karpenter, ...aws };
    const reserved = new GpuNodePool(chart, 'reserved', {
      ...h100, name: 'h100-reserved', capacityType: CapacityType.RESERVED, gpuLimit: 32, weight: 100,
      capacityReservations: [CapacityReservation.id('cr-0123456789abcdef0'), CapacityReservation.tagged({ team: 'ml' }, '123456789012')],
    });
    new GpuNodePool(chart, 'spot', { ...h100, name: 'h100-spot', capacityType: CapacityType.SPOT, gpuLimit: 32, weight: 50 });
    new GpuNodePool(chart, 'on-demand', { ...h100, name: 'h100-on-demand', capacityType: CapacityType.ON_DEMAND, gpuLimit: 16, weight: 10 });
    new GpuTrainingJob(chart, 'train', {
      platform: reserved.platform(), ...job, accelerator: Accelerator.H100_80GB, gpus: 8, capacityType: CapacityType.RESERVED,
      activeDeadline: Duration.days(2),
    });
    return synth(chart, karpenter);
  }

  test('a reserved pool: capacity type reserved, the reservations as selector terms, weighted above spot and on-demand', () => {
    const objects = pools();
    const np = (name: string) => find(objects, 'NodePool', name);
    expect(np('h100-reserved').spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['reserved'] });
    expect(find(objects, 'EC2NodeClass', 'h100-reserved').spec.capacityReservationSelectorTerms).toEqual([
      { id: 'cr-0123456789abcdef0' }, { tags: { team: 'ml' }, ownerID: '123456789012' },
    ]);
    expect(find(objects, 'EC2NodeClass', 'h100-spot').spec.capacityReservationSelectorTerms).toBeUndefined();
    expect(['h100-reserved', 'h100-spot', 'h100-on-demand'].map(n => np(n).spec.weight)).toEqual([100, 50, 10]);
    expect(find(objects, 'Job').spec.template.spec.nodeSelector).toMatchObject({ 'karpenter.sh/nodepool': 'h100-reserved', 'karpenter.sh/capacity-type': 'reserved' });
  });

  test('the NodePool and EC2NodeClass CEL rules hold', () => {
    if (!SHARED_AVAILABLE) return;
    expect(expectCelRulesHold(pools().filter(o => ['NodePool', 'EC2NodeClass'].includes(o.kind)))).toBeGreaterThan(20);
  });

  const bad: [string, Partial<GpuNodePoolProps>, string][] = [
    ['reserved without reservations', { capacityType: CapacityType.RESERVED },
      'capacityType="reserved" is invalid without capacityReservations: Karpenter launches reserved capacity only into the reservations a pool selects (allowed: 1 to 30 of CapacityReservation.id(\'cr-...\') or CapacityReservation.tagged({...}))'],
    ['reservations on a spot pool', { capacityType: CapacityType.SPOT, capacityReservations: [CapacityReservation.id('cr-1')] },
      'capacityReservations=["cr-1"] is invalid: are used only by a pool with capacityType: CapacityType.RESERVED'],
    ['a malformed ID', { capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.id('reservation-1')] },
      'capacityReservations[0]="reservation-1" is invalid: must be a capacity reservation ID like cr-0123456789abcdef0'],
    ['empty tags', { capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.tagged({})] },
      'capacityReservations[0]={} is invalid: must select by 1 to 20 tags with non-empty keys and values (\'*\' matches any value)'],
    ['a tag without value', { capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.tagged({ team: '' })] },
      'capacityReservations[0]={"team":""} is invalid: must select by 1 to 20 tags'],
    ['an owner that is no account', { capacityType: CapacityType.RESERVED, capacityReservations: [CapacityReservation.tagged({ team: 'ml' }, '42')] },
      'capacityReservations[0]="42" is invalid: the owner must be a 12-digit AWS account ID'],
    ['flex-start', { capacityType: CapacityType.FLEX_START },
      'capacityType="flex-start" is invalid: is GKE\'s (Dynamic Workload Scheduler); a Karpenter pool launches spot, on-demand or reserved capacity'],
  ];
  test.each(bad)('refused: %s', (_name, props, message) => {
    expect(synthError(c => new GpuNodePool(c, 'gpu', { accelerator: Accelerator.H100_80GB, gpuLimit: 16, ...aws, ...props } as GpuNodePoolProps), karpenter))
      .toContain(`[karpenter/gpu] ${message}`);
  });

  test('a reserved workload on a spot pool is refused by the pool', () => {
    expect(synthError(c => {
      const pool = new GpuNodePool(c, 'spot', { accelerator: Accelerator.H100_80GB, gpuLimit: 16, capacityType: CapacityType.SPOT, ...aws });
      new GpuTrainingJob(c, 'train', { platform: pool.platform(), ...job, accelerator: Accelerator.H100_80GB, capacityType: CapacityType.RESERVED, activeDeadline: Duration.days(1) });
    }, karpenter)).toContain('capacityType="spot" is invalid for Job ml/karpenter-train (karpenter/train): it needs karpenter.sh/capacity-type in [reserved], which this NodePool never launches');
  });
});

describe('compute classes select nodes for the pods', () => {
  test.each([['Autopilot', autopilot], ['Standard', standard]])('%s: the pod selects only the class (no GPU model, no Spot)', (_name, platform) => {
    const chart = chartFor(platform);
    const cc = new ComputeClass(chart, 'cc', { platform, name: 'l4-ladder', priorities: [{ accelerator: Accelerator.L4, gpus: 1 }] });
    new SpotBatchJob(chart, 'batch', { platform, image: 'x/y:1', accelerator: Accelerator.L4, computeClass: cc, capacityType: CapacityType.ON_DEMAND });
    const pod = find(synth(chart, platform), 'Job').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/compute-class': 'l4-ladder' });
    expect(pod.tolerations ?? []).toEqual(platform === standard ? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] : []);
  });

  test('refused on Karpenter', () => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', { platform: karpenter, ...job, accelerator: Accelerator.L4, computeClass: ComputeClass.fromName('x') }), karpenter))
      .toContain('[karpenter/train] computeClass="x" is invalid: Karpenter (EKS) has no compute classes (GKE only)');
  });

  test('refused together with a capacity type: the class decides it', () => {
    expect(synthError(c => new GpuTrainingJob(c, 'train', {
      platform: autopilot, ...job, accelerator: Accelerator.L4, computeClass: ComputeClass.fromName('x'), capacityType: CapacityType.SPOT,
    }), autopilot)).toContain('[gke-autopilot/train] capacityType="spot" is invalid together with computeClass="x": the compute class\'s priorities decide the capacity (allowed: on-demand, the default)');
  });
});
