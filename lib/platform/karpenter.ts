import { k8s } from 'cdk8s-plus-28';
import { Accelerator, MachineShape, MigProfileSpec } from '../accelerator';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _isLabelKey, _show } from '../validation';
import { MigStrategy, NvidiaDevicePlugin, _migResourcesOf, _nvidiaShareSelector, _nvidiaShareViolations } from './nvidia-device-plugin';
import {
  CapacityType, Cloud, GpuRequest, KarpenterOptions, NodeAgentPlacement, Platform, PodPlacement, WorkloadKind,
  _acceleratorLabelProblems, _biggerNodeWarnings, _biggestMachine, _pinFormProblems, _pinPlacement, _pinProblems, _requireNodeLabel,
} from './platform';
import { _mpsMemoryLimitProblems, _shareTaintToleration } from './sharing-rules';


/**
 * Karpenter v1 on EKS with the NVIDIA device plugin: GPU pods select `karpenter.k8s.aws/instance-gpu-name` (and
 * `instance-gpu-memory` where one GPU name covers two models, as `a100` does for p4d and p4de), tolerate the GPU
 * NodePool's taint, pick spot or on-demand with `karpenter.sh/capacity-type`, and training/batch/notebook pods
 * carry `karpenter.sh/do-not-disrupt: "true"` so consolidation does not evict them. AWS gives spot instances a 2-minute
 * notice. A pod must request less CPU and memory than the allocatable share Karpenter computes for the biggest instance
 * type that carries its GPUs. `instanceTypes` pins pods to types of the catalog with `node.kubernetes.io/instance-type`.
 *
 * The GPU toleration is explicit. EKS does enable the ExtendedResourceToleration admission plugin, which adds it to pods
 * that request `nvidia.com/gpu` (on every platform version since Kubernetes 1.19, aws/containers-roadmap#739; the EKS
 * user guide lists it for 1.27-1.31), but the explicit one also serves a `gpuTaintKey` other than the resource name
 * and clusters without the plugin, and it is harmless where the plugin adds the same toleration.
 */
export class KarpenterPlatform extends Platform {
  /** Node label with the instance's GPU model. */
  public static readonly GPU_NAME_LABEL = 'karpenter.k8s.aws/instance-gpu-name';
  /** Node label with the instance's GPU count. */
  public static readonly GPU_COUNT_LABEL = 'karpenter.k8s.aws/instance-gpu-count';
  /** Node label with the instance's GPU memory in MiB. */
  public static readonly GPU_MEMORY_LABEL = 'karpenter.k8s.aws/instance-gpu-memory';
  /** Node label with the instance family. */
  public static readonly INSTANCE_FAMILY_LABEL = 'karpenter.k8s.aws/instance-family';
  /** Node label with the capacity type (`spot`, `on-demand`, `reserved`). */
  public static readonly CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
  /** Node label with the node's NodePool. */
  public static readonly NODEPOOL_LABEL = 'karpenter.sh/nodepool';
  /** Pod annotation that blocks voluntary disruption (v1 no longer reads `karpenter.sh/do-not-evict`). */
  public static readonly DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
  /** Node label prefix of the EC2 network topology layers (`...-1` the widest, `...-3` the nearest to the instance). */
  public static readonly NETWORK_NODE_LAYER_LABEL_PREFIX = 'topology.k8s.aws/network-node-layer-';

  /** NodePool targeted by GPU workloads, if any. */
  public readonly nodePool?: string;
  /** GPU taint key tolerated by GPU workloads. */
  public readonly gpuTaintKey: string;
  /** The GPU share of the NodePool's nodes, for a shared NodePool's platform (GPU sharing). */
  public readonly nodePoolShare?: GpuShare;

  public constructor(options: KarpenterOptions = {}) {
    super({
      id: 'karpenter',
      displayName: 'Karpenter (EKS)',
      cloud: Cloud.AWS,
      supportsSpot: true,
      supportsSpotFallback: true,
      supportsReservedCapacity: true,
      maxSpotGraceSeconds: 120,
    }, options);
    this.nodePool = options.nodePool;
    this.gpuTaintKey = options.gpuTaintKey ?? 'nvidia.com/gpu';
    this.nodePoolShare = options.gpuShare;
    if (this.nodePool !== undefined && (typeof this.nodePool !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.nodePool) || this.nodePool.length > 63)) {
      this._optionProblems.push(`nodePool=${_show(this.nodePool)} is invalid: must be the name of a NodePool (a DNS label)`);
    }
    if (!_isLabelKey(this.gpuTaintKey)) {
      this._optionProblems.push(`gpuTaintKey=${_show(this.gpuTaintKey)} is invalid: must be a taint key such as nvidia.com/gpu (an empty key would tolerate every taint)`);
    }
  }

  public gpuLabelValue(accelerator: Accelerator): string | undefined {
    return accelerator.karpenterGpuName;
  }

  /**
   * EC2 network node layers 1 (widest) to 3, then the node: the AWS cloud controller manager labels nodes of instance
   * types with instance topology from DescribeInstanceTopology (kubernetes/cloud-provider-aws, instances_v2.go).
   */
  public topologyLevels(): string[] {
    return [1, 2, 3].map(i => `${KarpenterPlatform.NETWORK_NODE_LAYER_LABEL_PREFIX}${i}`).concat('kubernetes.io/hostname');
  }

  /** GPU nodes carry the well-known instance-gpu-name label, the NodePool's GPU taint and, when shared, the share taint. */
  public nodeAgentPlacement(): NodeAgentPlacement {
    return { tolerations: [this.gpuToleration(), _shareTaintToleration()], affinity: _requireNodeLabel(KarpenterPlatform.GPU_NAME_LABEL) };
  }

  /**
   * Whole GPUs, time-slicing and MPS through the NVIDIA device plugin's sharing config, and MIG through the GPU
   * Operator's MIG manager with the single strategy (Karpenter launches nodes only for `nvidia.com/gpu`, not for the
   * mixed strategy's `nvidia.com/mig-*` resources).
   */
  public sharingStrategies(accelerator?: Accelerator): GpuSharingStrategy[] {
    const mig = accelerator && this.migProfiles(accelerator).length ? [GpuSharingStrategy.MIG] : [];
    return [GpuSharingStrategy.EXCLUSIVE, GpuSharingStrategy.TIME_SHARING, GpuSharingStrategy.MPS, ...mig];
  }

  /** The MIG manager's profiles of the model. */
  public migProfiles(accelerator: Accelerator): MigProfileSpec[] {
    return accelerator?.karpenterGpuName && Array.isArray(accelerator.migProfiles) ? [...accelerator.migProfiles] : [];
  }

  /** @internal */
  public _maxClientsPerGpu(strategy: GpuSharingStrategy): number | undefined {
    return strategy === GpuSharingStrategy.MPS ? NvidiaDevicePlugin.MAX_MPS_CLIENTS : undefined;
  }

  /** @internal */
  public get _defaultShare(): GpuShare {
    return this.nodePoolShare ?? GpuShare.EXCLUSIVE;
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (!accelerator.karpenterGpuName) return [];
    const max = accelerator.maxGpusPerAwsInstance;
    return Array.from({ length: max }, (_, i) => i + 1);
  }

  /** The base checks, and the GPU name and memory of a custom accelerator are node selector values. */
  public validateRequest(req: GpuRequest): string[] {
    const acc = req.accelerator;
    const labels = req.gpus > 0 && acc instanceof Accelerator
      ? _acceleratorLabelProblems(acc, [['karpenterGpuName', acc.karpenterGpuName], ['karpenterGpuMemoryMib', acc.karpenterGpuMemoryMib]])
      : [];
    // A shared NodePool's nodes carry its share's taint and labels: its workloads take that share.
    const share = req.share ?? GpuShare.EXCLUSIVE;
    const pool = this.nodePoolShare;
    const poolShare = pool !== undefined && req.gpus > 0 && share.configName !== pool.configName
      ? [`gpuShare=${share.toString()} is invalid: the NodePool ${_show(this.nodePool)} of this platform gives its GPUs as ${pool.toString()} (allowed: ${pool.toString()}, or the platform of another NodePool)`]
      : [];
    return [...labels, ...poolShare, ...super.validateRequest(req), ..._mpsMemoryLimitProblems(req.share, req.accelerator, this.displayName)];
  }

  /** The biggest instance type with at least `gpus` GPUs, with the allocatable share Karpenter computes for it. */
  public machineFor(accelerator: Accelerator, gpus: number): MachineShape | undefined {
    return _biggestMachine(accelerator.awsInstances, gpus);
  }

  /** A pod that needs more than the instances with its own GPU count offer: legal, but other GPUs of its node idle. */
  public requestWarnings(req: GpuRequest): string[] {
    if (req.gpus === 0 || !req.accelerator) return [];
    return _biggerNodeWarnings(req, req.accelerator, req.accelerator.awsInstances, this.displayName);
  }

  /**
   * Pinned instance types (`node.kubernetes.io/instance-type`, a label Karpenter knows; `karpenter.k8s.aws/instance-type`
   * does not exist) must be instance types of the catalog that carry the pod's accelerator, with its GPUs and more
   * CPU and memory than it requests in Karpenter's allocatable figures. A pod without GPUs may pin any type.
   */
  public instanceTypeProblems(req: GpuRequest): string[] {
    const acc = req.accelerator;
    if (req.gpus === 0 || !(acc instanceof Accelerator)) return _pinFormProblems(req.instanceTypes ?? []);
    const others = (type: string) => Accelerator._known().find(a => a !== acc && a.awsInstances.some(m => m?.machineType === type));
    return _pinProblems(req, acc, acc.awsInstances.filter(m => m && typeof m.machineType === 'string'), 'instance type', others);
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations: k8s.Toleration[] = [];
    const podAnnotations: { [key: string]: string } = {};
    let affinity: k8s.Affinity | undefined;
    if (req.gpus > 0) {
      if (req.accelerator?.karpenterGpuName) {
        nodeSelector[KarpenterPlatform.GPU_NAME_LABEL] = req.accelerator.karpenterGpuName;
        // p4d and p4de both say `a100`: only the GPU memory (40960 vs 81920 MiB) keeps a 40GB job off 80GB nodes.
        const memory = req.accelerator.karpenterGpuMemoryMib;
        if (memory !== undefined) nodeSelector[KarpenterPlatform.GPU_MEMORY_LABEL] = String(memory);
      }
      tolerations.push(this.gpuToleration());
      if (this.nodePool) nodeSelector[KarpenterPlatform.NODEPOOL_LABEL] = this.nodePool;
      // GPU sharing: nodes whose device plugin config (or MIG layout) gives the share, and their share taint. A shared
      // GpuNodePool puts the same labels on its nodes, so Karpenter knows which pool launches them.
      if (req.share?.isShared) {
        Object.assign(nodeSelector, _nvidiaShareSelector(req.share, MigStrategy.SINGLE));
        tolerations.push(_shareTaintToleration());
      }
    }
    const capacity = KarpenterPlatform.CAPACITY_TYPE_LABEL;
    if (req.capacityType === CapacityType.SPOT) {
      nodeSelector[capacity] = 'spot';
    } else if (req.capacityType === CapacityType.RESERVED) {
      // Capacity reservations (ODCRs, Capacity Blocks) a NodePool selects with capacityReservationSelectorTerms.
      nodeSelector[capacity] = 'reserved';
    } else if (req.capacityType === CapacityType.SPOT_WITH_FALLBACK) {
      affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: capacity, operator: 'In', values: ['spot', 'on-demand'] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: [{ key: capacity, operator: 'In', values: ['spot'] }] } },
          ],
        },
      };
    } else if (req.gpus > 0) {
      // Karpenter picks spot when a NodePool allows both; a workload that did not ask for spot must not get it.
      nodeSelector[capacity] = 'on-demand';
    }
    // A notebook's kernels hold unsaved state: consolidating its node would lose it (idle culling frees the GPU).
    if (req.kind === WorkloadKind.TRAINING || req.kind === WorkloadKind.BATCH || req.kind === WorkloadKind.NOTEBOOK) {
      podAnnotations[KarpenterPlatform.DO_NOT_DISRUPT_ANNOTATION] = 'true';
    }
    return _pinPlacement({ nodeSelector, tolerations, affinity, podAnnotations }, req.instanceTypes);
  }

  /**
   * GPU sharing on a rendered pod: one shared GPU per container on a time-sliced or MPS node, and no MIG resource of the
   * mixed strategy (Karpenter launches nodes only for the resources it knows, `nvidia.com/gpu` among them: such a pod
   * would wait for ever unless a node already offers the resource).
   */
  public admissionViolations(pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    if (!pod || typeof pod !== 'object') return ['not a pod spec'];
    const mig = _migResourcesOf(pod).map(r => `${r} is a resource Karpenter launches no node for (it knows ${NvidiaDevicePlugin.GPU_RESOURCE}): use GpuShare.mig, which asks for ${NvidiaDevicePlugin.GPU_RESOURCE} on nodes of the single MIG strategy`);
    return [..._nvidiaShareViolations(pod), ...mig];
  }

  private gpuToleration(): k8s.Toleration {
    return { key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' };
  }
}

Platform._register('karpenter', (options: KarpenterOptions) => new KarpenterPlatform(options));
