/**
 * One machine shape that carries a GPU configuration: the upper bound for what a pod on it may request.
 */
export interface MachineShape {
  /** Machine or instance type, e.g. `a2-highgpu-1g` or `g5.xlarge`. */
  readonly machineType: string;
  /** GPUs on the machine. */
  readonly gpus: number;
  /** vCPUs on the machine. */
  readonly vcpu: number;
  /** Memory on the machine, in GiB. */
  readonly memoryGiB: number;
}

/**
 * An AWS instance family that carries an accelerator, as Karpenter sees it.
 */
export interface AwsInstanceFamily {
  /** `karpenter.k8s.aws/instance-family` value, e.g. `g5`. */
  readonly family: string;
  /** GPUs per instance that the family offers, e.g. `[1, 4, 8]`. */
  readonly gpusPerInstance: number[];
}

/**
 * Properties of a custom accelerator.
 */
export interface AcceleratorProps {
  /** Short, human name used in messages, e.g. `L4`. */
  readonly name: string;
  /**
   * `cloud.google.com/gke-accelerator` label value.
   * @default - not offered on GKE
   */
  readonly gkeLabel?: string;
  /**
   * GPU counts per pod that GKE Autopilot accepts.
   * @default - none: Autopilot does not offer this accelerator
   */
  readonly autopilotCounts?: number[];
  /**
   * GCE machines carrying each GPU configuration (upper bound of CPU and memory a pod may request on GKE).
   * @default - no CPU/memory bound is checked on GKE
   */
  readonly gkeMachines?: MachineShape[];
  /**
   * `karpenter.k8s.aws/instance-gpu-name` label value.
   * @default - not offered on AWS
   */
  readonly karpenterGpuName?: string;
  /**
   * AWS instance families carrying this accelerator.
   * @default - none
   */
  readonly awsInstanceFamilies?: AwsInstanceFamily[];
  /**
   * GPU memory per device, in GiB.
   * @default - unknown
   */
  readonly memoryGiB?: number;
  /**
   * `nvidia.com/gpu.product` label value set by NVIDIA GPU feature discovery, used on plain Kubernetes.
   * @default - plain-Kubernetes pods do not select a GPU model
   */
  readonly gpuProduct?: string;
  /**
   * RE2 pattern (matched whole) of the `modelName` label DCGM reports for this GPU (NVML's product name): how
   * monitoring tells GPU models apart in cost rules.
   * @default - unknown: cost rules need a `dcgmModelName` on the price instead
   */
  readonly dcgmModelName?: string;
}

/**
 * A GPU model, with what each platform calls it and what it accepts.
 *
 * Sources (see "The model" in the README): GKE "Deploy GPU workloads in Autopilot"
 * (last updated 2026-04-10) for label values and Autopilot counts; GCE machine-type pages and AWS instance-type
 * pages for machine shapes (read from memory, not from a primary copy: treat those bounds as unverified).
 */
export class Accelerator {
  /** NVIDIA T4, 16 GB. */
  public static readonly T4 = new Accelerator({
    name: 'T4', gkeLabel: 'nvidia-tesla-t4', karpenterGpuName: 't4', memoryGiB: 16, gpuProduct: 'Tesla-T4', dcgmModelName: 'Tesla T4',
    autopilotCounts: [1, 2, 4],
    gkeMachines: [
      { machineType: 'n1-highmem-48 + 1 T4', gpus: 1, vcpu: 48, memoryGiB: 312 },
      { machineType: 'n1-highmem-48 + 2 T4', gpus: 2, vcpu: 48, memoryGiB: 312 },
      { machineType: 'n1-highmem-96 + 4 T4', gpus: 4, vcpu: 96, memoryGiB: 624 },
    ],
    awsInstanceFamilies: [{ family: 'g4dn', gpusPerInstance: [1, 4, 8] }],
  });

  /** NVIDIA L4, 24 GB. */
  public static readonly L4 = new Accelerator({
    name: 'L4', gkeLabel: 'nvidia-l4', karpenterGpuName: 'l4', memoryGiB: 24, gpuProduct: 'NVIDIA-L4', dcgmModelName: 'NVIDIA L4',
    autopilotCounts: [1, 2, 4, 8],
    gkeMachines: [
      { machineType: 'g2-standard-32', gpus: 1, vcpu: 32, memoryGiB: 128 },
      { machineType: 'g2-standard-24', gpus: 2, vcpu: 24, memoryGiB: 96 },
      { machineType: 'g2-standard-48', gpus: 4, vcpu: 48, memoryGiB: 192 },
      { machineType: 'g2-standard-96', gpus: 8, vcpu: 96, memoryGiB: 384 },
    ],
    awsInstanceFamilies: [{ family: 'g6', gpusPerInstance: [1, 4, 8] }],
  });

  /** NVIDIA A100 40 GB. Autopilot's sourced maximum for 1 GPU is 11 vCPU / 74 GiB (argoproj/argo-workflows#13073). */
  public static readonly A100_40GB = new Accelerator({
    name: 'A100 40GB', gkeLabel: 'nvidia-tesla-a100', karpenterGpuName: 'a100', memoryGiB: 40, gpuProduct: 'NVIDIA-A100-SXM4-40GB',
    dcgmModelName: 'NVIDIA A100.*40GB',
    autopilotCounts: [1, 2, 4, 8, 16],
    gkeMachines: [
      { machineType: 'a2-highgpu-1g (Autopilot maximum)', gpus: 1, vcpu: 11, memoryGiB: 74 },
      { machineType: 'a2-highgpu-2g', gpus: 2, vcpu: 24, memoryGiB: 170 },
      { machineType: 'a2-highgpu-4g', gpus: 4, vcpu: 48, memoryGiB: 340 },
      { machineType: 'a2-highgpu-8g', gpus: 8, vcpu: 96, memoryGiB: 680 },
      { machineType: 'a2-megagpu-16g', gpus: 16, vcpu: 96, memoryGiB: 1360 },
    ],
    awsInstanceFamilies: [{ family: 'p4d', gpusPerInstance: [8] }],
  });

  /** NVIDIA A100 80 GB. */
  public static readonly A100_80GB = new Accelerator({
    name: 'A100 80GB', gkeLabel: 'nvidia-a100-80gb', karpenterGpuName: 'a100', memoryGiB: 80, gpuProduct: 'NVIDIA-A100-SXM4-80GB',
    dcgmModelName: 'NVIDIA A100.*80GB',
    autopilotCounts: [1, 2, 4, 8],
    gkeMachines: [
      { machineType: 'a2-ultragpu-1g', gpus: 1, vcpu: 12, memoryGiB: 170 },
      { machineType: 'a2-ultragpu-2g', gpus: 2, vcpu: 24, memoryGiB: 340 },
      { machineType: 'a2-ultragpu-4g', gpus: 4, vcpu: 48, memoryGiB: 680 },
      { machineType: 'a2-ultragpu-8g', gpus: 8, vcpu: 96, memoryGiB: 1360 },
    ],
    awsInstanceFamilies: [{ family: 'p4de', gpusPerInstance: [8] }],
  });

  /** NVIDIA H100 80 GB (Autopilot 1/2/4 GPUs need GKE 1.31.4-gke.1072000 or later). */
  public static readonly H100_80GB = new Accelerator({
    name: 'H100 80GB', gkeLabel: 'nvidia-h100-80gb', karpenterGpuName: 'h100', memoryGiB: 80, gpuProduct: 'NVIDIA-H100-80GB-HBM3',
    dcgmModelName: 'NVIDIA H100 80GB HBM3',
    autopilotCounts: [1, 2, 4, 8],
    gkeMachines: [
      { machineType: 'a3-highgpu-1g', gpus: 1, vcpu: 26, memoryGiB: 234 },
      { machineType: 'a3-highgpu-2g', gpus: 2, vcpu: 52, memoryGiB: 468 },
      { machineType: 'a3-highgpu-4g', gpus: 4, vcpu: 104, memoryGiB: 936 },
      { machineType: 'a3-highgpu-8g', gpus: 8, vcpu: 208, memoryGiB: 1872 },
    ],
    awsInstanceFamilies: [{ family: 'p5', gpusPerInstance: [1, 8] }],
  });

  /** NVIDIA H100 Mega 80 GB (GKE only, whole 8-GPU machines). */
  public static readonly H100_MEGA_80GB = new Accelerator({
    name: 'H100 Mega 80GB', gkeLabel: 'nvidia-h100-mega-80gb', memoryGiB: 80,
    // The same GPU as the H100 80GB: DCGM cannot tell them apart.
    dcgmModelName: 'NVIDIA H100 80GB HBM3',
    autopilotCounts: [8],
    gkeMachines: [{ machineType: 'a3-megagpu-8g', gpus: 8, vcpu: 208, memoryGiB: 1872 }],
  });

  /** NVIDIA H200 141 GB. */
  public static readonly H200_141GB = new Accelerator({
    name: 'H200 141GB', gkeLabel: 'nvidia-h200-141gb', karpenterGpuName: 'h200', memoryGiB: 141, gpuProduct: 'NVIDIA-H200',
    dcgmModelName: 'NVIDIA H200.*',
    autopilotCounts: [8],
    gkeMachines: [{ machineType: 'a3-ultragpu-8g', gpus: 8, vcpu: 224, memoryGiB: 2952 }],
    awsInstanceFamilies: [{ family: 'p5e', gpusPerInstance: [8] }, { family: 'p5en', gpusPerInstance: [8] }],
  });

  /** NVIDIA B200 180 GB. */
  public static readonly B200 = new Accelerator({
    name: 'B200', gkeLabel: 'nvidia-b200', karpenterGpuName: 'b200', memoryGiB: 180, gpuProduct: 'NVIDIA-B200', dcgmModelName: 'NVIDIA B200.*',
    autopilotCounts: [8],
    gkeMachines: [{ machineType: 'a4-highgpu-8g', gpus: 8, vcpu: 224, memoryGiB: 3968 }],
    awsInstanceFamilies: [{ family: 'p6-b200', gpusPerInstance: [8] }],
  });

  /** NVIDIA A10G 24 GB (AWS only). */
  public static readonly A10G = new Accelerator({
    name: 'A10G', karpenterGpuName: 'a10g', memoryGiB: 24, gpuProduct: 'NVIDIA-A10G', dcgmModelName: 'NVIDIA A10G',
    awsInstanceFamilies: [{ family: 'g5', gpusPerInstance: [1, 4, 8] }],
  });

  /** NVIDIA L40S 48 GB (AWS only). */
  public static readonly L40S = new Accelerator({
    name: 'L40S', karpenterGpuName: 'l40s', memoryGiB: 48, gpuProduct: 'NVIDIA-L40S', dcgmModelName: 'NVIDIA L40S',
    awsInstanceFamilies: [{ family: 'g6e', gpusPerInstance: [1, 4, 8] }],
  });

  /** Every accelerator of the catalog, in a stable order. */
  public static all(): Accelerator[] {
    return [Accelerator.T4, Accelerator.L4, Accelerator.A100_40GB, Accelerator.A100_80GB, Accelerator.H100_80GB,
      Accelerator.H100_MEGA_80GB, Accelerator.H200_141GB, Accelerator.B200, Accelerator.A10G, Accelerator.L40S];
  }

  /** Defines an accelerator that is not in the catalog. */
  public static custom(props: AcceleratorProps): Accelerator {
    // Garbage from JavaScript callers makes an accelerator without a name, which the runtime type check reports.
    return new Accelerator(props !== null && typeof props === 'object' ? props : ({} as AcceleratorProps));
  }

  /** Short name, e.g. `L4`. */
  public readonly name: string;
  /** `cloud.google.com/gke-accelerator` value, if GKE offers it. */
  public readonly gkeLabel?: string;
  /** `karpenter.k8s.aws/instance-gpu-name` value, if AWS offers it. */
  public readonly karpenterGpuName?: string;
  /** GPU counts per pod accepted by GKE Autopilot (empty when Autopilot does not offer it). */
  public readonly autopilotCounts: number[];
  /** GCE machines per GPU configuration. */
  public readonly gkeMachines: MachineShape[];
  /** AWS instance families. */
  public readonly awsInstanceFamilies: AwsInstanceFamily[];
  /** GPU memory per device in GiB, if known. */
  public readonly memoryGiB?: number;
  /** `nvidia.com/gpu.product` label value, if known. */
  public readonly gpuProduct?: string;
  /** RE2 pattern of the `modelName` DCGM reports, if known. */
  public readonly dcgmModelName?: string;

  private constructor(props: AcceleratorProps) {
    this.name = props.name;
    this.gkeLabel = props.gkeLabel;
    this.karpenterGpuName = props.karpenterGpuName;
    this.autopilotCounts = [...(props.autopilotCounts ?? [])];
    this.gkeMachines = [...(props.gkeMachines ?? [])];
    this.awsInstanceFamilies = [...(props.awsInstanceFamilies ?? [])];
    this.memoryGiB = props.memoryGiB;
    this.gpuProduct = props.gpuProduct;
    this.dcgmModelName = props.dcgmModelName;
  }

  /** The GKE machine for exactly `gpus` GPUs, if known. */
  public gkeMachineFor(gpus: number): MachineShape | undefined {
    return this.gkeMachines.find(m => m.gpus === gpus);
  }

  /** Largest number of GPUs on one AWS instance carrying this accelerator (0 if none). */
  public get maxGpusPerAwsInstance(): number {
    return Math.max(0, ...this.awsInstanceFamilies.flatMap(f => f.gpusPerInstance));
  }

  /** Largest number of GPUs on one GKE machine carrying this accelerator (0 if none). */
  public get maxGpusPerGkeMachine(): number {
    return Math.max(0, ...this.gkeMachines.map(m => m.gpus), ...this.autopilotCounts);
  }
}
