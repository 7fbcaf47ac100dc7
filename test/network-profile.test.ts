/**
 * Accelerator network profiles (issue 15 item 4): what each profile adds to a pod on the platform and machine that has
 * the network, and the exact refusals elsewhere.
 */
import { Size } from 'cdk8s';
import {
  Accelerator, AcceleratorNetwork, Conventions, DdpJob, DdpJobSet, DdpJobSetProps, NetworkProfile, Platform, PyTorchJob, StorageVolume,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const base = { image: 'trainer:1.0', module: 'train' };
const mega = { accelerator: Accelerator.H100_MEGA_80GB, gpus: 8 };

function jobSet(platform: Platform, props: Partial<DdpJobSetProps>): any {
  const chart = chartFor(platform);
  new DdpJobSet(chart, 'ddp', { platform, ...base, ...props } as DdpJobSetProps);
  const js = find(synth(chart, platform), 'JobSet');
  return js.spec.replicatedJobs[0].template.spec.template;
}
const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('the catalog says which machines have which network', () => {
  test('GKE: A3 Mega has TCPXO, A3 Ultra and A4 have RDMA, 8 NICs each; A3 High has none', () => {
    expect(Accelerator.H100_MEGA_80GB.gkeMachineFor(8)).toMatchObject({ fastNetwork: AcceleratorNetwork.GPUDIRECT_TCPXO, fastNetworkInterfaces: 8 });
    expect(Accelerator.H200_141GB.gkeMachineFor(8)).toMatchObject({ fastNetwork: AcceleratorNetwork.GPUDIRECT_RDMA, fastNetworkInterfaces: 8 });
    expect(Accelerator.B200.gkeMachineFor(8)).toMatchObject({ fastNetwork: AcceleratorNetwork.GPUDIRECT_RDMA, fastNetworkInterfaces: 8 });
    expect(Accelerator.H100_80GB.gkeMachineFor(8)!.fastNetwork).toBeUndefined();
  });
  test('AWS: EFA interfaces per instance type (Karpenter instance-types reference)', () => {
    const efa = (acc: Accelerator) => Object.fromEntries(acc.awsInstances.filter(m => m.fastNetwork === AcceleratorNetwork.EFA)
      .map(m => [m.machineType, m.fastNetworkInterfaces]));
    expect(efa(Accelerator.H100_80GB)).toEqual({ 'p5.4xlarge': 1, 'p5.48xlarge': 32 });
    expect(efa(Accelerator.H200_141GB)).toEqual({ 'p5e.48xlarge': 32, 'p5en.48xlarge': 16 });
    expect(efa(Accelerator.A100_40GB)).toEqual({ 'p4d.24xlarge': 4 });
    expect(efa(Accelerator.L40S)).toEqual({ 'g6e.8xlarge': 1, 'g6e.12xlarge': 1, 'g6e.16xlarge': 1, 'g6e.24xlarge': 2, 'g6e.48xlarge': 4 });
    expect(Accelerator.A10G.awsInstances.find(m => m.machineType === 'g5.xlarge')!.fastNetwork).toBeUndefined();
  });
});

describe('GPUDirect-TCPXO on GKE Standard (A3 Mega)', () => {
  const t = jobSet(standard, { accelerator: Accelerator.H100_MEGA_80GB, gpus: 8, networkProfile: NetworkProfile.gpuDirectTcpxo() });
  const c = t.spec.containers[0];
  test('multi-networking and device annotations: eth0 default, eth1..eth8 on vpc1..vpc8, the 8 GPUs for the daemon', () => {
    expect(t.metadata.annotations['networking.gke.io/default-interface']).toBe('eth0');
    expect(JSON.parse(t.metadata.annotations['networking.gke.io/interfaces'])).toEqual([
      { interfaceName: 'eth0', network: 'default' },
      ...Array.from({ length: 8 }, (_, i) => ({ interfaceName: `eth${i + 1}`, network: `vpc${i + 1}` })),
    ]);
    const devices = t.metadata.annotations['devices.gke.io/container.tcpxo-daemon'];
    expect(devices.split('\n').filter(Boolean)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `- path: /dev/nvidia${i}`), '- path: /dev/nvidiactl', '- path: /dev/nvidia-uvm', '- path: /dev/dmabuf_import_helper',
    ]);
  });
  test('the tcpxo-daemon is a native sidecar: root with NET_ADMIN, not privileged, host lib64, /sys and /proc/sys', () => {
    expect(t.spec.initContainers).toHaveLength(1);
    const d = t.spec.initContainers[0];
    expect(d).toMatchObject({
      name: 'tcpxo-daemon', image: 'us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev:v1.0.21', restartPolicy: 'Always',
      securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_BIND_SERVICE'] } },
    });
    expect(d.securityContext.privileged).toBeUndefined();
    expect(d.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/usr/local/nvidia/lib64', '/hostsysfs', '/hostprocsysfs']);
    expect(t.spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path))
      .toEqual(['/home/kubernetes/bin/nvidia/lib64', '/sys', '/proc/sys', '/dev/aperture_devices']);
  });
  test('the training container: NCCL plugin libraries, LLCM devices and the NCCL settings of the 2026-01-09 release', () => {
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'tcpxo-nvidia-lib64', mountPath: '/usr/local/nvidia/lib64', readOnly: true },
      { name: 'tcpxo-aperture-devices', mountPath: '/dev/aperture_devices' },
    ]));
    expect(envOf(c)).toMatchObject({
      LD_LIBRARY_PATH: '/usr/local/nvidia/lib64', NCCL_FASTRAK_CTRL_DEV: 'eth0', NCCL_FASTRAK_IFNAME: 'eth1,eth2,eth3,eth4,eth5,eth6,eth7,eth8',
      NCCL_SOCKET_IFNAME: 'eth0', NCCL_FASTRAK_LLCM_DEVICE_DIRECTORY: '/dev/aperture_devices', NCCL_PROTO: 'Simple,LL128',
      NCCL_TUNER_CONFIG_PATH: '/usr/local/nvidia/lib64/a3plus_tuner_config.textproto', CUDA_VISIBLE_DEVICES: '0,1,2,3,4,5,6,7',
      MASTER_ADDR: expect.any(String),
    });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(8);
  });
  test('the pod carries the Pod Security exception label naming the profile', () => {
    expect(t.metadata.labels[Conventions.PSS_EXCEPTION_LABEL]).toBe('gpudirect-tcpxo');
  });
  test('other Network names', () => {
    const names = Array.from({ length: 8 }, (_, i) => `gpu-net-${i}`);
    const o = jobSet(standard, { ...mega, networkProfile: NetworkProfile.gpuDirectTcpxo({ networks: names }) });
    expect(JSON.parse(o.metadata.annotations['networking.gke.io/interfaces']).map((i: any) => i.network)).toEqual(['default', ...names]);
  });
  test('a user env var keeps the user\'s value, once', () => {
    const o = jobSet(standard, { accelerator: Accelerator.H100_MEGA_80GB, gpus: 8, env: { NCCL_DEBUG: 'INFO' }, networkProfile: NetworkProfile.gpuDirectTcpxo() });
    const env = o.spec.containers[0].env.filter((e: any) => e.name === 'NCCL_DEBUG');
    expect(env).toEqual([{ name: 'NCCL_DEBUG', value: 'INFO' }]);
  });
});

describe('GPUDirect RDMA on GKE Standard (A3 Ultra, A4)', () => {
  const t = jobSet(standard, { accelerator: Accelerator.H200_141GB, gpus: 8, networkProfile: NetworkProfile.gpuDirectRdma() });
  const c = t.spec.containers[0];
  test('gVNIC on eth1 and 8 RDMA NICs on eth2..eth9; no sidecar', () => {
    expect(JSON.parse(t.metadata.annotations['networking.gke.io/interfaces'])).toEqual([
      { interfaceName: 'eth0', network: 'default' }, { interfaceName: 'eth1', network: 'gvnic-1' },
      ...Array.from({ length: 8 }, (_, i) => ({ interfaceName: `eth${i + 2}`, network: `rdma-${i}` })),
    ]);
    expect(t.spec.initContainers).toBeUndefined();
    expect(t.metadata.labels[Conventions.PSS_EXCEPTION_LABEL]).toBe('gpudirect-rdma');
  });
  test('host driver and gIB plugin mounted read-only; gIB\'s NCCL env sourced before torchrun', () => {
    expect(c.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'rdma-nvidia', mountPath: '/usr/local/nvidia', readOnly: true },
      { name: 'rdma-gib', mountPath: '/usr/local/gib', readOnly: true },
    ]));
    expect(envOf(c).LD_LIBRARY_PATH).toBe('/usr/local/nvidia/lib64:/usr/local/gib/lib64');
    expect(c.command[2].split('\n')[0]).toBe('. /usr/local/gib/scripts/set_nccl_env.sh');
    expect(c.command[2]).toContain('exec torchrun "$@"');
  });
  test('the preamble also reaches a single-node run and a PyTorchJob (torchrun through a shell)', () => {
    const chart = chartFor(standard);
    const props = { platform: standard, ...base, accelerator: Accelerator.B200, gpus: 8, networkProfile: NetworkProfile.gpuDirectRdma() };
    new DdpJob(chart, 'one', { ...props, nodes: 1 });
    new PyTorchJob(chart, 'pj', props);
    const objects = synth(chart, standard);
    const one = find(objects, 'Job').spec.template.spec.containers[0];
    expect(one.command).toEqual(['/bin/sh', '-c', '. /usr/local/gib/scripts/set_nccl_env.sh\nexec torchrun "$@"\n', 'torchrun']);
    expect(one.args.slice(0, 2)).toEqual(['--standalone', '--nproc_per_node=8']);
    const master = find(objects, 'PyTorchJob').spec.pytorchReplicaSpecs.Master.template.spec.containers[0];
    expect(master.command).toEqual(['/bin/sh', '-c', '. /usr/local/gib/scripts/set_nccl_env.sh\nexec torchrun "$@"\n', 'torchrun']);
  });
});

describe('EFA on Karpenter', () => {
  test('8 x H100: all 32 interfaces of p5.48xlarge, request == limit, libfabric env, no volumes', () => {
    const t = jobSet(karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.efa() });
    const c = t.spec.containers[0];
    expect(c.resources.requests['vpc.amazonaws.com/efa']).toBe(32);
    expect(c.resources.limits['vpc.amazonaws.com/efa']).toBe(32);
    expect(envOf(c)).toMatchObject({ FI_PROVIDER: 'efa', FI_EFA_FORK_SAFE: '1', FI_EFA_USE_HUGE_PAGE: '0' });
    expect(Object.keys(c.resources.requests)).not.toContain('hugepages-2Mi');
    expect(t.spec.volumes.map((v: any) => v.name)).toEqual(['dshm']);
    expect(t.metadata.labels[Conventions.PSS_EXCEPTION_LABEL]).toBeUndefined();
  });
  test.each([
    ['1 x H100 fits p5.4xlarge (1 interface)', Accelerator.H100_80GB, 1, undefined, 1],
    ['8 x H200: p5e has 32, p5en 16: the fewest, so both fit', Accelerator.H200_141GB, 8, undefined, 16],
    ['8 x H200 asking for all 32 (p5e only)', Accelerator.H200_141GB, 8, 32, 32],
    ['1 x A10G: g5.8xlarge and larger have one', Accelerator.A10G, 1, undefined, 1],
    ['4 x L40S: g6e.12xlarge has one', Accelerator.L40S, 4, undefined, 1],
  ])('%s', (_name, accelerator, gpus, interfaces, expected) => {
    const t = jobSet(karpenter, { accelerator, gpus, networkProfile: NetworkProfile.efa({ interfaces }) });
    expect(t.spec.containers[0].resources.requests['vpc.amazonaws.com/efa']).toBe(expected);
  });
});

const P = '[gke-standard/ddp]';
const noEfa = Accelerator.custom({
  name: 'X1', karpenterGpuName: 'x1',
  awsInstanceFamilies: [{ family: 'x1', gpusPerInstance: [1], instances: [{ machineType: 'x1.large', gpus: 1, vcpu: 8, memoryGiB: 32 }] }],
});
const bad: [string, Platform, Partial<DdpJobSetProps>, string][] = [
  ['TCPXO on an A3 High (H100 80GB) machine', standard, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.gpuDirectTcpxo() },
    `${P} networkProfile=NetworkProfile.gpuDirectTcpxo() is invalid: 8 x H100 80GB runs on a3-highgpu-8g, which has no GPUDirect-TCPXO (machines with it: a3-megagpu-8g (Accelerator.H100_MEGA_80GB))`],
  ['RDMA on an A3 Mega machine', standard, { ...mega, networkProfile: NetworkProfile.gpuDirectRdma() },
    `${P} networkProfile=NetworkProfile.gpuDirectRdma() is invalid: 8 x H100 Mega 80GB runs on a3-megagpu-8g, which has no GPUDirect RDMA (machines with it: a3-ultragpu-8g (Accelerator.H200_141GB), a4-highgpu-8g (Accelerator.B200))`],
  ['RDMA on 4 of the 8 GPUs', standard, { accelerator: Accelerator.H200_141GB, gpus: 4, networkProfile: NetworkProfile.gpuDirectRdma() },
    `${P} gpus=4 is invalid with NetworkProfile.gpuDirectRdma(): the pod takes all 8 GPUDirect RDMA NICs of a3-ultragpu-8g, so it must take its 8 GPUs (allowed: 8)`],
  ['EFA on GKE', standard, { ...mega, networkProfile: NetworkProfile.efa() },
    `${P} networkProfile=NetworkProfile.efa() is invalid: EFA is an AWS network and GKE Standard is not on AWS (GKE Standard offers: NetworkProfile.gpuDirectTcpxo() on a3-megagpu-8g (Accelerator.H100_MEGA_80GB); NetworkProfile.gpuDirectRdma() on a3-ultragpu-8g (Accelerator.H200_141GB), a4-highgpu-8g (Accelerator.B200))`],
  ['TCPXO on Karpenter', karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.gpuDirectTcpxo() },
    '[karpenter/ddp] networkProfile=NetworkProfile.gpuDirectTcpxo() is invalid: GPUDirect-TCPXO is a GKE network and Karpenter (EKS) is not GKE (Karpenter (EKS) offers: NetworkProfile.efa())'],
  ['EFA on plain Kubernetes', kubernetes, { gpus: 8, networkProfile: NetworkProfile.efa() },
    '[kubernetes/ddp] networkProfile=NetworkProfile.efa() is invalid: EFA is an AWS network and Kubernetes (NVIDIA device plugin) is not on AWS (Kubernetes (NVIDIA device plugin) offers none: the library does not know its machines)'],
  ['TCPXO on Autopilot', autopilot, { ...mega, networkProfile: NetworkProfile.gpuDirectTcpxo() },
    '[gke-autopilot/ddp] networkProfile=NetworkProfile.gpuDirectTcpxo() is invalid: GKE Autopilot admits GPUDirect-TCPXO pods (hostPath volumes, a NET_ADMIN sidecar) only through Google\'s own exceptions, which the library cannot check yet (allowed on: GKE Standard)'],
  ['EFA on an instance type without EFA', karpenter, { accelerator: noEfa, gpus: 1, networkProfile: NetworkProfile.efa() },
    '[karpenter/ddp] networkProfile=NetworkProfile.efa() is invalid: 1 x X1 runs on x1.large, which has no EFA (machines with it: g4dn.8xlarge (Accelerator.T4),'],
  ['more EFA interfaces than any instance type has', karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.efa({ interfaces: 64 }) },
    '[karpenter/ddp] networkProfile.interfaces=64 is invalid: 8 x H100 80GB runs on instance types with at most 32 EFA interfaces (p5.48xlarge) (allowed: 1-32)'],
  ['7 TCPXO networks', standard, { ...mega, networkProfile: NetworkProfile.gpuDirectTcpxo({ networks: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }) },
    `${P} networkProfile.networks=["a","b","c","d","e","f","g"] is invalid: must be 8 names of GKE Network objects (DNS labels), one per NIC`],
  ['a TCPXO network twice', standard, { ...mega, networkProfile: NetworkProfile.gpuDirectTcpxo({ networks: ['a', 'a', 'c', 'd', 'e', 'f', 'g', 'h'] }) },
    `${P} networkProfile.networks=["a","a","c","d","e","f","g","h"] is invalid: must name a different Network for each NIC`],
  ['a daemon image with a space', standard, { ...mega, networkProfile: NetworkProfile.gpuDirectTcpxo({ daemonImage: 'tcpxo daemon' }) },
    `${P} networkProfile.daemonImage="tcpxo daemon" is invalid: must be a container image reference: it must not contain spaces`],
  ['a volume mounted where the profile mounts the NCCL plugin', standard,
    { ...mega, volumes: [{ volume: StorageVolume.fromEmptyDir(Size.gibibytes(1)), mountPath: '/usr/local/nvidia/lib64' }], networkProfile: NetworkProfile.gpuDirectTcpxo() },
    `${P} networkProfile mount path="/usr/local/nvidia/lib64" is invalid: is also a mount path of the pod: mount that volume elsewhere`],
  ['an option of the wrong type', karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.efa({ interfaces: 'all' as any }) },
    '[karpenter/ddp] networkProfile.interfaces="all" is invalid: must be a number'],
];

describe('bad input: exact messages', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new DdpJobSet(chart, 'ddp', { platform, ...base, ...props } as DdpJobSetProps), platform);
    expect(msg).toContain(expected);
  });
});
