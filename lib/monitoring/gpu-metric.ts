/** Where a metric comes from. */
export enum MetricSource {
  /** NVIDIA DCGM exporter (self-managed, or GKE's managed DCGM package). */
  DCGM = 'dcgm',
  /** kube-state-metrics. */
  KUBE_STATE_METRICS = 'kube-state-metrics',
  /** Recording rules defined by GpuMonitoring. */
  RECORDING_RULE = 'recording-rule',
}

/**
 * A Prometheus metric name the library knows, so workloads (e.g. an HPA on GPU utilization) and monitoring rules
 * refer to one definition instead of repeating strings. DCGM names are the exporter's default counters.
 */
export class GpuMetric {
  /** GPU utilization, percent (0-100), per GPU. */
  public static readonly GPU_UTILIZATION = new GpuMetric('DCGM_FI_DEV_GPU_UTIL', MetricSource.DCGM, 'percent');
  /** Framebuffer memory used, MiB. */
  public static readonly FRAMEBUFFER_USED = new GpuMetric('DCGM_FI_DEV_FB_USED', MetricSource.DCGM, 'MiB');
  /** Framebuffer memory free, MiB. */
  public static readonly FRAMEBUFFER_FREE = new GpuMetric('DCGM_FI_DEV_FB_FREE', MetricSource.DCGM, 'MiB');
  /** GPU temperature, degrees Celsius. */
  public static readonly GPU_TEMPERATURE = new GpuMetric('DCGM_FI_DEV_GPU_TEMP', MetricSource.DCGM, 'celsius');
  /** Power draw, watts. */
  public static readonly POWER_USAGE = new GpuMetric('DCGM_FI_DEV_POWER_USAGE', MetricSource.DCGM, 'watts');
  /** Last XID error code (0 when none). */
  public static readonly XID_ERRORS = new GpuMetric('DCGM_FI_DEV_XID_ERRORS', MetricSource.DCGM, 'code');
  /** Memory copy utilization, percent. */
  public static readonly MEMORY_COPY_UTILIZATION = new GpuMetric('DCGM_FI_DEV_MEM_COPY_UTIL', MetricSource.DCGM, 'percent');
  /** Graphics engine active ratio (profiling metric, 0-1). */
  public static readonly GR_ENGINE_ACTIVE = new GpuMetric('DCGM_FI_PROF_GR_ENGINE_ACTIVE', MetricSource.DCGM, 'ratio');
  /** Tensor pipe active ratio (profiling metric, 0-1). */
  public static readonly TENSOR_ACTIVE = new GpuMetric('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', MetricSource.DCGM, 'ratio');
  /** GPUs requested by containers (kube-state-metrics, `resource="nvidia_com_gpu"`). */
  public static readonly KSM_CONTAINER_GPU_REQUESTS = new GpuMetric('kube_pod_container_resource_requests', MetricSource.KUBE_STATE_METRICS, 'gpus');
  /** Pod phase (kube-state-metrics). */
  public static readonly KSM_POD_STATUS_PHASE = new GpuMetric('kube_pod_status_phase', MetricSource.KUBE_STATE_METRICS, 'bool');

  /** Temperature of the GPU memory, degrees Celsius. */
  public static readonly MEMORY_TEMPERATURE = new GpuMetric('DCGM_FI_DEV_MEMORY_TEMP', MetricSource.DCGM, 'celsius');
  /** Energy used since boot, millijoules (counter). */
  public static readonly TOTAL_ENERGY_CONSUMPTION = new GpuMetric('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', MetricSource.DCGM, 'mJ');
  /** Owner (controller) of each pod (kube-state-metrics, labels `owner_kind`, `owner_name`). */
  public static readonly KSM_POD_OWNER = new GpuMetric('kube_pod_owner', MetricSource.KUBE_STATE_METRICS, 'bool');
  /** What each node offers pods (kube-state-metrics, `resource="nvidia_com_gpu"`: GPUs, or shares of them on shared nodes). */
  public static readonly KSM_NODE_ALLOCATABLE = new GpuMetric('kube_node_status_allocatable', MetricSource.KUBE_STATE_METRICS, 'units');
  /**
   * `nvidia.com/gpu` units each node offers per physical GPU, by node and `modelName`: 1 for whole GPUs, the clients per
   * GPU of a time-shared or MPS node, the slices per GPU of a MIG node (GpuMonitoring recording rule, GPU sharing).
   */
  public static readonly NODE_GPU_UNITS_PER_GPU = new GpuMetric('node:gpu_units_per_gpu:ratio', MetricSource.RECORDING_RULE, 'ratio');
  /**
   * The fraction of a GPU each running pod on a shared node holds, by `modelName`: its GPU request divided by its node's
   * units per GPU, e.g. 0.25 for a pod on a GPU time-shared by 4 (GpuMonitoring recording rule, GPU sharing).
   */
  public static readonly POD_GPU_SHARES_ALLOCATED = new GpuMetric('namespace_pod:gpu_shares_allocated:sum', MetricSource.RECORDING_RULE, 'gpus');
  /** Mean GPU utilization of the GPUs allocated to pods, per namespace, percent (GpuMonitoring recording rule). */
  public static readonly NAMESPACE_GPU_UTILIZATION = new GpuMetric('namespace:dcgm_gpu_utilization:avg', MetricSource.RECORDING_RULE, 'percent');
  /** Mean GPU utilization of each pod's GPUs, percent (GpuMonitoring recording rule). */
  public static readonly POD_GPU_UTILIZATION = new GpuMetric('namespace_pod:dcgm_gpu_utilization:avg', MetricSource.RECORDING_RULE, 'percent');
  /**
   * Mean GPU utilization of each pod's GPUs, percent, labelled with the pod's own `namespace` and `pod` on every
   * Prometheus flavor (on GKE Managed Prometheus the DCGM series carry them as `exported_*`): what custom-metrics
   * adapters serve per pod to `ScalingMetric.gpuUtilization` (GpuMonitoring recording rule).
   */
  public static readonly POD_GPU_UTILIZATION_FOR_AUTOSCALING = new GpuMetric('pod:dcgm_gpu_utilization:avg', MetricSource.RECORDING_RULE, 'percent');
  /**
   * Whole GPUs allocated to each pod, by GPU model (`modelName`), as DCGM attributes them; GPUs of shared nodes are in
   * `POD_GPU_SHARES_ALLOCATED` instead (GpuMonitoring recording rule).
   */
  public static readonly POD_GPUS_ALLOCATED = new GpuMetric('namespace_pod:dcgm_gpus_allocated:count', MetricSource.RECORDING_RULE, 'gpus');
  /** What each pod's GPUs cost per hour, labelled `accelerator` and `capacity_type` (GpuMonitoring recording rule). */
  public static readonly POD_GPU_COST_PER_HOUR = new GpuMetric('namespace_pod:gpu_cost_per_hour:usd', MetricSource.RECORDING_RULE, 'USD/h');
  /** GPU cost per hour of each owning controller (Job, JobSet Job, PyTorchJob, ReplicaSet...) (GpuMonitoring recording rule). */
  public static readonly OWNER_GPU_COST_PER_HOUR = new GpuMetric('namespace_owner:gpu_cost_per_hour:usd', MetricSource.RECORDING_RULE, 'USD/h');
  /** GPU cost per hour of each namespace (GpuMonitoring recording rule). */
  public static readonly NAMESPACE_GPU_COST_PER_HOUR = new GpuMetric('namespace:gpu_cost_per_hour:usd', MetricSource.RECORDING_RULE, 'USD/h');

  /** A metric defined elsewhere (e.g. a recording rule of your own). */
  public static custom(name: string, source: MetricSource = MetricSource.RECORDING_RULE, unit: string = ''): GpuMetric {
    return new GpuMetric(name, source, unit);
  }

  /** The Prometheus metric name. */
  public readonly name: string;
  /** Where it comes from. */
  public readonly source: MetricSource;
  /** Unit of the value. */
  public readonly unit: string;

  private constructor(name: string, source: MetricSource, unit: string) {
    this.name = name;
    this.source = source;
    this.unit = unit;
  }
}
