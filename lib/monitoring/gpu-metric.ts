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
