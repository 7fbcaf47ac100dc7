import { k8s } from 'cdk8s-plus-28';
import { Accelerator, MachineShape } from '../accelerator';
import { _Problems, _isLabelValue } from '../validation';
import { GkePlatform } from './gke';
import { GpuSharingStrategy } from '../sharing/gpu-share';
import {
  DcgmExporterNeeds, GkeStandardOptions, GpuRequest, NodeAgentPlacement, Platform, PodPlacement,
  _biggerNodeWarnings, _biggestMachine, _isSpot, _pinFormProblems, _pinPlacement, _pinProblems, _requireNodeLabel,
} from './platform';
import { _shareTaintToleration } from './sharing-rules';

/** Termination grace Spot VMs give pods by default: 15 of the 30 s notice (GKE "Spot VMs"). */
const DEFAULT_SPOT_GRACE_SECONDS = 15;
/** The most a Spot node pool can give, on GKE 1.35.0-gke.1171000 or later (GKE "Spot VMs"). */
const MAX_SPOT_GRACE_SECONDS = 120;

/**
 * GKE Standard with GPU node pools: GPU nodes carry the `nvidia.com/gpu=present:NoSchedule` taint and the
 * `cloud.google.com/gke-accelerator` label; Spot node pools carry `cloud.google.com/gke-spot=true`. Spot VMs get a
 * 30 s notice, of which pods get 15 s by default (up to 120 s where the node pool is configured for it: the
 * `spotGracePeriod` option). A pod must request less CPU and memory than the node's allocatable share (GKE's
 * documented reservation, computed from the machine shape).
 */
export class GkeStandardPlatform extends GkePlatform {
  /** Termination grace the cluster's Spot node pools give pods, in seconds. */
  public readonly spotGraceSeconds: number;

  public constructor(options: GkeStandardOptions = {}) {
    const p = new _Problems();
    const given = options?.spotGracePeriod;
    const grace = _spotGrace(p, given);
    super({ id: 'gke-standard', displayName: 'GKE Standard', maxSpotGraceSeconds: grace }, options);
    this.spotGraceSeconds = grace;
    this._optionProblems.push(...p.messages);
  }

  public nodeAgentPlacement(): NodeAgentPlacement {
    // The share taint too: shared node pools may carry it to keep whole-GPU pods off (docs/sharing.md).
    return { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, _shareTaintToleration()], affinity: _requireNodeLabel(GkePlatform.ACCELERATOR_LABEL) };
  }

  /**
   * GKE's device plugin names GPUs by device name, not UUID (dcgm-exporter#342), and GKE installs the driver
   * libraries under /home/kubernetes/bin/nvidia (gpu-monitoring-tools#96).
   */
  public dcgmExporterNeeds(): DcgmExporterNeeds {
    return {
      args: ['--kubernetes-gpu-id-type', 'device-name'],
      env: [{ name: 'LD_LIBRARY_PATH', value: '/usr/local/nvidia/lib64' }],
      hostPaths: [{ name: 'nvidia-install-dir', hostPath: '/home/kubernetes/bin/nvidia', mountPath: '/usr/local/nvidia' }],
    };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (!accelerator.gkeLabel) return [];
    return Array.from({ length: accelerator.maxGpusPerGkeMachine }, (_, i) => i + 1);
  }

  /**
   * The biggest known machine with at least `gpus` GPUs (a node pool of bigger machines can run a pod that uses only
   * some of their GPUs), with the allocatable share GKE's reservation leaves.
   */
  public machineFor(accelerator: Accelerator, gpus: number): MachineShape | undefined {
    return _biggestMachine(this.machines(accelerator), gpus);
  }

  /** A pod that needs more than the machines with its own GPU count offer: legal, but other GPUs of its node idle. */
  public requestWarnings(req: GpuRequest): string[] {
    if (req.gpus === 0 || !req.accelerator) return [];
    return _biggerNodeWarnings(req, req.accelerator, this.machines(req.accelerator), this.displayName);
  }

  /**
   * Pinned machine types (`node.kubernetes.io/instance-type`, which GKE sets to the node's machine type) must be machines
   * of the catalog that carry the pod's accelerator, with its GPUs and more CPU and memory than it requests in the
   * node's allocatable share. The catalog's N1 shapes for the T4 are upper bounds, not machine types: a T4 pin is refused
   * until an accelerator names its machines (`Accelerator.custom({ gkeMachines })`).
   */
  public instanceTypeProblems(req: GpuRequest): string[] {
    const acc = req.accelerator;
    if (req.gpus === 0 || !(acc instanceof Accelerator)) return _pinFormProblems(req.instanceTypes ?? []);
    const named = (a: Accelerator) => this.machines(a).filter(m => _isLabelValue(m.machineType));
    const others = (type: string) => Accelerator._known().find(a => a !== acc && named(a).some(m => m.machineType === type));
    return _pinProblems(req, acc, named(acc), 'machine type', others);
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector = this._gkeSelector(req);
    const tolerations = [];
    if (req.gpus > 0 && (req.accelerator?.gkeLabel || req.computeClass !== undefined)) {
      tolerations.push({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    }
    if (_isSpot(req.capacityType)) {
      tolerations.push({ key: GkePlatform.SPOT_LABEL, operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    }
    // GPU sharing: the node pool's sharing or partition labels; the share taint a shared node pool may carry; MPS
    // clients reach the node's MPS server through the host IPC namespace (GKE mounts only its pipe directory).
    const share = req.share;
    if (req.gpus > 0 && share?.isShared && req.computeClass === undefined) {
      Object.assign(nodeSelector, this._shareSelector(share));
      tolerations.push(_shareTaintToleration());
    }
    const hostIpc = req.gpus > 0 && share?.strategy === GpuSharingStrategy.MPS ? true : undefined;
    return _pinPlacement({ nodeSelector, tolerations, podAnnotations: {}, hostIpc }, req.instanceTypes);
  }

  /** GKE's sharing rules on a rendered pod (see `GkePlatform`), and an MPS pod shares the host IPC namespace. */
  public admissionViolations(pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    if (!pod || typeof pod !== 'object') return ['not a pod spec'];
    const v = this._shareViolations(pod);
    // A rendered spec says hostIPC; a typed one (cdk8s-plus k8s.PodSpec) hostIpc.
    if (pod.nodeSelector?.[GkePlatform.SHARING_STRATEGY_LABEL] === 'mps' && pod.hostIPC !== true && pod.hostIpc !== true) {
      v.push(`an MPS pod (${GkePlatform.SHARING_STRATEGY_LABEL}=mps) needs hostIPC: true: its CUDA processes reach the node's MPS server through the host's IPC namespace and /dev/shm`);
    }
    return v;
  }

  /**
   * Nodes of queued provisioning carry `cloud.google.com/gke-queued=true:NoSchedule` (cluster-toolkit
   * examples/gke-consumption-options/dws-flex-start-queued-provisioning/nccl-jobset-example.yaml tolerates it).
   * @internal
   */
  public _queuedProvisioningTolerations(): k8s.Toleration[] {
    return [{ key: 'cloud.google.com/gke-queued', operator: 'Equal', value: 'true', effect: 'NoSchedule' }];
  }

  /** @internal */
  public _spotGraceAdvice(): string {
    return this.spotGraceSeconds < MAX_SPOT_GRACE_SECONDS
      ? `; Spot node pools on GKE 1.35.0-gke.1171000 or later can give up to ${MAX_SPOT_GRACE_SECONDS}s: configure yours and set Platform.gkeStandard({ spotGracePeriod })`
      : '';
  }

  private machines(accelerator: Accelerator): MachineShape[] {
    return accelerator.gkeMachines.filter(m => m && typeof m.vcpu === 'number' && typeof m.memoryGiB === 'number').map(_gkeAllocatable);
  }
}

function _spotGrace(p: _Problems, given: unknown): number {
  if (given === undefined) return DEFAULT_SPOT_GRACE_SECONDS;
  const seconds = typeof (given as any)?.toSeconds === 'function' ? (() => {
    try { return (given as any).toSeconds({ integral: false }); } catch { return NaN; }
  })() : NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SPOT_GRACE_SECONDS) {
    p.error('spotGracePeriod', given, `must be a Duration of whole seconds from 1 to ${MAX_SPOT_GRACE_SECONDS} (GKE gives Spot pods ${DEFAULT_SPOT_GRACE_SECONDS}s by default and at most ${MAX_SPOT_GRACE_SECONDS}s, on node pools configured for it)`);
    return DEFAULT_SPOT_GRACE_SECONDS;
  }
  return seconds;
}

/**
 * A GCE machine with the allocatable share of a GKE Standard node, when the catalog does not state it: GKE reserves CPU
 * (6 % of the first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above) and memory (25 % of the first 4 GB, 20 %
 * of the next 4, 10 % of the next 8, 6 % of the next 112, 2 % above 128 GB; "GB" being 1000 MiB as GKE computes it),
 * and the kubelet evicts at 100 MiB free. Source: GKE "Plan node sizes" (memory and CPU reservations), encoded as
 * kubernetes/autoscaler cluster-autoscaler/cloudprovider/gce/reserved.go. The kernel also keeps some memory, so the
 * real figure is a little lower: this is an upper bound.
 * @internal
 */
export function _gkeAllocatable(machine: MachineShape): MachineShape {
  if (machine.allocatableVcpu !== undefined && machine.allocatableMemoryGiB !== undefined) return machine;
  const millicpu = machine.vcpu * 1000;
  const mib = Math.floor(machine.memoryGiB * 1024);
  const cpuReserved = _reserved(millicpu, [[0, 0.06], [1000, 0.01], [2000, 0.005], [4000, 0.0025]]);
  const memoryReserved = mib <= 1000 ? 255 : _reserved(mib, [[0, 0.25], [4000, 0.2], [8000, 0.1], [16000, 0.06], [128000, 0.02]]);
  return {
    ...machine,
    allocatableVcpu: machine.allocatableVcpu ?? (millicpu - cpuReserved) / 1000,
    allocatableMemoryGiB: machine.allocatableMemoryGiB ?? (mib - memoryReserved - 100) / 1024,
  };
}

/** Marginal-rate brackets (threshold, rate), truncated to a whole unit like the autoscaler's `calculateReserved`. */
function _reserved(capacity: number, brackets: Array<[number, number]>): number {
  let reserved = 0;
  brackets.forEach(([threshold, rate], i) => {
    const next = brackets[i + 1]?.[0];
    const top = next !== undefined && next < capacity ? next : capacity;
    if (top > threshold) reserved += (top - threshold) * rate;
  });
  return Math.floor(reserved);
}

Platform._register('gke-standard', (options: GkeStandardOptions) => new GkeStandardPlatform(options));
