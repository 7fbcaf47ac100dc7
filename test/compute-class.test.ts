/**
 * ComputeClass (GKE custom compute classes): the capacity ladder as the CRD wants it (its CEL rules hold), GPU model x
 * count x machine type checked against the catalog, and the workloads that select it checked against its priorities.
 */
import { Duration } from 'cdk8s';
import {
  Accelerator, ComputeClass, ComputeClassCapacity, ComputeClassPriority, ComputeClassProps, GpuTrainingJob, InferenceDeployment, Platform,
  WhenUnsatisfiable,
} from '../lib';
import { celCheck } from './support/cel';
import { SHARED_AVAILABLE } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const H100 = Accelerator.H100_80GB;

const ladder: ComputeClassPriority[] = [
  { accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.reservations(['h100-prod'], 'shared-capacity-prj') },
  { accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.FLEX_START, maxRunDuration: Duration.days(2) },
  { accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.SPOT },
  { accelerator: H100, gpus: 8 },
];

function klass(props: Partial<ComputeClassProps>, platform: Platform = standard): any {
  const chart = chartFor(platform);
  new ComputeClass(chart, 'cc', { platform, name: 'h100-training', priorities: ladder, ...props } as ComputeClassProps);
  return find(synth(chart, platform), 'ComputeClass');
}

test('a ladder: specific reservation, flex-start with a run-time limit, Spot, on-demand', () => {
  const cc = klass({ activeMigration: true, description: 'H100 training' });
  expect(cc.apiVersion).toBe('cloud.google.com/v1');
  expect(cc.metadata).toEqual({ name: 'h100-training' });
  const gpu = { type: 'nvidia-h100-80gb', count: 8 };
  expect(cc.spec).toEqual({
    description: 'H100 training',
    priorities: [
      { machineType: 'a3-highgpu-8g', gpu, reservations: { affinity: 'Specific', specific: [{ name: 'h100-prod', project: 'shared-capacity-prj' }] } },
      { machineType: 'a3-highgpu-8g', gpu, flexStart: { enabled: true }, maxRunDurationSeconds: 172800 },
      { machineType: 'a3-highgpu-8g', gpu, spot: true },
      { machineType: 'a3-highgpu-8g', gpu },
    ],
    nodePoolAutoCreation: { enabled: true },
    activeMigration: { optimizeRulePriority: true },
    whenUnsatisfiable: 'DoNotScaleUp',
  });
});

test('any reservation, the options of GKE, and an N1 GPU without a machine type', () => {
  const cc = klass({
    priorities: [{ accelerator: Accelerator.T4, gpus: 2, capacity: ComputeClassCapacity.ANY_RESERVATION }],
    whenUnsatisfiable: WhenUnsatisfiable.SCALE_UP_ANYWAY, nodePoolAutoCreation: false,
  }, autopilot);
  expect(cc.spec).toEqual({
    priorities: [{ gpu: { type: 'nvidia-tesla-t4', count: 2 }, reservations: { affinity: 'AnyBestEffort' } }],
    nodePoolAutoCreation: { enabled: false },
    whenUnsatisfiable: 'ScaleUpAnyway',
  });
});

test('every CEL rule of the ComputeClass CRD holds (flex-start is not Spot, specific reservations are named...)', () => {
  if (!SHARED_AVAILABLE) return;
  const r = celCheck(klass({}));
  expect(r.failures).toEqual([]);
  expect(r.rules).toBeGreaterThan(20);
});

test('the CEL check catches a broken ComputeClass (it can fail)', () => {
  if (!SHARED_AVAILABLE) return;
  const cc = klass({});
  cc.spec.priorities[2].flexStart = { enabled: true };
  expect(celCheck(cc).failures.join('\n')).toContain('Flex Start provisioning model is incompatible with Spot');
});

const bad: [string, Partial<ComputeClassProps>, string, Platform?][] = [
  // The mixed-GPU plan's mistakes: a machine type that does not exist for its GPU count, and GPUs per node that do not
  // match the machine type.
  ['a machine type that does not exist', { priorities: [{ accelerator: Accelerator.A100_80GB, gpus: 16, machineType: 'a2-ultragpu-16g' }] },
    'priorities[0].machineType="a2-ultragpu-16g" is invalid: does not exist: no a2-ultragpu machine carries 16 GPUs (no machine type carries 16 x A100 80GB; A100 80GB machine types: a2-ultragpu-1g (1), a2-ultragpu-2g (2), a2-ultragpu-4g (4), a2-ultragpu-8g (8))'],
  ['a machine type with another GPU count', { priorities: [{ accelerator: H100, gpus: 4, machineType: 'a3-highgpu-8g' }] },
    'priorities[0].gpus=4 is invalid: machineType a3-highgpu-8g carries 8 x H100 80GB, and a node\'s GPUs come with its machine type (allowed: 8, or the machine types for 4 x H100 80GB: a3-highgpu-4g)'],
  ['an A2 count that has no machine', { priorities: [{ accelerator: Accelerator.A100_80GB, gpus: 4, machineType: 'a2-ultragpu-3g' }] },
    'priorities[0].machineType="a2-ultragpu-3g" is invalid: does not exist: no a2-ultragpu machine carries 3 GPUs (machine types for 4 x A100 80GB: a2-ultragpu-4g)'],
  ['a machine type of another GPU', { priorities: [{ accelerator: Accelerator.A100_80GB, gpus: 4, machineType: 'a2-highgpu-4g' }] },
    'priorities[0].machineType="a2-highgpu-4g" is invalid: carries A100 40GB, not A100 80GB (machine types for 4 x A100 80GB: a2-ultragpu-4g)'],
  ['a machine family of another GPU', { priorities: [{ accelerator: H100, gpus: 8, machineType: 'a2-highgpu-16g' }] },
    'priorities[0].machineType="a2-highgpu-16g" is invalid: is a a2-highgpu machine, which carries A100 40GB, not H100 80GB (machine types for 8 x H100 80GB: a3-highgpu-8g)'],
  ['a GPU count without a machine (no machine type given)', { priorities: [{ accelerator: H100, gpus: 3 }] },
    'priorities[0].gpus=3 is invalid: no H100 80GB machine type carries 3 GPUs (machine types: a3-highgpu-1g (1), a3-highgpu-2g (2), a3-highgpu-4g (4), a3-highgpu-8g (8))'],
  ['a T4 count no N1 machine takes', { priorities: [{ accelerator: Accelerator.T4, gpus: 3 }] },
    'priorities[0].gpus=3 is invalid: GKE Autopilot offers nvidia-tesla-t4 nodes with 1, 2, 4 GPUs', autopilot],
  ['a GPU GKE does not offer', { priorities: [{ accelerator: Accelerator.A10G, gpus: 1 }] },
    'priorities[0].accelerator="A10G" is invalid: is not offered on GKE (offered: T4, L4, A100 40GB, A100 80GB, H100 80GB, H100 Mega 80GB, H200 141GB, B200, RTX PRO 6000, P4, P100, V100)'],
  ['flex-start nodes beyond 7 days', { priorities: [{ accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.FLEX_START, maxRunDuration: Duration.days(8) }] },
    'priorities[0].maxRunDuration=8 days is invalid: must be at most 604800s'],
  ['a specific reservation without a name', { priorities: [{ accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.reservations([]) }] },
    'priorities[0].capacity=[] is invalid: ComputeClassCapacity.reservations needs at least one reservation name'],
  ['a reservation project that is no project ID', { priorities: [{ accelerator: H100, gpus: 8, capacity: ComputeClassCapacity.reservations(['r'], 'My Project') }] },
    'priorities[0].capacity="My Project" is invalid: the reservation project must be a Google Cloud project ID'],
  ['no priorities', { priorities: [] }, 'priorities=[] is invalid: must list 1 to 1000 priorities, in the order GKE tries them'],
  ['a name that is no label value', { name: 'H100_training' }, 'name="H100_training" is invalid: must be a DNS label of at most 63 characters'],
  ['Karpenter', {}, 'platform="Karpenter (EKS)" is invalid: has no compute classes: ComputeClass is a GKE kind (allowed: Platform.gkeAutopilot(), Platform.gkeStandard())', Platform.karpenter()],
];

test.each(bad)('refused: %s', (_name, props, message, platform = standard) => {
  expect(synthError(c => new ComputeClass(c, 'cc', { platform, name: 'h100-training', priorities: ladder, ...props } as ComputeClassProps), platform))
    .toContain(`[${platform.id}/cc] ${message}`);
});

test('a G2 size the catalog does not list is left to GKE', () => {
  expect(klass({ priorities: [{ accelerator: Accelerator.L4, gpus: 1, machineType: 'g2-standard-8' }] }).spec.priorities[0].machineType).toBe('g2-standard-8');
});

describe('workloads that select the class', () => {
  test('a Deployment selecting it: the pods name only the class', () => {
    const chart = chartFor(autopilot);
    const cc = new ComputeClass(chart, 'cc', { platform: autopilot, name: 'l4-serving', priorities: [
      { accelerator: Accelerator.L4, gpus: 1, capacity: ComputeClassCapacity.SPOT }, { accelerator: Accelerator.L4, gpus: 1 },
    ] });
    new InferenceDeployment(chart, 'serve', { platform: autopilot, image: 'vllm/vllm-openai:v0.11.0', accelerator: Accelerator.L4, computeClass: cc });
    const objects = synth(chart, autopilot);
    expect(find(objects, 'Deployment').spec.template.spec.nodeSelector).toEqual({ 'cloud.google.com/compute-class': 'l4-serving' });
    expect(find(objects, 'ComputeClass').spec.priorities.map((p: any) => p.spot ?? false)).toEqual([true, false]);
  });

  test('pods with more GPUs than a priority\'s nodes carry are refused', () => {
    expect(synthError(c => {
      const cc = new ComputeClass(c, 'cc', { platform: standard, name: 'h100', priorities: [{ accelerator: H100, gpus: 8 }, { accelerator: H100, gpus: 4, capacity: ComputeClassCapacity.SPOT }] });
      new GpuTrainingJob(c, 'train', { platform: standard, image: 'x/y:1', accelerator: H100, gpus: 8, computeClass: cc });
    }, standard)).toContain('[gke-standard/cc] priorities="4 x H100 80GB (a3-highgpu-4g)" is invalid for Job ml/gke-standard-train (gke-standard/train): its pods request 8 GPUs, more than these priorities\' nodes carry, so the class would create nodes they cannot use (allowed: at least 8 GPUs per node in every priority)');
  });

  test('a workload whose GPU no priority offers is refused', () => {
    expect(synthError(c => {
      const cc = new ComputeClass(c, 'cc', { platform: standard, name: 'h100', priorities: [{ accelerator: H100, gpus: 8 }] });
      new GpuTrainingJob(c, 'train', { platform: standard, image: 'x/y:1', accelerator: Accelerator.L4, computeClass: cc });
    }, standard)).toContain('[gke-standard/cc] priorities="8 x H100 80GB" is invalid for Job ml/gke-standard-train (gke-standard/train): it asks for L4, which no priority offers (allowed: add a L4 priority, or give the workload one of the class\'s accelerators)');
  });

  test('a class of another cluster is not checked against the workload (ComputeClass.fromName is never checked)', () => {
    const chart = chartFor(standard);
    new ComputeClass(chart, 'cc', { platform: Platform.gkeStandard({ cluster: 'other' }), name: 'h100', priorities: [{ accelerator: H100, gpus: 8 }] });
    new GpuTrainingJob(chart, 'train', { platform: standard, image: 'x/y:1', accelerator: Accelerator.L4, computeClass: ComputeClass.fromName('h100') });
    expect(() => synth(chart, standard)).not.toThrow();
  });
});
