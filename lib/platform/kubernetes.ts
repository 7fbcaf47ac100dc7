import { Accelerator } from '../accelerator';
import { Cloud, KubernetesPlatformOptions, Platform, _GpuRequest, _Scheduling, _requireNodeLabel } from './platform';


/**
 * Plain Kubernetes with the NVIDIA device plugin: GPUs are an extended resource; GPU nodes are commonly tainted
 * `nvidia.com/gpu:NoSchedule`. No spot capacity and no cloud identity are assumed.
 */
export class KubernetesPlatform extends Platform {
  public readonly id = 'kubernetes';
  public readonly displayName = 'Kubernetes (NVIDIA device plugin)';
  public readonly cloud = Cloud.ANY;
  public readonly supportsSpot = false;
  public readonly requiresAccelerator = false;
  public readonly selectGpuProduct: boolean;
  public readonly gpuTaintKey: string;
  public readonly maxGpusPerNode: number;

  public constructor(props: KubernetesPlatformOptions = {}) {
    super();
    this.selectGpuProduct = props.selectGpuProduct ?? false;
    this.gpuTaintKey = props.gpuTaintKey ?? 'nvidia.com/gpu';
    this.maxGpusPerNode = props.maxGpusPerNode ?? 8;
  }

  /** @internal */
  public _gpuName(accelerator: Accelerator): string | undefined {
    return accelerator.gpuProduct ?? accelerator.name;
  }

  /** GPU nodes carry `nvidia.com/gpu.present=true` (NVIDIA GPU feature discovery) and the GPU taint. @internal */
  public _gpuNodeAgentScheduling() {
    return { tolerations: [{ key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' }], affinity: _requireNodeLabel('nvidia.com/gpu.present') };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (this.selectGpuProduct && !accelerator.gpuProduct) return [];
    return Array.from({ length: this.maxGpusPerNode }, (_, i) => i + 1);
  }

  /** @internal */
  public _schedule(req: _GpuRequest): _Scheduling {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations = [];
    if (req.gpus > 0) {
      tolerations.push({ key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' });
      if (this.selectGpuProduct && req.accelerator?.gpuProduct) nodeSelector['nvidia.com/gpu.product'] = req.accelerator.gpuProduct;
    }
    return { nodeSelector, tolerations, podAnnotations: {} };
  }
}
