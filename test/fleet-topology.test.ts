/**
 * Topology-aware placement joined to the fleet (issues 13 and 15): a GpuFleet with a Topology names it in every GPU
 * flavor (`topologyName`, Kueue's CEL rules hold), and a workload's placement is checked against its queue's flavors.
 */
import { Chart } from 'cdk8s';
import { Accelerator, DdpJob, GkePlatform, GpuFleet, GpuFlavor, Platform, Topology, TopologyPlacement } from '../lib';
import { celCheck } from './support/cel';
import { SHARED_AVAILABLE } from './support/schema';
import { chartFor, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const A100 = Accelerator.A100_80GB;
const image = 'us-docker.pkg.dev/p/r/trainer:1.0';

function fleet(chart: Chart, platform: Platform, topology?: Topology): GpuFleet {
  return new GpuFleet(chart, 'fleet', {
    platform, name: 'gpu', topology,
    teams: [{ name: 'research', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(A100), gpus: 32 }] }],
  });
}

test('every GPU flavor names the Topology; the CPU/memory flavor does not; Kueue\'s CEL rules hold', () => {
  const chart = chartFor(standard);
  const topology = new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' });
  const f = fleet(chart, standard, topology);
  new DdpJob(chart, 'ddp', {
    platform: standard, image, module: 'train', accelerator: A100, gpus: 8, nodes: 2, queue: f.queue('research'),
    topology: TopologyPlacement.required(topology, GkePlatform.TOPOLOGY_BLOCK_LABEL),
  });
  const objects = synth(chart, standard);
  const flavors = objects.filter(o => o.kind === 'ResourceFlavor');
  expect(flavors.map(o => [o.metadata.name, o.spec.topologyName])).toEqual([['cpu-memory', undefined], ['a100-80gb-on-demand', 'gke-gpu']]);
  const job = objects.find(o => o.kind === 'Job');
  expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('research');
  expect(job.spec.template.metadata.annotations['kueue.x-k8s.io/podset-required-topology']).toBe('cloud.google.com/gce-topology-block');
  if (SHARED_AVAILABLE) expect(flavors.flatMap(o => celCheck(o).failures)).toEqual([]);
});

test('a placement whose queue\'s flavors name no Topology is refused, with the fix', () => {
  const msg = synthError(chart => {
    const topology = new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' });
    const f = fleet(chart, standard);
    new DdpJob(chart, 'ddp', {
      platform: standard, image, module: 'train', accelerator: A100, gpus: 8, nodes: 2, queue: f.queue('research'),
      topology: TopologyPlacement.required(topology, GkePlatform.TOPOLOGY_BLOCK_LABEL),
    });
  }, standard);
  expect(msg).toContain('[gke-standard/ddp] topology=TopologyPlacement.required("gke-gpu", "cloud.google.com/gce-topology-block") is invalid: the flavors of ClusterQueue research for A100 80GB on-demand (a100-80gb-on-demand) name no Topology, so Kueue cannot place the workload by it (allowed: give the GpuFleet topology: the same Topology)');
});

test('a placement naming another Topology than the one its queue\'s flavors name is refused, naming that Topology', () => {
  const msg = synthError(chart => {
    const topology = new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' });
    const f = fleet(chart, standard, topology);
    new DdpJob(chart, 'ddp', {
      platform: standard, image, module: 'train', accelerator: A100, gpus: 8, nodes: 2, queue: f.queue('research'),
      topology: TopologyPlacement.required(Topology.fromName('other-topology', [GkePlatform.TOPOLOGY_BLOCK_LABEL]), GkePlatform.TOPOLOGY_BLOCK_LABEL),
    });
  }, standard);
  expect(msg).toContain('[gke-standard/ddp] topology=TopologyPlacement.required("other-topology", "cloud.google.com/gce-topology-block") is invalid: the flavors of ClusterQueue research for A100 80GB on-demand (a100-80gb-on-demand) name Topology "gke-gpu", so Kueue cannot place the workload by it (allowed: give the GpuFleet topology: the same Topology)');
});

describe('a placement\'s level is checked against the levels of the fleet\'s Topology, not of the object it was given', () => {
  const build = (placementLevels: string[], level: string) => (chart: Chart) => {
    const f = fleet(chart, standard, new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' }));
    new DdpJob(chart, 'ddp', {
      platform: standard, image, module: 'train', accelerator: A100, gpus: 8, nodes: 2, queue: f.queue('research'),
      topology: TopologyPlacement.required(Topology.fromName('gke-gpu', placementLevels), level),
    });
  };
  test('a level the fleet\'s Topology does not have (same name, other levels) is refused, with its levels', () => {
    const msg = synthError(build(['example.com/rack'], 'example.com/rack'), standard);
    expect(msg).toContain('[gke-standard/ddp] topology=TopologyPlacement.required("gke-gpu", "example.com/rack") is invalid: Topology "gke-gpu", which the flavors of ClusterQueue research name, has no level "example.com/rack", so Kueue cannot place the workload by it (allowed: cloud.google.com/gce-topology-block, cloud.google.com/gce-topology-subblock, cloud.google.com/gce-topology-host, kubernetes.io/hostname)');
  });
  test('a level the fleet\'s Topology has passes, whatever object names it', () => {
    const chart = chartFor(standard);
    build([GkePlatform.TOPOLOGY_HOST_LABEL], GkePlatform.TOPOLOGY_HOST_LABEL)(chart);
    const job = synth(chart, standard).find(o => o.kind === 'Job');
    expect(job.spec.template.metadata.annotations['kueue.x-k8s.io/podset-required-topology']).toBe('cloud.google.com/gce-topology-host');
  });
});

test('a fleet with another cluster\'s Topology is refused', () => {
  const other = Platform.gkeStandard({ cluster: 'other' });
  const msg = synthError(chart => fleet(chart, standard, new Topology(chart, 'topology', { platform: other, name: 'gke-gpu' })), standard);
  expect(msg).toContain('[gke-standard/fleet] topology="gke-gpu" is invalid: is a Topology of cluster "other", not of the fleet\'s cluster "default"');
});

test('a placement without a queue warns that Kueue will not act on it (an error in strict mode)', () => {
  const chart = chartFor(standard);
  chart.node.setContext('cdk8s-gpu-ml:strict', true);
  const topology = new Topology(chart, 'topology', { platform: standard, name: 'gke-gpu' });
  new DdpJob(chart, 'ddp', {
    platform: standard, image, module: 'train', accelerator: A100, gpus: 8, nodes: 2,
    topology: TopologyPlacement.preferred(topology, GkePlatform.TOPOLOGY_HOST_LABEL),
  });
  expect(() => synth(chart, standard)).toThrow('(strict mode) topology=TopologyPlacement.preferred("gke-gpu", "cloud.google.com/gce-topology-host") has no effect without a queue: Kueue\'s topology-aware scheduling places only the workloads it admits');
});
