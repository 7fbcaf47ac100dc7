/**
 * Instance-type pinning (issue 18 item 2): `instanceTypes` pins pods with `node.kubernetes.io/instance-type` on
 * Karpenter and GKE Standard, checked against the catalog (accelerator, GPUs, allocatable CPU and memory) and against a
 * GpuNodePool the workload targets; refused on GKE Autopilot with the reason.
 */
import { Size } from 'cdk8s';
import {
  Accelerator, CapacityType, Cloud, GpuNodePool, GpuRequest, GpuTrainingJob, InferenceDeployment, InferenceDeploymentProps, Platform,
  PlatformOptions, PodPlacement, ScalingMetric,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const karpenter = Platform.karpenter();
const standard = Platform.gkeStandard();
const autopilot = Platform.gkeAutopilot();
const LABEL = 'node.kubernetes.io/instance-type';
const image = 'us-docker.pkg.dev/example/ml/server:1.0';

function server(platform: Platform, props: Partial<InferenceDeploymentProps>): any[] {
  const chart = chartFor(platform);
  new InferenceDeployment(chart, 'srv', { platform, image, accelerator: Accelerator.T4, ...props } as InferenceDeploymentProps);
  return synth(chart, platform);
}

const errorOf = (platform: Platform, props: Partial<InferenceDeploymentProps>) => synthError(chart => {
  new InferenceDeployment(chart, 'srv', { platform, image, accelerator: Accelerator.T4, ...props } as InferenceDeploymentProps);
}, platform);

describe('Karpenter', () => {
  const P = 'karpenter/srv';
  test('the autoscaling guide\'s inference Deployment pinned to g4dn.xlarge synthesizes (a pod that fits its allocatable)', () => {
    const objects = server(karpenter, {
      instanceTypes: ['g4dn.xlarge'], cpu: 3, memory: Size.gibibytes(12), maxReplicas: 4, scalingMetrics: [ScalingMetric.cpu(70)],
    });
    expect(find(objects, 'Deployment').spec.template.spec.nodeSelector).toEqual({
      'karpenter.k8s.aws/instance-gpu-name': 't4', 'karpenter.sh/capacity-type': 'on-demand', [LABEL]: 'g4dn.xlarge',
    });
  });

  test('several types are alternatives: a required In, added to every term of the spot-with-fallback affinity', () => {
    const chart = chartFor(karpenter);
    new GpuTrainingJob(chart, 'train', {
      platform: karpenter, image, accelerator: Accelerator.L4, capacityType: CapacityType.SPOT_WITH_FALLBACK, instanceTypes: ['g6.2xlarge', 'g6.4xlarge'],
    });
    const pod = find(synth(chart, karpenter), 'Job').spec.template.spec;
    expect(pod.nodeSelector[LABEL]).toBeUndefined();
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
        { key: LABEL, operator: 'In', values: ['g6.2xlarge', 'g6.4xlarge'] },
      ],
    }]);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('a pod without GPUs may pin any type (only its form is checked)', () => {
    const pod = find(server(karpenter, { gpus: 0, accelerator: undefined, instanceTypes: ['m7i.xlarge'], cpu: 2 }), 'Deployment').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ [LABEL]: 'm7i.xlarge' });
  });

  test.each<[string, Partial<InferenceDeploymentProps>, string]>([
    ['a type without the workload\'s GPU, with the types that fit', { instanceTypes: ['g5.xlarge'], cpu: 3, memory: Size.gibibytes(12) },
      `[${P}] instanceTypes=["g5.xlarge"] is invalid: g5.xlarge carries A10G, not T4 (allowed for 1 x T4 with 3 vCPU and 12Gi: g4dn.xlarge, g4dn.2xlarge, g4dn.4xlarge, g4dn.8xlarge, g4dn.12xlarge, g4dn.16xlarge, g4dn.metal)`],
    ['the default 4 vCPU / 16 GiB do not fit g4dn.xlarge\'s allocatable', { instanceTypes: ['g4dn.xlarge'] },
      `[${P}] instanceTypes=["g4dn.xlarge"] is invalid: g4dn.xlarge offers 3.92 vCPU and 14.14Gi to pods (allocatable), not more than the pod requests (allowed for 1 x T4 with 4 vCPU and 16Gi: g4dn.2xlarge, g4dn.4xlarge, g4dn.8xlarge, g4dn.12xlarge, g4dn.16xlarge, g4dn.metal)`],
    ['too few GPUs on the type', { instanceTypes: ['g4dn.2xlarge'], gpus: 4, cpu: 8, memory: Size.gibibytes(32) },
      `[${P}] instanceTypes=["g4dn.2xlarge"] is invalid: g4dn.2xlarge carries 1 T4 GPU, the pod needs 4 (allowed for 4 x T4 with 8 vCPU and 32Gi: g4dn.12xlarge, g4dn.metal)`],
    ['a type the catalog does not know, and one of another GPU, in one message', { instanceTypes: ['g4dn.huge', 'p5.48xlarge'], cpu: 30, memory: Size.gibibytes(100) },
      `[${P}] instanceTypes=["g4dn.huge","p5.48xlarge"] is invalid: g4dn.huge is not an instance type with T4 that the catalog knows; p5.48xlarge carries H100 80GB, not T4 (allowed for 1 x T4 with 30 vCPU and 100Gi: g4dn.8xlarge, g4dn.12xlarge, g4dn.16xlarge, g4dn.metal)`],
    ['an empty list', { instanceTypes: [] },
      `[${P}] instanceTypes=[] is invalid: name at least one type, or leave instanceTypes out to let the platform pick`],
    ['a type named twice', { instanceTypes: ['g4dn.2xlarge', 'g4dn.2xlarge'] },
      `[${P}] instanceTypes=["g4dn.2xlarge","g4dn.2xlarge"] is invalid: g4dn.2xlarge is named twice`],
    ['a name that is no label value', { instanceTypes: ['g4dn 2xlarge'] },
      `[${P}] instanceTypes=["g4dn 2xlarge"] is invalid: "g4dn 2xlarge" cannot be a node label value (allowed: instance type names such as "g4dn.xlarge" or "g2-standard-8")`],
  ])('refused on Karpenter: %s', (_, props, message) => {
    expect(errorOf(karpenter, props)).toContain(message);
  });
});

describe('GKE Standard', () => {
  test('a machine type of the catalog pins the pod', () => {
    const pod = find(server(standard, { accelerator: Accelerator.A100_40GB, instanceTypes: ['a2-highgpu-1g'], cpu: 8, memory: Size.gibibytes(64) }), 'Deployment')
      .spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100', [LABEL]: 'a2-highgpu-1g' });
  });
  const P = 'gke-standard/srv';
  test('a machine too small after GKE\'s reservation, and one of another GPU, are refused with the machines that fit', () => {
    expect(errorOf(standard, { accelerator: Accelerator.A100_40GB, instanceTypes: ['a2-highgpu-1g', 'g2-standard-32'], cpu: 12 })).toContain(
      `[${P}] instanceTypes=["a2-highgpu-1g","g2-standard-32"] is invalid: a2-highgpu-1g offers 11.9 vCPU to pods (allocatable), not more than the pod requests; g2-standard-32 carries L4, not A100 40GB (allowed for 1 x A100 40GB with 12 vCPU and 16Gi: a2-highgpu-2g, a2-highgpu-4g, a2-highgpu-8g, a2-megagpu-16g)`);
  });
  test('T4: the catalog\'s N1 shapes are no machine types, so a pin is refused', () => {
    expect(errorOf(standard, { instanceTypes: ['n1-standard-8'] })).toContain(
      `[${P}] instanceTypes=["n1-standard-8"] is invalid: n1-standard-8 is not a machine type with T4 that the catalog knows (allowed for 1 x T4 with 4 vCPU and 16Gi: none: no machine type in the catalog holds 1 x T4 with 4 vCPU and 16Gi)`);
  });
});

test('GKE Autopilot refuses a pin, with the reason', () => {
  const P = 'gke-autopilot/srv';
  expect(errorOf(autopilot, { accelerator: Accelerator.L4, instanceTypes: ['g2-standard-8'] })).toContain(
    `[${P}] instanceTypes=["g2-standard-8"] is invalid: GKE Autopilot picks the machine for a pod itself and rejects a node selector on node.kubernetes.io/instance-type (GKE Warden allows only compute-class, machine-family, gke-spot, placement-group, zone and region keys); name machine types in a custom ComputeClass and select that instead, or use GKE Standard`);
});

test('the Autopilot admission check catches a pin added through an escape hatch', () => {
  expect(autopilot.admissionViolations({ containers: [], nodeSelector: { [LABEL]: 'g2-standard-8' } })).toEqual([
    'selecting node.kubernetes.io/instance-type is rejected by Autopilot',
  ]);
});

test('plain Kubernetes passes a pin through (the cloud, and so the catalog, is unknown)', () => {
  const pod = find(server(Platform.kubernetes(), { accelerator: undefined, instanceTypes: ['g4dn.xlarge'] }), 'Deployment').spec.template.spec;
  expect(pod.nodeSelector).toEqual({ [LABEL]: 'g4dn.xlarge' });
});

test('a Platform of your own refuses pins until it implements them', () => {
  class Mine extends Platform {
    public constructor(options: PlatformOptions = {}) {
      super({ id: 'mine', displayName: 'My Cloud', cloud: Cloud.ANY, requiresAccelerator: false }, options);
    }
    public allowedGpuCounts(): number[] { return [1]; }
    public schedule(_r: GpuRequest): PodPlacement { return { nodeSelector: {}, tolerations: [], podAnnotations: {} }; }
  }
  const mine = new Mine();
  const P = 'mine/srv';
  expect(errorOf(mine, { accelerator: undefined, instanceTypes: ['big'] })).toContain(
    `[${P}] instanceTypes=["big"] is invalid: My Cloud does not pin instance types (a Platform of your own pins them by overriding instanceTypeProblems and selecting node.kubernetes.io/instance-type in schedule)`);
});

describe('against a GpuNodePool the workload targets', () => {
  const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml', gpuLimit: 16 };

  test('a type the pool launches is accepted', () => {
    const chart = chartFor(karpenter);
    const pool = new GpuNodePool(chart, 'pool', { ...aws, accelerator: Accelerator.T4 });
    new InferenceDeployment(chart, 'srv', { platform: pool.platform(), image, accelerator: Accelerator.T4, instanceTypes: ['g4dn.xlarge'], cpu: 3, memory: Size.gibibytes(12) });
    expect(find(synth(chart, karpenter), 'Deployment').spec.template.spec.nodeSelector).toMatchObject({ 'karpenter.sh/nodepool': 'karpenter-pool', [LABEL]: 'g4dn.xlarge' });
  });

  test('a pinned GPU count the pool excludes is refused on gpusPerNode', () => {
    expect(synthError(chart => {
      const pool = new GpuNodePool(chart, 'pool', { ...aws, accelerator: Accelerator.T4, gpusPerNode: [4] });
      new InferenceDeployment(chart, 'srv', { platform: pool.platform(), image, accelerator: Accelerator.T4, instanceTypes: ['g4dn.xlarge'], cpu: 3, memory: Size.gibibytes(12) });
    }, karpenter)).toContain('[karpenter/pool] gpusPerNode=[4] is invalid for Deployment ml/karpenter-srv (karpenter/srv): it pins node.kubernetes.io/instance-type=g4dn.xlarge, and this NodePool never launches a g4dn.xlarge (g4dn, 1 GPU) (allowed: g4dn.12xlarge)');
  });

  test('a pinned family the pool excludes is refused on instanceFamilies', () => {
    expect(synthError(chart => {
      const pool = new GpuNodePool(chart, 'pool', { ...aws, accelerator: Accelerator.H200_141GB, instanceFamilies: ['p5en'] });
      new GpuTrainingJob(chart, 'train', {
        platform: pool.platform(), image, accelerator: Accelerator.H200_141GB, gpus: 8, cpu: 96, memory: Size.gibibytes(1024), instanceTypes: ['p5e.48xlarge'],
      });
    }, karpenter)).toContain('[karpenter/pool] instanceFamilies=["p5en"] is invalid for Job ml/karpenter-train (karpenter/train): it pins node.kubernetes.io/instance-type=p5e.48xlarge, and this NodePool never launches a p5e.48xlarge (p5e, 8 GPUs) (allowed: p5en.48xlarge)');
  });
});
