import { k8s } from 'cdk8s-plus-28';
import { Accelerator, MigProfileSpec } from '../accelerator';
import { GpuSharingStrategy } from '../sharing/gpu-share';
import { _isLabelKey, _show } from '../validation';
import { MigStrategy, NvidiaDevicePlugin, _nvidiaSharedProduct, _nvidiaShareSelector, _nvidiaShareViolations } from './nvidia-device-plugin';
import {
  GpuRequest, KubernetesOptions, NodeAgentPlacement, Platform, PodPlacement, _acceleratorLabelProblems, _pinFormProblems, _pinPlacement,
  _requireNodeLabel,
} from './platform';
import { _mpsMemoryLimitProblems, _shareTaintToleration } from './sharing-rules';

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
  /** How the cluster's device plugin advertises MIG slices, if stated (GPU sharing). */
  public readonly migStrategy?: MigStrategy;

  public constructor(options: KubernetesOptions = {}) {
    super({ id: 'kubernetes', displayName: 'Kubernetes (NVIDIA device plugin)', requiresAccelerator: false }, options);
    this.selectGpuProduct = options.selectGpuProduct ?? false;
    this.gpuTaintKey = options.gpuTaintKey ?? 'nvidia.com/gpu';
    this.maxGpusPerNode = options.maxGpusPerNode ?? 8;
    this.migStrategy = options.migStrategy;
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

  /** GPU nodes carry `nvidia.com/gpu.present=true` (NVIDIA GPU feature discovery), the GPU taint and, when shared, the share taint. */
  public nodeAgentPlacement(): NodeAgentPlacement {
    return { tolerations: [this.gpuToleration(), _shareTaintToleration()], affinity: _requireNodeLabel('nvidia.com/gpu.present') };
  }

  /** Whole GPUs, time-slicing and MPS through the NVIDIA device plugin's sharing config, and MIG through the GPU Operator. */
  public sharingStrategies(accelerator?: Accelerator): GpuSharingStrategy[] {
    const mig = accelerator && this.migProfiles(accelerator).length ? [GpuSharingStrategy.MIG] : [];
    return [GpuSharingStrategy.EXCLUSIVE, GpuSharingStrategy.TIME_SHARING, GpuSharingStrategy.MPS, ...mig];
  }

  /** The MIG manager's profiles of the model. */
  public migProfiles(accelerator: Accelerator): MigProfileSpec[] {
    return Array.isArray(accelerator?.migProfiles) ? [...accelerator.migProfiles] : [];
  }

  /** `nvidia.com/mig-<profile>` for a MIG slice under the mixed strategy; `nvidia.com/gpu` otherwise. */
  public gpuResourceName(request: GpuRequest): string {
    const share = request.share;
    const mixed = share?.strategy === GpuSharingStrategy.MIG && this.migStrategy === MigStrategy.MIXED;
    if (mixed && share?.migProfile) return share.migProfile.mixedResourceName;
    return NvidiaDevicePlugin.GPU_RESOURCE;
  }

  /** @internal */
  public _maxClientsPerGpu(strategy: GpuSharingStrategy): number | undefined {
    return strategy === GpuSharingStrategy.MPS ? NvidiaDevicePlugin.MAX_MPS_CLIENTS : undefined;
  }

  /** One shared GPU per container on a time-sliced or MPS node (the device plugin fails more). */
  public admissionViolations(pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    if (!pod || typeof pod !== 'object') return ['not a pod spec'];
    return _nvidiaShareViolations(pod);
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
    // MIG: the resource and the selector depend on the cluster's MIG strategy, which only its owner knows.
    if (req.share?.strategy === GpuSharingStrategy.MIG && req.gpus > 0 && this.migStrategy === undefined && !req.share._problem()) {
      v.push(`gpuShare=${req.share.toString()} is invalid: ${this.displayName} has no migStrategy, so the library cannot tell whether a slice is nvidia.com/gpu on a node of one profile (single) or ${req.share.migProfile!.mixedResourceName} (mixed) (allowed: state it with Platform.kubernetes({ migStrategy: MigStrategy.SINGLE }) or MigStrategy.MIXED)`);
    }
    v.push(..._mpsMemoryLimitProblems(req.share, req.accelerator, this.displayName));
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
      const share = req.share;
      // GPU feature discovery marks a shared node's product `-SHARED`, a single-strategy MIG node's `-MIG-<profile>`.
      if (this.selectGpuProduct && req.accelerator?.gpuProduct) {
        const product = req.accelerator.gpuProduct;
        nodeSelector[KubernetesPlatform.GPU_PRODUCT_LABEL] = share?.isShared ? _nvidiaSharedProduct(product, share, this.migStrategy) : product;
      }
      if (share?.isShared) {
        Object.assign(nodeSelector, _nvidiaShareSelector(share, this.migStrategy));
        tolerations.push(_shareTaintToleration());
      }
    }
    return _pinPlacement({ nodeSelector, tolerations, podAnnotations: {} }, req.instanceTypes);
  }

  private gpuToleration(): k8s.Toleration {
    return { key: this.gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' };
  }
}

Platform._register('kubernetes', (options: KubernetesOptions) => new KubernetesPlatform(options));
