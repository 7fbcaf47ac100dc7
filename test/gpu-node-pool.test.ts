import { ApiObject, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  Accelerator, AmiAlias, CapacityType, ConsolidationPolicy, DdpJob, DdpJobSet, DisruptionReason, GpuNodePool, GpuNodePoolProps,
  GpuTrainingJob, InferenceDeployment, KServeInferenceService, LlmModel, ModelFormat, NodeExpiry, Platform, PyTorchJob, SpotBatchJob, TfJob,
  TrainJob, VllmLeaderWorkerSet,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const karpenter = Platform.karpenter();
const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml' };

function pool(props: Partial<GpuNodePoolProps> = {}) {
  const chart = chartFor(karpenter);
  new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.L4, gpuLimit: 16, ...aws, ...props } as GpuNodePoolProps);
  return synth(chart, karpenter);
}

describe('GpuNodePool defaults', () => {
  const objects = pool();
  const np = find(objects, 'NodePool');
  const nc = find(objects, 'EC2NodeClass');

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('v1 API only, cluster-scoped (no namespace)', () => {
    expect(np.apiVersion).toBe('karpenter.sh/v1');
    expect(nc.apiVersion).toBe('karpenter.k8s.aws/v1');
    expect(np.metadata).toEqual({ name: 'karpenter-gpu' });
    expect(nc.metadata).toEqual({ name: 'karpenter-gpu' });
  });
  test('requirements from the catalog, both capacity types, GPU taint and limit', () => {
    expect(np.spec.template.spec.requirements).toEqual([
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['l4'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['g6'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'In', values: ['1', '4', '8'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
    ]);
    expect(np.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(np.spec.limits).toEqual({ 'nvidia.com/gpu': 16 });
    expect(np.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'karpenter-gpu' });
  });
  test('disruption suits training: WhenEmpty after 5 minutes, 720h expiry, no drain deadline', () => {
    expect(np.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m' });
    expect(np.spec.template.spec.expireAfter).toBe('720h');
    expect(np.spec.template.spec.terminationGracePeriod).toBeUndefined();
  });
  test('EC2NodeClass: AL2023 alias, role, discovery selectors, 100 GiB encrypted gp3 root volume', () => {
    expect(nc.spec).toEqual({
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      role: 'KarpenterNodeRole-ml',
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
      blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } }],
    });
  });
});

test('the reference guide\'s GPU provisioner in today\'s v1 API: T4 g4dn, spot + on-demand, 10 GPUs, empty nodes gone after 5 min, 100 GiB encrypted gp3, AL AMI', () => {
  const objects = pool({
    name: 'gpu-t4', accelerator: Accelerator.T4, instanceFamilies: ['g4dn'], capacityType: CapacityType.SPOT_WITH_FALLBACK,
    gpuLimit: 10, consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY, consolidateAfter: Duration.minutes(5),
    rootVolumeSize: Size.gibibytes(100), amiAlias: AmiAlias.AL2023_LATEST,
  });
  const np = find(objects, 'NodePool', 'gpu-t4');
  const nc = find(objects, 'EC2NodeClass', 'gpu-t4');
  const req = Object.fromEntries(np.spec.template.spec.requirements.map((r: any) => [r.key, r.values]));
  expect(req['karpenter.k8s.aws/instance-gpu-name']).toEqual(['t4']);
  expect(req['karpenter.k8s.aws/instance-family']).toEqual(['g4dn']);
  expect(req['karpenter.sh/capacity-type']).toEqual(['spot', 'on-demand']);
  expect(np.spec.limits).toEqual({ 'nvidia.com/gpu': 10 });
  expect(np.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m' });
  expect(nc.spec.amiSelectorTerms).toEqual([{ alias: 'al2023@latest' }]);
  expect(nc.spec.blockDeviceMappings[0].ebs).toMatchObject({ volumeSize: '100Gi', volumeType: 'gp3', encrypted: true });
  expect(objects.map(o => o.apiVersion).sort()).toEqual(['karpenter.k8s.aws/v1', 'karpenter.sh/v1']);
});

test('everything configurable renders valid v1 fields', () => {
  const objects = pool({
    name: 'h100', accelerator: Accelerator.H100_80GB, gpusPerNode: [8], gpuLimit: 64, capacityType: CapacityType.ON_DEMAND,
    instanceProfile: 'gpu-nodes', role: undefined, clusterName: undefined,
    subnetTags: { 'kubernetes.io/role/internal-elb': '1' }, securityGroupTags: { Name: 'eks-nodes' },
    amiAlias: AmiAlias.bottlerocket('v1.20.3'), rootVolumeSize: Size.gibibytes(500), volumeKmsKeyId: 'alias/ebs',
    consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED, consolidateAfter: Duration.minutes(90),
    disruptionBudgets: [{ nodes: '0', reasons: [DisruptionReason.DRIFTED], schedule: '0 9 * * 1-5', duration: Duration.hours(8) }, { nodes: '1' }],
    expireAfter: NodeExpiry.NEVER, terminationGracePeriod: Duration.hours(2), taintKey: 'gpu', nodeLabels: { team: 'llm' },
    tags: { team: 'llm' }, weight: 50,
  });
  const np = find(objects, 'NodePool');
  const nc = find(objects, 'EC2NodeClass');
  expect(np.spec.template.spec.expireAfter).toBe('Never');
  expect(np.spec.template.spec.terminationGracePeriod).toBe('2h');
  expect(np.spec.template.spec.taints).toEqual([{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]);
  expect(np.spec.template.metadata).toEqual({ labels: { team: 'llm' } });
  expect(np.spec.disruption).toEqual({
    consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1h30m',
    budgets: [{ nodes: '0', reasons: ['Drifted'], schedule: '0 9 * * 1-5', duration: '8h' }, { nodes: '1' }],
  });
  expect(np.spec.weight).toBe(50);
  expect(nc.spec.instanceProfile).toBe('gpu-nodes');
  expect(nc.spec.role).toBeUndefined();
  expect(nc.spec.amiSelectorTerms).toEqual([{ alias: 'bottlerocket@v1.20.3' }]);
  // Bottlerocket: OS volume plus the data volume that holds the kubelet root dir.
  expect(nc.spec.blockDeviceMappings).toEqual([
    { deviceName: '/dev/xvda', ebs: { volumeSize: '4Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true, kmsKeyID: 'alias/ebs' } },
    { deviceName: '/dev/xvdb', rootVolume: true, ebs: { volumeSize: '500Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true, kmsKeyID: 'alias/ebs' } },
  ]);
  expect(nc.spec.tags).toEqual({ team: 'llm' });
});

test('pool.platform() targets the pool and tolerates its taint', () => {
  const chart = chartFor(karpenter);
  const gpu = new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.A10G, gpuLimit: 8, taintKey: 'gpu', ...aws });
  new SpotBatchJob(chart, 'embed', { platform: gpu.platform(), image: 'embed:1', accelerator: Accelerator.A10G, completions: 4, activeDeadline: Duration.hours(4) });
  const pod = find(synth(chart, karpenter), 'Job').spec.template.spec;
  expect(pod.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/nodepool': 'karpenter-gpu', 'karpenter.sh/capacity-type': 'spot' });
  expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
});

describe('workloads that target the pool are checked against it', () => {
  test('an active deadline longer than the node lifetime (SpotBatchJob)', () => {
    const msg = synthError(chart => {
      const gpu = new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.A10G, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.days(1)), ...aws });
      new SpotBatchJob(chart, 'embed', { platform: gpu.platform(), image: 'embed:1', accelerator: Accelerator.A10G, activeDeadline: Duration.hours(30) });
    }, karpenter);
    expect(msg).toContain('[karpenter/gpu] expireAfter=24h is invalid: Job ml/karpenter-embed (karpenter/embed) may run for 30h (spec.activeDeadlineSeconds=108000) on this NodePool, and Karpenter v1 drains expired nodes even under do-not-disrupt pods (allowed: at least 30h, or NodeExpiry.NEVER)');
  });
  test('an active deadline longer than the node lifetime (GpuTrainingJob)', () => {
    const msg = synthError(chart => {
      const gpu = new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.A10G, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.days(7)), ...aws });
      new GpuTrainingJob(chart, 'train', { platform: gpu.platform(), image: 'train:1', accelerator: Accelerator.A10G, activeDeadline: Duration.days(10) });
    }, karpenter);
    expect(msg).toContain('[karpenter/gpu] expireAfter=168h is invalid: Job ml/karpenter-train (karpenter/train) may run for 240h');
  });
  test('a deadline within the lifetime, or nodes that never expire, pass', () => {
    const chart = chartFor(karpenter);
    const a = new GpuNodePool(chart, 'a', { accelerator: Accelerator.A10G, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.days(2)), ...aws });
    const b = new GpuNodePool(chart, 'b', { accelerator: Accelerator.A10G, gpuLimit: 8, expireAfter: NodeExpiry.NEVER, ...aws });
    new SpotBatchJob(chart, 'x', { platform: a.platform(), image: 'embed:1', accelerator: Accelerator.A10G, activeDeadline: Duration.days(2) });
    new SpotBatchJob(chart, 'y', { platform: b.platform(), image: 'embed:1', accelerator: Accelerator.A10G, activeDeadline: Duration.days(100) });
    expect(synth(chart, karpenter).filter(o => o.kind === 'Job')).toHaveLength(2);
  });
  test('another GPU model, a capacity type the pool never launches, more GPUs than a node carries', () => {
    const msg = synthError(chart => {
      const gpu = new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.L4, gpusPerNode: [1], gpuLimit: 8, capacityType: CapacityType.ON_DEMAND, ...aws });
      new SpotBatchJob(chart, 'a', { platform: gpu.platform(), image: 'embed:1', accelerator: Accelerator.A10G });
      new GpuTrainingJob(chart, 'b', { platform: gpu.platform(), image: 'train:1', accelerator: Accelerator.L4, gpus: 4, cpu: 16 });
    }, karpenter);
    expect(msg).toContain('[karpenter/gpu] accelerator="L4" is invalid for Job ml/karpenter-a (karpenter/a): it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)');
    expect(msg).toContain('[karpenter/gpu] capacityType="on-demand" is invalid for Job ml/karpenter-a (karpenter/a): it needs karpenter.sh/capacity-type in [spot], which this NodePool never launches');
    expect(msg).toContain('[karpenter/gpu] gpusPerNode=[1] is invalid for Job ml/karpenter-b (karpenter/b): its pods request 4 GPUs, more than one node of this NodePool carries (allowed: include 4)');
  });
  test('hand-written Jobs are checked too (read from the rendered objects)', () => {
    const msg = synthError(chart => {
      new GpuNodePool(chart, 'gpu', { name: 'gpu', accelerator: Accelerator.L4, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.hours(1)), ...aws });
      new k8s.KubeJob(chart, 'raw', {
        metadata: { name: 'raw' },
        spec: { activeDeadlineSeconds: 7200, template: { spec: { restartPolicy: 'Never', nodeSelector: { 'karpenter.sh/nodepool': 'gpu' }, containers: [{ name: 'c', image: 'x' }] } } },
      });
    }, karpenter);
    expect(msg).toContain('[karpenter/gpu] expireAfter=1h is invalid: Job ml/raw (karpenter) may run for 2h');
  });
});

const P = 'karpenter/gpu';
const bad: [string, Partial<GpuNodePoolProps>, string][] = [
  ['L4 with 2 GPUs per node', { gpusPerNode: [2] }, `[${P}] gpusPerNode=[2] is invalid: no L4 instance family offers 2 GPUs per node (g6 offers 1/4/8)`],
  ['a family that does not carry the GPU', { instanceFamilies: ['p4d'] }, `[${P}] instanceFamilies=["p4d"] is invalid: p4d does not carry L4 (allowed: g6)`],
  ['GPU limit below one node', { accelerator: Accelerator.T4, gpuLimit: 4 }, `[${P}] gpuLimit=4 is invalid: is below the 8 GPUs of one T4 node this pool may launch (allowed: at least 8, or restrict gpusPerNode to 1, 4)`],
  ['GPU limit zero', { gpuLimit: 0 }, `[${P}] gpuLimit=0 is invalid: must be a whole number of GPUs >= 1`],
  ['GKE-only accelerator', { accelerator: Accelerator.H100_MEGA_80GB }, `[${P}] accelerator="H100 Mega 80GB" is invalid: has no AWS instance family in the catalog (allowed: T4, L4, A100 40GB, A100 80GB, H100 80GB, H200 141GB, B200, A10G, L40S, or Accelerator.custom({ karpenterGpuName, awsInstanceFamilies }))`],
  ['neither role nor instance profile', { role: undefined }, `[${P}] role=undefined and instanceProfile=undefined are invalid together: set exactly one`],
  ['both role and instance profile', { instanceProfile: 'p' }, `[${P}] role="KarpenterNodeRole-ml" and instanceProfile="p" are invalid together: set exactly one`],
  ['no selectors and no cluster name', { clusterName: undefined }, `[${P}] subnetTags=undefined is invalid: is required unless clusterName is set`],
  ['empty selector tag value', { subnetTags: { env: '' } }, `[${P}] subnetTags["env"]="" is invalid: tag keys and values must be non-empty strings`],
  ['restricted EC2 tag', { tags: { 'kubernetes.io/cluster/ml': 'owned' } }, `[${P}] tags["kubernetes.io/cluster/ml"]="kubernetes.io/cluster/ml" is invalid: is a tag Karpenter or EKS sets itself`],
  ['bad AMI version', { amiAlias: AmiAlias.al2023('v 1') }, `[${P}] amiAlias="al2023@v 1" is invalid: must be family@version with a version like v20240625 or latest`],
  ['tiny root volume', { rootVolumeSize: Size.gibibytes(8) }, `[${P}] rootVolumeSize=8192Mi is invalid: must be at least 20480Mi`],
  ['fractional root volume', { rootVolumeSize: Size.mebibytes(30000) }, `[${P}] rootVolumeSize=30000Mi is invalid: must be a whole number of GiB from 20 to 59000`],
  ['budget nodes', { disruptionBudgets: [{ nodes: 'ten' }] }, `[${P}] disruptionBudgets[0].nodes="ten" is invalid: must be a node count like "0" or "2", or a percentage like "10%"`],
  ['budget schedule without duration', { disruptionBudgets: [{ nodes: '0', schedule: '@daily' }] }, `[${P}] disruptionBudgets[0].schedule="@daily" is invalid: must be set together with duration`],
  ['budget duration in seconds', { disruptionBudgets: [{ nodes: '0', schedule: '@daily', duration: Duration.seconds(90) }] }, `[${P}] disruptionBudgets[0].duration=1 minute 30 seconds is invalid: must be whole minutes`],
  ['restricted node label', { nodeLabels: { 'karpenter.sh/capacity-type': 'spot' } }, `[${P}] nodeLabels["karpenter.sh/capacity-type"]="karpenter.sh/capacity-type" is invalid: Karpenter sets the karpenter.sh and karpenter.k8s.aws label domains`],
  ['bad taint key', { taintKey: 'nvidia.com/gpu/x' }, `[${P}] taintKey="nvidia.com/gpu/x" is invalid: must be a label key`],
  ['weight above 100', { weight: 101 }, `[${P}] weight=101 is invalid: must be an integer from 1 to 100`],
  ['name not a DNS label', { name: 'GPU_Pool' }, `[${P}] name="GPU_Pool" is invalid: must be a DNS-1123 label`],
  ['expiry of zero', { expireAfter: NodeExpiry.after(Duration.seconds(0)) }, `[${P}] expireAfter=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
];

describe('bad input', () => {
  test.each(bad)('%s', (_name, props, expected) => {
    const msg = synthError(chart => new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.L4, gpuLimit: 16, ...aws, ...props } as GpuNodePoolProps), karpenter);
    expect(msg).toContain(expected);
  });

  test('touching the escape hatch of an invalid pool explains why it is missing', () => {
    const chart = chartFor(karpenter);
    const gpu = new GpuNodePool(chart, 'gpu', { accelerator: Accelerator.L4, gpuLimit: 2, ...aws });
    expect(() => gpu.nodePool).toThrow('[karpenter/gpu] has invalid props, so it emitted no objects: gpuLimit=2 is invalid');
  });

  test('garbage from JavaScript callers is a validation error, not a TypeError', () => {
    const msg = synthError(chart => new GpuNodePool(chart, 'gpu', { accelerator: 'L4' as any, gpuLimit: '8' as any, gpusPerNode: 4 as any, expireAfter: Duration.days(1) as any, amiAlias: 'al2023@latest' as any, ...aws }), karpenter);
    expect(msg).toContain('accelerator="L4" is invalid: must be an Accelerator');
    expect(msg).toContain('gpuLimit="8" is invalid');
    expect(msg).toContain('gpusPerNode=4 is invalid');
    expect(msg).toContain('expireAfter=');
    expect(msg).toContain('amiAlias="al2023@latest" is invalid: must be an AmiAlias');
  });
});

describe('every kind that lands on a pool is cross-checked: Kubeflow jobs, JobSets, Deployments, KServe, any pod template', () => {
  const ddp = { image: 'trainer:1.0', module: 'train', nodes: 2 };
  /** A 1-GPU-per-node L4 pool, on-demand only, whose nodes expire after a day; `add` puts workloads on it. */
  function onPool(add: (chart: any, platform: Platform) => void, props: Partial<GpuNodePoolProps> = {}): string {
    return synthError(chart => {
      const gpu = new GpuNodePool(chart, 'gpu', {
        name: 'gpu', accelerator: Accelerator.L4, gpusPerNode: [1], gpuLimit: 8, capacityType: CapacityType.ON_DEMAND,
        expireAfter: NodeExpiry.after(Duration.days(1)), ...aws, ...props,
      });
      add(chart, gpu.platform());
    }, karpenter);
  }
  const P = '[karpenter/gpu]';
  const drains = 'on this NodePool, and Karpenter v1 drains expired nodes even under do-not-disrupt pods';

  test('TFJob: another GPU model and more GPUs per pod than a node has, on each replica type', () => {
    const msg = onPool((chart, platform) => new TfJob(chart, 'tf', {
      platform, image: 'tf:2.14', accelerator: Accelerator.A10G, gpus: 2, chief: { replicas: 1 }, workers: { replicas: 2 }, activeDeadline: Duration.hours(2),
    }));
    for (const replica of ['Chief', 'Worker']) {
      expect(msg).toContain(`${P} accelerator="L4" is invalid for TFJob ml/karpenter-tf (karpenter/tf) at spec.tfReplicaSpecs.${replica}.template: it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)`);
      expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for TFJob ml/karpenter-tf (karpenter/tf) at spec.tfReplicaSpecs.${replica}.template: its pods request 2 GPUs, more than one node of this NodePool carries (allowed: include 4)`);
    }
  });

  test('TFJob: runPolicy.activeDeadlineSeconds longer than the node lifetime', () => {
    const msg = onPool((chart, platform) => new TfJob(chart, 'tf', {
      platform, name: 'tf', image: 'tf:2.14', accelerator: Accelerator.L4, workers: { replicas: 2 }, activeDeadline: Duration.hours(36),
    }));
    expect(msg).toContain(`${P} expireAfter=24h is invalid: TFJob ml/tf (karpenter/tf) may run for 36h (spec.runPolicy.activeDeadlineSeconds=129600) ${drains} (allowed: at least 36h, or NodeExpiry.NEVER)`);
  });

  test('PyTorchJob: spot on an on-demand pool, and a deadline longer than the node lifetime', () => {
    const msg = onPool((chart, platform) => new PyTorchJob(chart, 'pj', {
      platform, name: 'pj', ...ddp, accelerator: Accelerator.L4, capacityType: CapacityType.SPOT, activeDeadline: Duration.days(3),
    }));
    for (const replica of ['Master', 'Worker']) {
      expect(msg).toContain(`${P} capacityType="on-demand" is invalid for PyTorchJob ml/pj (karpenter/pj) at spec.pytorchReplicaSpecs.${replica}.template: it needs karpenter.sh/capacity-type in [spot], which this NodePool never launches`);
      expect(msg).toContain(`${P} expireAfter=24h is invalid: PyTorchJob ml/pj (karpenter/pj) at spec.pytorchReplicaSpecs.${replica}.template may run for 72h (spec.runPolicy.activeDeadlineSeconds=259200) ${drains}`);
    }
  });

  test('JobSet: the child Job\'s deadline, and GPUs per pod', () => {
    const msg = onPool((chart, platform) => new DdpJobSet(chart, 'js', {
      platform, name: 'js', ...ddp, accelerator: Accelerator.L4, gpus: 4, activeDeadline: Duration.hours(30),
    }));
    expect(msg).toContain(`${P} expireAfter=24h is invalid: JobSet ml/js (karpenter/js) may run for 30h (spec.replicatedJobs[0].template.spec.activeDeadlineSeconds=108000) ${drains} (allowed: at least 30h, or NodeExpiry.NEVER)`);
    expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for JobSet ml/js (karpenter/js): its pods request 4 GPUs, more than one node of this NodePool carries (allowed: include 4)`);
  });

  test('TrainJob (Trainer v2, resources in spec.trainer.resourcesPerNode): GPUs per node, GPU model and deadline', () => {
    const msg = onPool((chart, platform) => new TrainJob(chart, 'tj', {
      platform, name: 'tj', image: 'trainer:1.0', accelerator: Accelerator.A10G, gpus: 4, cpu: 16, memory: Size.gibibytes(64), nodes: 2,
      activeDeadline: Duration.hours(30),
    }));
    const what = 'TrainJob ml/tj (karpenter/tj)';
    expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for ${what}: its pods request 4 GPUs, more than one node of this NodePool carries (allowed: include 4)`);
    expect(msg).toContain(`${P} accelerator="L4" is invalid for ${what}: it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)`);
    expect(msg).toContain(`${P} expireAfter=24h is invalid: ${what} may run for 30h (spec.activeDeadlineSeconds=108000) ${drains} (allowed: at least 30h, or NodeExpiry.NEVER)`);
  });

  test('TrainJob: GPUs a node of the pool carries pass', () => {
    const chart = chartFor(karpenter);
    const gpu = new GpuNodePool(chart, 'gpu', { name: 'gpu', accelerator: Accelerator.L4, gpusPerNode: [4], gpuLimit: 8, expireAfter: NodeExpiry.NEVER, ...aws });
    new TrainJob(chart, 'tj', { platform: gpu.platform(), name: 'tj', image: 'trainer:1.0', accelerator: Accelerator.L4, gpus: 4, cpu: 16, memory: Size.gibibytes(64) });
    expect(find(synth(chart, karpenter), 'TrainJob', 'tj').spec.trainer.resourcesPerNode.limits['nvidia.com/gpu']).toBe(4);
  });

  test('DdpJob (Indexed Job) and GpuTrainingJob: another GPU model', () => {
    const msg = onPool((chart, platform) => {
      new DdpJob(chart, 'ddp', { platform, name: 'ddp', ...ddp, accelerator: Accelerator.A10G, activeDeadline: Duration.hours(1) });
      new GpuTrainingJob(chart, 'train', { platform, name: 'train', image: 'train:1', accelerator: Accelerator.T4, activeDeadline: Duration.hours(1) });
    });
    expect(msg).toContain(`${P} accelerator="L4" is invalid for Job ml/ddp (karpenter/ddp): it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)`);
    expect(msg).toContain(`${P} accelerator="L4" is invalid for Job ml/train (karpenter/train): it selects karpenter.k8s.aws/instance-gpu-name=t4, which this NodePool never launches (allowed: l4)`);
  });

  test('Deployment (InferenceDeployment): another GPU model and too many GPUs; a service needs no deadline', () => {
    const msg = onPool((chart, platform) => new InferenceDeployment(chart, 'ep', { platform, name: 'ep', image: 'server:1', accelerator: Accelerator.A10G, gpus: 2 }));
    expect(msg).toContain(`${P} accelerator="L4" is invalid for Deployment ml/ep (karpenter/ep): it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)`);
    expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for Deployment ml/ep (karpenter/ep): its pods request 2 GPUs, more than one node of this NodePool carries (allowed: include 4)`);
    expect(msg).not.toContain('without an active deadline');
  });

  test('KServe InferenceService: the predictor\'s GPU model, capacity and GPUs (model container)', () => {
    const msg = onPool((chart, platform) => new KServeInferenceService(chart, 'isvc', {
      platform, name: 'isvc', modelFormat: ModelFormat.HUGGINGFACE, storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct', accelerator: Accelerator.A10G, gpus: 4,
      memory: Size.gibibytes(32), capacityType: CapacityType.SPOT,
    }));
    const what = 'InferenceService ml/isvc (karpenter/isvc)';
    expect(msg).toContain(`${P} accelerator="L4" is invalid for ${what}: it selects karpenter.k8s.aws/instance-gpu-name=a10g, which this NodePool never launches (allowed: l4)`);
    expect(msg).toContain(`${P} capacityType="on-demand" is invalid for ${what}: it needs karpenter.sh/capacity-type in [spot], which this NodePool never launches`);
    expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for ${what}: its pods request 4 GPUs, more than one node of this NodePool carries (allowed: include 4)`);
  });

  test('any object with pod templates, e.g. a LeaderWorkerSet, selecting the pool by required node affinity', () => {
    const msg = onPool(chart => {
      const pod = (gpus: number) => ({
        spec: {
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [
            { key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu'] },
            { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['h100', 'a100'] },
          ] }] } } },
          containers: [{ name: 'vllm', image: 'vllm:1', resources: { limits: { 'nvidia.com/gpu': gpus } } }],
        },
      });
      new ApiObject(chart, 'lws', {
        apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'llm' },
        spec: { replicas: 1, leaderWorkerTemplate: { size: 2, leaderTemplate: pod(8), workerTemplate: pod(8) } },
      });
    });
    for (const t of ['leaderTemplate', 'workerTemplate']) {
      expect(msg).toContain(`${P} accelerator="L4" is invalid for LeaderWorkerSet ml/llm (karpenter) at spec.leaderWorkerTemplate.${t}: it selects karpenter.k8s.aws/instance-gpu-name in [h100, a100], which this NodePool never launches (allowed: l4)`);
      expect(msg).toContain(`${P} gpusPerNode=[1] is invalid for LeaderWorkerSet ml/llm (karpenter) at spec.leaderWorkerTemplate.${t}: its pods request 8 GPUs`);
    }
    expect(msg).not.toContain('without an active deadline');
  });

  test('escape-hatch edits are seen: a TFJob Chief patched to another GPU model', () => {
    const msg = onPool((chart, platform) => {
      const tf = new TfJob(chart, 'tf', { platform, name: 'tf', image: 'tf:2.14', accelerator: Accelerator.L4, chief: { replicas: 1 }, workers: { replicas: 1 }, activeDeadline: Duration.hours(1) });
      tf.apiObject.addJsonPatch(JsonPatch.replace('/spec/tfReplicaSpecs/Chief/template/spec/nodeSelector/karpenter.k8s.aws~1instance-gpu-name', 'a10g'));
    });
    expect(msg).toContain(`${P} accelerator="L4" is invalid for TFJob ml/tf (karpenter/tf) at spec.tfReplicaSpecs.Chief.template: it selects karpenter.k8s.aws/instance-gpu-name=a10g`);
    expect(msg).not.toContain('at spec.tfReplicaSpecs.Worker.template: it selects');
  });

  test('pods that do not select the pool, and a pool without expiry, are not checked (not even a strict-mode warning)', () => {
    const chart = chartFor(karpenter);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    const gpu = new GpuNodePool(chart, 'gpu', { name: 'gpu', accelerator: Accelerator.L4, gpusPerNode: [1], gpuLimit: 8, expireAfter: NodeExpiry.NEVER, ...aws });
    new TfJob(chart, 'elsewhere', { platform: karpenter, image: 'tf:2.14', accelerator: Accelerator.A10G, gpus: 4, cpu: 16, memory: Size.gibibytes(64), workers: { replicas: 1 } });
    new PyTorchJob(chart, 'forever', { platform: gpu.platform(), ...ddp, accelerator: Accelerator.L4 });
    expect(synth(chart, karpenter).map(o => o.kind)).toContain('PyTorchJob');
  });
});

describe('a job without a deadline on a pool whose nodes expire is a warning (an error in strict mode)', () => {
  const ddp = { image: 'trainer:1.0', module: 'train', nodes: 2 };
  function strict(add: (chart: any, platform: Platform) => void): () => any[] {
    const chart = chartFor(karpenter);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    const gpu = new GpuNodePool(chart, 'gpu', { name: 'gpu', accelerator: Accelerator.L4, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.days(7)), ...aws });
    add(chart, gpu.platform());
    return () => Testing.synth(chart);
  }
  const rest = 'runs to completion on this NodePool without an active deadline, so it may outlive a node, and Karpenter v1 drains expired nodes even under do-not-disrupt pods (give it an activeDeadline of at most 168h, or use NodeExpiry.NEVER)';
  test.each([
    ['Job (GpuTrainingJob)', (c: any, platform: Platform) => new GpuTrainingJob(c, 'w', { platform, name: 'w', image: 'train:1', accelerator: Accelerator.L4 }), 'Job ml/w (karpenter/w)'],
    ['Job (DdpJob)', (c: any, platform: Platform) => new DdpJob(c, 'w', { platform, name: 'w', ...ddp, accelerator: Accelerator.L4 }), 'Job ml/w (karpenter/w)'],
    ['PyTorchJob', (c: any, platform: Platform) => new PyTorchJob(c, 'w', { platform, name: 'w', ...ddp, accelerator: Accelerator.L4 }), 'PyTorchJob ml/w (karpenter/w)'],
    ['TFJob', (c: any, platform: Platform) => new TfJob(c, 'w', { platform, name: 'w', image: 'tf:2.14', accelerator: Accelerator.L4, workers: { replicas: 2 } }), 'TFJob ml/w (karpenter/w)'],
    ['JobSet', (c: any, platform: Platform) => new DdpJobSet(c, 'w', { platform, name: 'w', ...ddp, accelerator: Accelerator.L4 }), 'JobSet ml/w (karpenter/w)'],
    ['TrainJob', (c: any, platform: Platform) => new TrainJob(c, 'w', { platform, name: 'w', image: 'trainer:1.0', accelerator: Accelerator.L4 }), 'TrainJob ml/w (karpenter/w)'],
  ])('%s', (_kind, add, what) => {
    expect(strict(add)).toThrow(`[karpenter/gpu] (strict mode) expireAfter=168h: ${what} ${rest}`);
  });
  test('a LeaderWorkerSet serves: its restartPolicy (RecreateGroupOnPodRestart) is a group\'s, no job\'s (no warning, even in strict mode)', () => {
    const build = strict((c, platform) => new VllmLeaderWorkerSet(c, 'w', {
      platform, name: 'w', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, gpus: 1, nodes: 2, maxContextLength: 8192,
      huggingFaceToken: { secretName: 'hf', key: 'token' },
    }));
    const lws = build().find((o: any) => o.kind === 'LeaderWorkerSet');
    expect(lws.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
  });
  test('once per object, however many replicas; and no warning for a deadline or a service', () => {
    const warnings: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => { warnings.push(String(s)); return true; }) as any;
    try {
      const chart = chartFor(karpenter);
      const gpu = new GpuNodePool(chart, 'gpu', { name: 'gpu', accelerator: Accelerator.L4, gpuLimit: 8, expireAfter: NodeExpiry.after(Duration.days(7)), ...aws });
      new TfJob(chart, 'tf', { platform: gpu.platform(), name: 'tf', image: 'tf:2.14', accelerator: Accelerator.L4, chief: { replicas: 1 }, workers: { replicas: 3 } });
      new GpuTrainingJob(chart, 'dated', { platform: gpu.platform(), image: 'train:1', accelerator: Accelerator.L4, activeDeadline: Duration.days(1) });
      new InferenceDeployment(chart, 'ep', { platform: gpu.platform(), image: 'server:1', accelerator: Accelerator.L4 });
      Testing.synth(chart);
    } finally {
      process.stderr.write = write;
    }
    expect(warnings.filter(w => w.includes('without an active deadline'))).toEqual([`[WARNING] [karpenter/gpu] expireAfter=168h: TFJob ml/tf (karpenter/tf) ${rest}\n`]);
  });
});
