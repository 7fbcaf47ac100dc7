/** Whether a Kubeflow Trainer runtime is cluster-wide or lives in the TrainJob's namespace. */
export enum TrainingRuntimeKind {
  /** A cluster-scoped `ClusterTrainingRuntime` (any namespace's TrainJobs may use it). */
  CLUSTER = 'ClusterTrainingRuntime',
  /** A namespaced `TrainingRuntime` (only TrainJobs of its namespace may use it). */
  NAMESPACED = 'TrainingRuntime',
}

/**
 * A Kubeflow Trainer v2 training runtime a `TrainJob` runs on (its `runtimeRef`): a `TorchTrainingRuntime` the app
 * emits, or one that exists in the cluster (`TrainingRuntime.torchDistributed()`, `TrainingRuntime.fromName(...)`).
 * The library runs TrainJobs on torch runtimes: a replicated Job `node` with a container `node`, whose env the torch
 * plugin fills with torchrun's `PET_*` settings.
 */
export interface ITrainingRuntime {
  /** Name of the runtime. */
  readonly runtimeName: string;
  /** Cluster-scoped or namespaced. */
  readonly runtimeKind: TrainingRuntimeKind;
  /**
   * Namespace of a namespaced runtime.
   * @default - cluster-scoped, or the TrainJob's namespace
   */
  readonly runtimeNamespace?: string;
  /**
   * Image of the runtime's `node` container, if known (a TrainJob without `image` runs it).
   * @default - unknown
   */
  readonly runtimeImage?: string;
}

/** References to training runtimes that exist in the cluster. */
export class TrainingRuntime {
  /** The image of the `torch-distributed` runtime Kubeflow Trainer v2.3.0 installs. */
  public static readonly TORCH_DISTRIBUTED_IMAGE = 'pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime';

  /**
   * The `torch-distributed` ClusterTrainingRuntime that Kubeflow Trainer v2.3 installs with its default runtimes
   * (manifests/base/runtimes/torch_distributed.yaml).
   */
  public static torchDistributed(): ITrainingRuntime {
    return { runtimeName: 'torch-distributed', runtimeKind: TrainingRuntimeKind.CLUSTER, runtimeImage: TrainingRuntime.TORCH_DISTRIBUTED_IMAGE };
  }

  /**
   * A torch runtime that exists in the cluster (the string escape hatch): a ClusterTrainingRuntime by default, or a
   * TrainingRuntime of the TrainJob's namespace.
   */
  public static fromName(name: string, kind: TrainingRuntimeKind = TrainingRuntimeKind.CLUSTER): ITrainingRuntime {
    return { runtimeName: name, runtimeKind: kind };
  }

  private constructor() {}
}
