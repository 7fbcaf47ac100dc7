/**
 * Kueue topology-aware placement (issue 15 item 3, the part that does not depend on the fleet): a Topology with each
 * platform's levels, and a workload's required/preferred level, checked against the Topology's levels.
 */
import {
  Accelerator, ClusterAddon, DdpJobSet, GkePlatform, GpuTrainingJob, KarpenterPlatform, Platform, Topology, TopologyPlacement, TopologyProps,
} from '../lib';
import { expectCelRulesHold } from './support/cel';
import { chartFor, find, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();

describe('Topology', () => {
  test('GKE: block, sub-block, host, node; cluster-scoped kueue.x-k8s.io/v1beta2; CEL rules hold', () => {
    const chart = chartFor(standard);
    new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' });
    const objects = synth(chart, standard);
    const t = find(objects, 'Topology');
    expect(t.apiVersion).toBe('kueue.x-k8s.io/v1beta2');
    expect(t.metadata.namespace).toBeUndefined();
    expect(t.spec.levels).toEqual([
      { nodeLabel: 'cloud.google.com/gce-topology-block' }, { nodeLabel: 'cloud.google.com/gce-topology-subblock' },
      { nodeLabel: 'cloud.google.com/gce-topology-host' }, { nodeLabel: 'kubernetes.io/hostname' },
    ]);
    // Kueue's Topology CRD: levels unique, hostname only last.
    expect(expectCelRulesHold(objects)).toBeGreaterThanOrEqual(2);
  });
  test('Karpenter (EKS): the EC2 network node layers 1-3, then the node', () => {
    expect(karpenter.topologyLevels()).toEqual([
      'topology.k8s.aws/network-node-layer-1', 'topology.k8s.aws/network-node-layer-2', 'topology.k8s.aws/network-node-layer-3', 'kubernetes.io/hostname',
    ]);
    expect(Platform.gkeAutopilot().topologyLevels()).toEqual(standard.topologyLevels());
  });
  test('plain Kubernetes states none: the levels are given', () => {
    const chart = chartFor(kubernetes);
    new Topology(chart, 'topology', { platform: kubernetes, levels: ['example.com/rack', 'kubernetes.io/hostname'] });
    expect(find(synth(chart, kubernetes), 'Topology').spec.levels).toEqual([{ nodeLabel: 'example.com/rack' }, { nodeLabel: 'kubernetes.io/hostname' }]);
  });
  test('Topology.fromName: an existing Topology with its levels', () => {
    expect(Topology.fromName('default', ['a/b'])).toEqual({ topologyName: 'default', levels: ['a/b'] });
  });
});

describe('a workload\'s required or preferred level', () => {
  test('the pod template carries Kueue\'s annotation naming the level', () => {
    const chart = chartFor(standard);
    const topology = new Topology(chart, 'topology', { platform: standard });
    new DdpJobSet(chart, 'ddp', {
      platform: standard, image: 'trainer:1.0', module: 'train', accelerator: Accelerator.H100_MEGA_80GB, gpus: 8,
      topology: TopologyPlacement.required(topology, GkePlatform.TOPOLOGY_BLOCK_LABEL),
    });
    new GpuTrainingJob(chart, 'one', {
      platform: standard, image: 'trainer:1.0', accelerator: Accelerator.L4,
      topology: TopologyPlacement.preferred(topology, GkePlatform.TOPOLOGY_HOST_LABEL),
    });
    const objects = synth(chart, standard);
    const pod = find(objects, 'JobSet').spec.replicatedJobs[0].template.spec.template;
    expect(pod.metadata.annotations).toEqual({ 'kueue.x-k8s.io/podset-required-topology': 'cloud.google.com/gce-topology-block' });
    expect(find(objects, 'Job').spec.template.metadata.annotations).toEqual({ 'kueue.x-k8s.io/podset-preferred-topology': 'cloud.google.com/gce-topology-host' });
  });
});

const P = '[gke-standard/topology]';
const badTopologies: [string, Platform, Partial<TopologyProps>, string][] = [
  ['no levels on a platform that states none', kubernetes, {},
    '[kubernetes/topology] levels=[] is invalid: Kubernetes (NVIDIA device plugin) states no topology levels; give the node labels of the cluster\'s topology, widest first (e.g. ["example.com/rack", "kubernetes.io/hostname"]); a Topology has 1 to 16 levels'],
  ['a level twice', standard, { levels: ['a/rack', 'a/rack'] }, `${P} levels=["a/rack","a/rack"] is invalid: must be unique (a/rack more than once)`],
  ['hostname above another level', standard, { levels: ['kubernetes.io/hostname', 'a/rack'] },
    `${P} levels=["kubernetes.io/hostname","a/rack"] is invalid: kubernetes.io/hostname can only be the last (lowest) level`],
  ['not a label key', standard, { levels: ['rack id'] }, `${P} levels[0]="rack id" is invalid: must be a node label key, e.g. "kubernetes.io/hostname"`],
  ['17 levels', standard, { levels: Array.from({ length: 17 }, (_, i) => `a/l${i}`) }, `${P} levels=["a/l0",`],
  ['Kueue not among the add-ons', Platform.gkeStandard({ addons: [ClusterAddon.JOBSET] }), {},
    `${P} platform.addons=[jobset] is invalid: a Kueue Topology needs Kueue (kueue.x-k8s.io), which GKE Standard does not list`],
];

describe('bad input: exact messages', () => {
  test.each(badTopologies)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new Topology(chart, 'topology', { platform, ...props }), platform);
    expect(msg).toContain(expected);
  });

  const Q = '[gke-standard/train]';
  test.each([
    ['a level the Topology does not have', (t: Topology) => TopologyPlacement.required(t, 'cloud.google.com/gce-topology-rack'), standard,
      `${Q} topology=TopologyPlacement.required("gke-standard-topology", "cloud.google.com/gce-topology-rack") is invalid: the Topology has no level "cloud.google.com/gce-topology-rack" (levels: cloud.google.com/gce-topology-block, cloud.google.com/gce-topology-subblock, cloud.google.com/gce-topology-host, kubernetes.io/hostname)`],
    ['a level of another platform\'s topology', (t: Topology) => TopologyPlacement.preferred(t, `${KarpenterPlatform.NETWORK_NODE_LAYER_LABEL_PREFIX}3`), standard,
      `${Q} topology=TopologyPlacement.preferred("gke-standard-topology", "topology.k8s.aws/network-node-layer-3") is invalid: the Topology has no level "topology.k8s.aws/network-node-layer-3"`],
    ['a Topology of another cluster', (t: Topology) => TopologyPlacement.required(t, GkePlatform.TOPOLOGY_BLOCK_LABEL), Platform.gkeStandard({ cluster: 'other' }),
      `${Q} topology=TopologyPlacement.required("gke-standard-topology", "cloud.google.com/gce-topology-block") is invalid: the Topology belongs to cluster "default" and the workload to cluster "other"`],
    ['a workload on a cluster without Kueue', (t: Topology) => TopologyPlacement.required(t, GkePlatform.TOPOLOGY_BLOCK_LABEL), Platform.gkeStandard({ addons: [] }),
      `${Q} platform.addons=[] is invalid: topology-aware placement needs Kueue (kueue.x-k8s.io), which GKE Standard does not list`],
    ['a level missing from a Topology given by name', () => TopologyPlacement.required(Topology.fromName('default', ['a/block']), 'a/rack'), standard,
      `${Q} topology=TopologyPlacement.required("default", "a/rack") is invalid: the Topology has no level "a/rack" (levels: a/block)`],
  ] as [string, (t: Topology) => TopologyPlacement, Platform, string][])('%s', (_name, placement, platform, expected) => {
    const msg = synthError(chart => {
      const t = new Topology(chart, 'topology', { platform: standard });
      new GpuTrainingJob(chart, 'train', { platform, image: 'trainer:1.0', accelerator: Accelerator.L4, topology: placement(t) });
    }, standard);
    expect(msg).toContain(expected);
  });

  test('two Topologies with one name in one cluster conflict', () => {
    const msg = synthError(chart => {
      new Topology(chart, 'a', { platform: standard, name: 'gpu' });
      new Topology(chart, 'b', { platform: standard, name: 'gpu' });
    }, standard);
    expect(msg).toContain('[gke-standard/a] name="gpu" is invalid: Topology gpu is also emitted by [gke-standard/b] in cluster "default"');
  });
});
