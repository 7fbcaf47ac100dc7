import { Accelerator } from '../accelerator';
import { CapacityType } from '../platform/platform';
import { ComputeClass } from './compute-class';

/**
 * What a team's GPU quota is for, as a Kueue ResourceFlavor: a GPU model on one capacity type (on-demand, spot,
 * flex-start, reserved), or a GKE compute class (its whole capacity ladder). The fleet derives the flavor's node labels
 * and tolerations from the platform, so Kueue charges each workload to the flavor its pods select.
 */
export class GpuFlavor {
  /** On-demand GPUs of a model. */
  public static onDemand(accelerator: Accelerator): GpuFlavor {
    return new GpuFlavor(accelerator, CapacityType.ON_DEMAND);
  }

  /** Spot GPUs of a model. */
  public static spot(accelerator: Accelerator): GpuFlavor {
    return new GpuFlavor(accelerator, CapacityType.SPOT);
  }

  /** GPUs of a model on a capacity type (`CapacityType.FLEX_START` on GKE, `CapacityType.RESERVED` on Karpenter...). */
  public static of(accelerator: Accelerator, capacityType: CapacityType): GpuFlavor {
    return new GpuFlavor(accelerator, capacityType);
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

  private constructor(accelerator: Accelerator | undefined, capacityType: CapacityType, computeClass?: ComputeClass) {
    this.accelerator = accelerator;
    this.capacityType = capacityType;
    this.computeClass = computeClass;
  }
}
