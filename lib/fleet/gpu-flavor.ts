import { Accelerator } from '../accelerator';
import { CapacityType } from '../platform/platform';
import { GpuShare } from '../sharing/gpu-share';
import { ComputeClass } from './compute-class';

/** Options of the `GpuFlavor` factories of a GPU model. */
export interface GpuFlavorOptions {
  /**
   * How the flavor's nodes give their GPUs (GPU sharing, docs/sharing.md): a flavor of time-shared, MPS or MIG nodes
   * selects them by the platform's sharing node labels (and tolerates their share taint), and its quota is in shares
   * (`nvidia.com/gpu` units: physical GPUs x clients per GPU, or slices). Only the workloads of that share are charged
   * to it.
   * @default - the platform's default share: whole GPUs, or the share of a shared `GpuNodePool`'s `platform()`
   */
  readonly share?: GpuShare;
}

/**
 * What a team's GPU quota is for, as a Kueue ResourceFlavor: a GPU model on one capacity type (on-demand, spot,
 * flex-start, reserved), whole or shared, or a GKE compute class (its whole capacity ladder). The fleet derives the
 * flavor's node labels and tolerations from the platform, so Kueue charges each workload to the flavor its pods select.
 */
export class GpuFlavor {
  /** On-demand GPUs of a model. */
  public static onDemand(accelerator: Accelerator, options: GpuFlavorOptions = {}): GpuFlavor {
    return new GpuFlavor(accelerator, CapacityType.ON_DEMAND, undefined, options?.share);
  }

  /** Spot GPUs of a model. */
  public static spot(accelerator: Accelerator, options: GpuFlavorOptions = {}): GpuFlavor {
    return new GpuFlavor(accelerator, CapacityType.SPOT, undefined, options?.share);
  }

  /** GPUs of a model on a capacity type (`CapacityType.FLEX_START` on GKE, `CapacityType.RESERVED` on Karpenter...). */
  public static of(accelerator: Accelerator, capacityType: CapacityType, options: GpuFlavorOptions = {}): GpuFlavor {
    return new GpuFlavor(accelerator, capacityType, undefined, options?.share);
  }

  /** The GPUs of a GKE compute class, whatever priority of its ladder they come from. */
  public static ofComputeClass(computeClass: ComputeClass): GpuFlavor {
    return new GpuFlavor(undefined, CapacityType.ON_DEMAND, computeClass);
  }

  /** The GPU model (undefined for a compute class: its priorities name the models). */
  public readonly accelerator?: Accelerator;
  /** The capacity type (a compute class's is on-demand: its priorities decide). */
  public readonly capacityType: CapacityType;
  /** The compute class, if the flavor is one. */
  public readonly computeClass?: ComputeClass;
  /** How the flavor's nodes give their GPUs, if given (undefined: the platform's default share). */
  public readonly share?: GpuShare;

  private constructor(accelerator: Accelerator | undefined, capacityType: CapacityType, computeClass?: ComputeClass, share?: GpuShare) {
    this.accelerator = accelerator;
    this.capacityType = capacityType;
    this.computeClass = computeClass;
    this.share = share;
  }
}
