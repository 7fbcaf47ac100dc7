import { k8s } from 'cdk8s-plus-28';
import { GpuMetric } from '../monitoring/gpu-metric';
import { PrometheusFlavor } from '../platform/prometheus-flavor';
import { _int32Max, _isLabelKey, _isLabelValue } from '../validation';

/** What a {@link ScalingMetric} measures; decides which autoscaler can use it. */
export enum ScalingMetricType {
  /** CPU utilization of the pods' requests (HPA resource metric). */
  CPU = 'cpu',
  /** Memory utilization of the pods' requests (HPA resource metric). */
  MEMORY = 'memory',
  /** A per-pod custom metric, e.g. DCGM GPU utilization (HPA `Pods` metric through a custom-metrics adapter). */
  POD_METRIC = 'pods',
  /** A metric of something outside the cluster, e.g. a Pub/Sub queue depth (HPA `External` metric). */
  EXTERNAL = 'external',
  /** In-flight requests per pod (Knative Pod Autoscaler). */
  CONCURRENCY = 'concurrency',
  /** Requests per second per pod (Knative Pod Autoscaler). */
  REQUESTS_PER_SECOND = 'rps',
}

/**
 * What an inference endpoint scales on, and the target per pod. HPA metrics (`cpu`, `memory`, `podMetric`,
 * `gpuUtilization`, `external`) serve the Deployment backend; KServe scales on one of `cpu` / `memory` (Standard mode)
 * or `concurrency` / `requestsPerSecond` (Knative mode).
 */
export class ScalingMetric {
  /** Average CPU utilization, in percent of the CPU request (1-100). */
  public static cpu(targetUtilizationPercent: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.CPU, targetUtilizationPercent);
  }

  /** Average memory utilization, in percent of the memory request (1-100). */
  public static memory(targetUtilizationPercent: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.MEMORY, targetUtilizationPercent);
  }

  /**
   * Average GPU utilization per pod, in percent (1-100): GpuMonitoring's recording rule
   * `pod:dcgm_gpu_utilization:avg` (each pod's mean over its GPUs, from DCGM), as the platform's custom-metrics
   * adapter serves it: prometheus-adapter with the rule GpuMonitoring writes (`ClusterAddon.PROMETHEUS_ADAPTER`), or on
   * GKE Managed Prometheus the Custom Metrics Stackdriver Adapter under
   * `prometheus.googleapis.com|pod:dcgm_gpu_utilization:avg|gauge` (`ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER`).
   * Needs a GpuMonitoring in the cluster (see docs/serving.md).
   */
  public static gpuUtilization(targetPercent: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.POD_METRIC, targetPercent, GpuMetric.POD_GPU_UTILIZATION_FOR_AUTOSCALING.name, undefined, true, true);
  }

  /** Any per-pod custom metric the custom-metrics API serves, with its target average value per pod. */
  public static podMetric(metric: GpuMetric, targetAverageValue: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.POD_METRIC, targetAverageValue, metric?.name);
  }

  /**
   * A metric of something outside the cluster (external metrics API), e.g.
   * `pubsub.googleapis.com|subscription|num_undelivered_messages` with the selector
   * `{ 'resource.labels.subscription_id': 'requests' }`; the target is the average value per pod.
   */
  public static external(metricName: string, targetAverageValue: number, selector?: { [label: string]: string }): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.EXTERNAL, targetAverageValue, metricName, selector);
  }

  /** In-flight requests per pod (KServe Knative mode). */
  public static concurrency(target: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.CONCURRENCY, target);
  }

  /** Requests per second per pod (KServe Knative mode). */
  public static requestsPerSecond(target: number): ScalingMetric {
    return new ScalingMetric(ScalingMetricType.REQUESTS_PER_SECOND, target);
  }

  /** What is measured. */
  public readonly type: ScalingMetricType;
  /** The target per pod (percent for utilization metrics). */
  public readonly target: number;
  /** Metric name of `POD_METRIC` and `EXTERNAL` metrics. */
  public readonly metricName?: string;
  /** Label selector of an `EXTERNAL` metric. */
  public readonly selector?: { [label: string]: string };
  private readonly percent: boolean;
  private readonly recorded: boolean;

  private constructor(type: ScalingMetricType, target: number, metricName?: string, selector?: { [label: string]: string }, percent?: boolean,
    recorded?: boolean) {
    this.type = type;
    this.target = target;
    this.metricName = metricName;
    this.selector = selector;
    this.percent = percent ?? (type === ScalingMetricType.CPU || type === ScalingMetricType.MEMORY);
    this.recorded = recorded ?? false;
  }

  /**
   * Whether the metric is a series GpuMonitoring records (`gpuUtilization`): the platform's Prometheus flavor names it
   * for its custom-metrics adapter, and the cluster needs a GpuMonitoring.
   * @internal
   */
  public get _recordedByMonitoring(): boolean {
    return this.recorded;
  }

  /** Whether the target is a utilization in percent (1-100). */
  public get isUtilization(): boolean {
    return this.percent;
  }

  /** A short description for messages, e.g. `cpu 70%`. */
  public toString(): string {
    const what = this.metricName ?? this.type;
    return this.percent ? `${what} ${this.target}%` : `${what} ${this.target}`;
  }

  /** Why the metric is invalid, if it is. @internal */
  public _problem(): string | undefined {
    const knative = this.type === ScalingMetricType.CONCURRENCY || this.type === ScalingMetricType.REQUESTS_PER_SECOND;
    if (this.percent) {
      if (!Number.isInteger(this.target) || this.target < 1 || this.target > 100) {
        return 'the target utilization must be an integer from 1 to 100 (percent)';
      }
    } else if (!Number.isFinite(this.target) || this.target <= 0) {
      return 'the target must be a positive number';
    } else if (knative && (!Number.isInteger(this.target) || this.target > _int32Max())) {
      // KServe's predictor.scaleTarget is a 32-bit integer.
      return `the target must be a whole number of requests from 1 to ${_int32Max()} (KServe's scaleTarget is a 32-bit integer)`;
    } else if (!knative && Math.round(this.target * 1000) < 1) {
      // The HPA target is a quantity in milli-units: anything below 0.0005 would be written as 0, which the HPA refuses.
      return 'the target must be at least 0.001 (the HPA\'s quantity would round it to 0)';
    }
    if (this.type === ScalingMetricType.POD_METRIC || this.type === ScalingMetricType.EXTERNAL) {
      // The metric name is a path segment of the custom / external metrics API.
      if (this.metricName === undefined || this.metricName.length === 0 || /[\s/%]/.test(this.metricName) || this.metricName === '.' || this.metricName === '..') {
        return 'the metric name must be a non-empty path segment: no spaces, \'/\' or \'%\'';
      }
    }
    for (const [key, value] of Object.entries(this.selector ?? {})) {
      if (!_isLabelKey(key)) return `the selector key ${JSON.stringify(key)} must be a label key (an optional DNS subdomain prefix and '/', then a name of at most 63 characters)`;
      if (!_isLabelValue(value)) return `the selector value of ${JSON.stringify(key)} must be a label value (at most 63 characters: empty, or [A-Za-z0-9] at both ends with '-', '_' and '.' inside)`;
    }
    return undefined;
  }

  /**
   * The `autoscaling/v2` MetricSpec of an HPA metric; a series GpuMonitoring records is named as `flavor`'s adapter
   * serves it.
   * @internal
   */
  public _toHpa(flavor?: PrometheusFlavor): k8s.MetricSpecV2 {
    switch (this.type) {
      case ScalingMetricType.CPU:
      case ScalingMetricType.MEMORY:
        return { type: 'Resource', resource: { name: this.type, target: { type: 'Utilization', averageUtilization: this.target } } };
      case ScalingMetricType.POD_METRIC:
        return {
          type: 'Pods',
          pods: {
            metric: { name: this.recorded && flavor ? flavor._podMetricName(this.metricName!) : this.metricName! },
            target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(_quantity(this.target)) },
          },
        };
      case ScalingMetricType.EXTERNAL:
        return {
          type: 'External',
          external: {
            metric: { name: this.metricName!, selector: this.selector ? { matchLabels: { ...this.selector } } : undefined },
            target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(_quantity(this.target)) },
          },
        };
      default:
        throw new Error(`${this.type} is not an HPA metric`);
    }
  }
}

/** A number as a Kubernetes quantity string (milli-units for fractions). */
function _quantity(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
