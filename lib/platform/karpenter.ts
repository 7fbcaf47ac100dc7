import { Accelerator } from '../accelerator';
import { CapacityType, Cloud, KarpenterPlatformOptions, Platform, WorkloadKind, _GpuRequest, _Scheduling, _requireNodeLabel } from './platform';

/** Karpenter node labels and annotations (karpenter.sh/v1, karpenter.k8s.aws/v1). */
export const KARPENTER_GPU_NAME_LABEL = 'karpenter.k8s.aws/instance-gpu-name';
export const KARPENTER_CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
export const KARPENTER_NODEPOOL_LABEL = 'karpenter.sh/nodepool';
/** v1 only honours this annotation (`karpenter.sh/do-not-evict` is gone since v1). */
export const KARPENTER_DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';


/**
 * Karpenter v1 on EKS with the NVIDIA device plugin: GPU pods select `karpenter.k8s.aws/instance-gpu-name`,
 * tolerate the GPU NodePool's taint (EKS does not enable ExtendedResourceToleration), pick spot or on-demand with
 * `karpenter.sh/capacity-type`, and training/batch pods carry `karpenter.sh/do-not-disrupt: "true"` so
 * consolidation does not evict them. AWS gives spot instances a 2-minute notice.
 */
export class KarpenterPlatform extends Platform {
  public readonly id = 'karpenter';
  public readonly displayName = 'Karpenter (EKS)';
  public readonly cloud = Cloud.AWS;
  public readonly supportsSpot = true;
  public readonly supportsSpotFallback = true;
  public readonly maxSpotGraceSeconds?: number = 120;
  /** NodePool targeted by GPU workloads, if any. */
  public readonly nodePool?: string;
  /** GPU taint key tolerated by GPU workloads. */
  public readonly gpuTaintKey: string;

  public constructor(props: KarpenterPlatformOptions = {}) {
    super();
    this.nodePool = props.nodePool;
    this.gpuTaintKey = props.gpuTaintKey ?? 'nvidia.com/gpu';
  }

  /** @internal */
  public _gpuName(accelerator: Accelerator): string | undefined {
    return accelerator.karpenterGpuName;
  }

  /** GPU nodes carry the well-known instance-gpu-name label and the NodePool's GPU taint. @internal */
  public _gpuNodeAgentScheduling() {
    return { tolerations: [{ key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' }], affinity: _requireNodeLabel(KARPENTER_GPU_NAME_LABEL) };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (!accelerator.karpenterGpuName) return [];
    const max = accelerator.maxGpusPerAwsInstance;
    return Array.from({ length: max }, (_, i) => i + 1);
  }

  /** @internal */
  public _schedule(req: _GpuRequest): _Scheduling {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations = [];
    const podAnnotations: { [key: string]: string } = {};
    let affinity;
    if (req.gpus > 0) {
      if (req.accelerator?.karpenterGpuName) nodeSelector[KARPENTER_GPU_NAME_LABEL] = req.accelerator.karpenterGpuName;
      tolerations.push({ key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' });
      if (this.nodePool) nodeSelector[KARPENTER_NODEPOOL_LABEL] = this.nodePool;
    }
    if (req.capacity === CapacityType.SPOT) {
      nodeSelector[KARPENTER_CAPACITY_TYPE_LABEL] = 'spot';
    } else if (req.capacity === CapacityType.SPOT_WITH_FALLBACK) {
      affinity = {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: KARPENTER_CAPACITY_TYPE_LABEL, operator: 'In', values: ['spot', 'on-demand'] }] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 100, preference: { matchExpressions: [{ key: KARPENTER_CAPACITY_TYPE_LABEL, operator: 'In', values: ['spot'] }] } },
          ],
        },
      };
    } else if (req.gpus > 0) {
      // Karpenter picks spot when a NodePool allows both; a workload that did not ask for spot must not get it.
      nodeSelector[KARPENTER_CAPACITY_TYPE_LABEL] = 'on-demand';
    }
    if (req.kind === WorkloadKind.TRAINING || req.kind === WorkloadKind.BATCH) {
      podAnnotations[KARPENTER_DO_NOT_DISRUPT] = 'true';
    }
    return { nodeSelector, tolerations, affinity, podAnnotations };
  }
}
