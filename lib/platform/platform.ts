import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator, MachineShape, MigProfileSpec } from '../accelerator';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _Problems, _checkProps, _isLabelValue, _show } from '../validation';
import { MigStrategy } from './nvidia-device-plugin';
import { _shareProblemsOf, _shareTaintToleration } from './sharing-rules';
import { ClusterAddon } from './cluster-addon';
import { PrometheusFlavor } from './prometheus-flavor';

/** What a pod does; platforms schedule and protect each kind differently. */
export enum WorkloadKind {
  /** Single- or multi-node training: must not be disrupted voluntarily. */
  TRAINING = 'training',
  /** Batch work split in shards (e.g. batch inference); must not be disrupted voluntarily. */
  BATCH = 'batch',
  /** Long-running model serving. */
  SERVING = 'serving',
  /** A per-node agent (e.g. a metrics exporter). */
  DAEMON = 'daemon',
  /** An interactive notebook: its kernels hold unsaved state in memory, so it must not be disrupted voluntarily. */
  NOTEBOOK = 'notebook',
}

/** Which kind of capacity a workload runs on. */
export enum CapacityType {
  /** Regular (on-demand) nodes. */
  ON_DEMAND = 'on-demand',
  /** Spot / preemptible nodes only. */
  SPOT = 'spot',
  /** Spot nodes preferred, on-demand nodes when no spot capacity is available (Karpenter only). */
  SPOT_WITH_FALLBACK = 'spot-with-fallback',
  /**
   * GKE flex-start VMs (Dynamic Workload Scheduler): provisioned when capacity frees up, at a discount, and deleted
   * after at most seven days; not preempted. GKE only (GPU pods on GKE 1.32.2-gke.1652000 or later).
   */
  FLEX_START = 'flex-start',
  /**
   * Reserved capacity only: Karpenter's `reserved` capacity type (On-Demand Capacity Reservations and Capacity Blocks
   * that a `GpuNodePool` selects with `capacityReservations`). Karpenter only; on GKE, reservations are priorities of a
   * `ComputeClass`.
   */
  RESERVED = 'reserved',
}

/** Whether a capacity type is spot capacity (preemptible, with the platform's spot grace). @internal */
export function _isSpot(capacityType: CapacityType | undefined): boolean {
  return capacityType === CapacityType.SPOT || capacityType === CapacityType.SPOT_WITH_FALLBACK;
}

/** The cloud a platform runs on; decides which workload identity it understands. */
export enum Cloud {
  /** Google Cloud (GKE). */
  GCP = 'gcp',
  /** Amazon Web Services (EKS). */
  AWS = 'aws',
  /** Any other, or unknown. */
  ANY = 'any',
}

/** Options every platform takes. */
export interface PlatformOptions {
  /**
   * Name of the cluster this platform describes. Objects of one cluster must have unique names; objects of different
   * clusters never conflict. Give two platforms of one kind different names when one app targets two clusters.
   * @default 'default'
   */
  readonly cluster?: string;
  /**
   * The add-ons (operators and controllers) installed in the cluster. A construct that needs one that is not listed
   * is a validation error.
   * @default - not stated: every add-on a construct needs is assumed installed
   */
  readonly addons?: ClusterAddon[];
  /**
   * How the cluster's Prometheus is run: decides which monitoring objects `GpuMonitoring` emits.
   * @default - the platform's usual one (GKE Autopilot: GKE Managed Prometheus; others: prometheus-operator)
   */
  readonly prometheus?: PrometheusFlavor;
}

/** Options of `Platform.gkeAutopilot()`. */
export interface GkeAutopilotOptions extends PlatformOptions {}

/** Options of `Platform.gkeStandard()`. */
export interface GkeStandardOptions extends PlatformOptions {
  /**
   * Termination grace that the cluster's Spot node pools give pods at preemption: spot workloads may ask for at most
   * this much. GKE gives 15 s by default; node pools on GKE 1.35.0-gke.1171000 or later can give up to 120 s (node
   * system config `kubeletConfig.shutdownGracePeriodSeconds` minus `shutdownGracePeriodCriticalPodsSeconds`, or a
   * ComputeClass). Set it to what your Spot node pools give.
   * @default Duration.seconds(15)
   */
  readonly spotGracePeriod?: Duration;
}

/** Options of `Platform.karpenter()`. */
export interface KarpenterOptions extends PlatformOptions {
  /**
   * Name of the NodePool that GPU workloads must land on (`karpenter.sh/nodepool` node selector).
   * @default - any NodePool whose requirements match
   */
  readonly nodePool?: string;
  /**
   * Taint key carried by the GPU nodes (the NodePool's taint); workloads with GPUs tolerate it.
   * @default 'nvidia.com/gpu'
   */
  readonly gpuTaintKey?: string;
  /**
   * The GPU share the NodePool's nodes are configured for (GPU sharing; `GpuNodePool.platform()` sets it): workloads on
   * this platform take it by default and may not ask for another.
   * @default - the NodePool's GPUs are whole; workloads choose their share
   */
  readonly gpuShare?: GpuShare;
}

/** Options of `Platform.kubernetes()`. */
export interface KubernetesOptions extends PlatformOptions {
  /**
   * Select the GPU model with the `nvidia.com/gpu.product` label of NVIDIA GPU feature discovery.
   * @default false - any node that advertises nvidia.com/gpu
   */
  readonly selectGpuProduct?: boolean;
  /**
   * Taint key on GPU nodes that GPU workloads tolerate.
   * @default 'nvidia.com/gpu'
   */
  readonly gpuTaintKey?: string;
  /**
   * Most GPUs one node offers.
   * @default 8
   */
  readonly maxGpusPerNode?: number;
  /**
   * How the cluster's NVIDIA device plugin advertises MIG slices (GPU Operator ClusterPolicy `mig.strategy`): decides
   * the resource and node selector of a `GpuShare.mig` pod.
   * @default - not stated: MIG shares are refused until it is
   */
  readonly migStrategy?: MigStrategy;
}

/**
 * A GPU scheduling request: what a workload asks of its platform for one pod. The one input every platform
 * understands.
 */
export interface GpuRequest {
  /** GPUs per pod; 0 for pods without GPUs. */
  readonly gpus: number;
  /**
   * The GPU model.
   * @default - none (plain Kubernetes: any GPU the device plugin offers)
   */
  readonly accelerator?: Accelerator;
  /** Spot or on-demand capacity. */
  readonly capacityType: CapacityType;
  /** What the pod does. */
  readonly kind: WorkloadKind;
  /**
   * vCPUs requested by all containers of the pod (for machine-bound checks).
   * @default - not checked
   */
  readonly cpu?: number;
  /**
   * Memory requested by all containers of the pod, in MiB.
   * @default - not checked
   */
  readonly memoryMebibytes?: number;
  /**
   * Seconds of termination grace the pod gets.
   * @default - not checked
   */
  readonly terminationGraceSeconds?: number;
  /**
   * Name of a compute class the pod selects (GKE custom compute classes): its priorities decide the machine, the GPUs
   * and the capacity, so `capacityType` stays on-demand.
   * @default - no compute class
   */
  readonly computeClass?: string;
  /**
   * Instance (machine) types the pod is pinned to, by the `node.kubernetes.io/instance-type` node label (issue 18).
   * @default - any type the platform picks for the accelerator
   */
  readonly instanceTypes?: string[];
  /**
   * How the pod's GPUs are shared with other pods (GPU sharing, docs/sharing.md).
   * @default GpuShare.EXCLUSIVE
   */
  readonly share?: GpuShare;
}

/** Where a pod goes and what it carries for its platform: the platform's answer to a `GpuRequest`. */
export interface PodPlacement {
  /** Node selector of the pod. */
  readonly nodeSelector: { [key: string]: string };
  /** Tolerations of the pod. */
  readonly tolerations: k8s.Toleration[];
  /**
   * Node affinity of the pod.
   * @default - none
   */
  readonly affinity?: k8s.Affinity;
  /** Annotations on the pod. */
  readonly podAnnotations: { [key: string]: string };
  /**
   * Whether the pod shares the node's IPC namespace (GPU sharing: GKE's MPS clients reach the node's MPS server through
   * it).
   * @default false
   */
  readonly hostIpc?: boolean;
}

/** What the NVIDIA DCGM exporter needs on a platform beyond its defaults. */
export interface DcgmExporterNeeds {
  /** Extra command-line arguments. */
  readonly args: string[];
  /** Extra environment variables. */
  readonly env: k8s.EnvVar[];
  /** Host paths mounted read-only. */
  readonly hostPaths: HostPathMount[];
}

/** A host path mounted read-only into a node agent. */
export interface HostPathMount {
  /** Volume name. */
  readonly name: string;
  /** Path on the node. */
  readonly hostPath: string;
  /** Path in the container. */
  readonly mountPath: string;
}

/** Where a per-node agent (e.g. the DCGM exporter) runs: only on GPU nodes, tolerating their taints. */
export interface NodeAgentPlacement {
  /** Tolerations for the GPU nodes' taints. */
  readonly tolerations: k8s.Toleration[];
  /** Node affinity selecting GPU nodes. */
  readonly affinity: k8s.Affinity;
}

/** The facts a platform states about itself, given to `Platform`'s constructor by each platform class. */
export interface PlatformFacts {
  /** Short id used in file and chart names, e.g. `gke-autopilot`. */
  readonly id: string;
  /** Human name used in messages, e.g. `GKE Autopilot`. */
  readonly displayName: string;
  /**
   * The cloud the platform runs on.
   * @default Cloud.ANY
   */
  readonly cloud?: Cloud;
  /**
   * Whether the platform offers spot capacity.
   * @default false
   */
  readonly supportsSpot?: boolean;
  /**
   * Whether the platform can fall back from spot to on-demand for one pod.
   * @default false
   */
  readonly supportsSpotFallback?: boolean;
  /**
   * Largest termination grace a spot pod really gets, in seconds.
   * @default - no cap known
   */
  readonly maxSpotGraceSeconds?: number;
  /**
   * Whether the platform offers flex-start capacity (`CapacityType.FLEX_START`).
   * @default false
   */
  readonly supportsFlexStart?: boolean;
  /**
   * Whether pods can ask for reserved capacity by capacity type (`CapacityType.RESERVED`).
   * @default false
   */
  readonly supportsReservedCapacity?: boolean;
  /**
   * Whether pods can select a compute class (`GpuRequest.computeClass`).
   * @default false
   */
  readonly supportsComputeClasses?: boolean;
  /**
   * Whether privileged node agents (e.g. the DCGM exporter DaemonSet) may run.
   * @default true
   */
  readonly allowsNodeAgents?: boolean;
  /**
   * Smallest ephemeral-storage request the platform accepts on a GPU pod, in MiB.
   * @default 1
   */
  readonly minGpuEphemeralStorageMebibytes?: number;
  /**
   * Whether the platform must be told which accelerator a GPU pod wants.
   * @default true
   */
  readonly requiresAccelerator?: boolean;
  /**
   * Whether the platform runs the NVIDIA DCGM exporter itself (e.g. GKE's managed DCGM package): monitoring then
   * deploys no exporter of its own.
   * @default false
   */
  readonly managesDcgm?: boolean;
  /**
   * The usual Prometheus of the platform, when the options do not name one.
   * @default PrometheusFlavor.PROMETHEUS_OPERATOR
   */
  readonly defaultPrometheus?: PrometheusFlavor;
}

/**
 * A Kubernetes platform that runs GPU workloads: the one place that knows its labels, taints, annotations and
 * admission rules. Every construct asks its platform to place its pods and to check them.
 *
 * The four platforms of the library are made with the static factories. A platform of your own extends this class:
 * pass its facts to the constructor, implement `allowedGpuCounts` and `schedule`, and override `validateRequest` or
 * `admissionViolations` where it has rules of its own (see docs/platforms.md).
 */
export abstract class Platform {
  /**
   * The well-known node label with the node's instance (machine) type, set by the cloud provider (`g4dn.xlarge` on EKS,
   * `g2-standard-8` on GKE); Karpenter knows it as a well-known label. `instanceTypes` pins pods with it.
   */
  public static readonly INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

  /** GKE Autopilot. */
  public static gkeAutopilot(options: GkeAutopilotOptions = {}): Platform {
    return Platform._make('gke-autopilot', options, 'GkeAutopilotOptions');
  }

  /** GKE Standard with GPU node pools. */
  public static gkeStandard(options: GkeStandardOptions = {}): Platform {
    return Platform._make('gke-standard', options, 'GkeStandardOptions');
  }

  /** Karpenter v1 on EKS. */
  public static karpenter(options: KarpenterOptions = {}): Platform {
    return Platform._make('karpenter', options, 'KarpenterOptions');
  }

  /** Plain Kubernetes with the NVIDIA device plugin. */
  public static kubernetes(options: KubernetesOptions = {}): Platform {
    return Platform._make('kubernetes', options, 'KubernetesOptions');
  }

  /**
   * Each platform module registers its class here when it loads, so this module needs no import of its subclasses
   * (which import it): no import cycle.
   * @internal
   */
  public static _register(id: string, factory: (options: any) => Platform): void {
    Platform.factories.set(id, factory);
  }

  private static readonly factories = new Map<string, (options: any) => Platform>();

  private static _make(id: string, options: PlatformOptions, type: string): Platform {
    const factory = Platform.factories.get(id);
    if (!factory) throw new Error(`platform ${id} is not loaded: import the library from its package entry point`);
    // The runtime type check of the options (JavaScript and jsii callers); the platform reports its problems.
    const problems = new _Problems();
    const platform = factory(_checkProps(problems, type, options, { optional: true, name: 'options' }));
    platform._optionProblems.unshift(...problems.messages);
    return platform;
  }

  /** Short id used in file and chart names, e.g. `gke-autopilot`. */
  public readonly id: string;
  /** Human name used in messages, e.g. `GKE Autopilot`. */
  public readonly displayName: string;
  /** The cloud this platform runs on. */
  public readonly cloud: Cloud;
  /** Name of the cluster (objects of different clusters never conflict). */
  public readonly cluster: string;
  /** Whether the platform offers spot capacity. */
  public readonly supportsSpot: boolean;
  /** Whether the platform can fall back from spot to on-demand for one pod. */
  public readonly supportsSpotFallback: boolean;
  /** Largest termination grace a spot pod really gets, in seconds (undefined: no cap known). */
  public readonly maxSpotGraceSeconds?: number;
  /** Whether the platform offers flex-start capacity (`CapacityType.FLEX_START`). */
  public readonly supportsFlexStart: boolean;
  /** Whether pods can ask for reserved capacity by capacity type (`CapacityType.RESERVED`). */
  public readonly supportsReservedCapacity: boolean;
  /** Whether pods can select a compute class. */
  public readonly supportsComputeClasses: boolean;
  /** Whether privileged node agents (e.g. the DCGM exporter DaemonSet) may run. */
  public readonly allowsNodeAgents: boolean;
  /** Smallest ephemeral-storage request the platform accepts on a GPU pod, in MiB. */
  public readonly minGpuEphemeralStorageMebibytes: number;
  /** Whether the platform must be told which accelerator a GPU pod wants. */
  public readonly requiresAccelerator: boolean;
  /** Whether the platform itself runs the NVIDIA DCGM exporter (GKE's managed DCGM package). */
  public readonly managesDcgm: boolean;
  /** How the cluster's Prometheus is run. */
  public readonly prometheus: PrometheusFlavor;
  /** The add-ons installed in the cluster, when stated (undefined: every add-on is assumed installed). */
  public readonly addons?: ClusterAddon[];
  /** @internal */
  public readonly _optionProblems: string[] = [];

  protected constructor(facts: PlatformFacts, options: PlatformOptions = {}) {
    options = options ?? {};
    this.id = facts.id;
    this.displayName = facts.displayName;
    this.cloud = facts.cloud ?? Cloud.ANY;
    this.supportsSpot = facts.supportsSpot ?? false;
    this.supportsSpotFallback = facts.supportsSpotFallback ?? false;
    this.maxSpotGraceSeconds = facts.maxSpotGraceSeconds;
    this.supportsFlexStart = facts.supportsFlexStart ?? false;
    this.supportsReservedCapacity = facts.supportsReservedCapacity ?? false;
    this.supportsComputeClasses = facts.supportsComputeClasses ?? false;
    this.allowsNodeAgents = facts.allowsNodeAgents ?? true;
    this.minGpuEphemeralStorageMebibytes = facts.minGpuEphemeralStorageMebibytes ?? 1;
    this.requiresAccelerator = facts.requiresAccelerator ?? true;
    this.managesDcgm = facts.managesDcgm ?? false;
    this.cluster = options.cluster ?? 'default';
    this.prometheus = options.prometheus ?? facts.defaultPrometheus ?? PrometheusFlavor.PROMETHEUS_OPERATOR;
    const addonsValid = Array.isArray(options.addons) && options.addons.every(a => a instanceof ClusterAddon);
    this.addons = addonsValid ? [...options.addons!] : undefined;
    if (typeof this.cluster !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.cluster) || this.cluster.length > 63) {
      this._optionProblems.push(`cluster=${_show(options.cluster)} is invalid: must be a DNS label naming the cluster, e.g. "prod-gpu"`);
    }
    if (!(this.prometheus instanceof PrometheusFlavor)) {
      this._optionProblems.push(`prometheus=${_show(options.prometheus)} is invalid: must be a PrometheusFlavor, e.g. PrometheusFlavor.PROMETHEUS_OPERATOR`);
    }
    if (options.addons !== undefined && !addonsValid) {
      this._optionProblems.push(`addons=${_show(Array.isArray(options.addons) ? options.addons.map(a => (a instanceof ClusterAddon ? a.id : _show(a))) : options.addons)} is invalid: must be a list of ClusterAddon, e.g. [ClusterAddon.KUEUE]`);
    }
  }

  /** Whether an add-on is installed (true when the platform does not state its add-ons). */
  public hasAddon(addon: ClusterAddon): boolean {
    return this.addons === undefined || this.addons.some(a => a.id === addon.id);
  }

  /** The capacity types this platform offers, for messages and checks. */
  public capacityTypes(): CapacityType[] {
    return [
      CapacityType.ON_DEMAND,
      ...(this.supportsSpot ? [CapacityType.SPOT] : []),
      ...(this.supportsSpotFallback ? [CapacityType.SPOT_WITH_FALLBACK] : []),
      ...(this.supportsFlexStart ? [CapacityType.FLEX_START] : []),
      ...(this.supportsReservedCapacity ? [CapacityType.RESERVED] : []),
    ];
  }

  /** GPU counts per pod this platform accepts for `accelerator` (empty: the accelerator is not offered). */
  public abstract allowedGpuCounts(accelerator: Accelerator): number[];

  /** Node selectors, tolerations, affinity and pod annotations for a request that `validateRequest` accepted. */
  public abstract schedule(request: GpuRequest): PodPlacement;

  /**
   * The node labels of the cluster's network topology, from the widest domain to the narrowest (the levels of a Kueue
   * `Topology`): GKE's block, sub-block and host, AWS's network node layers, then the node. Empty when the platform
   * states none (a `Topology` must then name its levels).
   */
  public topologyLevels(): string[] {
    // (issue 15: topology-aware placement)
    return [];
  }

  /**
   * The GPU sharing strategies the platform offers for `accelerator` (GPU sharing, docs/sharing.md). A platform of your
   * own offers whole GPUs only unless it overrides this (and `schedule` places the shares it offers).
   */
  public sharingStrategies(_accelerator?: Accelerator): GpuSharingStrategy[] {
    return [GpuSharingStrategy.EXCLUSIVE];
  }

  /** The MIG profiles the platform can give a pod on `accelerator` (empty: no MIG there). */
  public migProfiles(_accelerator: Accelerator): MigProfileSpec[] {
    return [];
  }

  /**
   * The extended resource a pod of `request` asks for: `nvidia.com/gpu`, unless the platform advertises the request's
   * share under a name of its own (the NVIDIA device plugin's mixed MIG strategy: `nvidia.com/mig-1g.10gb`).
   */
  public gpuResourceName(_request: GpuRequest): string {
    return 'nvidia.com/gpu';
  }

  /** The value that names `accelerator` on this platform's nodes, for messages (e.g. `nvidia-l4`). */
  public gpuLabelValue(accelerator: Accelerator): string | undefined {
    return accelerator.name;
  }

  /**
   * The biggest machine a pod with `gpus` x `accelerator` can land on: its CPU and memory bound what the pod may request
   * (above the machine is an error; with `allocatableVcpu`/`allocatableMemoryGiB` stated, at or above those is).
   * @returns undefined when the platform states no bound
   */
  public machineFor(_accelerator: Accelerator, _gpus: number): MachineShape | undefined {
    return undefined;
  }

  /**
   * Checks a GPU request against the platform's rules: spot, accelerator, GPU count, machine bounds. Returns one
   * message per problem, each starting with the prop it is about (`gpus=...`, `accelerator=...`, `capacityType=...`,
   * `cpu=...`, `memory=...`, `terminationGracePeriod=...`) and naming the bad value and what is allowed. A platform of
   * your own may override it (call `super.validateRequest` to keep these checks).
   */
  public validateRequest(req: GpuRequest): string[] {
    const v: string[] = [];
    const spot = _isSpot(req.capacityType);
    if (spot && !this.supportsSpot) {
      v.push(`capacityType=${_show(req.capacityType)} is invalid: ${this.displayName} has no spot capacity (allowed: ${this.capacityTypes().join(', ')})`);
    }
    if (req.capacityType === CapacityType.SPOT_WITH_FALLBACK && this.supportsSpot && !this.supportsSpotFallback) {
      v.push(`capacityType=${_show(req.capacityType)} is invalid: ${this.displayName} cannot fall back from spot to on-demand per pod (allowed: ${CapacityType.ON_DEMAND}, ${CapacityType.SPOT})`);
    }
    if (req.capacityType === CapacityType.FLEX_START && !this.supportsFlexStart) {
      v.push(`capacityType=${_show(req.capacityType)} is invalid: ${this.displayName} has no flex-start capacity (GKE's Dynamic Workload Scheduler) (allowed: ${this.capacityTypes().join(', ')})`);
    }
    if (req.capacityType === CapacityType.RESERVED && !this.supportsReservedCapacity) {
      v.push(`capacityType=${_show(req.capacityType)} is invalid: ${this.displayName} has no reserved capacity type${this.supportsComputeClasses ? ' (reservations are priorities of a ComputeClass here)' : ''} (allowed: ${this.capacityTypes().join(', ')})`);
    }
    if (spot && this.maxSpotGraceSeconds !== undefined
      && req.terminationGraceSeconds !== undefined && req.terminationGraceSeconds > this.maxSpotGraceSeconds) {
      v.push(`terminationGracePeriod=${req.terminationGraceSeconds}s is invalid: spot pods on ${this.displayName} get at most ${this.maxSpotGraceSeconds}s of termination grace${this._spotGraceAdvice()} (allowed: 1-${this.maxSpotGraceSeconds}s)`);
    }
    if (req.computeClass !== undefined) {
      if (!this.supportsComputeClasses) {
        v.push(`computeClass=${_show(req.computeClass)} is invalid: ${this.displayName} has no compute classes (GKE only)`);
      } else if (req.capacityType !== CapacityType.ON_DEMAND) {
        v.push(`capacityType=${_show(req.capacityType)} is invalid together with computeClass=${_show(req.computeClass)}: the compute class's priorities decide the capacity (allowed: ${CapacityType.ON_DEMAND}, the default)`);
      }
    }
    // GPU sharing (docs/sharing.md): the share itself, whether the platform offers it, one shared GPU per pod.
    const share = req.share ?? GpuShare.EXCLUSIVE;
    if (share.isShared) {
      const problems = this._shareProblems(req, share);
      if (problems.length) return [...v, ...problems];
    }
    if (req.gpus === 0) return v;
    const acc = req.accelerator;
    if (acc === undefined) {
      if (this.requiresAccelerator) v.push(`accelerator=undefined is invalid: ${this.displayName} needs an accelerator for a GPU pod (e.g. Accelerator.L4)`);
      return v;
    }
    const allowed = this.allowedGpuCounts(acc);
    if (allowed.length === 0) {
      const offered = Accelerator.all().filter(a => this.allowedGpuCounts(a).length > 0).map(a => a.name).join(', ');
      v.push(`accelerator=${_show(acc.name)} is invalid: ${this.displayName} does not offer it (offered: ${offered})`);
      return v;
    }
    if (!allowed.includes(req.gpus)) {
      v.push(`gpus=${req.gpus} is not accepted by ${this.displayName} for ${this.gpuLabelValue(acc) ?? acc.name} (allowed: ${allowed.join(', ')})`);
      return v;
    }
    v.push(...this._resourceBound(req, acc));
    return v;
  }

  /**
   * Checks the instance types a request pins (`instanceTypes`), once the rest of the request is valid. Returns one
   * message per problem, each starting with `instanceTypes=`. This base refuses every pin: a platform that can pin
   * overrides it, and its `schedule` selects the types (`Platform.INSTANCE_TYPE_LABEL`).
   */
  public instanceTypeProblems(req: GpuRequest): string[] {
    return [`instanceTypes=${_show(req.instanceTypes)} is invalid: ${this.displayName} does not pin instance types (a Platform of your own pins them by overriding instanceTypeProblems and selecting ${Platform.INSTANCE_TYPE_LABEL} in schedule)`];
  }

  /**
   * Warnings about a GPU request that the platform accepts but cannot vouch for (e.g. a limit it only estimates), each
   * starting with the prop it is about, like `validateRequest`'s messages. Printed at synth; errors in strict mode.
   * A platform of your own may override it.
   */
  public requestWarnings(_req: GpuRequest): string[] {
    return [];
  }

  /**
   * CPU and memory against the machine `machineFor` names: at or above its allocatable share when it states one (a
   * pod that asks for all of a node's allocatable never schedules beside the node's own agents), else above the machine.
   * @internal
   */
  public _resourceBound(req: GpuRequest, acc: Accelerator): string[] {
    const machine = this.machineFor(acc, req.gpus);
    if (machine === undefined) return [];
    const v: string[] = [];
    const what = `${req.gpus} x ${acc.name}`;
    if (machine.allocatableVcpu !== undefined && machine.allocatableMemoryGiB !== undefined) {
      const cpu = _floor2(machine.allocatableVcpu);
      const memory = _floor2(machine.allocatableMemoryGiB);
      const node = `the biggest node for ${what} on ${this.displayName}, ${machine.machineType}`;
      if (req.cpu !== undefined && req.cpu >= machine.allocatableVcpu) {
        v.push(`cpu=${req.cpu} is invalid: ${node}, has ${cpu} of its ${machine.vcpu} vCPU allocatable to pods (allowed: less than ${cpu} for the whole pod)`);
      }
      if (req.memoryMebibytes !== undefined && req.memoryMebibytes >= machine.allocatableMemoryGiB * 1024) {
        v.push(`memory=${_gi(req.memoryMebibytes)} is invalid: ${node}, has ${memory}Gi of its ${_floor2(machine.memoryGiB)}Gi allocatable to pods (allowed: less than ${memory}Gi for the whole pod)`);
      }
      return v;
    }
    if (req.cpu !== undefined && req.cpu > machine.vcpu) {
      v.push(`cpu=${req.cpu} is invalid: ${what} on ${this.displayName} runs on ${machine.machineType} with ${machine.vcpu} vCPU (allowed: at most ${machine.vcpu} for the whole pod)`);
    }
    if (req.memoryMebibytes !== undefined && req.memoryMebibytes > machine.memoryGiB * 1024) {
      v.push(`memory=${_gi(req.memoryMebibytes)} is invalid: ${what} on ${this.displayName} runs on ${machine.machineType} with ${machine.memoryGiB}Gi (allowed: at most ${machine.memoryGiB}Gi for the whole pod)`);
    }
    return v;
  }

  /**
   * The share every GPU workload on this platform gets when it names none (a shared NodePool's platform: its share).
   * @internal
   */
  public get _defaultShare(): GpuShare {
    return GpuShare.EXCLUSIVE;
  }

  /**
   * Most clients per GPU the platform allows for time-sharing or MPS (undefined: no limit known).
   * @internal
   */
  public _maxClientsPerGpu(_strategy: GpuSharingStrategy): number | undefined {
    return undefined;
  }

  /**
   * What is wrong with a shared request on this platform: the share's own arguments, a strategy the platform does not
   * offer for the accelerator, too many clients, a MIG profile the GPU does not have, and more than one shared GPU per
   * pod (a container gets one time-shared GPU, MPS share or MIG slice: GKE's and NVIDIA's device plugins refuse more,
   * and a CUDA process sees one MIG device only).
   * @internal
   */
  public _shareProblems(req: GpuRequest, share: GpuShare): string[] {
    return _shareProblemsOf(this, req.gpus, req.accelerator, share);
  }


  /**
   * What the platform does with a spot grace above its cap, appended to the message (e.g. Autopilot cuts it).
   * @internal
   */
  public _spotGraceAdvice(): string {
    return '';
  }

  /**
   * Runs `validateRequest` (the platform's own, when it overrides it) and records its messages with the prop names a
   * construct uses (e.g. `workers.gpus` for `gpus`).
   * @internal
   */
  public _validateRequest(req: GpuRequest, p: _Problems, props: { [key: string]: string } = {}): void {
    const rename = (message: string) => {
      const prop = /^([A-Za-z]+)=/.exec(message)?.[1];
      return prop !== undefined && props[prop] !== undefined ? `${props[prop]}${message.slice(prop.length)}` : message;
    };
    // Instance-type pins are checked against the accelerator, GPUs, CPU and memory, so only once those are valid (and
    // here, not in validateRequest, so that a platform overriding validateRequest cannot drop a pin silently).
    const request = this.validateRequest(req);
    const errors = request.length === 0 && req.instanceTypes !== undefined ? this.instanceTypeProblems(req) : request;
    for (const message of errors) p.raw(rename(message));
    if (errors.length === 0) for (const message of this.requestWarnings(req)) p.warn(rename(message));
  }

  /**
   * Admission rules checked on a final pod spec (a safety net behind `validateRequest`; the tests also apply it to
   * every pod in `dist/`). Returns human-readable violations.
   */
  public admissionViolations(_pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    return [];
  }

  /** Where a node agent (e.g. the DCGM exporter DaemonSet) runs: only on GPU nodes, tolerating their taints. */
  public nodeAgentPlacement(): NodeAgentPlacement {
    return { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, _shareTaintToleration()], affinity: _requireNodeLabel('nvidia.com/gpu.present') };
  }

  /** What the DCGM exporter needs on this platform beyond its defaults: extra args, env and read-only host paths. */
  public dcgmExporterNeeds(): DcgmExporterNeeds {
    return { args: [], env: [], hostPaths: [] };
  }

  /**
   * Rewrites a placement for a KServe predictor in Knative mode: Knative rejects `nodeSelector`, `tolerations` and
   * `affinity` unless the cluster enables its `kubernetes.podspec-*` feature flags, so a platform moves what it can
   * into pod annotations. What stays in the fields still needs those flags.
   * @internal
   */
  public _knativePlacement(placement: PodPlacement): PodPlacement {
    return placement;
  }

  /**
   * The ProvisioningRequest class of the platform's queued provisioning (GKE: `queued-provisioning.gke.io`), which a
   * Kueue ProvisioningRequestConfig names, or undefined when the platform has none.
   * @internal
   */
  public _queuedProvisioningClass(): string | undefined {
    return undefined;
  }

  /**
   * Tolerations the nodes of queued provisioning need (GKE Standard: the `cloud.google.com/gke-queued` taint).
   * @internal
   */
  public _queuedProvisioningTolerations(): k8s.Toleration[] {
    return [];
  }

  /**
   * API version of the platform's ComputeClass kind (GKE: `cloud.google.com/v1`), or undefined when it has none.
   * @internal
   */
  public _computeClassApiVersion(): string | undefined {
    return undefined;
  }

  /**
   * URI scheme of the buckets `_bucketVolume` mounts (`gs` on GKE), if any.
   * @internal
   */
  public get _bucketScheme(): string | undefined {
    return undefined;
  }

  /**
   * A volume for an object-storage bucket (e.g. GCS FUSE on GKE), or undefined when the platform has no driver.
   * @internal
   */
  public _bucketVolume(_name: string, _bucket: string, _opts: _BucketVolumeOptions): _BucketVolume | undefined {
    return undefined;
  }

  /**
   * HTTPS exposure of a Service with a certificate the platform manages (GKE Ingress + ManagedCertificate), or
   * undefined when the platform has none.
   * @internal
   */
  public _httpsExposure(): _HttpsExposure | undefined {
    return undefined;
  }

  /**
   * The platform's own Gateway API implementation for inference routing (an InferencePool behind a Gateway), or
   * undefined when the cluster's implementation must be named.
   * @internal
   */
  public _inferenceGateway(): _InferenceGatewayFacts | undefined {
    return undefined;
  }

  /**
   * Pod annotations and extra env that the platform needs to see the actual GPU node in a KServe InferenceService in
   * admission checks (what KServe's webhook does with the accelerator annotation).
   * @internal
   */
  public _kserveWebhookNodeSelector(_podAnnotations: { [key: string]: string } | undefined): { [key: string]: string } {
    return {};
  }
}

/** How a bucket volume is mounted. @internal */
export interface _BucketVolumeOptions {
  readonly readOnly: boolean;
  /** uid/gid of the pod (0 for root). */
  readonly uid: number;
  readonly mountOptions?: string;
}

/** A bucket volume and what the pod needs for it. @internal */
export interface _BucketVolume {
  readonly volume: k8s.Volume;
  readonly podAnnotations: { [key: string]: string };
}

/** The platform's Gateway API implementation for inference routing. @internal */
export interface _InferenceGatewayFacts {
  /** Human name for messages. */
  readonly name: string;
  /** GatewayClass of its Gateways. */
  readonly gatewayClassName: string;
  /** Whether it honours HTTPRoute `timeouts` (otherwise its load balancer's own policy sets them). */
  readonly routeTimeouts: boolean;
}

/** What an HTTPS exposure needs and emits. @internal */
export interface _HttpsExposure {
  /** Human name for messages. */
  readonly name: string;
  /** Annotations the exposed Service needs (e.g. container-native load balancing). */
  readonly serviceAnnotations: { [key: string]: string };
  /** Emits the Ingress (and certificate) in `scope`. */
  emit(scope: Construct, o: _HttpsOptions): ApiObject[];
}

/** What to expose over HTTPS. @internal */
export interface _HttpsOptions {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly host: string;
  readonly serviceName: string;
  readonly servicePort: number;
  readonly staticIpName?: string;
}

/** Node affinity requiring that a node carries a label (any value). @internal */
export function _requireNodeLabel(key: string): k8s.Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'Exists' }] }] } } };
}

/** Rounds down to 2 decimals: a bound shown as "less than X" stays true. @internal */
export function _floor2(n: number): number {
  return Math.floor(n * 100 + 1e-9) / 100;
}

/** A memory request for messages: Gi when whole, else Mi. @internal */
export function _gi(mebibytes: number): string {
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${Math.round(mebibytes)}Mi`;
}

/**
 * The biggest of `machines` that carries at least `gpus` GPUs: where a pod that asks for the most CPU and memory can
 * still land (on a node with more GPUs than it uses, if need be).
 * @internal
 */
export function _biggestMachine(machines: MachineShape[], gpus: number): MachineShape | undefined {
  const size = (m: MachineShape) => (m.allocatableVcpu ?? m.vcpu) * 1e6 + (m.allocatableMemoryGiB ?? m.memoryGiB);
  return machines.filter(m => m && typeof m.vcpu === 'number' && typeof m.memoryGiB === 'number' && m.gpus >= gpus)
    .sort((a, b) => size(b) - size(a))[0];
}

/**
 * Warnings for a request that fits only on a machine with more GPUs than the pod uses: it exceeds the biggest machine
 * with the fewest GPUs that hold the pod (e.g. 1 x L4 with 100 vCPU needs an 8-GPU g6.48xlarge, whose 7 other GPUs stay
 * idle unless other pods take them).
 * @internal
 */
export function _biggerNodeWarnings(req: GpuRequest, acc: Accelerator, shapes: MachineShape[], platform: string): string[] {
  const machines = shapes.filter(m => m && typeof m.gpus === 'number' && typeof m.vcpu === 'number' && typeof m.memoryGiB === 'number');
  const fewest = Math.min(...machines.filter(m => m && m.gpus >= req.gpus).map(m => m.gpus));
  if (!Number.isFinite(fewest)) return [];
  const natural = _biggestMachine(machines.filter(m => m.gpus === fewest), fewest)!;
  const cpu = natural.allocatableVcpu ?? natural.vcpu;
  const memory = natural.allocatableMemoryGiB ?? natural.memoryGiB;
  const out: string[] = [];
  const bigger = _biggestMachine(machines, req.gpus)!;
  const where = `the biggest ${fewest}-GPU node for ${acc.name} on ${platform}, ${natural.machineType}, offers ${_floor2(cpu)} vCPU and ${_floor2(memory)}Gi to pods`;
  const why = `only a node with more GPUs than the pod uses (up to ${bigger.machineType}, ${bigger.gpus} GPUs) can run it, and the GPUs it leaves are idle unless other pods take them`;
  if (req.cpu !== undefined && req.cpu >= cpu) out.push(`cpu=${req.cpu} is more than ${where}: ${why}`);
  else if (req.memoryMebibytes !== undefined && req.memoryMebibytes >= memory * 1024) out.push(`memory=${_gi(req.memoryMebibytes)} is more than ${where}: ${why}`);
  return out;
}

/**
 * What is wrong with the values an accelerator puts into node selectors (a custom one may carry anything): each must be
 * a label value, the GPU memory a whole number of MiB.
 * @internal
 */
export function _acceleratorLabelProblems(acc: Accelerator, fields: Array<[string, unknown]>): string[] {
  const out: string[] = [];
  for (const [field, value] of fields) {
    if (value === undefined || value === '') continue;
    const ok = field.endsWith('Mib')
      ? typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 2 ** 31
      : typeof value === 'string' && value.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value);
    if (!ok) {
      const allowed = field.endsWith('Mib') ? 'a whole number of MiB per GPU, e.g. 40960'
        : 'a label value of at most 63 characters, [A-Za-z0-9] at both ends and \'-\', \'_\' or \'.\' inside';
      out.push(`accelerator=${_show(acc.name)} is invalid: its ${field} ${_show(value)} cannot be a node selector value (allowed: ${allowed})`);
    }
  }
  return out;
}

/** Sums `nvidia.com/gpu` limits of a list of containers. @internal */
export function _gpuLimit(containers: any[] | undefined): number {
  let total = 0;
  for (const c of containers ?? []) {
    const v = c?.resources?.limits?.['nvidia.com/gpu'];
    if (v !== undefined) total += Number(typeof v === 'object' && 'value' in v ? v.value : v);
  }
  return total;
}

/**
 * What is wrong with the form of an instance-type pin: an empty list, a repeated type, or a type that cannot be a node
 * label value.
 * @internal
 */
export function _pinFormProblems(types: string[]): string[] {
  const bad = types.filter(t => !_isLabelValue(t) || t === '');
  if (types.length === 0) return ['instanceTypes=[] is invalid: name at least one type, or leave instanceTypes out to let the platform pick'];
  if (bad.length) return [`instanceTypes=${_show(types)} is invalid: ${bad.map(t => _show(t)).join(', ')} cannot be a node label value (allowed: instance type names such as "g4dn.xlarge" or "g2-standard-8")`];
  const repeated = types.filter((t, i) => types.indexOf(t) !== i);
  if (repeated.length) return [`instanceTypes=${_show(types)} is invalid: ${[...new Set(repeated)].join(', ')} is named twice`];
  return [];
}

/**
 * Checks an instance-type pin of a GPU pod against the machines the catalog lists for its accelerator on a platform:
 * each pinned type must be one of them, with at least the pod's GPUs, and CPU and memory above what the pod requests
 * (below the node's allocatable share where the catalog states one, else at most the machine). One message names every
 * type that does not fit, why, and the types that do. `others` finds the accelerator a foreign type carries.
 * @internal
 */
export function _pinProblems(req: GpuRequest, acc: Accelerator, machines: MachineShape[], what: string,
  others: (type: string) => Accelerator | undefined): string[] {
  const types = req.instanceTypes ?? [];
  const form = _pinFormProblems(types);
  if (form.length) return form;
  const pod = `${req.gpus} x ${acc.name}${req.cpu !== undefined ? ` with ${req.cpu} vCPU` : ''}${req.memoryMebibytes !== undefined ? ` and ${_gi(req.memoryMebibytes)}` : ''}`;
  const shortOf = (m: MachineShape): string | undefined => {
    if (m.gpus < req.gpus) return `${m.machineType} carries ${m.gpus} ${acc.name} GPU${m.gpus === 1 ? '' : 's'}, the pod needs ${req.gpus}`;
    const cpu = m.allocatableVcpu;
    const memory = m.allocatableMemoryGiB;
    const short: string[] = [];
    if (req.cpu !== undefined && (cpu !== undefined ? req.cpu >= cpu : req.cpu > m.vcpu)) short.push(`${_floor2(cpu ?? m.vcpu)} vCPU`);
    const mib = req.memoryMebibytes;
    if (mib !== undefined && (memory !== undefined ? mib >= memory * 1024 : mib > m.memoryGiB * 1024)) short.push(`${_floor2(memory ?? m.memoryGiB)}Gi`);
    if (!short.length) return undefined;
    return `${m.machineType} offers ${short.join(' and ')} to pods${cpu !== undefined ? ' (allocatable)' : ''}, not more than the pod requests`;
  };
  const reasons: string[] = [];
  for (const t of types) {
    const m = machines.find(x => x.machineType === t);
    if (m === undefined) {
      const other = others(t);
      reasons.push(other ? `${t} carries ${other.name}, not ${acc.name}` : `${t} is not ${_article(what)} ${what} with ${acc.name} that the catalog knows`);
      continue;
    }
    const short = shortOf(m);
    if (short) reasons.push(short);
  }
  if (!reasons.length) return [];
  const fit = machines.filter(m => shortOf(m) === undefined).map(m => m.machineType);
  const allowed = fit.length ? fit.join(', ') : `none: no ${what} in the catalog holds ${pod}`;
  return [`instanceTypes=${_show(types)} is invalid: ${reasons.join('; ')} (allowed for ${pod}: ${allowed})`];
}

function _article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/**
 * A placement pinned to instance types: one type is a node selector; several are a required node affinity `In`, added
 * to every required term (terms are ORed: a term without it would let the pod land on any type).
 * @internal
 */
export function _pinPlacement(placement: PodPlacement, types: string[] | undefined): PodPlacement {
  if (!types?.length) return placement;
  const key = Platform.INSTANCE_TYPE_LABEL;
  if (types.length === 1) return { ...placement, nodeSelector: { ...placement.nodeSelector, [key]: types[0] } };
  const pin = { key, operator: 'In', values: [...types] };
  const required = placement.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms?.length ? required.nodeSelectorTerms : [{}];
  const nodeSelectorTerms = terms.map(t => ({ ...t, matchExpressions: [...(t.matchExpressions ?? []), pin] }));
  return {
    ...placement,
    affinity: {
      ...placement.affinity,
      nodeAffinity: { ...placement.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } },
    },
  };
}
