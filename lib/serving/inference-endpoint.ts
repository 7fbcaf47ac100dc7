import { Construct } from 'constructs';
import { WorkloadKind } from '../platform/platform';
import { _checkNoCredentials } from '../pod/env';
import { _Problems, _checkInt } from '../validation';
import { GpuPodProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';
import { ScalingMetric, ScalingMetricType } from './scaling-metric';

/** Props shared by every model-serving construct. */
export interface InferenceEndpointProps extends GpuPodProps {
  /**
   * Where the model is (`pvc://claim/path`, `gs://bucket/path`, `s3://...`, `hf://org/model`...); which schemes a
   * construct accepts, and how it loads them, is its own.
   * @default - none (the image or its args name the model)
   */
  readonly storageUri?: string;
  /**
   * Port the model server listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Extra container port named `metrics` (Prometheus scraping).
   * @default - none
   */
  readonly metricsPort?: number;
  /**
   * Fewest replicas. `0` is scale-to-zero (KServe Knative mode only).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default - minReplicas without scalingMetrics (fixed size); 3 × max(minReplicas, 1) with them
   */
  readonly maxReplicas?: number;
  /**
   * What the endpoint scales on.
   * @default - none: a fixed number of replicas
   */
  readonly scalingMetrics?: ScalingMetric[];
}

/** Which scaling metrics a construct accepts, and how many. @internal */
export interface _ScalingRules {
  readonly allowed: ScalingMetricType[];
  /** Why the others are refused (ends the message). */
  readonly where: string;
  /** Only one metric (KServe). */
  readonly single: boolean;
  /** Why minReplicas=0 is refused; undefined: scale-to-zero is allowed. */
  readonly noScaleToZero?: string;
}

/**
 * The base of the model-serving constructs: a GPU workload with replicas, scaling metrics, a serving port and
 * optionally a metrics port. `InferenceDeployment` serves with a plain Deployment, `KServeInferenceService` with KServe.
 * Health probes and HTTPS exposure are `InferenceDeployment`'s alone, not shared here: on KServe the ServingRuntime
 * (and, in Knative mode, the queue-proxy) owns readiness, and traffic enters through KServe's own ingress or Gateway
 * configuration, which this library does not manage.
 */
export abstract class InferenceEndpoint extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'InferenceEndpointProps';

  /** Port the model server listens on. */
  public readonly port: number;
  /** Fewest replicas. */
  public readonly minReplicas: number;
  /** Most replicas. */
  public readonly maxReplicas: number;
  /** The scaling metrics (validated). @internal */
  public readonly _metrics: ScalingMetric[];

  protected constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id, props, WorkloadKind.SERVING);
    props = this._checkedProps;
    const p = this._problems;
    this.port = props.port ?? 8080;
    _checkNoCredentials(p, 'storageUri', props.storageUri, 'give the storage credentials with a cloud identity (identity) or, on KServe, a Secret (storageSecretName)');
    _checkInt(p, 'port', props.port, 1, 65535);
    _checkInt(p, 'metricsPort', props.metricsPort, 1, 65535);
    if (props.metricsPort !== undefined && props.metricsPort === this.port) p.error('metricsPort', props.metricsPort, `must differ from port (${this.port})`);

    const minReplicas = this.minReplicas = props.minReplicas ?? 1;
    _checkInt(p, 'minReplicas', props.minReplicas, 0, 1000);
    const metrics = props.scalingMetrics ?? [];
    this._metrics = metrics;
    const maxReplicas = this.maxReplicas = props.maxReplicas ?? (this._metrics.length > 0 ? 3 * Math.max(minReplicas, 1) : Math.max(minReplicas, 1));
    _checkInt(p, 'maxReplicas', props.maxReplicas, 1, 1000);
    if (Number.isInteger(minReplicas) && Number.isInteger(maxReplicas) && minReplicas > maxReplicas) {
      p.error('minReplicas', minReplicas, `must be at most maxReplicas (${maxReplicas})`);
    }
  }

  /** Checks the scaling metrics and scale-to-zero against what the subclass supports. @internal */
  public _checkScaling(rules: _ScalingRules): void {
    if (this.minReplicas === 0 && rules.noScaleToZero !== undefined) this._problems.raw(`minReplicas=0 is invalid: ${rules.noScaleToZero}`);
    _checkMetrics(this._problems, this._metrics, rules);
  }
}

function _checkMetrics(p: _Problems, metrics: ScalingMetric[], rules: _ScalingRules): void {
  metrics.forEach((m, i) => {
    const problem = m._problem();
    if (problem) p.raw(`scalingMetrics[${i}]=${m.toString()} is invalid: ${problem}`);
    else if (!rules.allowed.includes(m.type)) p.raw(`scalingMetrics[${i}]=${m.toString()} is invalid: ${rules.where}`);
  });
  if (rules.single && metrics.length > 1) {
    p.raw(`scalingMetrics=[${metrics.map(m => m.toString()).join(', ')}] is invalid: KServe scales on one metric; use InferenceDeployment to combine several`);
  }
}
