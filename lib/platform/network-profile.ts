import { k8s } from 'cdk8s-plus-28';
import { Accelerator, AcceleratorNetwork, MachineShape } from '../accelerator';
import { Conventions } from '../conventions';
import { _Problems, _checkProps, _imageProblem, _show } from '../validation';
import { GkePlatform } from './gke';
import { GkeAutopilotPlatform } from './gke-autopilot';
import { Cloud, GpuRequest, Platform } from './platform';

/** Options of `NetworkProfile.gpuDirectTcpxo()`. */
export interface GpuDirectTcpxoOptions {
  /**
   * The 8 GKE `Network` objects (one per GPU NIC, `eth1`...`eth8`) the cluster defines for the A3 Mega node pool.
   * @default ['vpc1', ..., 'vpc8'] (the names of Google's samples)
   */
  readonly networks?: string[];
  /**
   * Image of the receive-datapath daemon sidecar (`tcpxo-daemon`); it must match the NCCL plugin the installer
   * DaemonSet put on the nodes.
   * @default 'us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev:v1.0.21' (release of 2026-01-09)
   */
  readonly daemonImage?: string;
}

/** Options of `NetworkProfile.gpuDirectRdma()`. */
export interface GpuDirectRdmaOptions {
  /**
   * The GKE `Network` of the second gVNIC (`eth1`).
   * @default 'gvnic-1'
   */
  readonly gvnicNetwork?: string;
  /**
   * The 8 GKE `Network` objects of the RDMA NICs (`eth2`...`eth9`).
   * @default ['rdma-0', ..., 'rdma-7']
   */
  readonly rdmaNetworks?: string[];
}

/** Options of `NetworkProfile.efa()`. */
export interface EfaOptions {
  /**
   * EFA interfaces per pod (`vpc.amazonaws.com/efa`).
   * @default - every interface of the instance types with the pod's GPU count (the fewest, when they differ)
   */
  readonly interfaces?: number;
}

/** What a network profile adds to a pod. @internal */
export interface _NetworkPod {
  readonly podAnnotations: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  /** Env of the main container (user env of the same name wins). */
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
  /** Mounts of the main container. */
  readonly mounts: k8s.VolumeMount[];
  /** Native sidecars (init containers with `restartPolicy: Always`). */
  readonly sidecars: k8s.Container[];
  /** Extended resources of the main container (request == limit). */
  readonly resources: { [name: string]: number };
  /** Shell lines run before the training launcher (e.g. sourcing the plugin's NCCL env). */
  readonly launchPreamble: string[];
}

/** GKE multi-networking pod annotations. */
const DEFAULT_INTERFACE_ANNOTATION = 'networking.gke.io/default-interface';
const INTERFACES_ANNOTATION = 'networking.gke.io/interfaces';
/** GKE device annotation giving a named container access to host devices (the TCPXO daemon needs the GPUs'). */
const TCPXO_DEVICES_ANNOTATION = 'devices.gke.io/container.tcpxo-daemon';
const TCPXO_DAEMON_IMAGE = 'us-docker.pkg.dev/gce-ai-infra/gpudirect-tcpxo/tcpgpudmarxd-dev:v1.0.21';
/** Where GKE's NCCL installer DaemonSets put the NCCL core and plugins on the node, and where pods mount them. */
const GKE_NVIDIA_LIB64 = '/usr/local/nvidia/lib64';
const EFA_RESOURCE = 'vpc.amazonaws.com/efa';

/**
 * A fast GPU-to-GPU network for multi-node training, as a pod uses it on its platform: GKE's GPUDirect-TCPXO (A3 Mega)
 * and GPUDirect RDMA (A3 Ultra, A4) through GKE multi-networking, and AWS EFA through the EFA device plugin. The
 * accelerator catalog says which machines have which network (`MachineShape.fastNetwork`); a profile on a machine
 * without it is refused, naming the machines that have it.
 *
 * Only the pod side is emitted. The cluster must have the rest: on GKE the node pool's additional node networks, the
 * `Network` and `GKENetworkParamSet` objects named in the pod's interfaces annotation, and Google's NCCL installer
 * DaemonSet; on EKS the EFA device plugin (which must tolerate the GPU taint) and EFA-enabled nodes. See
 * docs/training.md.
 */
export class NetworkProfile {
  /**
   * GPUDirect-TCPXO on GKE Standard (A3 Mega, `a3-megagpu-8g`, 8 x H100 Mega): the pod's 8 GPU NICs, the
   * `tcpxo-daemon` native sidecar, the NCCL plugin's host libraries and device directory, and the NCCL settings of
   * Google's release of 2026-01-09 (plugin v1.0.15, NCCL 2.28). The pod must take the machine's 8 GPUs.
   */
  public static gpuDirectTcpxo(options: GpuDirectTcpxoOptions = {}): NetworkProfile {
    return new NetworkProfile(AcceleratorNetwork.GPUDIRECT_TCPXO, 'NetworkProfile.gpuDirectTcpxo()', 'GpuDirectTcpxoOptions', options);
  }

  /**
   * GPUDirect RDMA on GKE Standard (A3 Ultra `a3-ultragpu-8g` with H200, A4 `a4-highgpu-8g` with B200): the pod's gVNIC
   * and 8 RDMA NICs, the gIB NCCL plugin's host libraries, and its NCCL env (`set_nccl_env.sh`, sourced before the
   * launcher: Google updates it with each plugin release). The pod must take the machine's 8 GPUs.
   */
  public static gpuDirectRdma(options: GpuDirectRdmaOptions = {}): NetworkProfile {
    return new NetworkProfile(AcceleratorNetwork.GPUDIRECT_RDMA, 'NetworkProfile.gpuDirectRdma()', 'GpuDirectRdmaOptions', options);
  }

  /**
   * Elastic Fabric Adapter on AWS (p4d, p5, p5e, p5en, p6-b200 and the larger g4dn/g5/g6/g6e sizes): requests
   * `vpc.amazonaws.com/efa` (so Karpenter launches the node with its EFA interfaces) and sets libfabric's EFA env.
   */
  public static efa(options: EfaOptions = {}): NetworkProfile {
    return new NetworkProfile(AcceleratorNetwork.EFA, 'NetworkProfile.efa()', 'EfaOptions', options);
  }

  /** The network, as the catalog names it. */
  public readonly network: AcceleratorNetwork;
  /** How the profile is written, for messages, e.g. `NetworkProfile.efa()`. */
  public readonly expression: string;
  private readonly options: any;
  private readonly optionProblems: readonly string[];

  private constructor(network: AcceleratorNetwork, expression: string, optionsType: string, options: unknown) {
    this.network = network;
    this.expression = expression;
    const p = new _Problems();
    this.options = _checkProps<any>(p, optionsType, options, { optional: true, name: 'options' }) ?? {};
    this.optionProblems = [...p.messages];
  }

  /**
   * Checks the profile against a pod's platform and GPU request (`prop` names the profile in messages) and returns
   * what it adds to the pod, or undefined when anything is wrong.
   * @internal
   */
  public _forPod(p: _Problems, prop: string, platform: Platform | undefined, req: GpuRequest): _NetworkPod | undefined {
    const before = p.messages.length;
    for (const m of this.optionProblems) p.raw(`${prop}.${m}`);
    if (!(platform instanceof Platform)) return undefined;
    const gke = this.network !== AcceleratorNetwork.EFA;
    const here = gke ? platform instanceof GkePlatform : platform.cloud === Cloud.AWS;
    if (!here) {
      p.raw(`${prop}=${this.expression} is invalid: ${this.network.displayName} is ${gke ? 'a GKE' : 'an AWS'} network and ${platform.displayName} is not ${gke ? 'GKE' : 'on AWS'} (${_offered(platform)})`);
      return undefined;
    }
    if (platform instanceof GkeAutopilotPlatform) {
      p.raw(`${prop}=${this.expression} is invalid: GKE Autopilot admits ${this.network.displayName} pods (hostPath volumes${this.network === AcceleratorNetwork.GPUDIRECT_TCPXO ? ', a NET_ADMIN sidecar' : ''}) only through Google's own exceptions, which the library cannot check yet (allowed on: GKE Standard)`);
      return undefined;
    }
    const acc = req.accelerator;
    if (req.gpus < 1 || !(acc instanceof Accelerator)) {
      p.raw(`${prop}=${this.expression} is invalid: a pod without GPUs${acc === undefined && req.gpus > 0 ? ' or accelerator' : ''} has no GPU network (allowed: with gpus >= 1 and an accelerator whose machines have ${this.network.displayName})`);
      return undefined;
    }
    const machines = gke ? acc.gkeMachines : acc.awsInstances;
    const valid = machines.filter(m => m && typeof m.machineType === 'string' && typeof m.gpus === 'number');
    const fits = valid.filter(m => m.gpus >= req.gpus);
    const withNet = fits.filter(m => m.fastNetwork === this.network);
    if (withNet.length === 0) {
      const where = fits.length ? `${req.gpus} x ${acc.name} runs on ${fits.map(m => m.machineType).join(', ')}, which ${fits.length > 1 ? 'have' : 'has'} no ${this.network.displayName}`
        : `no machine of ${acc.name} with ${req.gpus} GPUs is known`;
      p.raw(`${prop}=${this.expression} is invalid: ${where} (machines with it: ${_machinesWith(this.network, gke)})`);
      return undefined;
    }
    let parts: _NetworkPod | undefined;
    if (this.network === AcceleratorNetwork.EFA) {
      parts = this.efa(p, prop, req, withNet);
    } else {
      // The pod takes every GPU NIC of the machine, so it must take the machine's GPUs: two such pods cannot share it.
      const machine = withNet.sort((a, b) => a.gpus - b.gpus)[0];
      if (req.gpus !== machine.gpus) {
        p.raw(`gpus=${req.gpus} is invalid with ${this.expression}: the pod takes all ${machine.fastNetworkInterfaces ?? machine.gpus} ${this.network.displayName} NICs of ${machine.machineType}, so it must take its ${machine.gpus} GPUs (allowed: ${machine.gpus})`);
        return undefined;
      }
      parts = this.network === AcceleratorNetwork.GPUDIRECT_TCPXO ? this.tcpxo(p, prop, machine) : this.rdma(p, prop);
    }
    return p.messages.length === before ? parts : undefined;
  }

  /**
   * Shell lines run before the launcher (constructs that start the training command through a shell include them).
   * @internal
   */
  public get _launchPreamble(): string[] {
    // Google's gIB env script: "includes all the necessary environment variables for NCCL/gIB and Google expects to
    // update them in future NCCL/gIB releases". Not guarded: without the installer the pod must fail, not run slowly.
    return this.network === AcceleratorNetwork.GPUDIRECT_RDMA ? ['. /usr/local/gib/scripts/set_nccl_env.sh'] : [];
  }

  private tcpxo(p: _Problems, prop: string, machine: MachineShape): _NetworkPod {
    const networks: string[] = this.options.networks ?? Array.from({ length: 8 }, (_, i) => `vpc${i + 1}`);
    _checkNetworks(p, `${prop}.networks`, networks, 8);
    const image: string = this.options.daemonImage ?? TCPXO_DAEMON_IMAGE;
    const problem = _imageProblem(image);
    if (problem) p.error(`${prop}.daemonImage`, image, `must be a container image reference: it ${problem}`);
    const nics = networks.map((_, i) => `eth${i + 1}`);
    const devices = [...Array.from({ length: machine.gpus }, (_, i) => `/dev/nvidia${i}`), '/dev/nvidiactl', '/dev/nvidia-uvm', '/dev/dmabuf_import_helper'];
    const lib = { name: 'tcpxo-nvidia-lib64', hostPath: { path: '/home/kubernetes/bin/nvidia/lib64' } };
    // NCCL settings of the release of 2026-01-09 (gpudirect-tcpxo/README.md), the plugin's files under the mounted lib64.
    const nccl: Array<[string, string]> = [
      ['LD_LIBRARY_PATH', GKE_NVIDIA_LIB64], ['NCCL_LIB_DIR', GKE_NVIDIA_LIB64],
      ['NCCL_FASTRAK_LLCM_DEVICE_DIRECTORY', '/dev/aperture_devices'],
      ['NCCL_FASTRAK_CTRL_DEV', 'eth0'], ['NCCL_FASTRAK_IFNAME', nics.join(',')], ['NCCL_SOCKET_IFNAME', 'eth0'],
      ['NCCL_CROSS_NIC', '0'], ['NCCL_PROTO', 'Simple,LL128'], ['NCCL_MIN_NCHANNELS', '4'],
      ['NCCL_TUNER_PLUGIN', 'libnccl-tuner.so'], ['NCCL_TUNER_CONFIG_PATH', `${GKE_NVIDIA_LIB64}/a3plus_tuner_config.textproto`],
      ['NCCL_SHIMNET_GUEST_CONFIG_CHECKER_CONFIG_FILE', `${GKE_NVIDIA_LIB64}/a3plus_guest_config.textproto`],
      ['CUDA_VISIBLE_DEVICES', Array.from({ length: machine.gpus }, (_, i) => String(i)).join(',')],
      ['NCCL_NVLSTREE_MAX_CHUNKSIZE', '131072'], ['NCCL_P2P_NET_CHUNKSIZE', '524288'], ['NCCL_P2P_PCI_CHUNKSIZE', '524288'],
      ['NCCL_P2P_NVL_CHUNKSIZE', '1048576'], ['NCCL_FASTRAK_NUM_FLOWS', '2'], ['NCCL_FASTRAK_USE_SNAP', '1'],
      ['NCCL_FASTRAK_PLUGIN_ACCEPT_TIMEOUT_MS', '600000'], ['NCCL_FASTRAK_ENABLE_CONTROL_CHANNEL', '0'], ['NCCL_BUFFSIZE', '8388608'],
      ['NCCL_NET_GDR_LEVEL', 'PIX'], ['NCCL_FASTRAK_ENABLE_HOTPATH_LOGGING', '0'], ['NCCL_FASTRAK_USE_LLCM', '1'], ['NCCL_NVLS_ENABLE', '1'],
      ['NCCL_DEBUG', 'WARN'],
    ];
    return {
      podAnnotations: {
        [DEFAULT_INTERFACE_ANNOTATION]: 'eth0',
        [INTERFACES_ANNOTATION]: _interfaces(networks.map((network, i) => [`eth${i + 1}`, network])),
        [TCPXO_DEVICES_ANNOTATION]: devices.map(d => `- path: ${d}\n`).join(''),
      },
      // hostPath volumes and a root sidecar with NET_ADMIN: what GPUDirect-TCPXO needs, and no "restricted" pod.
      podLabels: { [Conventions.PSS_EXCEPTION_LABEL]: 'gpudirect-tcpxo' },
      env: nccl.map(([name, value]) => ({ name, value })),
      volumes: [
        lib,
        { name: 'tcpxo-sys', hostPath: { path: '/sys' } },
        { name: 'tcpxo-proc-sys', hostPath: { path: '/proc/sys' } },
        { name: 'tcpxo-aperture-devices', hostPath: { path: '/dev/aperture_devices' } },
      ],
      mounts: [
        { name: lib.name, mountPath: GKE_NVIDIA_LIB64, readOnly: true },
        { name: 'tcpxo-aperture-devices', mountPath: '/dev/aperture_devices' },
      ],
      // A native sidecar (GKE 1.29+), so a Job completes when training ends (gpudirect-tcpxo/best-practice.md).
      sidecars: [{
        name: 'tcpxo-daemon',
        image,
        restartPolicy: 'Always',
        command: ['/bin/sh', '-c'],
        args: ['set -ex\nchmod 755 /fts/entrypoint_rxdm_container.sh\n/fts/entrypoint_rxdm_container.sh --num_hops=2\n'],
        // Root with NET_ADMIN and NET_BIND_SERVICE, not privileged (Google's manifests); the pod's own user is not root.
        securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_BIND_SERVICE'] } },
        env: [{ name: 'LD_LIBRARY_PATH', value: GKE_NVIDIA_LIB64 }],
        volumeMounts: [
          { name: lib.name, mountPath: GKE_NVIDIA_LIB64 },
          { name: 'tcpxo-sys', mountPath: '/hostsysfs' },
          { name: 'tcpxo-proc-sys', mountPath: '/hostprocsysfs' },
        ],
      }],
      resources: {},
      launchPreamble: [],
    };
  }

  private rdma(p: _Problems, prop: string): _NetworkPod {
    const gvnic: string = this.options.gvnicNetwork ?? 'gvnic-1';
    const rdma: string[] = this.options.rdmaNetworks ?? Array.from({ length: 8 }, (_, i) => `rdma-${i}`);
    _checkNetworks(p, `${prop}.gvnicNetwork`, [gvnic], 1);
    _checkNetworks(p, `${prop}.rdmaNetworks`, rdma, 8);
    return {
      podAnnotations: {
        [DEFAULT_INTERFACE_ANNOTATION]: 'eth0',
        [INTERFACES_ANNOTATION]: _interfaces([['eth1', gvnic], ...rdma.map((network, i): [string, string] => [`eth${i + 2}`, network])]),
      },
      // hostPath volumes of the gIB plugin and the driver: no "restricted" pod.
      podLabels: { [Conventions.PSS_EXCEPTION_LABEL]: 'gpudirect-rdma' },
      env: [{ name: 'LD_LIBRARY_PATH', value: `${GKE_NVIDIA_LIB64}:/usr/local/gib/lib64` }],
      volumes: [
        { name: 'rdma-nvidia', hostPath: { path: '/home/kubernetes/bin/nvidia' } },
        { name: 'rdma-gib', hostPath: { path: '/home/kubernetes/bin/gib' } },
      ],
      mounts: [
        { name: 'rdma-nvidia', mountPath: '/usr/local/nvidia', readOnly: true },
        { name: 'rdma-gib', mountPath: '/usr/local/gib', readOnly: true },
      ],
      sidecars: [],
      resources: {},
      launchPreamble: this._launchPreamble,
    };
  }

  private efa(p: _Problems, prop: string, req: GpuRequest, withEfa: MachineShape[]): _NetworkPod {
    // The instance types with the fewest GPUs that still hold the pod, and of those the fewest EFA interfaces: every
    // one of them can run the pod.
    const fewest = Math.min(...withEfa.map(m => m.gpus));
    const natural = Math.min(...withEfa.filter(m => m.gpus === fewest).map(m => m.fastNetworkInterfaces ?? 1));
    const most = Math.max(...withEfa.map(m => m.fastNetworkInterfaces ?? 1));
    const given: number | undefined = this.options.interfaces;
    if (given !== undefined && (!Number.isInteger(given) || given < 1 || given > most)) {
      const types = withEfa.filter(m => (m.fastNetworkInterfaces ?? 1) === most).map(m => m.machineType).join(', ');
      p.error(`${prop}.interfaces`, given, `${req.gpus} x ${req.accelerator!.name} runs on instance types with at most ${most} EFA interfaces (${types}) (allowed: 1-${most})`);
    }
    return {
      podAnnotations: {},
      podLabels: {},
      // awsome-distributed-training efa-cheatsheet.md: FI_PROVIDER=efa selects the provider; fork safety for data
      // loaders. No hugepages request (Karpenter cannot schedule one, kubernetes-sigs/karpenter#751), so libfabric is
      // told not to use huge pages. FI_EFA_USE_DEVICE_RDMA is left out: not needed with libfabric >= 1.18, and the g
      // sizes have no RDMA read.
      env: [
        { name: 'FI_PROVIDER', value: 'efa' },
        { name: 'FI_EFA_FORK_SAFE', value: '1' },
        { name: 'FI_EFA_USE_HUGE_PAGE', value: '0' },
      ],
      volumes: [],
      mounts: [],
      sidecars: [],
      resources: { [EFA_RESOURCE]: given ?? natural },
      launchPreamble: [],
    };
  }
}

/** The GKE multi-networking interfaces annotation: eth0 on the default network, then the given ones. */
function _interfaces(extra: Array<[string, string]>): string {
  return JSON.stringify([['eth0', 'default'], ...extra].map(([interfaceName, network]) => ({ interfaceName, network })));
}

/** GKE Network names: Kubernetes object names, as many as the machine has NICs. */
function _checkNetworks(p: _Problems, prop: string, names: string[], count: number): void {
  if (names.length !== count || names.some(n => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) || n.length > 63)) {
    p.error(prop, names, `must be ${count === 1 ? 'the name' : `${count} names`} of GKE Network object${count === 1 ? '' : 's'} (DNS labels), one per NIC`);
  }
  if (new Set(names).size !== names.length) p.error(prop, names, 'must name a different Network for each NIC');
}

/** The catalog's machines with `network`, each with its accelerator, for messages. */
function _machinesWith(network: AcceleratorNetwork, gke: boolean): string {
  const out: string[] = [];
  for (const acc of Accelerator._known()) {
    for (const m of gke ? acc.gkeMachines : acc.awsInstances) {
      if (m?.fastNetwork === network) out.push(`${m.machineType} (${_acceleratorExpression(acc)})`);
    }
  }
  return [...new Set(out)].join(', ') || 'none in the catalog';
}

/** How a user writes an accelerator: `Accelerator.H100_MEGA_80GB`, or its name for a custom one. */
function _acceleratorExpression(acc: Accelerator): string {
  for (const [key, value] of Object.entries(Accelerator)) if (value === acc) return `Accelerator.${key}`;
  return _show(acc.name);
}

/** The profiles a platform offers, for messages. */
function _offered(platform: Platform): string {
  if (platform instanceof GkePlatform) {
    return `${platform.displayName} offers: NetworkProfile.gpuDirectTcpxo() on ${_machinesWith(AcceleratorNetwork.GPUDIRECT_TCPXO, true)}; NetworkProfile.gpuDirectRdma() on ${_machinesWith(AcceleratorNetwork.GPUDIRECT_RDMA, true)}`;
  }
  if (platform.cloud === Cloud.AWS) return `${platform.displayName} offers: NetworkProfile.efa()`;
  return `${platform.displayName} offers none: the library does not know its machines`;
}
