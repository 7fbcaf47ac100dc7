import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { InferenceServiceSpec } from '../../imports/kserve-serving.kserve.io';
import { ClusterAddon } from '../platform/cluster-addon';
import { PodPlacement, WorkloadKind, _isSpot } from '../platform/platform';
import { _FoundTemplate } from '../pod/admission';
import { _PodTemplate } from '../pod/pod-template';
import { _checkDns1035, _checkDnsSubdomain, _durationSeconds, _isImageTag, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { InferenceEndpoint, InferenceEndpointProps } from './inference-endpoint';
import { ModelFormat } from './model-format';
import { ScalingMetric, ScalingMetricType } from './scaling-metric';
import { _Renders } from '../pod/renders';

/**
 * KServe deployment mode (`serving.kserve.io/deploymentMode`). KServe 0.16 renamed the values to `Standard` and
 * `Knative` but still parses the legacy ones; the legacy values are emitted because every KServe release understands
 * them.
 */
export enum KServeDeploymentMode {
  /** "Standard" (legacy `RawDeployment`): a Deployment + HPA made by KServe; no Knative, no scale-to-zero. */
  STANDARD = 'RawDeployment',
  /** "Knative" (legacy `Serverless`): a Knative Service; scales to zero; restricts the pod spec (see the docs). */
  KNATIVE = 'Serverless',
}

/** Inference protocol of a KServe model server (`protocolVersion`). */
export enum ProtocolVersion {
  /** KServe V1 (TensorFlow-Serving-like REST). */
  V1 = 'v1',
  /** Open Inference Protocol (V2) over REST. */
  V2 = 'v2',
  /** Open Inference Protocol (V2) over gRPC. */
  GRPC_V2 = 'grpc-v2',
}

/** Props of a {@link KServeInferenceService}. */
export interface KServeInferenceServiceProps extends InferenceEndpointProps {
  /**
   * Image of a custom model-server container. Omit it with `modelFormat` (the KServe runtime brings its image; pick
   * its tag with `runtimeVersion`).
   * @default - none: `modelFormat` must be given
   */
  readonly image?: string;
  /**
   * KServe model format; KServe picks the runtime that serves it.
   * @default - none: a custom container (`image`)
   */
  readonly modelFormat?: ModelFormat;
  /**
   * Name of the (Cluster)ServingRuntime. Required for a custom model format.
   * @default - the runtime KServe auto-selects for `modelFormat`
   */
  readonly runtime?: string;
  /**
   * Image tag of the runtime.
   * @default - the runtime's own
   */
  readonly runtimeVersion?: string;
  /**
   * Inference protocol.
   * @default - the runtime's default
   */
  readonly protocolVersion?: ProtocolVersion;
  /**
   * KServe deployment mode.
   * @default KServeDeploymentMode.STANDARD
   */
  readonly deploymentMode?: KServeDeploymentMode;
  /**
   * The cluster's Knative `config-features` enable the `kubernetes.podspec-*` flags that this predictor needs in
   * Knative mode (nodeSelector, tolerations, affinity, priorityclassname, persistent-volume-claim). Without them the
   * construct emits only what Knative accepts by default and reports what would need a flag.
   * @default false
   */
  readonly knativeFeatureFlags?: boolean;
  /**
   * Secret with storage credentials (KServe `serving.kserve.io/storageSecretName`); without it KServe uses the
   * ServiceAccount's secrets or its cloud identity.
   * @default - none
   */
  readonly storageSecretName?: string;
  /**
   * Knative mode with GPUs: how long a new revision may take to become ready (GPU node provisioning + model download
   * + load), as `serving.knative.dev/progress-deadline`.
   * @default Duration.minutes(30)
   */
  readonly coldStartTimeout?: Duration;
}

/** Knative queue-proxy ports: requests (HTTP/1, h2c) and the autoscaler's metrics scrape. */
const KNATIVE_QUEUE_PORTS = [8012, 8013, 9090];
/**
 * Ports and env a Knative revision's user container may not use (knative/serving pkg/apis/serving/k8s_validation.go:
 * reservedPorts = queue-proxy's 8012 (HTTP/1), 8013 (h2c), 8022 (admin), 9090 and 9091 (metrics) and the profiling
 * port 8008; reservedEnvVars = PORT, K_SERVICE, K_CONFIGURATION, K_REVISION, which Knative sets itself).
 */
const KNATIVE_RESERVED_PORTS = [8008, 8012, 8013, 8022, 9090, 9091];
const KNATIVE_RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
/** Env KServe's webhook refuses in every predictor container since v0.18 (pkg/validation/env_policy.go). */
const KSERVE_BLOCKED_ENV = ['PYTHONPATH'];
/** Knative's default revision progress deadline (config-deployment `progress-deadline`). */
const KNATIVE_DEFAULT_PROGRESS_DEADLINE = 600;
/** KServe (0.9+) names the predictor's Deployment, Service or Knative Service `<name>-predictor`. */
const PREDICTOR_SUFFIX = '-predictor';
const KSERVE_SCHEMES = ['gs', 's3', 'pvc', 'hf', 'https', 'oci'];

/**
 * A GPU model served by KServe: a `serving.kserve.io/v1beta1` InferenceService in Standard (RawDeployment) or
 * Knative (Serverless) mode, on a KServe runtime (`modelFormat`) or a custom container (`image`). GPUs go only on the
 * model container; on GKE the accelerator travels as KServe's annotation in Knative mode; scale-to-zero raises the
 * revision's progress deadline so a cold GPU start is not marked failed. Needs KServe (and Knative for Knative mode).
 * No probe or HTTPS props: KServe's ServingRuntime (and Knative's queue-proxy) owns the probes, and exposure goes
 * through KServe's ingress or Gateway configuration (`inferenceservice-config`), not through this construct.
 */
export class KServeInferenceService extends InferenceEndpoint {
  /** @internal */
  public static readonly _propsType: string = 'KServeInferenceServiceProps';

  /** The deployment mode. */
  public readonly deploymentMode: KServeDeploymentMode;
  private readonly _inferenceService?: ApiObject;

  public constructor(scope: Construct, id: string, props: KServeInferenceServiceProps) {
    super(scope, id, props);
    props = this._checkedProps;
    const mode = props?.deploymentMode ?? KServeDeploymentMode.STANDARD;
    const knative = mode === KServeDeploymentMode.KNATIVE;
    this._checkScaling(knative
      ? { allowed: [ScalingMetricType.CONCURRENCY, ScalingMetricType.REQUESTS_PER_SECOND], where: 'KServe Knative mode scales on concurrency or requests per second (ScalingMetric.concurrency / requestsPerSecond)', single: true }
      : {
        allowed: [ScalingMetricType.CPU, ScalingMetricType.MEMORY],
        where: 'KServe Standard mode scales on cpu or memory only (kserve#4259); use InferenceDeployment for GPU, pod or external metrics',
        single: true,
        noScaleToZero: 'KServe Standard (RawDeployment) mode does not scale to zero (kserve#3514); use deploymentMode: KServeDeploymentMode.KNATIVE',
      });
    const p = this._problems;
    this.deploymentMode = mode;
    this.checkNames(knative);
    this.checkReserved(props, knative);
    _requireAddon(p, this.platform, ClusterAddon.KSERVE, 'a KServe InferenceService');
    if (knative) _requireAddon(p, this.platform, ClusterAddon.KNATIVE_SERVING, 'KServe\'s Knative deployment mode');

    // Model source
    const format = props.modelFormat;
    if (format !== undefined && (!/^[^\s]+$/.test(format.name) || (format.version !== undefined && !/^[^\s]+$/.test(format.version)))) {
      p.error('modelFormat', format, 'must name a model format (and version) without spaces, e.g. ModelFormat.custom("vllm")');
    }
    const runtime = props.runtime;
    _checkDnsSubdomain(p, 'runtime', runtime);
    if (format !== undefined && !format.hasBuiltInRuntime && runtime === undefined) {
      p.raw(`modelFormat=${_show(format.name)} is invalid without runtime: no runtime installed with KServe serves it; set runtime to the ServingRuntime that lists it in supportedModelFormats`);
    }
    if (format !== undefined && props.image !== undefined) {
      p.raw(`image=${_show(props.image)} is invalid together with modelFormat=${_show(format.name)}: the KServe runtime brings its own image (choose its tag with runtimeVersion), or drop modelFormat for a custom container`);
    }
    if (format === undefined && props.image === undefined) {
      p.raw('modelFormat=undefined is invalid: a KServeInferenceService needs a modelFormat (a KServe runtime) or an image (a custom container)');
    }
    if (format === undefined && (runtime !== undefined || props.runtimeVersion !== undefined)) {
      p.raw(`runtime=${_show(runtime ?? props.runtimeVersion)} is invalid without modelFormat: a custom container has no ServingRuntime`);
    }
    // KServe appends it to the runtime's image as its tag.
    if (props.runtimeVersion !== undefined && !_isImageTag(props.runtimeVersion)) {
      p.error('runtimeVersion', props.runtimeVersion, 'must be an image tag: up to 128 letters, digits, \'_\', \'.\' and \'-\', not starting with \'.\' or \'-\'');
    }
    this.checkStorageUri(props.storageUri);
    _checkDnsSubdomain(p, 'storageSecretName', props.storageSecretName);
    const coldStartSeconds = props.coldStartTimeout !== undefined ? _durationSeconds(p, 'coldStartTimeout', props.coldStartTimeout) ?? 1800 : 1800;

    // The pod, built by the shared GPU pod builder; a custom container gets its model from the storage initializer.
    const customContainer = format === undefined;
    const pod = this._pod({ ...props, image: format !== undefined ? undefined : props.image }, {
      kind: WorkloadKind.SERVING,
      containerName: 'kserve-container',
      minGpus: 0,
      imageOptional: true,
      ports: !customContainer ? undefined : knative
        ? [{ containerPort: this.port, protocol: 'TCP' }] // Knative serves exactly one port, unnamed or http1/h2c
        : [{ name: 'http', containerPort: this.port, protocol: 'TCP' }, ...(props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, protocol: 'TCP' }] : [])],
      extraEnv: customContainer && props.storageUri !== undefined ? [{ name: 'STORAGE_URI', value: props.storageUri }] : [],
    });

    // Knative mode accepts only part of a pod spec: ask the platform what it can move into annotations.
    let placement: PodPlacement = {
      nodeSelector: pod.spec.nodeSelector ?? {}, tolerations: pod.spec.tolerations ?? [], affinity: pod.spec.affinity, podAnnotations: {},
    };
    const platform = this.platform;
    if (knative && !props.knativeFeatureFlags && platform && p.ok) {
      placement = platform._knativePlacement(placement);
      const flags: string[] = [];
      if (Object.keys(placement.nodeSelector).length) flags.push('kubernetes.podspec-nodeselector');
      if (placement.tolerations.length) flags.push('kubernetes.podspec-tolerations');
      if (placement.affinity) flags.push('kubernetes.podspec-affinity');
      if (props.priorityClass !== undefined) flags.push('kubernetes.podspec-priorityclassname');
      if ((pod.spec.volumes ?? []).some(v => v.persistentVolumeClaim)) flags.push('kubernetes.podspec-persistent-volume-claim');
      // GPU sharing: GKE's MPS clients share the host IPC namespace.
      if (pod.spec.hostIpc) flags.push('kubernetes.podspec-hostipc');
      if (flags.length) {
        p.raw(`deploymentMode=${_show(mode)} is invalid for this pod on ${platform.displayName}: Knative rejects it unless its config-features enable ${flags.join(', ')}; enable them and set knativeFeatureFlags: true, or use KServeDeploymentMode.STANDARD`);
      }
    }
    // Knative sets the pod's termination grace itself (from the revision timeout) and refuses ours, so a platform that
    // caps the grace of spot pods below Kubernetes' 30 s default cannot run Knative predictors on spot.
    const spotCap = platform?.maxSpotGraceSeconds;
    if (knative && _isSpot(props.capacityType) && spotCap !== undefined && spotCap < 30) {
      p.raw(`capacityType=${_show(props.capacityType)} is invalid with deploymentMode=${_show(mode)} on ${platform.displayName}: Knative sets the pod's termination grace itself (at least 30s), above the ${spotCap}s spot pods get there (allowed: CapacityType.ON_DEMAND, or KServeDeploymentMode.STANDARD on spot)`);
    }
    if (knative && pod.gpus > 0) {
      const lowered = coldStartSeconds < KNATIVE_DEFAULT_PROGRESS_DEADLINE;
      const deadline = lowered
        ? `lowered to ${coldStartSeconds}s (Knative's default: ${KNATIVE_DEFAULT_PROGRESS_DEADLINE}s), so a cold start that takes longer is marked failed`
        : `raised to ${coldStartSeconds}s (Knative's default: ${KNATIVE_DEFAULT_PROGRESS_DEADLINE}s) so a cold start is not marked failed`;
      if (this.minReplicas === 0) {
        p.warn(`minReplicas=0 with ${pod.gpus} GPU(s): after an idle period the first request waits for a GPU node and the model load (minutes); the revision's progress deadline is ${deadline} (kserve#1247)`);
      } else if (lowered) {
        p.warn(`coldStartTimeout=${coldStartSeconds}s lowers the revision's progress deadline below Knative's default (${KNATIVE_DEFAULT_PROGRESS_DEADLINE}s): a new revision whose GPU node and model load take longer is marked failed`);
      }
    }
    if (!this._ready()) return;

    this._inferenceService = this.emit(props, pod, { format, knative, placement, coldStartSeconds });
    const admitted = knative ? KNATIVE_QUEUE_PORTS : [this.port, ...(customContainer && props.metricsPort !== undefined ? [props.metricsPort] : [])];
    this._finish({
      resource: this._inferenceService,
      ingress: [{ ports: admitted.map(n => ({ port: k8s.IntOrString.fromNumber(n), protocol: 'TCP' })) }],
      templates: () => this.componentPods(),
    });
  }

  /**
   * KServe refuses names that are not DNS-1035 labels (its webhook's IsvcNameFmt), and derives `<name>-predictor`; in
   * Standard mode the predictor's host label is `<name>-predictor-<namespace>` (KServe's default ingress domain
   * template), which must stay a DNS label too (kserve#4807).
   */
  private checkNames(knative: boolean): void {
    const p = this._problems;
    this._limitName(63 - PREDICTOR_SUFFIX.length, max => `KServe names the predictor ${this.name}${PREDICTOR_SUFFIX}, which must be at most 63 characters (allowed: at most ${max})`);
    _checkDns1035(p, 'name', this.name, 'KServe requires it of InferenceService names');
    const host = `${this.name}${PREDICTOR_SUFFIX}-${this.namespace}`;
    if (!knative && this.namespace !== undefined && this.name.length <= 63 - PREDICTOR_SUFFIX.length && host.length > 63) {
      p.raw(`name=${_show(this.name)} is invalid in namespace ${_show(this.namespace)}: KServe's Standard mode makes the host label ${host} (${host.length} characters) of the two, which must be at most 63 (kserve#4807); shorten the name to at most ${63 - PREDICTOR_SUFFIX.length - 1 - this.namespace.length} characters`);
    }
  }

  /** Ports and env that Knative or KServe reserve for themselves. */
  private checkReserved(props: KServeInferenceServiceProps, knative: boolean): void {
    const p = this._problems;
    const names = [...Object.keys(props.env ?? {}), ...(props.secretEnv ?? []).map(s => s.name)];
    for (const name of names.filter(n => KSERVE_BLOCKED_ENV.includes(n))) {
      p.raw(`env[${JSON.stringify(name)}] is invalid: KServe (v0.18 and later) refuses ${name} in predictor containers`);
    }
    if (!knative) return;
    if (KNATIVE_RESERVED_PORTS.includes(this.port)) {
      p.error('port', this.port, `Knative reserves ${KNATIVE_RESERVED_PORTS.join(', ')} for its queue-proxy and profiling; use another port, e.g. 8080`);
    }
    for (const name of names.filter(n => KNATIVE_RESERVED_ENV.includes(n))) {
      p.raw(`env[${JSON.stringify(name)}] is invalid in Knative mode: Knative sets ${KNATIVE_RESERVED_ENV.join(', ')} itself (PORT is the container's port: ${this.port})`);
    }
  }

  private checkStorageUri(uri: string | undefined): void {
    const p = this._problems;
    if (uri === undefined) return;
    const m = /^([a-z0-9]+):\/\/([^/\s]+)\/?(\S*)$/.exec(uri);
    if (!m) {
      p.error('storageUri', uri, 'must be a URI such as pvc://claim/path, gs://bucket/path, s3://bucket/path or hf://org/model');
      return;
    }
    const [, scheme, host] = m;
    if (!KSERVE_SCHEMES.includes(scheme)) p.error('storageUri', uri, `KServe loads ${KSERVE_SCHEMES.map(s => `${s}://`).join(', ')}`);
    if (scheme === 'pvc') _checkDnsSubdomain(p, 'storageUri claim name', host);
  }

  private emit(props: KServeInferenceServiceProps, pod: _PodTemplate, o: {
    format?: ModelFormat; knative: boolean; placement: PodPlacement; coldStartSeconds: number;
  }): ApiObject {
    const spec: any = k8s.toJson_PodSpec(pod.spec);
    const container: any = k8s.toJson_Container(pod.container);
    delete spec.containers;
    if (o.knative) {
      // Knative forbids terminationGracePeriodSeconds, the pod securityContext (without a flag) and `privileged`:
      // the non-root settings move to the container, where Knative accepts them.
      delete spec.terminationGracePeriodSeconds;
      const podSecurity = spec.securityContext ?? {};
      delete spec.securityContext;
      const { privileged: _privileged, ...containerSecurity } = container.securityContext ?? {};
      container.securityContext = {
        ...containerSecurity,
        runAsNonRoot: podSecurity.runAsNonRoot,
        runAsUser: podSecurity.runAsUser,
        runAsGroup: podSecurity.runAsGroup,
        seccompProfile: podSecurity.seccompProfile,
      };
      spec.nodeSelector = Object.keys(o.placement.nodeSelector).length ? o.placement.nodeSelector : undefined;
      spec.tolerations = o.placement.tolerations.length ? o.placement.tolerations : undefined;
      spec.affinity = o.placement.affinity;
    }
    const podMeta = this._podMetadata(pod, {}, o.placement.podAnnotations);
    const metric: ScalingMetric | undefined = this._metrics[0];
    const predictor: any = {
      ...spec,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      scaleMetric: metric?.type,
      scaleTarget: metric?.target,
      scaleMetricType: metric?.isUtilization ? 'Utilization' : undefined,
      labels: podMeta.labels,
      annotations: podMeta.annotations,
    };
    if (o.format) {
      delete container.name;
      delete container.image;
      delete container.ports;
      predictor.model = {
        modelFormat: { name: o.format.name, version: o.format.version },
        runtime: props.runtime,
        runtimeVersion: props.runtimeVersion,
        storageUri: props.storageUri,
        protocolVersion: props.protocolVersion,
        ...container,
      };
    } else {
      predictor.containers = [container];
    }
    const annotations: { [k: string]: string } = { 'serving.kserve.io/deploymentMode': this.deploymentMode };
    if (props.storageSecretName) annotations['serving.kserve.io/storageSecretName'] = props.storageSecretName;
    // A revision that is not ready within the deadline is marked failed: a cold GPU node needs longer than 10 min.
    if (o.knative && pod.gpus > 0) annotations['serving.knative.dev/progress-deadline'] = `${o.coldStartSeconds}s`;
    const typed: InferenceServiceSpec = JSON.parse(JSON.stringify({ predictor }));
    return new ApiObject(this, 'Resource', {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { ...this._metadata(), annotations },
      spec: typed,
    });
  }

  /**
   * The pods KServe makes of the components (predictor, and a transformer or explainer added through the escape
   * hatch), as the platform's admission sees them: the model container carries the GPUs, and KServe's webhook turns
   * the platform's accelerator annotation into the node selector.
   */
  private componentPods(): _FoundTemplate[] {
    const spec = _Renders.of(this._inferenceService!).spec ?? {};
    return ['predictor', 'transformer', 'explainer'].filter(c => spec[c] && typeof spec[c] === 'object').map(c => {
      const { model, containers, annotations, labels: _l, minReplicas: _a, maxReplicas: _b, scaleMetric: _c, scaleTarget: _d,
        scaleMetricType: _e, ...rest } = spec[c];
      const nodeSelector = { ...(rest.nodeSelector ?? {}), ...this.platform._kserveWebhookNodeSelector(annotations) };
      const main = model ? [{ name: 'kserve-container', image: 'runtime', ...model }] : containers ?? [];
      return { where: `spec.${c}`, spec: { ...rest, nodeSelector, containers: main }, annotations };
    });
  }
}
