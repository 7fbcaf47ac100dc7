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
  /**
   * vCPUs the node offers to pods: the machine minus what the platform reserves for the system (kubelet, runtime,
   * eviction threshold). A pod that requests this much or more never schedules.
   * @default - the platform's own figure (GKE Standard computes GKE's reservation); else the whole machine
   */
  readonly allocatableVcpu?: number;
  /**
   * Memory the node offers to pods, in GiB (see `allocatableVcpu`).
   * @default - the platform's own figure (GKE Standard computes GKE's reservation); else the whole machine
   */
  readonly allocatableMemoryGiB?: number;
  /**
   * The fast GPU-to-GPU network between machines of this type (GPUDirect-TCPXO, GPUDirect RDMA, EFA), if it has one.
   * @default - none
   */
  readonly fastNetwork?: AcceleratorNetwork;
  /**
   * Interfaces of `fastNetwork` on one machine (NICs for GPUDirect; `vpc.amazonaws.com/efa` for EFA).
   * @default - none
   */
  readonly fastNetworkInterfaces?: number;
}

/**
 * A fast network between GPU machines, as the catalog names it: which machine types have one. How a pod uses it
 * (annotations, sidecars, devices, NCCL env) is the platform's knowledge: `NetworkProfile`.
 */
export class AcceleratorNetwork {
  /** GPUDirect-TCPXO: 8 extra NICs on GKE's A3 Mega (a3-megagpu-8g), driven by a receive-datapath sidecar. */
  public static readonly GPUDIRECT_TCPXO = new AcceleratorNetwork('gpudirect-tcpxo', 'GPUDirect-TCPXO');
  /** GPUDirect RDMA (RoCE): 8 RDMA NICs on GKE's A3 Ultra (a3-ultragpu-8g) and A4 (a4-highgpu-8g). */
  public static readonly GPUDIRECT_RDMA = new AcceleratorNetwork('gpudirect-rdma', 'GPUDirect RDMA');
  /** Elastic Fabric Adapter on AWS (p4d, p5, p6 and the larger g4dn/g5/g6/g6e sizes). */
  public static readonly EFA = new AcceleratorNetwork('efa', 'EFA');

  /** Short id, e.g. `efa`. */
  public readonly id: string;
  /** Name in messages, e.g. `GPUDirect-TCPXO`. */
  public readonly displayName: string;

  private constructor(id: string, displayName: string) {
    this.id = id;
    this.displayName = displayName;
  }
}

/**
 * Machine types with a fast network and how many interfaces one machine has. GKE: GPUDirect samples of
 * GoogleCloudPlatform/container-engine-accelerators (gpudirect-tcpxo/, gpudirect-rdma/, 2026-06-11): 8 NICs each. AWS:
 * `vpc.amazonaws.com/efa` of Karpenter's instance-types reference (v1.14.0, EC2 MaximumEfaInterfaces).
 */
const FAST_NETWORKS: { [machineType: string]: [AcceleratorNetwork, number] } = {
  'a3-megagpu-8g': [AcceleratorNetwork.GPUDIRECT_TCPXO, 8],
  'a3-ultragpu-8g': [AcceleratorNetwork.GPUDIRECT_RDMA, 8],
  'a4-highgpu-8g': [AcceleratorNetwork.GPUDIRECT_RDMA, 8],
  'p4d.24xlarge': [AcceleratorNetwork.EFA, 4], 'p4de.24xlarge': [AcceleratorNetwork.EFA, 4],
  'p5.4xlarge': [AcceleratorNetwork.EFA, 1], 'p5.48xlarge': [AcceleratorNetwork.EFA, 32],
  'p5e.48xlarge': [AcceleratorNetwork.EFA, 32], 'p5en.48xlarge': [AcceleratorNetwork.EFA, 16],
  'p6-b200.48xlarge': [AcceleratorNetwork.EFA, 8],
  'g4dn.8xlarge': [AcceleratorNetwork.EFA, 1], 'g4dn.12xlarge': [AcceleratorNetwork.EFA, 1], 'g4dn.16xlarge': [AcceleratorNetwork.EFA, 1],
  'g4dn.metal': [AcceleratorNetwork.EFA, 1],
  'g5.8xlarge': [AcceleratorNetwork.EFA, 1], 'g5.12xlarge': [AcceleratorNetwork.EFA, 1], 'g5.16xlarge': [AcceleratorNetwork.EFA, 1],
  'g5.24xlarge': [AcceleratorNetwork.EFA, 1], 'g5.48xlarge': [AcceleratorNetwork.EFA, 1],
  'g6.8xlarge': [AcceleratorNetwork.EFA, 1], 'g6.12xlarge': [AcceleratorNetwork.EFA, 1], 'g6.16xlarge': [AcceleratorNetwork.EFA, 1],
  'g6.24xlarge': [AcceleratorNetwork.EFA, 1], 'g6.48xlarge': [AcceleratorNetwork.EFA, 1],
  'g6e.8xlarge': [AcceleratorNetwork.EFA, 1], 'g6e.12xlarge': [AcceleratorNetwork.EFA, 1], 'g6e.16xlarge': [AcceleratorNetwork.EFA, 1],
  'g6e.24xlarge': [AcceleratorNetwork.EFA, 2], 'g6e.48xlarge': [AcceleratorNetwork.EFA, 4],
};

/** The fast network of a catalog machine, as MachineShape fields (none: no fields). */
function fastNetworkOf(machineType: string): { fastNetwork?: AcceleratorNetwork; fastNetworkInterfaces?: number } {
  const found = FAST_NETWORKS[machineType];
  return found ? { fastNetwork: found[0], fastNetworkInterfaces: found[1] } : {};
}

/**
 * An AWS instance family that carries an accelerator, as Karpenter sees it.
 */
export interface AwsInstanceFamily {
  /** `karpenter.k8s.aws/instance-family` value, e.g. `g5`. */
  readonly family: string;
  /** GPUs per instance that the family offers, e.g. `[1, 4, 8]`. */
  readonly gpusPerInstance: number[];
  /**
   * The family's instance types with the CPU and memory Karpenter computes as allocatable: the bound of what a pod may
   * request on Karpenter.
   * @default - none: CPU and memory are not checked on Karpenter
   */
  readonly instances?: MachineShape[];
}

/**
 * The most CPU and memory GKE Autopilot accepts for a pod with a given number of GPUs (requests above it are rejected
 * by Autopilot's admission).
 */
export interface AutopilotMaximum {
  /** GPUs per pod this maximum is for. */
  readonly gpus: number;
  /** Most vCPUs the pod may request. */
  readonly vcpu: number;
  /** Most memory the pod may request, in GiB. */
  readonly memoryGiB: number;
  /** Where the figure comes from, e.g. an Autopilot admission message or your own test. */
  readonly source: string;
}

/**
 * A MIG profile a GPU model offers (GPU sharing, issue 14): its name and how many instances of it alone fit on one GPU,
 * which is also the fraction of the GPU one instance holds when every GPU of a node is cut into that profile (as GKE's
 * partition sizes and the MIG manager's `all-<profile>` layouts do).
 */
export interface MigProfileSpec {
  /** Profile name, e.g. `1g.5gb`. */
  readonly profile: string;
  /** Instances of this profile alone on one GPU, e.g. 7 for `1g.5gb` on an A100 40GB. */
  readonly instancesPerGpu: number;
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
   * GPU counts per pod that GKE Autopilot accepts. Without them, an accelerator with a `gkeLabel` is accepted on
   * Autopilot with any count and a warning that the library cannot check Autopilot's rules for it.
   * @default - not stated: any count, with a warning
   */
  readonly autopilotCounts?: number[];
  /**
   * The most CPU and memory Autopilot accepts per GPU count (checked as errors). Counts without one get an estimate
   * from `gkeMachines` (a warning, not an error).
   * @default - none confirmed
   */
  readonly autopilotMaxima?: AutopilotMaximum[];
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
   * `karpenter.k8s.aws/instance-gpu-memory` label value (MiB per GPU), selected besides the GPU name where one name
   * covers several models (`a100`: 40960 on p4d, 81920 on p4de).
   * @default - not selected: the GPU name alone tells the model apart
   */
  readonly karpenterGpuMemoryMib?: number;
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
  /**
   * MIG profiles of the GPU as NVIDIA's MIG manager (GPU Operator) cuts it: what `GpuShare.mig` may ask for on
   * Karpenter and plain Kubernetes.
   * @default - none: the GPU has no MIG
   */
  readonly migProfiles?: MigProfileSpec[];
  /**
   * MIG partition sizes GKE offers for the GPU (`cloud.google.com/gke-gpu-partition-size`): what `GpuShare.mig` may ask
   * for on GKE.
   * @default - none: GKE does not partition it
   */
  readonly gkeMigProfiles?: MigProfileSpec[];
}

/** A GCE machine shape. */
function gce(machineType: string, gpus: number, vcpu: number, memoryGiB: number): MachineShape {
  return { machineType, gpus, vcpu, memoryGiB, ...fastNetworkOf(machineType) };
}

/**
 * The most vCPU and memory an N1 machine may have with `gpus` GPUs of a model that attaches to N1 (GCE "GPU machine
 * types", as SkyPilot's `_NUM_ACC_TO_MAX_CPU_AND_MEMORY` encodes it): an upper bound, named after the N1 machine
 * (`n1-highmem-*`) or N1 custom machine type (`custom-<vCPU>-<MiB>`) of that size.
 */
function n1(gpus: number, vcpu: number, memoryGiB: number, model: string): MachineShape {
  const type = memoryGiB === vcpu * 6.5 && [2, 4, 8, 16, 32, 64, 96].includes(vcpu) ? `n1-highmem-${vcpu}` : `custom-${vcpu}-${memoryGiB * 1024}`;
  return gce(`${type} + ${gpus} ${model}`, gpus, vcpu, memoryGiB);
}

/**
 * An EC2 instance type as Karpenter's instance-types reference lists it: `karpenter.k8s.aws/instance-cpu`,
 * `instance-memory` (MiB), and the allocatable CPU (millicores) and memory (MiB) Karpenter computes for AL2023.
 */
function ec2(machineType: string, gpus: number, vcpu: number, memoryMib: number, allocatableMillicpu: number, allocatableMib: number)
  : MachineShape {
  return {
    machineType, gpus, vcpu, memoryGiB: memoryMib / 1024, allocatableVcpu: allocatableMillicpu / 1000, allocatableMemoryGiB: allocatableMib / 1024,
    ...fastNetworkOf(machineType),
  };
}

/** MIG profiles from `name:instances` pairs. */
function mig(...specs: string[]): MigProfileSpec[] {
  return specs.map(s => ({ profile: s.split(':')[0], instancesPerGpu: Number(s.split(':')[1]) }));
}

/** A list that JavaScript callers may not have given as one, for reading: a copy, or none. */
function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? [...value] : [];
}

/**
 * A list prop of a custom accelerator as the instance keeps it: a copy, none when not given, and anything else as it
 * was given, so that the runtime type check of the construct it is passed to reports it (`accelerator.autopilotCounts=...
 * is invalid`) rather than the accelerator silently losing it. The methods read the lists through `list`.
 */
function kept<T>(value: T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? [...value] : value;
}

/**
 * A GPU model, with what each platform calls it and what it accepts.
 *
 * Every value's source and the date it was checked are in docs/platform-facts.md. In short: GKE labels and Autopilot
 * counts from GKE "Deploy GPU workloads in Autopilot" (updated 2026-04-10); A2/A3 machine shapes from SkyPilot's GCP
 * catalog (GCE API), G4 from dstack#3213, N1 bounds of P4/P100/V100 from SkyPilot's gcp_catalog.py (after GCE "GPU
 * machine types"), the other GCE shapes unverified; AWS instance shapes, labels and Karpenter's allocatable CPU and
 * memory from Karpenter's instance-types reference (v1.14.0, 2026-07-11).
 */
export class Accelerator {
  /** NVIDIA T4, 16 GB. On GCE it attaches to N1 machines (the shapes are the largest N1 per GPU count; unverified). */
  public static readonly T4 = new Accelerator({
    name: 'T4', gkeLabel: 'nvidia-tesla-t4', karpenterGpuName: 't4', memoryGiB: 16, gpuProduct: 'Tesla-T4', dcgmModelName: 'Tesla T4',
    autopilotCounts: [1, 2, 4],
    gkeMachines: [
      gce('n1-highmem-48 + 1 T4', 1, 48, 312),
      gce('n1-highmem-48 + 2 T4', 2, 48, 312),
      gce('n1-highmem-96 + 4 T4', 4, 96, 624),
    ],
    awsInstanceFamilies: [{
      family: 'g4dn',
      gpusPerInstance: [1, 4, 8],
      instances: [
        ec2('g4dn.xlarge', 1, 4, 16384, 3920, 14481), ec2('g4dn.2xlarge', 1, 8, 32768, 7910, 29636),
        ec2('g4dn.4xlarge', 1, 16, 65536, 15890, 59946), ec2('g4dn.8xlarge', 1, 32, 131072, 31850, 120248),
        ec2('g4dn.12xlarge', 4, 48, 196608, 47810, 178933), ec2('g4dn.16xlarge', 1, 64, 262144, 63770, 241490),
        ec2('g4dn.metal', 8, 96, 393216, 95690, 355262),
      ],
    }],
  });

  /** NVIDIA L4, 24 GB. */
  public static readonly L4 = new Accelerator({
    name: 'L4', gkeLabel: 'nvidia-l4', karpenterGpuName: 'l4', memoryGiB: 24, gpuProduct: 'NVIDIA-L4', dcgmModelName: 'NVIDIA L4',
    autopilotCounts: [1, 2, 4, 8],
    // G2 shapes: unverified (the largest G2 machine per GPU count).
    gkeMachines: [gce('g2-standard-32', 1, 32, 128), gce('g2-standard-24', 2, 24, 96), gce('g2-standard-48', 4, 48, 192), gce('g2-standard-96', 8, 96, 384)],
    awsInstanceFamilies: [{
      family: 'g6',
      gpusPerInstance: [1, 4, 8],
      instances: [
        ec2('g6.xlarge', 1, 4, 16384, 3920, 14162), ec2('g6.2xlarge', 1, 8, 32768, 7910, 29317),
        ec2('g6.4xlarge', 1, 16, 65536, 15890, 57691), ec2('g6.8xlarge', 1, 32, 131072, 31850, 118312),
        ec2('g6.12xlarge', 4, 48, 196608, 47810, 178933), ec2('g6.16xlarge', 1, 64, 262144, 63770, 234021),
        ec2('g6.24xlarge', 4, 96, 393216, 95690, 355262), ec2('g6.48xlarge', 8, 192, 786432, 191450, 718987),
      ],
    }],
  });

  /**
   * NVIDIA A100 40 GB. Autopilot's one confirmed maximum: 1 GPU, 11 vCPU / 74 GiB (GKE Warden's message in
   * argoproj/argo-workflows#13073). On Karpenter it shares the GPU name `a100` with the 80 GB model: the GPU memory
   * label (40960 MiB) tells them apart.
   */
  public static readonly A100_40GB = new Accelerator({
    name: 'A100 40GB', gkeLabel: 'nvidia-tesla-a100', karpenterGpuName: 'a100', karpenterGpuMemoryMib: 40960, memoryGiB: 40,
    gpuProduct: 'NVIDIA-A100-SXM4-40GB', dcgmModelName: 'NVIDIA A100.*40GB',
    // MIG (issue 14): NVIDIA's MIG manager layouts (gpu-operator 0400_configmap.yaml @db0bb63e) and GKE's partition sizes
    // (container-engine-accelerators partition_gpu.go @992db812); see docs/sharing.md.
    migProfiles: mig('1g.5gb:7', '1g.5gb+me:1', '1g.10gb:4', '2g.10gb:3', '3g.20gb:2', '4g.20gb:1', '7g.40gb:1'),
    gkeMigProfiles: mig('1g.5gb:7', '2g.10gb:3', '3g.20gb:2', '4g.20gb:1', '7g.40gb:1'),
    autopilotCounts: [1, 2, 4, 8, 16],
    autopilotMaxima: [{
      gpus: 1, vcpu: 11, memoryGiB: 74,
      source: 'GKE Warden (autogke-pod-limit-constraints) rejection quoted in argoproj/argo-workflows#13073, 2024-05-21',
    }],
    gkeMachines: [
      gce('a2-highgpu-1g', 1, 12, 85), gce('a2-highgpu-2g', 2, 24, 170), gce('a2-highgpu-4g', 4, 48, 340),
      gce('a2-highgpu-8g', 8, 96, 680), gce('a2-megagpu-16g', 16, 96, 1360),
    ],
    awsInstanceFamilies: [{ family: 'p4d', gpusPerInstance: [8], instances: [ec2('p4d.24xlarge', 8, 96, 1179648, 95690, 1082712)] }],
  });

  /** NVIDIA A100 80 GB. On Karpenter: GPU name `a100` and GPU memory 81920 MiB (p4de). */
  public static readonly A100_80GB = new Accelerator({
    name: 'A100 80GB', gkeLabel: 'nvidia-a100-80gb', karpenterGpuName: 'a100', karpenterGpuMemoryMib: 81920, memoryGiB: 80,
    gpuProduct: 'NVIDIA-A100-SXM4-80GB', dcgmModelName: 'NVIDIA A100.*80GB',
    migProfiles: mig('1g.10gb:7', '1g.10gb+me:1', '1g.20gb:4', '2g.20gb:3', '3g.40gb:2', '4g.40gb:1', '7g.80gb:1'),
    gkeMigProfiles: mig('1g.10gb:7', '2g.20gb:3', '3g.40gb:2', '4g.40gb:1', '7g.80gb:1'),
    autopilotCounts: [1, 2, 4, 8],
    gkeMachines: [gce('a2-ultragpu-1g', 1, 12, 170), gce('a2-ultragpu-2g', 2, 24, 340), gce('a2-ultragpu-4g', 4, 48, 680), gce('a2-ultragpu-8g', 8, 96, 1360)],
    awsInstanceFamilies: [{ family: 'p4de', gpusPerInstance: [8], instances: [ec2('p4de.24xlarge', 8, 96, 1179648, 95690, 1082712)] }],
  });

  /** NVIDIA H100 80 GB (Autopilot 1/2/4 GPUs need GKE 1.31.4-gke.1072000 or later). */
  public static readonly H100_80GB = new Accelerator({
    name: 'H100 80GB', gkeLabel: 'nvidia-h100-80gb', karpenterGpuName: 'h100', memoryGiB: 80, gpuProduct: 'NVIDIA-H100-80GB-HBM3',
    dcgmModelName: 'NVIDIA H100 80GB HBM3',
    autopilotCounts: [1, 2, 4, 8],
    migProfiles: mig('1g.10gb:7', '1g.10gb+me:1', '1g.20gb:4', '2g.20gb:3', '3g.40gb:2', '4g.40gb:1', '7g.80gb:1'),
    gkeMigProfiles: mig('1g.10gb:7', '1g.20gb:4', '2g.20gb:3', '3g.40gb:2', '4g.40gb:1', '7g.80gb:1'),
    gkeMachines: [gce('a3-highgpu-1g', 1, 26, 234), gce('a3-highgpu-2g', 2, 52, 468), gce('a3-highgpu-4g', 4, 104, 936), gce('a3-highgpu-8g', 8, 208, 1872)],
    awsInstanceFamilies: [{
      family: 'p5',
      gpusPerInstance: [1, 8],
      instances: [ec2('p5.4xlarge', 1, 16, 262144, 15890, 240830), ec2('p5.48xlarge', 8, 192, 2097152, 191450, 1938410)],
    }],
  });

  /** NVIDIA H100 Mega 80 GB (GKE only, whole 8-GPU machines). */
  public static readonly H100_MEGA_80GB = new Accelerator({
    name: 'H100 Mega 80GB', gkeLabel: 'nvidia-h100-mega-80gb', memoryGiB: 80,
    // The same GPU as the H100 80GB: DCGM cannot tell them apart.
    dcgmModelName: 'NVIDIA H100 80GB HBM3',
    autopilotCounts: [8],
    gkeMachines: [gce('a3-megagpu-8g', 8, 208, 1872)],
  });

  /** NVIDIA H200 141 GB. */
  public static readonly H200_141GB = new Accelerator({
    name: 'H200 141GB', gkeLabel: 'nvidia-h200-141gb', karpenterGpuName: 'h200', memoryGiB: 141, gpuProduct: 'NVIDIA-H200',
    dcgmModelName: 'NVIDIA H200.*',
    migProfiles: mig('1g.18gb:7', '1g.18gb+me:1', '1g.35gb:4', '2g.35gb:3', '3g.71gb:2', '4g.71gb:1', '7g.141gb:1'),
    gkeMigProfiles: mig('1g.18gb:7', '1g.35gb:4', '2g.35gb:3', '3g.71gb:2', '4g.71gb:1', '7g.141gb:1'),
    autopilotCounts: [8],
    gkeMachines: [gce('a3-ultragpu-8g', 8, 224, 2952)],
    awsInstanceFamilies: [
      { family: 'p5e', gpusPerInstance: [8], instances: [ec2('p5e.48xlarge', 8, 192, 2097152, 191450, 1938410)] },
      { family: 'p5en', gpusPerInstance: [8], instances: [ec2('p5en.48xlarge', 8, 192, 2097152, 191450, 1937332)] },
    ],
  });

  /** NVIDIA B200 180 GB. */
  public static readonly B200 = new Accelerator({
    name: 'B200', gkeLabel: 'nvidia-b200', karpenterGpuName: 'b200', memoryGiB: 180, gpuProduct: 'NVIDIA-B200', dcgmModelName: 'NVIDIA B200.*',
    migProfiles: mig('1g.23gb:7', '1g.23gb+me:1', '1g.45gb:4', '2g.45gb:3', '3g.90gb:2', '4g.90gb:1', '7g.180gb:1'),
    gkeMigProfiles: mig('1g.23gb:7', '1g.45gb:4', '2g.45gb:3', '3g.90gb:2', '4g.90gb:1', '7g.180gb:1'),
    autopilotCounts: [8],
    gkeMachines: [gce('a4-highgpu-8g', 8, 224, 3968)],
    awsInstanceFamilies: [{ family: 'p6-b200', gpusPerInstance: [8], instances: [ec2('p6-b200.48xlarge', 8, 192, 2097152, 191450, 1937332)] }],
  });

  /** NVIDIA A10G 24 GB (AWS only). */
  public static readonly A10G = new Accelerator({
    name: 'A10G', karpenterGpuName: 'a10g', memoryGiB: 24, gpuProduct: 'NVIDIA-A10G', dcgmModelName: 'NVIDIA A10G',
    awsInstanceFamilies: [{
      family: 'g5',
      gpusPerInstance: [1, 4, 8],
      instances: [
        ec2('g5.xlarge', 1, 4, 16384, 3920, 14162), ec2('g5.2xlarge', 1, 8, 32768, 7910, 29317),
        ec2('g5.4xlarge', 1, 16, 65536, 15890, 57691), ec2('g5.8xlarge', 1, 32, 131072, 31850, 118312),
        ec2('g5.12xlarge', 4, 48, 196608, 47810, 173400), ec2('g5.16xlarge', 1, 64, 262144, 63770, 239554),
        ec2('g5.24xlarge', 4, 96, 393216, 95690, 355262), ec2('g5.48xlarge', 8, 192, 786432, 191450, 723299),
      ],
    }],
  });

  /** NVIDIA L40S 48 GB (AWS only). */
  public static readonly L40S = new Accelerator({
    name: 'L40S', karpenterGpuName: 'l40s', memoryGiB: 48, gpuProduct: 'NVIDIA-L40S', dcgmModelName: 'NVIDIA L40S',
    awsInstanceFamilies: [{
      family: 'g6e',
      gpusPerInstance: [1, 4, 8],
      instances: [
        ec2('g6e.xlarge', 1, 4, 32768, 3920, 29317), ec2('g6e.2xlarge', 1, 8, 65536, 7910, 59627),
        ec2('g6e.4xlarge', 1, 16, 131072, 15890, 118312), ec2('g6e.8xlarge', 1, 32, 262144, 31850, 239554),
        ec2('g6e.12xlarge', 4, 48, 393216, 47810, 360157), ec2('g6e.16xlarge', 1, 64, 524288, 63770, 476504),
        ec2('g6e.24xlarge', 4, 96, 786432, 95690, 721682), ec2('g6e.48xlarge', 8, 192, 1572864, 191450, 1449132),
      ],
    }],
  });

  /**
   * NVIDIA RTX PRO 6000 Blackwell Server Edition, 96 GB (GKE: G4 machines). Autopilot accepts 1, 2, 4 or 8 per pod.
   * The DCGM model name pattern is unverified.
   */
  public static readonly RTX_PRO_6000 = new Accelerator({
    name: 'RTX PRO 6000', gkeLabel: 'nvidia-rtx-pro-6000', memoryGiB: 96, dcgmModelName: 'NVIDIA RTX PRO 6000.*',
    // GKE's partitioner also knows the +me, +gfx and -me variants; only the plain sizes are listed here.
    gkeMigProfiles: mig('1g.24gb:4', '2g.48gb:2', '4g.96gb:1'),
    autopilotCounts: [1, 2, 4, 8],
    gkeMachines: [gce('g4-standard-48', 1, 48, 180), gce('g4-standard-96', 2, 96, 360), gce('g4-standard-192', 4, 192, 720), gce('g4-standard-384', 8, 384, 1440)],
  });

  /**
   * NVIDIA P4, 8 GB: an older model that attaches to N1 machines (1, 2 or 4 GPUs). GKE's Autopilot documentation does
   * not list it: Autopilot accepts it with a warning that the library cannot check its counts, CPU and memory.
   */
  public static readonly P4 = new Accelerator({
    name: 'P4', gkeLabel: 'nvidia-tesla-p4', memoryGiB: 8, dcgmModelName: 'Tesla P4',
    gkeMachines: [n1(1, 24, 156, 'P4'), n1(2, 48, 312, 'P4'), n1(4, 96, 624, 'P4')],
  });

  /** NVIDIA P100, 16 GB: an older model on N1 machines (1, 2 or 4 GPUs); on Autopilot as the P4. */
  public static readonly P100 = new Accelerator({
    name: 'P100', gkeLabel: 'nvidia-tesla-p100', memoryGiB: 16, dcgmModelName: 'Tesla P100.*',
    gkeMachines: [n1(1, 16, 104, 'P100'), n1(2, 32, 208, 'P100'), n1(4, 96, 624, 'P100')],
  });

  /** NVIDIA V100, 16 GB: an older model on N1 machines (1, 2, 4 or 8 GPUs); on Autopilot as the P4. GKE only here. */
  public static readonly V100 = new Accelerator({
    name: 'V100', gkeLabel: 'nvidia-tesla-v100', memoryGiB: 16, dcgmModelName: 'Tesla V100.*',
    gkeMachines: [n1(1, 12, 78, 'V100'), n1(2, 24, 156, 'V100'), n1(4, 48, 312, 'V100'), n1(8, 96, 624, 'V100')],
  });

  /** Every accelerator of the catalog, in a stable order. */
  public static all(): Accelerator[] {
    return [Accelerator.T4, Accelerator.L4, Accelerator.A100_40GB, Accelerator.A100_80GB, Accelerator.H100_80GB,
      Accelerator.H100_MEGA_80GB, Accelerator.H200_141GB, Accelerator.B200, Accelerator.A10G, Accelerator.L40S,
      Accelerator.RTX_PRO_6000, Accelerator.P4, Accelerator.P100, Accelerator.V100];
  }

  /**
   * Defines an accelerator that is not in the catalog. It is remembered, so that admission checks of rendered pods
   * know its GKE label.
   */
  public static custom(props: AcceleratorProps): Accelerator {
    // Garbage from JavaScript callers makes an accelerator without a name, which the runtime type check reports.
    const accelerator = new Accelerator(props !== null && typeof props === 'object' ? props : ({} as AcceleratorProps));
    Accelerator.customs.push(accelerator);
    return accelerator;
  }

  /**
   * The catalog and every custom accelerator defined so far (but those with a list prop that is no list: the type check
   * refuses them wherever they are used).
   * @internal
   */
  public static _known(): Accelerator[] {
    const wellFormed = (a: Accelerator) =>
      [a.autopilotCounts, a.autopilotMaxima, a.gkeMachines, a.awsInstanceFamilies, a.migProfiles, a.gkeMigProfiles].every(Array.isArray);
    return [...Accelerator.all(), ...Accelerator.customs.filter(wellFormed)];
  }

  private static readonly customs: Accelerator[] = [];

  /** Short name, e.g. `L4`. */
  public readonly name: string;
  /** `cloud.google.com/gke-accelerator` value, if GKE offers it. */
  public readonly gkeLabel?: string;
  /** `karpenter.k8s.aws/instance-gpu-name` value, if AWS offers it. */
  public readonly karpenterGpuName?: string;
  /** `karpenter.k8s.aws/instance-gpu-memory` value (MiB per GPU) selected besides the GPU name, if any. */
  public readonly karpenterGpuMemoryMib?: number;
  /** GPU counts per pod accepted by GKE Autopilot (empty: not stated). */
  public readonly autopilotCounts: number[];
  /** Autopilot's CPU and memory maxima per GPU count, where confirmed. */
  public readonly autopilotMaxima: AutopilotMaximum[];
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
  /** MIG profiles NVIDIA's MIG manager offers for the GPU (empty: no MIG). */
  public readonly migProfiles: MigProfileSpec[];
  /** MIG partition sizes GKE offers for the GPU (empty: none). */
  public readonly gkeMigProfiles: MigProfileSpec[];

  private constructor(props: AcceleratorProps) {
    this.name = props.name;
    this.gkeLabel = props.gkeLabel;
    this.karpenterGpuName = props.karpenterGpuName;
    this.karpenterGpuMemoryMib = props.karpenterGpuMemoryMib;
    this.autopilotCounts = kept(props.autopilotCounts);
    this.autopilotMaxima = kept(props.autopilotMaxima);
    this.gkeMachines = kept(props.gkeMachines);
    this.awsInstanceFamilies = kept(props.awsInstanceFamilies);
    this.memoryGiB = props.memoryGiB;
    this.gpuProduct = props.gpuProduct;
    this.dcgmModelName = props.dcgmModelName;
    this.migProfiles = kept(props.migProfiles);
    this.gkeMigProfiles = kept(props.gkeMigProfiles);
  }

  /** The GKE machine for exactly `gpus` GPUs, if known. */
  public gkeMachineFor(gpus: number): MachineShape | undefined {
    return list(this.gkeMachines).find(m => m?.gpus === gpus);
  }

  /** Autopilot's confirmed CPU and memory maximum for a pod with exactly `gpus` GPUs, if known. */
  public autopilotMaximumFor(gpus: number): AutopilotMaximum | undefined {
    return list(this.autopilotMaxima).find(m => m?.gpus === gpus);
  }

  /** The AWS instance types of every family that lists them. */
  public get awsInstances(): MachineShape[] {
    return list(this.awsInstanceFamilies).flatMap(f => list(f?.instances));
  }

  /** Largest number of GPUs on one AWS instance carrying this accelerator (0 if none). */
  public get maxGpusPerAwsInstance(): number {
    return Math.max(0, ...list(this.awsInstanceFamilies).flatMap(f => list(f?.gpusPerInstance)));
  }

  /** Largest number of GPUs on one GKE machine carrying this accelerator (0 if none). */
  public get maxGpusPerGkeMachine(): number {
    return Math.max(0, ...list(this.gkeMachines).map(m => m?.gpus ?? 0), ...list(this.autopilotCounts));
  }
}
