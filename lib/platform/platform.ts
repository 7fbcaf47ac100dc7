import { k8s } from 'cdk8s-plus-28';
import { Accelerator } from '../accelerator';
import { _Problems, _show } from '../validation';

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
}

/** Which kind of capacity a workload runs on. */
export enum CapacityType {
  /** Regular (on-demand) nodes. */
  ON_DEMAND = 'on-demand',
  /** Spot / preemptible nodes only. */
  SPOT = 'spot',
  /** Spot nodes preferred, on-demand nodes when no spot capacity is available (Karpenter only). */
  SPOT_WITH_FALLBACK = 'spot-with-fallback',
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

/** Options for `Platform.karpenter()` (see `KarpenterPlatformProps`). */
export interface KarpenterPlatformOptions {
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
}

/** Options for `Platform.kubernetes()`. */
export interface KubernetesPlatformOptions {
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
}

/**
 * A GPU scheduling request, the one input every platform understands.
 * @internal
 */
export interface _GpuRequest {
  readonly accelerator?: Accelerator;
  /** GPUs per pod; 0 for pods without GPUs. */
  readonly gpus: number;
  readonly capacity: CapacityType;
  readonly kind: WorkloadKind;
  /** vCPUs requested by all containers of the pod (for machine-bound checks). */
  readonly cpu?: number;
  /** Memory requested by all containers of the pod, in MiB. */
  readonly memoryMebibytes?: number;
  /** Seconds of termination grace the pod gets. */
  readonly terminationGraceSeconds?: number;
  /** The prop names to use in messages. */
  readonly props?: { [key: string]: string };
}

/**
 * The platform's answer to a GPU request: where the pod goes and what it carries.
 * @internal
 */
export interface _Scheduling {
  readonly nodeSelector: { [key: string]: string };
  readonly tolerations: k8s.Toleration[];
  readonly affinity?: k8s.Affinity;
  readonly podAnnotations: { [key: string]: string };
}

/**
 * A Kubernetes platform that runs GPU workloads: the one place that knows its labels, taints, annotations and
 * admission rules. Every construct asks its platform to schedule its pods and to check them.
 */
export abstract class Platform {
  /** GKE Autopilot. */
  public static gkeAutopilot(): Platform {
    // Lazy requires: the platform classes extend this one, so a top-level import would be circular.
    return new (require('./gke-autopilot').GkeAutopilotPlatform)();
  }

  /** GKE Standard with GPU node pools. */
  public static gkeStandard(): Platform {
    return new (require('./gke-standard').GkeStandardPlatform)();
  }

  /** Karpenter v1 on EKS. */
  public static karpenter(props: KarpenterPlatformOptions = {}): Platform {
    return new (require('./karpenter').KarpenterPlatform)(props);
  }

  /** Plain Kubernetes with the NVIDIA device plugin. */
  public static kubernetes(props: KubernetesPlatformOptions = {}): Platform {
    return new (require('./kubernetes').KubernetesPlatform)(props);
  }

  /** Short id used in file and chart names, e.g. `gke-autopilot`. */
  public abstract readonly id: string;
  /** Human name used in messages, e.g. `GKE Autopilot`. */
  public abstract readonly displayName: string;
  /** The cloud this platform runs on. */
  public abstract readonly cloud: Cloud;
  /** Whether the platform offers spot capacity. */
  public abstract readonly supportsSpot: boolean;
  /** Whether the platform can fall back from spot to on-demand for one pod. */
  public readonly supportsSpotFallback: boolean = false;
  /** Largest termination grace a spot pod really gets, in seconds (undefined: no cap known). */
  public readonly maxSpotGraceSeconds?: number;
  /** Whether the GKE GCS FUSE CSI driver is available. */
  public readonly supportsGcsFuse: boolean = false;
  /** Whether privileged node agents (e.g. the DCGM exporter DaemonSet) may run. */
  public readonly allowsNodeAgents: boolean = true;
  /** Smallest ephemeral-storage request the platform accepts on a GPU pod, in MiB. */
  public readonly minGpuEphemeralStorageMebibytes: number = 1;
  /** Whether the platform must be told which accelerator a GPU pod wants. */
  public readonly requiresAccelerator: boolean = true;
  /** Whether GKE Ingress and `networking.gke.io/v1` ManagedCertificates (Google-managed TLS) are available. */
  public readonly supportsManagedCertificates: boolean = false;
  /**
   * Whether the platform itself runs the NVIDIA DCGM exporter and ships its metrics to a managed Prometheus (GKE's
   * managed DCGM package + Managed Service for Prometheus): monitoring then emits no exporter of its own.
   */
  public readonly managesDcgm: boolean = false;

  /**
   * Where a node agent (e.g. the DCGM exporter DaemonSet) must run: only on GPU nodes, tolerating their taints.
   * @internal
   */
  public _gpuNodeAgentScheduling(): { tolerations: k8s.Toleration[]; affinity: k8s.Affinity } {
    return { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], affinity: _requireNodeLabel('nvidia.com/gpu.present') };
  }

  /**
   * What the DCGM exporter needs on this platform beyond its defaults: extra args, env and read-only host paths.
   * @internal
   */
  public _dcgmExporterNeeds(): { args: string[]; env: k8s.EnvVar[]; hostPaths: { name: string; hostPath: string; mountPath: string }[] } {
    return { args: [], env: [], hostPaths: [] };
  }

  /**
   * Names of the labels that carry the workload's namespace, pod and container on DCGM and kube-state-metrics series
   * as the platform's Prometheus stores them. prometheus-operator with `honorLabels: true` keeps the exporter's own
   * `namespace`/`pod`/`container`; a collector that does not honor them renames them `exported_*`.
   * @internal
   */
  public _workloadMetricLabels(): { namespace: string; pod: string; container: string } {
    return { namespace: 'namespace', pod: 'pod', container: 'container' };
  }

  /** @internal */
  public _gpuName(accelerator: Accelerator): string | undefined {
    return accelerator.gkeLabel;
  }

  /** GPU counts per pod this platform accepts for `accelerator` (empty: the accelerator is not offered). */
  public abstract allowedGpuCounts(accelerator: Accelerator): number[];

  /**
   * Checks a GPU request against the platform's rules. Messages use the prop names in `req.props`.
   * @internal
   */
  public _validateRequest(req: _GpuRequest, p: _Problems): void {
    const names = { gpus: 'gpus', accelerator: 'accelerator', spot: 'capacityType', cpu: 'cpu', memory: 'memory', grace: 'terminationGracePeriod', ...(req.props ?? {}) };
    if (req.capacity !== CapacityType.ON_DEMAND && !this.supportsSpot) {
      p.raw(`${names.spot}=${_show(req.capacity)} is invalid: ${this.displayName} has no spot capacity (allowed: ${CapacityType.ON_DEMAND})`);
    }
    if (req.capacity === CapacityType.SPOT_WITH_FALLBACK && this.supportsSpot && !this.supportsSpotFallback) {
      p.raw(`${names.spot}=${_show(req.capacity)} is invalid: ${this.displayName} cannot fall back from spot to on-demand per pod (allowed: ${CapacityType.ON_DEMAND}, ${CapacityType.SPOT})`);
    }
    if (req.capacity !== CapacityType.ON_DEMAND && this.maxSpotGraceSeconds !== undefined
      && req.terminationGraceSeconds !== undefined && req.terminationGraceSeconds > this.maxSpotGraceSeconds) {
      p.raw(`${names.grace}=${req.terminationGraceSeconds}s is invalid: spot pods on ${this.displayName} get at most ${this.maxSpotGraceSeconds}s of termination grace (allowed: 1-${this.maxSpotGraceSeconds}s)`);
    }
    if (req.gpus === 0) return;
    const acc = req.accelerator;
    if (acc === undefined) {
      if (this.requiresAccelerator) p.raw(`${names.accelerator}=undefined is invalid: ${this.displayName} needs an accelerator for a GPU pod (e.g. Accelerator.L4)`);
      return;
    }
    const allowed = this.allowedGpuCounts(acc);
    if (allowed.length === 0) {
      const offered = Accelerator.all().filter(a => this.allowedGpuCounts(a).length > 0).map(a => a.name).join(', ');
      p.raw(`${names.accelerator}=${_show(acc.name)} is invalid: ${this.displayName} does not offer it (offered: ${offered})`);
      return;
    }
    if (!allowed.includes(req.gpus)) {
      p.raw(`${names.gpus}=${req.gpus} is not accepted by ${this.displayName} for ${this._gpuName(acc) ?? acc.name} (allowed: ${allowed.join(', ')})`);
      return;
    }
    const machine = this._machineFor(acc, req.gpus);
    if (machine !== undefined) {
      if (req.cpu !== undefined && req.cpu > machine.vcpu) {
        p.raw(`${names.cpu}=${req.cpu} is invalid: ${req.gpus} x ${acc.name} on ${this.displayName} runs on ${machine.machineType} with ${machine.vcpu} vCPU (allowed: at most ${machine.vcpu} for the whole pod)`);
      }
      if (req.memoryMebibytes !== undefined && req.memoryMebibytes > machine.memoryGiB * 1024) {
        p.raw(`${names.memory}=${req.memoryMebibytes / 1024}Gi is invalid: ${req.gpus} x ${acc.name} on ${this.displayName} runs on ${machine.machineType} with ${machine.memoryGiB}Gi (allowed: at most ${machine.memoryGiB}Gi for the whole pod)`);
      }
    }
  }

  /** @internal */
  public _machineFor(_accelerator: Accelerator, _gpus: number): { machineType: string; vcpu: number; memoryGiB: number } | undefined {
    return undefined;
  }

  /**
   * Node selectors, tolerations, affinity and pod annotations for a (valid) request.
   * @internal
   */
  public abstract _schedule(req: _GpuRequest): _Scheduling;

  /**
   * Rewrites a scheduling answer for a KServe predictor in Knative mode: Knative rejects `nodeSelector`,
   * `tolerations` and `affinity` unless the cluster enables its `kubernetes.podspec-*` feature flags, so a platform
   * moves what it can into pod annotations. What stays in the fields still needs those flags.
   * @internal
   */
  public _knativeScheduling(sched: _Scheduling): _Scheduling {
    return sched;
  }

  /**
   * Admission rules checked on the final pod spec (a safety net behind the request checks, also used by the tests
   * on every pod in `dist/`). Returns human-readable violations.
   */
  public admissionViolations(_pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    return [];
  }
}

/** Node affinity requiring that a node carries a label (any value). @internal */
export function _requireNodeLabel(key: string): k8s.Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'Exists' }] }] } } };
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
