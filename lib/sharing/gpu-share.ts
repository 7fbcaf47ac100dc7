import { Size } from 'cdk8s';
import { Accelerator, MigProfileSpec } from '../accelerator';
import { MigProfile } from './mig-profile';

/** How a pod's GPUs are shared with other pods. */
export enum GpuSharingStrategy {
  /** Whole GPUs, for this pod alone. */
  EXCLUSIVE = 'exclusive',
  /** CUDA time-slicing: clients take turns on the whole GPU, without memory or fault isolation. */
  TIME_SHARING = 'time-sharing',
  /** CUDA Multi-Process Service: clients run at once, each limited to its share of compute and memory. */
  MPS = 'mps',
  /** Multi-Instance GPU: a hardware slice with its own compute, memory and cache. */
  MIG = 'mig',
}

/** Options of `GpuShare.mps()`. */
export interface MpsOptions {
  /**
   * A lower device-memory limit for the workload's CUDA processes than the share the platform gives each MPS client
   * (the GPU's memory divided by the clients), set with the MPS client variable `CUDA_MPS_PINNED_DEVICE_MEM_LIMIT`.
   * Only where the platform lets the pod set it (not on GKE, whose device plugin sets it from the request).
   * @default - the platform's per-client share
   */
  readonly memoryLimit?: Size;
}

/**
 * How much of a GPU a workload's pods take: whole GPUs (`GpuShare.EXCLUSIVE`, the default), a time-shared GPU
 * (`GpuShare.timeShared(clientsPerGpu)`), an MPS client (`GpuShare.mps(clientsPerGpu)`) or a MIG slice
 * (`GpuShare.mig(MigProfile.of('1g.10gb'))`). The platform turns it into node selectors, tolerations and the GPU
 * resource the pod asks for, and refuses what it does not offer (see docs/sharing.md).
 */
export class GpuShare {
  /**
   * Key of the `NoSchedule` taint that keeps pods without a share off nodes whose GPUs are shared (a `GpuNodePool`
   * with a `gpuShare` puts it on its nodes; give your own shared nodes the same taint). Every shared pod tolerates it.
   */
  public static readonly TAINT_KEY = 'gpu-ml.cdk8s.io/gpu-share';

  /** Whole GPUs, for the pod alone (the default). */
  public static readonly EXCLUSIVE = new GpuShare(GpuSharingStrategy.EXCLUSIVE);

  /**
   * A GPU time-shared by up to `clientsPerGpu` containers (CUDA time-slicing: no memory or fault isolation; every
   * client can use all of the GPU's memory). A pod asks for one shared GPU.
   */
  public static timeShared(clientsPerGpu: number): GpuShare {
    return new GpuShare(GpuSharingStrategy.TIME_SHARING, clientsPerGpu);
  }

  /**
   * One of up to `clientsPerGpu` CUDA MPS clients of a GPU: clients run at once, each with an equal share of the GPU's
   * compute and memory. A pod asks for one MPS share.
   */
  public static mps(clientsPerGpu: number, options: MpsOptions = {}): GpuShare {
    return new GpuShare(GpuSharingStrategy.MPS, clientsPerGpu, undefined, options?.memoryLimit);
  }

  /** A MIG slice of a GPU, e.g. `GpuShare.mig(MigProfile.of('1g.10gb'))`. A pod asks for one slice. */
  public static mig(profile: MigProfile): GpuShare {
    return new GpuShare(GpuSharingStrategy.MIG, undefined, profile);
  }

  /** How the GPU is shared. */
  public readonly strategy: GpuSharingStrategy;
  /** Clients per GPU (time-sharing and MPS). */
  public readonly clientsPerGpu?: number;
  /** The MIG profile (MIG). */
  public readonly migProfile?: MigProfile;
  /** The MPS memory limit of the workload's processes (MPS). */
  public readonly mpsMemoryLimit?: Size;

  private constructor(strategy: GpuSharingStrategy, clientsPerGpu?: number, migProfile?: MigProfile, mpsMemoryLimit?: Size) {
    this.strategy = strategy;
    this.clientsPerGpu = clientsPerGpu;
    this.migProfile = migProfile;
    this.mpsMemoryLimit = mpsMemoryLimit;
  }

  /** Whether the GPU is shared with other pods (anything but `EXCLUSIVE`). */
  public get isShared(): boolean {
    return this.strategy !== GpuSharingStrategy.EXCLUSIVE;
  }

  /**
   * Name of the node configuration that offers this share: the NVIDIA device plugin's named config
   * (`time-slicing-4`, `mps-4`, the `nvidia.com/device-plugin.config` node label), the MIG manager's layout
   * (`all-1g.10gb`, the `nvidia.com/mig.config` node label), or `exclusive`. The value of the share's node taint.
   */
  public get configName(): string {
    switch (this.strategy) {
      case GpuSharingStrategy.TIME_SHARING: return `time-slicing-${this.clientsPerGpu}`;
      case GpuSharingStrategy.MPS: return `mps-${this.clientsPerGpu}`;
      case GpuSharingStrategy.MIG: return `all-${this.migProfile?.labelValue}`;
      default: return 'exclusive';
    }
  }

  /**
   * The fraction of one physical GPU that one unit of this share holds on `accelerator`: 1 for whole GPUs,
   * 1/clientsPerGpu for time-sharing and MPS, and for MIG one over the instances of the profile that fit on the GPU
   * (GKE and the MIG manager's `all-<profile>` layouts cut every GPU of a node into one profile). What cost and quota
   * accounting charge a pod per GPU it asks for.
   * @returns undefined for a MIG profile the accelerator does not list
   */
  public fractionOf(accelerator?: Accelerator): number | undefined {
    switch (this.strategy) {
      case GpuSharingStrategy.TIME_SHARING:
      case GpuSharingStrategy.MPS:
        return 1 / this.clientsPerGpu!;
      case GpuSharingStrategy.MIG: {
        const spec = accelerator ? _migSpec([...accelerator.migProfiles, ...accelerator.gkeMigProfiles], this.migProfile) : undefined;
        return spec && _validInstances(spec.instancesPerGpu) ? 1 / spec.instancesPerGpu : undefined;
      }
      default:
        return 1;
    }
  }

  /** How the share is written in code, for messages: `GpuShare.timeShared(4)`. */
  public toString(): string {
    switch (this.strategy) {
      case GpuSharingStrategy.TIME_SHARING: return `GpuShare.timeShared(${this.clientsPerGpu})`;
      case GpuSharingStrategy.MPS: return `GpuShare.mps(${this.clientsPerGpu}${this.mpsMemoryLimit !== undefined ? ', { memoryLimit }' : ''})`;
      case GpuSharingStrategy.MIG: return `GpuShare.mig(${JSON.stringify(String(this.migProfile?.name))})`;
      default: return 'GpuShare.EXCLUSIVE';
    }
  }

  /**
   * What is wrong with the arguments of the factory, whatever the platform (JavaScript callers pass anything).
   * @internal
   */
  public _problem(): string | undefined {
    if (!Object.values(GpuSharingStrategy).includes(this.strategy)) return 'must be made with GpuShare.EXCLUSIVE, GpuShare.timeShared, GpuShare.mps or GpuShare.mig';
    if (this.strategy === GpuSharingStrategy.TIME_SHARING || this.strategy === GpuSharingStrategy.MPS) {
      const n = this.clientsPerGpu;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 2 || n > 2 ** 31 - 1) {
        return `clientsPerGpu=${typeof n === 'string' ? JSON.stringify(n) : String(n)} must be a whole number of clients from 2 up (one client is an exclusive GPU)`;
      }
    }
    if (this.strategy === GpuSharingStrategy.MIG) {
      if (!(this.migProfile instanceof MigProfile)) return 'needs a MigProfile, e.g. GpuShare.mig(MigProfile.of("1g.10gb"))';
      const problem = this.migProfile._problem();
      if (problem) return `its profile ${JSON.stringify(String(this.migProfile.name))} ${problem}`;
    }
    if (this.mpsMemoryLimit !== undefined && typeof (this.mpsMemoryLimit as any)?.toMebibytes !== 'function') {
      return 'memoryLimit must be a cdk8s Size, e.g. Size.gibibytes(8)';
    }
    return undefined;
  }
}

/** The spec of `profile` among `specs`, if listed. @internal */
export function _migSpec(specs: MigProfileSpec[], profile: MigProfile | undefined): MigProfileSpec | undefined {
  if (!profile || !Array.isArray(specs)) return undefined;
  return specs.find(s => s && s.profile === profile.name);
}

/** Whether a MIG profile's instances per GPU is a count a GPU can hold (MIG cuts a GPU into at most 7). @internal */
export function _validInstances(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 7;
}
