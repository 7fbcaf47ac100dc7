import { k8s } from 'cdk8s-plus-28';
import { Accelerator } from '../accelerator';
import { _isLabelKey, _show } from '../validation';
import {
  GpuRequest, KubernetesOptions, NodeAgentPlacement, Platform, PodPlacement, _acceleratorLabelProblems, _pinFormProblems, _pinPlacement,
  _requireNodeLabel,
} from './platform';

/** More GPUs than any machine carries: a bound that keeps counts and messages small. */
const MAX_GPUS_PER_NODE = 64;

/**
 * Plain Kubernetes with the NVIDIA device plugin: GPUs are an extended resource; GPU nodes are commonly tainted
 * `nvidia.com/gpu:NoSchedule`. No spot capacity and no cloud identity are assumed.
 */
export class KubernetesPlatform extends Platform {
  /** Node label of NVIDIA GPU feature discovery with the GPU model. */
  public static readonly GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';

  /** Whether GPU pods select the GPU model with `nvidia.com/gpu.product`. */
  public readonly selectGpuProduct: boolean;
  /** Taint key on GPU nodes that GPU workloads tolerate. */
  public readonly gpuTaintKey: string;
  /** Most GPUs one node offers. */
  public readonly maxGpusPerNode: number;

  public constructor(options: KubernetesOptions = {}) {
    super({ id: 'kubernetes', displayName: 'Kubernetes (NVIDIA device plugin)', requiresAccelerator: false }, options);
    this.selectGpuProduct = options.selectGpuProduct ?? false;
    this.gpuTaintKey = options.gpuTaintKey ?? 'nvidia.com/gpu';
    this.maxGpusPerNode = options.maxGpusPerNode ?? 8;
    if (typeof this.maxGpusPerNode !== 'number' || !Number.isInteger(this.maxGpusPerNode) || this.maxGpusPerNode < 1 || this.maxGpusPerNode > MAX_GPUS_PER_NODE) {
      this._optionProblems.push(`maxGpusPerNode=${_show(options.maxGpusPerNode)} is invalid: must be an integer from 1 to ${MAX_GPUS_PER_NODE}`);
      this.maxGpusPerNode = 8;
    }
    if (!_isLabelKey(this.gpuTaintKey)) {
      this._optionProblems.push(`gpuTaintKey=${_show(this.gpuTaintKey)} is invalid: must be a taint key such as nvidia.com/gpu (an empty key would tolerate every taint)`);
    }
  }

  public gpuLabelValue(accelerator: Accelerator): string | undefined {
    return accelerator.gpuProduct ?? accelerator.name;
  }

  /** GPU nodes carry `nvidia.com/gpu.present=true` (NVIDIA GPU feature discovery) and the GPU taint. */
  public nodeAgentPlacement(): NodeAgentPlacement {
    return { tolerations: [this.gpuToleration()], affinity: _requireNodeLabel('nvidia.com/gpu.present') };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (this.selectGpuProduct && !accelerator.gpuProduct) return [];
    return Array.from({ length: this.maxGpusPerNode }, (_, i) => i + 1);
  }

  /**
   * The base checks; the GPU product of a custom accelerator is a node selector value; and without an accelerator (when
   * the base's count check does not run) no node carries more than `maxGpusPerNode`.
   */
  public validateRequest(req: GpuRequest): string[] {
    const acc = req.accelerator;
    const v = [
      ...(this.selectGpuProduct && req.gpus > 0 && acc instanceof Accelerator ? _acceleratorLabelProblems(acc, [['gpuProduct', acc.gpuProduct]]) : []),
      ...super.validateRequest(req),
    ];
    if (acc === undefined && req.gpus > this.maxGpusPerNode) {
      v.push(`gpus=${req.gpus} is not accepted by ${this.displayName}: no node carries more than maxGpusPerNode=${this.maxGpusPerNode} GPUs (allowed: 1-${this.maxGpusPerNode})`);
    }
    return v;
  }

  /**
   * A pin is passed through as a node selector: cloud providers label their nodes with `node.kubernetes.io/instance-type`,
   * but the cloud (and so the catalog to check against) is unknown here, and bare-metal nodes carry the label only if
   * someone sets it. Only the form of the names is checked.
   */
  public instanceTypeProblems(req: GpuRequest): string[] {
    return _pinFormProblems(req.instanceTypes ?? []);
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations: k8s.Toleration[] = [];
    if (req.gpus > 0) {
      tolerations.push(this.gpuToleration());
      if (this.selectGpuProduct && req.accelerator?.gpuProduct) nodeSelector[KubernetesPlatform.GPU_PRODUCT_LABEL] = req.accelerator.gpuProduct;
    }
    return _pinPlacement({ nodeSelector, tolerations, podAnnotations: {} }, req.instanceTypes);
  }

  private gpuToleration(): k8s.Toleration {
    return { key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' };
  }
}

Platform._register('kubernetes', (options: KubernetesOptions) => new KubernetesPlatform(options));
