import { Duration, Size } from 'cdk8s';
import { Accelerator } from '../accelerator';
import { TopologyPlacement } from '../fleet/topology';
import { CapacityType, Platform } from '../platform/platform';
import { CloudIdentity } from '../pod/cloud-identity';
import { SecretEnvVar } from '../pod/env';
import { StorageVolume, VolumeMount } from '../pod/storage-volume';
import { IComputeClass } from '../fleet/compute-class';
import { ILocalQueue } from '../fleet/local-queue';
import { IWorkloadPriorityClass } from '../fleet/workload-priority-class';
import { GpuShare } from '../sharing/gpu-share';
import { IPriorityClass } from './priority-class';

/**
 * Props shared by every GPU workload, whoever provides its image: `GpuWorkloadProps` adds the image; a KServe
 * InferenceService on a model format takes the image from its runtime instead.
 */
export interface GpuPodProps {
  /** The platform the workload runs on; decides scheduling and admission rules. */
  readonly platform: Platform;
  /**
   * Container entrypoint.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Plain environment variables. Names that look like secrets (`*_TOKEN`, `*PASSWORD*`, `*_API_KEY`...) are
   * refused here: use `secretEnv`.
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /**
   * Environment variables read from Secrets.
   * @default - none
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * GPU model. Required on GKE and Karpenter when `gpus` > 0.
   * @default - none (plain Kubernetes: any GPU the device plugin offers)
   */
  readonly accelerator?: Accelerator;
  /**
   * GPUs per pod (request == limit).
   * @default 1
   */
  readonly gpus?: number;
  /**
   * How the pods' GPUs are shared with other pods (GPU sharing, docs/sharing.md): whole GPUs, a time-shared GPU, an MPS
   * client or a MIG slice. A shared pod asks for one shared GPU (`gpus: 1`), and its CPU and memory defaults shrink with
   * the share.
   * @default GpuShare.EXCLUSIVE - whole GPUs (on a shared GpuNodePool's platform: the pool's share)
   */
  readonly gpuShare?: GpuShare;
  /**
   * vCPUs requested per pod (no CPU limit is set, so data loaders are not throttled).
   * @default 4 per GPU, times the fraction of a GPU a shared pod holds (2 without GPUs)
   */
  readonly cpu?: number;
  /**
   * Memory per pod, request == limit (the `/dev/shm` volume counts against it).
   * @default 16 GiB per GPU, times the fraction of a GPU a shared pod holds (4 GiB without GPUs)
   */
  readonly memory?: Size;
  /**
   * Ephemeral storage request per pod (GKE Autopilot refuses less than 512 MiB on GPU pods).
   * @default 10 GiB
   */
  readonly ephemeralStorage?: Size;
  /**
   * Mount a memory-backed `/dev/shm` (PyTorch data loaders and NCCL need more than the 64 MiB default).
   * @default true when the pod has GPUs, but not for MPS clients (they use the node's /dev/shm)
   */
  readonly sharedMemory?: boolean;
  /**
   * Size limit of `/dev/shm`; counts against `memory`.
   * @default half of `memory`
   */
  readonly sharedMemorySize?: Size;
  /**
   * Dataset volume, mounted read-only at `datasetPath`; its path is in `$DATASET_DIR`.
   * @default - none
   */
  readonly dataset?: StorageVolume;
  /**
   * Where the dataset is mounted.
   * @default '/data'
   */
  readonly datasetPath?: string;
  /**
   * Checkpoint volume, mounted read-write at `checkpointPath`; its path is in `$CHECKPOINT_DIR`.
   * @default - none
   */
  readonly checkpoints?: StorageVolume;
  /**
   * Where checkpoints are mounted.
   * @default '/checkpoints'
   */
  readonly checkpointPath?: string;
  /**
   * More volumes for the main container.
   * @default - none
   */
  readonly volumes?: VolumeMount[];
  /**
   * Use an existing ServiceAccount instead of creating one for this workload.
   * @default - a ServiceAccount named after the workload, without API token, carrying `identity`
   */
  readonly serviceAccountName?: string;
  /**
   * Cloud identity for the workload's own ServiceAccount (GKE Workload Identity or EKS IRSA).
   * @default - no cloud identity
   */
  readonly identity?: CloudIdentity;
  /**
   * Mount a Kubernetes API token (only for workloads that call the API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Instance (machine) types to pin the pods to (`node.kubernetes.io/instance-type`), e.g. `['g4dn.xlarge']` on
   * Karpenter or `['g2-standard-8']` on GKE Standard; several are alternatives. Each must carry the accelerator, the
   * pod's GPUs and more CPU and memory than it requests (the catalog's allocatable figures); a `GpuNodePool` the
   * workload targets must launch them. GKE Autopilot refuses pins (it picks machines itself).
   * @default - any type the platform picks for the accelerator
   */
  readonly instanceTypes?: string[];
  /**
   * Spot or on-demand capacity.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /**
   * Termination grace period: time for a checkpoint after SIGTERM.
   * @default 30 seconds, or the platform's spot cap when that is lower
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Run as root. Only for images that cannot run as a non-root user; the pod then fails the Pod Security
   * "restricted" profile.
   * @default false - runs as uid/gid 1000 with `runAsNonRoot: true`
   */
  readonly runAsRoot?: boolean;
  /**
   * PriorityClass of the pods: one of `GpuPriorityClasses`, or `PriorityClass.fromName('...')`.
   * @default - the cluster default
   */
  readonly priorityClass?: IPriorityClass;
  // --- Fleet (issue 13): Kueue queue, Kueue priority, GKE compute class. ---
  /**
   * Kueue LocalQueue the workload waits in (`kueue.x-k8s.io/queue-name` on its main object): Kueue admits it when its
   * team's ClusterQueue has GPU quota for it, whole or not at all. `fleet.queue('team')`, or `LocalQueue.fromName`.
   * Needs Kueue (ClusterAddon.KUEUE); a KServe InferenceService or a Kubeflow Notebook cannot join one (Kueue has no
   * integration for them).
   * @default - not queued: the pods are created and scheduled at once
   */
  readonly queue?: ILocalQueue;
  /**
   * Kueue WorkloadPriorityClass of the workload (`kueue.x-k8s.io/priority-class`): its order in the queue and which
   * workloads Kueue may preempt for it. Needs `queue`. `fleet.priority('production')`, or `WorkloadPriorityClass.fromName`.
   * @default - Kueue's default: the pods' PriorityClass value, or 0
   */
  readonly workloadPriority?: IWorkloadPriorityClass;
  /**
   * GKE custom compute class the pods select (`cloud.google.com/compute-class`): its priorities decide the machine,
   * GPUs and capacity (e.g. reservation, then flex-start, then Spot, then on-demand), so `capacityType` stays
   * on-demand. `accelerator` still states the GPU model the pods expect (one of the class's).
   * @default - none: the pods select `accelerator` and `capacityType` themselves
   */
  readonly computeClass?: IComputeClass;
  /**
   * Extra labels on every object and pod. `app.kubernetes.io/instance` is the library's own (its selectors use it).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Name of the main object (and of the ServiceAccount).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Kueue topology-aware placement of the pods: all in one domain of a Topology level
   * (`TopologyPlacement.required(topology, level)`) or as few as possible (`preferred`). Acted on by Kueue when the
   * workload is in a queue whose ResourceFlavor names the Topology. (issue 15)
   * @default - no topology constraint
   */
  readonly topology?: TopologyPlacement;
  /**
   * Emit a NetworkPolicy that admits traffic to the pods only from where the workload needs it (other pods of the
   * same run for training; the serving port for endpoints). Egress is left open (downloads, DNS, cloud APIs).
   * @default true
   */
  readonly isolateNetwork?: boolean;
}

/**
 * Props shared by every GPU workload that runs an image of its own (training jobs, DDP jobs, spot batch jobs,
 * inference Deployments).
 */
export interface GpuWorkloadProps extends GpuPodProps {
  /** Container image, ideally pinned by digest or version tag. */
  readonly image: string;
}
