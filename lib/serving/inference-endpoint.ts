import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ManagedCertificate } from '../../imports/gke-networking-networking.gke.io';
import type { InferenceServiceSpec } from '../../imports/kserve-serving.kserve.io';
import { GKE_ACCELERATOR_LABEL, KSERVE_GKE_ACCELERATOR_ANNOTATION } from '../platform/gke-autopilot';
import { CapacityType, Platform, WorkloadKind, _Scheduling } from '../platform/platform';
import { GpuPodProps, _GpuPod } from '../pod/gpu-workload';
import { StorageVolume, VolumeMount } from '../pod/storage-volume';
import { _Problems, _checkDnsSubdomain, _checkInt, _durationSeconds, _ensure, _show } from '../validation';
import { ModelFormat } from './model-format';
import { ScalingMetric, ScalingMetricType } from './scaling-metric';

/** What runs the model. */
export enum ServingBackend {
  /** A plain `apps/v1` Deployment + Service + HorizontalPodAutoscaler + PodDisruptionBudget: no operator needed. */
  DEPLOYMENT = 'deployment',
  /** A KServe `serving.kserve.io/v1beta1` InferenceService (KServe must be installed). */
  KSERVE = 'kserve',
}

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

/** How the Deployment backend's Service is exposed. */
export enum ServiceType {
  /** Inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
  /** A cloud load balancer (external by default on GKE and EKS). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Props of an {@link InferenceEndpoint}. */
export interface InferenceEndpointProps extends GpuPodProps {
  /**
   * What runs the model.
   * @default ServingBackend.DEPLOYMENT
   */
  readonly backend?: ServingBackend;
  /**
   * Model server image. Required for the Deployment backend and for a KServe custom container; must be omitted with
   * `modelFormat` (the KServe runtime brings its image; pick its tag with `runtimeVersion`).
   * @default - none
   */
  readonly image?: string;
  /**
   * KServe model format; KServe picks the runtime that serves it.
   * @default - none: a KServe custom container (`image`)
   */
  readonly modelFormat?: ModelFormat;
  /**
   * Name of the (Cluster)ServingRuntime (KServe). Required for a custom model format.
   * @default - the runtime KServe auto-selects for `modelFormat`
   */
  readonly runtime?: string;
  /**
   * Image tag of the runtime (KServe).
   * @default - the runtime's own
   */
  readonly runtimeVersion?: string;
  /**
   * Where the model is. KServe downloads `gs://`, `s3://`, `hf://`, `https://`, `oci://` and mounts `pvc://`; the
   * Deployment backend mounts `pvc://` (and `gs://` where GCS FUSE exists) read-only at `/mnt/models`, with the model's
   * path in `$MODEL_DIR`.
   * @default - none (the image or its args name the model)
   */
  readonly storageUri?: string;
  /**
   * Inference protocol (KServe).
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
   * endpoint emits only what Knative accepts by default and reports what would need a flag.
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
   * Fewest replicas. `0` is scale-to-zero: KServe Knative mode only.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default - minReplicas without scalingMetrics (fixed size); 3 × max(minReplicas, 1) with them
   */
  readonly maxReplicas?: number;
  /**
   * What the endpoint scales on (several for the Deployment backend's HPA; one for KServe).
   * @default - none: a fixed number of replicas
   */
  readonly scalingMetrics?: ScalingMetric[];
  /**
   * KServe Knative mode with GPUs: how long a new revision may take to become ready (GPU node provisioning + model
   * download + load), as `serving.knative.dev/progress-deadline`.
   * @default Duration.minutes(30)
   */
  readonly coldStartTimeout?: Duration;
  /**
   * Port the model server listens on (Deployment backend and KServe custom containers).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Extra container port named `metrics` (Prometheus scraping).
   * @default - none
   */
  readonly metricsPort?: number;
  /**
   * HTTP path of the startup, readiness and liveness probes (Deployment backend).
   * @default '/health'
   */
  readonly healthPath?: string;
  /**
   * Port of the probes; must be `port` or `metricsPort` (Deployment backend).
   * @default - port
   */
  readonly healthPort?: number;
  /**
   * Longest a pod may take to load the model before its startup probe gives up (Deployment backend).
   * @default Duration.minutes(20)
   */
  readonly modelLoadTimeout?: Duration;
  /**
   * Service type (Deployment backend).
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * Service port (Deployment backend).
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Most pods a voluntary disruption (drain, consolidation, upgrade) may take down at once (Deployment backend PDB).
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * Host name served over HTTPS by a GKE Ingress with a Google-managed certificate (`networking.gke.io/v1`
   * ManagedCertificate). GKE only; Deployment backend.
   * @default - no Ingress
   */
  readonly httpsHost?: string;
  /**
   * Name of a reserved global static IP for the GKE Ingress (`kubernetes.io/ingress.global-static-ip-name`).
   * @default - an ephemeral IP
   */
  readonly staticIpName?: string;
}

const MODEL_DIR = '/mnt/models';
/** Knative queue-proxy ports: requests (HTTP/1, h2c) and the autoscaler's metrics scrape. */
const KNATIVE_QUEUE_PORTS = [8012, 8013, 9090];
const KSERVE_SCHEMES = ['gs', 's3', 'pvc', 'hf', 'https', 'oci'];
const KSERVE_ONLY: (keyof InferenceEndpointProps)[] = ['modelFormat', 'runtime', 'runtimeVersion', 'protocolVersion', 'deploymentMode', 'knativeFeatureFlags', 'storageSecretName', 'coldStartTimeout'];
const DEPLOYMENT_ONLY: (keyof InferenceEndpointProps)[] = ['healthPath', 'healthPort', 'modelLoadTimeout', 'serviceType', 'servicePort', 'maxUnavailable', 'httpsHost', 'staticIpName'];

/**
 * A GPU model-serving endpoint: a KServe InferenceService (Standard or Knative mode) or a plain Deployment with its
 * Service, HorizontalPodAutoscaler and PodDisruptionBudget, scheduled the way its platform wants, with probes that
 * allow minutes of model loading, its own ServiceAccount and a NetworkPolicy that admits only the serving port.
 */
export class InferenceEndpoint extends Construct {
  /** The platform the endpoint targets. */
  public readonly platform: Platform;
  /** Name of the InferenceService or Deployment (and of its Service). */
  public readonly name: string;
  /** The backend. */
  public readonly backend: ServingBackend;
  private readonly _problems: _Problems;
  private _deployment?: k8s.KubeDeployment;
  private _service?: k8s.KubeService;
  private _hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  private _pdb?: k8s.KubePodDisruptionBudget;
  private _ingress?: k8s.KubeIngress;
  private _certificate?: ManagedCertificate;
  private _inferenceService?: ApiObject;
  private _serviceAccount?: k8s.KubeServiceAccount;
  private _networkPolicy?: k8s.KubeNetworkPolicy;

  public constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    this.platform = props.platform;
    const backend = (this.backend = props.backend ?? ServingBackend.DEPLOYMENT);
    if (!Object.values(ServingBackend).includes(backend)) p.error('backend', backend, `must be one of ${Object.values(ServingBackend).join(', ')}`);
    const kserve = backend === ServingBackend.KSERVE;
    const mode = props.deploymentMode ?? KServeDeploymentMode.STANDARD;
    if (!Object.values(KServeDeploymentMode).includes(mode)) p.error('deploymentMode', mode, `must be one of ${Object.values(KServeDeploymentMode).join(', ')}`);
    const knative = kserve && mode === KServeDeploymentMode.KNATIVE;
    for (const prop of kserve ? DEPLOYMENT_ONLY : KSERVE_ONLY) {
      if (props[prop] !== undefined) p.error(prop, props[prop], `only applies to ServingBackend.${kserve ? 'DEPLOYMENT' : 'KSERVE'} (this endpoint uses ServingBackend.${kserve ? 'KSERVE' : 'DEPLOYMENT'})`);
    }

    // Model source
    const format = props.modelFormat;
    if (format !== undefined && !(format instanceof ModelFormat)) p.error('modelFormat', format, 'must be a ModelFormat, e.g. ModelFormat.HUGGINGFACE');
    const runtime = props.runtime;
    _checkDnsSubdomain(p, 'runtime', runtime);
    if (kserve) {
      if (format instanceof ModelFormat && !format.hasBuiltInRuntime && runtime === undefined) {
        p.raw(`modelFormat=${_show(format.name)} is invalid without runtime: no runtime installed with KServe serves it; set runtime to the ServingRuntime that lists it in supportedModelFormats`);
      }
      if (format !== undefined && props.image !== undefined) {
        p.raw(`image=${_show(props.image)} is invalid together with modelFormat=${_show(format.name)}: the KServe runtime brings its own image (choose its tag with runtimeVersion), or drop modelFormat for a custom container`);
      }
      if (format === undefined && props.image === undefined) {
        p.raw('modelFormat=undefined is invalid: ServingBackend.KSERVE needs a modelFormat (a KServe runtime) or an image (a custom container)');
      }
      if (format === undefined && (runtime !== undefined || props.runtimeVersion !== undefined)) {
        p.raw(`runtime=${_show(runtime ?? props.runtimeVersion)} is invalid without modelFormat: a custom container has no ServingRuntime`);
      }
    } else if (props.image === undefined) {
      p.raw('image=undefined is invalid: ServingBackend.DEPLOYMENT needs the model server\'s container image');
    }
    if (props.protocolVersion !== undefined && !Object.values(ProtocolVersion).includes(props.protocolVersion)) {
      p.error('protocolVersion', props.protocolVersion, `must be one of ${Object.values(ProtocolVersion).join(', ')}`);
    }
    const storage = this.parseStorageUri(p, props, kserve);
    _checkDnsSubdomain(p, 'storageSecretName', props.storageSecretName);

    // Ports and probes
    const port = props.port ?? 8080;
    _checkInt(p, 'port', props.port, 1, 65535);
    _checkInt(p, 'metricsPort', props.metricsPort, 1, 65535);
    if (props.metricsPort !== undefined && props.metricsPort === port) p.error('metricsPort', props.metricsPort, `must differ from port (${port})`);
    const healthPort = props.healthPort ?? port;
    _checkInt(p, 'healthPort', props.healthPort, 1, 65535);
    const exposed = [`${port} (port)`, ...(props.metricsPort !== undefined ? [`${props.metricsPort} (metricsPort)`] : [])];
    if (healthPort !== port && healthPort !== props.metricsPort) {
      p.error('healthPort', props.healthPort, `the container exposes only ${exposed.join(', ')}; probe one of those`);
    }
    const healthPath = props.healthPath ?? '/health';
    if (typeof healthPath !== 'string' || !healthPath.startsWith('/') || /\s/.test(healthPath)) p.error('healthPath', props.healthPath, 'must be an absolute HTTP path without spaces, e.g. "/health"');
    const loadSeconds = props.modelLoadTimeout !== undefined ? _durationSeconds(p, 'modelLoadTimeout', props.modelLoadTimeout, { max: 6 * 3600 }) : 1200;
    const coldStartSeconds = props.coldStartTimeout !== undefined ? _durationSeconds(p, 'coldStartTimeout', props.coldStartTimeout) : 1800;
    _checkInt(p, 'servicePort', props.servicePort, 1, 65535);
    _checkInt(p, 'maxUnavailable', props.maxUnavailable, 1);
    const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;
    if (!Object.values(ServiceType).includes(serviceType)) p.error('serviceType', serviceType, `must be one of ${Object.values(ServiceType).join(', ')}`);

    // Replicas and scaling
    const minReplicas = props.minReplicas ?? 1;
    _checkInt(p, 'minReplicas', props.minReplicas, 0, 1000);
    const metrics = props.scalingMetrics ?? [];
    if (!Array.isArray(metrics)) p.error('scalingMetrics', metrics, 'must be a list of ScalingMetric');
    const maxReplicas = props.maxReplicas ?? (metrics.length > 0 ? 3 * Math.max(minReplicas, 1) : Math.max(minReplicas, 1));
    _checkInt(p, 'maxReplicas', props.maxReplicas, 1, 1000);
    if (Number.isInteger(minReplicas) && Number.isInteger(maxReplicas) && minReplicas > maxReplicas) {
      p.error('minReplicas', minReplicas, `must be at most maxReplicas (${maxReplicas})`);
    }
    if (minReplicas === 0 && !knative) {
      p.raw(kserve
        ? 'minReplicas=0 is invalid: KServe Standard (RawDeployment) mode does not scale to zero (kserve#3514); use deploymentMode: KServeDeploymentMode.KNATIVE'
        : 'minReplicas=0 is invalid: the Deployment backend cannot scale to zero (a HorizontalPodAutoscaler needs minReplicas >= 1 unless the HPAScaleToZero alpha feature gate is on); use ServingBackend.KSERVE with KServeDeploymentMode.KNATIVE');
    }
    this.checkMetrics(p, metrics, kserve, knative);

    // The pod, built by the shared GPU pod builder.
    const customContainer = !kserve || format === undefined;
    const volumes: VolumeMount[] = [...(props.volumes ?? [])];
    if (storage.volume) volumes.push({ volume: storage.volume, mountPath: MODEL_DIR, readOnly: true });
    const extraEnv: k8s.EnvVar[] = [];
    if (!kserve && storage.volume) extraEnv.push({ name: 'MODEL_DIR', value: `${MODEL_DIR}${storage.path ? `/${storage.path}` : ''}` });
    // A KServe custom container gets its model from the storage initializer through STORAGE_URI.
    if (kserve && customContainer && props.storageUri !== undefined) extraEnv.push({ name: 'STORAGE_URI', value: props.storageUri });
    const ports: k8s.ContainerPort[] | undefined = !customContainer ? undefined : knative
      ? [{ containerPort: port, protocol: 'TCP' }] // Knative serves exactly one port, unnamed or http1/h2c
      : [{ name: 'http', containerPort: port, protocol: 'TCP' }, ...(props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, protocol: 'TCP' }] : [])];
    const pod = new _GpuPod(this, { ...props, image: kserve && format !== undefined ? undefined : props.image, volumes }, {
      kind: WorkloadKind.SERVING,
      containerName: kserve ? 'kserve-container' : 'server',
      minGpus: 0,
      imageOptional: kserve,
      ports,
      extraEnv,
    }, p);
    this.name = pod.name;

    if (props.httpsHost !== undefined) {
      if (typeof props.httpsHost !== 'string' || props.httpsHost.length > 63 || !/^(([a-z0-9]+|[a-z0-9][-a-z0-9]*[a-z0-9])\.)+[a-z][-a-z0-9]*[a-z0-9]$/.test(props.httpsHost)) {
        p.error('httpsHost', props.httpsHost, 'must be a lowercase, non-wildcard DNS name of at most 63 characters, e.g. "llava.example.com"');
      } else if (this.platform instanceof Platform && !this.platform.supportsManagedCertificates) {
        p.raw(`httpsHost=${_show(props.httpsHost)} is invalid: a GKE Ingress with a ManagedCertificate needs GKE, and ${this.platform.displayName} has none (expose the Service with serviceType: ServiceType.LOAD_BALANCER, or bring your own Ingress)`);
      }
    }
    if (props.staticIpName !== undefined && props.httpsHost === undefined) p.error('staticIpName', props.staticIpName, 'needs httpsHost (it names the GKE Ingress\'s address)');

    // Knative mode accepts only part of a pod spec: ask the platform what it can move into annotations.
    let sched: _Scheduling = { nodeSelector: pod.spec.nodeSelector ?? {}, tolerations: pod.spec.tolerations ?? [], affinity: pod.spec.affinity, podAnnotations: {} };
    if (knative && !props.knativeFeatureFlags && this.platform instanceof Platform && p.ok) {
      sched = { ...this.platform._knativeScheduling(sched) };
      const flags: string[] = [];
      if (Object.keys(sched.nodeSelector).length) flags.push('kubernetes.podspec-nodeselector');
      if (sched.tolerations.length) flags.push('kubernetes.podspec-tolerations');
      if (sched.affinity) flags.push('kubernetes.podspec-affinity');
      if (props.priorityClassName !== undefined) flags.push('kubernetes.podspec-priorityclassname');
      if ((pod.spec.volumes ?? []).some(v => v.persistentVolumeClaim)) flags.push('kubernetes.podspec-persistent-volume-claim');
      if (flags.length) {
        p.raw(`deploymentMode=${_show(mode)} is invalid for this pod on ${this.platform.displayName}: Knative rejects it unless its config-features enable ${flags.join(', ')}; enable them and set knativeFeatureFlags: true, or use KServeDeploymentMode.STANDARD`);
      }
    }
    // Knative sets the pod's termination grace itself (from the revision timeout) and refuses ours, so a platform that
    // caps the grace of spot pods below Kubernetes' 30 s default cannot run Knative predictors on spot.
    const spotCap = this.platform instanceof Platform ? this.platform.maxSpotGraceSeconds : undefined;
    if (knative && (props.capacityType ?? CapacityType.ON_DEMAND) !== CapacityType.ON_DEMAND && spotCap !== undefined && spotCap < 30) {
      p.raw(`capacityType=${_show(props.capacityType)} is invalid with deploymentMode=${_show(mode)} on ${this.platform.displayName}: Knative sets the pod's termination grace itself (at least 30s), above the ${spotCap}s spot pods get there (allowed: CapacityType.ON_DEMAND, or KServeDeploymentMode.STANDARD on spot)`);
    }
    if (knative && pod.gpus > 0 && minReplicas === 0) {
      p.warn(`minReplicas=0 with ${pod.gpus} GPU(s): after an idle period the first request waits for a GPU node and the model load (minutes); the revision's progress deadline is raised to ${coldStartSeconds}s so a cold start is not marked failed (kserve#1247)`);
    }
    p.attach(this);
    if (!p.ok) return;

    this._serviceAccount = pod.addServiceAccount(this);
    if (kserve) {
      this.emitInferenceService(props, pod, { format, mode, knative, sched, minReplicas, maxReplicas, metric: metrics[0], coldStartSeconds: coldStartSeconds ?? 1800 });
      this._networkPolicy = pod.addNetworkPolicy(this, [{ ports: (knative ? KNATIVE_QUEUE_PORTS : [port]).map(n => ({ port: k8s.IntOrString.fromNumber(n), protocol: 'TCP' })) }]);
    } else {
      this.emitDeployment(props, pod, { port, healthPort, healthPath, loadSeconds: loadSeconds ?? 1200, minReplicas, maxReplicas, metrics, serviceType });
      const admitted = [port, ...(props.metricsPort !== undefined ? [props.metricsPort] : [])];
      this._networkPolicy = pod.addNetworkPolicy(this, [{ ports: admitted.map(n => ({ port: k8s.IntOrString.fromNumber(n), protocol: 'TCP' })) }]);
    }
  }

  private parseStorageUri(p: _Problems, props: InferenceEndpointProps, kserve: boolean): { volume?: StorageVolume; path?: string } {
    const uri = props.storageUri;
    if (uri === undefined) return {};
    const m = typeof uri === 'string' ? /^([a-z0-9]+):\/\/([^/\s]+)\/?(\S*)$/.exec(uri) : null;
    if (!m) {
      p.error('storageUri', uri, 'must be a URI such as pvc://claim/path, gs://bucket/path, s3://bucket/path or hf://org/model');
      return {};
    }
    const [, scheme, host, path] = m;
    if (kserve) {
      if (!KSERVE_SCHEMES.includes(scheme)) p.error('storageUri', uri, `KServe loads ${KSERVE_SCHEMES.map(s => `${s}://`).join(', ')}`);
      if (scheme === 'pvc') _checkDnsSubdomain(p, 'storageUri claim name', host);
      return {};
    }
    const gcs = this.platform instanceof Platform && this.platform.supportsGcsFuse;
    const allowed = `pvc://${gcs ? ' and gs:// (GCS FUSE)' : ''}`;
    if (scheme === 'pvc') {
      _checkDnsSubdomain(p, 'storageUri claim name', host);
      return { volume: StorageVolume.fromPersistentVolumeClaim(host), path: path.replace(/\/+$/, '') };
    }
    if (scheme === 'gs' && gcs) return { volume: StorageVolume.fromGcsBucket(host), path: path.replace(/\/+$/, '') };
    p.error('storageUri', uri, `the Deployment backend mounts only ${allowed} at ${MODEL_DIR}; use ServingBackend.KSERVE, whose storage initializer downloads ${KSERVE_SCHEMES.filter(s => s !== 'pvc').map(s => `${s}://`).join(', ')}`);
    return {};
  }

  private checkMetrics(p: _Problems, metrics: ScalingMetric[], kserve: boolean, knative: boolean): void {
    if (!Array.isArray(metrics)) return;
    const allowed = !kserve
      ? [ScalingMetricType.CPU, ScalingMetricType.MEMORY, ScalingMetricType.POD_METRIC, ScalingMetricType.EXTERNAL]
      : knative ? [ScalingMetricType.CONCURRENCY, ScalingMetricType.REQUESTS_PER_SECOND] : [ScalingMetricType.CPU, ScalingMetricType.MEMORY];
    const where = !kserve ? 'the Deployment backend\'s HPA scales on cpu, memory, pod and external metrics'
      : knative ? 'KServe Knative mode scales on concurrency or requests per second (ScalingMetric.concurrency / requestsPerSecond)'
        : 'KServe Standard mode scales on cpu or memory only (kserve#4259); use the Deployment backend for GPU, pod or external metrics';
    metrics.forEach((m, i) => {
      if (!(m instanceof ScalingMetric)) { p.error(`scalingMetrics[${i}]`, m, 'must be a ScalingMetric, e.g. ScalingMetric.cpu(70)'); return; }
      const problem = m._problem();
      if (problem) p.raw(`scalingMetrics[${i}]=${m.toString()} is invalid: ${problem}`);
      else if (!allowed.includes(m.type)) p.raw(`scalingMetrics[${i}]=${m.toString()} is invalid: ${where}`);
    });
    if (kserve && metrics.length > 1) p.raw(`scalingMetrics=[${metrics.map(m => (m instanceof ScalingMetric ? m.toString() : _show(m))).join(', ')}] is invalid: KServe scales on one metric; use the Deployment backend to combine several`);
  }

  private emitInferenceService(props: InferenceEndpointProps, pod: _GpuPod, o: {
    format?: ModelFormat; mode: KServeDeploymentMode; knative: boolean; minReplicas: number; maxReplicas: number;
    sched: _Scheduling;
    metric?: ScalingMetric; coldStartSeconds: number;
  }): void {
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
      spec.nodeSelector = Object.keys(o.sched.nodeSelector).length ? o.sched.nodeSelector : undefined;
      spec.tolerations = o.sched.tolerations.length ? o.sched.tolerations : undefined;
      spec.affinity = o.sched.affinity;
    }
    const podMeta = pod.podMetadata({}, o.sched.podAnnotations);
    const predictor: any = {
      ...spec,
      minReplicas: o.minReplicas,
      maxReplicas: o.maxReplicas,
      scaleMetric: o.metric?.type,
      scaleTarget: o.metric?.target,
      scaleMetricType: o.metric?.isUtilization ? 'Utilization' : undefined,
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
    const annotations: { [k: string]: string } = { 'serving.kserve.io/deploymentMode': o.mode };
    if (props.storageSecretName) annotations['serving.kserve.io/storageSecretName'] = props.storageSecretName;
    // A revision that is not ready within the deadline is marked failed: a cold GPU node needs longer than 10 min.
    if (o.knative && pod.gpus > 0) annotations['serving.knative.dev/progress-deadline'] = `${o.coldStartSeconds}s`;
    const typed: InferenceServiceSpec = _clean({ predictor });
    this._inferenceService = new ApiObject(this, 'Resource', {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { ...pod.metadata(), annotations },
      spec: typed,
    });
    // Autopilot and the other admission rules see the pod KServe will create: the model container carries the GPUs,
    // and KServe's webhook turns the gke-accelerator annotation into the node selector.
    _GpuPod.checkAdmission(this, props.platform, () => {
      const pr = this._inferenceService!.toJson().spec?.predictor ?? {};
      const { model, containers, annotations: podAnnotations, labels: _l, minReplicas: _a, maxReplicas: _b, scaleMetric: _c, scaleTarget: _d, scaleMetricType: _e, ...rest } = pr;
      const accelerator = podAnnotations?.[KSERVE_GKE_ACCELERATOR_ANNOTATION];
      const nodeSelector = { ...(rest.nodeSelector ?? {}), ...(accelerator ? { [GKE_ACCELERATOR_LABEL]: accelerator } : {}) };
      const main = model ? [{ name: 'kserve-container', image: 'runtime', ...model }] : containers;
      return { metadata: { annotations: podAnnotations }, spec: { ...rest, nodeSelector, containers: main } };
    }, this._inferenceService);
  }

  private emitDeployment(props: InferenceEndpointProps, pod: _GpuPod, o: {
    port: number; healthPort: number; healthPath: string; loadSeconds: number; minReplicas: number; maxReplicas: number;
    metrics: ScalingMetric[]; serviceType: ServiceType;
  }): void {
    const probe = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number): k8s.Probe => ({
      httpGet: { path: o.healthPath, port: k8s.IntOrString.fromNumber(o.healthPort) }, periodSeconds, failureThreshold, timeoutSeconds,
    });
    const container: k8s.Container = {
      ...pod.container,
      // Startup: up to modelLoadTimeout to download and load the weights; liveness and readiness only start after it.
      startupProbe: probe(10, Math.max(1, Math.ceil(o.loadSeconds / 10)), 5),
      readinessProbe: probe(10, 3, 5),
      // Lenient liveness: a busy GPU server answers slowly; restarting it means reloading the model.
      livenessProbe: probe(30, 5, 10),
    };
    const autoscale = o.maxReplicas > o.minReplicas || o.metrics.length > 0;
    this._deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: pod.metadata(),
      spec: {
        // With an HPA the replica count is the HPA's to set.
        replicas: autoscale ? undefined : o.minReplicas,
        selector: { matchLabels: pod.selector },
        // Never drop below the serving capacity during a rollout; the new pod needs a GPU of its own.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        // Node provisioning (~10 min for a GPU node) plus the model load.
        progressDeadlineSeconds: o.loadSeconds + 600,
        template: { metadata: pod.podMetadata(), spec: { ...pod.spec, containers: [container] } },
      },
    });
    const servicePort = props.servicePort ?? 80;
    this._service = new k8s.KubeService(this, 'Service', {
      metadata: {
        ...pod.metadata(),
        // Container-native load balancing for the GKE Ingress (the load balancer talks to pods directly).
        annotations: props.httpsHost !== undefined ? { 'cloud.google.com/neg': '{"ingress": true}' } : undefined,
      },
      spec: {
        type: o.serviceType,
        selector: pod.selector,
        ports: [{ name: 'http', port: servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    if (autoscale) {
      const metrics = o.metrics.length ? o.metrics : [ScalingMetric.cpu(80)];
      this._hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: pod.metadata(),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: o.minReplicas,
          maxReplicas: o.maxReplicas,
          metrics: metrics.map(m => m._toHpa()),
          // GPU pods are slow and costly to start again: wait 10 minutes of low load before scaling down.
          behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
        },
      });
    }
    this._pdb = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: pod.metadata(),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: pod.selector },
        // A crash-looping pod must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    if (props.httpsHost !== undefined) {
      const certName = `${this.name}-tls`;
      this._certificate = new ManagedCertificate(this, 'Certificate', {
        metadata: pod.metadata(certName),
        spec: { domains: [props.httpsHost] },
      });
      this._ingress = new k8s.KubeIngress(this, 'Ingress', {
        metadata: {
          ...pod.metadata(),
          annotations: {
            // GKE Ingress is selected by this annotation; it does not read spec.ingressClassName.
            'kubernetes.io/ingress.class': 'gce',
            'networking.gke.io/managed-certificates': certName,
            ...(props.staticIpName ? { 'kubernetes.io/ingress.global-static-ip-name': props.staticIpName } : {}),
          },
        },
        spec: {
          rules: [{
            host: props.httpsHost,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: this.name, port: { number: servicePort } } } }] },
          }],
        },
      });
    }
    _GpuPod.checkAdmission(this, props.platform, () => this._deployment!.toJson().spec.template, this._deployment);
  }

  /** The `apps/v1` Deployment (Deployment backend; escape hatch). */
  public get deployment(): k8s.KubeDeployment {
    return _ensure(this, this._deployment, this.hatchProblems('deployment', ServingBackend.DEPLOYMENT));
  }

  /** The Service in front of the Deployment (Deployment backend). */
  public get service(): k8s.KubeService {
    return _ensure(this, this._service, this.hatchProblems('service', ServingBackend.DEPLOYMENT));
  }

  /** The HorizontalPodAutoscaler, when the endpoint autoscales (Deployment backend). */
  public get autoscaler(): k8s.KubeHorizontalPodAutoscalerV2 | undefined {
    return this._hpa;
  }

  /** The PodDisruptionBudget (Deployment backend). */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this._pdb;
  }

  /** The GKE Ingress, when `httpsHost` is set. */
  public get ingress(): k8s.KubeIngress | undefined {
    return this._ingress;
  }

  /** The ManagedCertificate, when `httpsHost` is set. */
  public get certificate(): ApiObject | undefined {
    return this._certificate;
  }

  /** The `serving.kserve.io/v1beta1` InferenceService (KServe backend; escape hatch). */
  public get inferenceService(): ApiObject {
    return _ensure(this, this._inferenceService, this.hatchProblems('inferenceService', ServingBackend.KSERVE));
  }

  /** The ServiceAccount the endpoint created, if it created one. */
  public get serviceAccount(): k8s.KubeServiceAccount | undefined {
    return this._serviceAccount;
  }

  /** The NetworkPolicy admitting only the serving port, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  private hatchProblems(getter: string, needs: ServingBackend): _Problems {
    if (this._problems.ok && this.backend !== needs) {
      throw new Error(`[${this.node.path}] ${getter} exists only with ServingBackend.${needs === ServingBackend.KSERVE ? 'KSERVE' : 'DEPLOYMENT'}`);
    }
    return this._problems;
  }
}

/** Drops undefined values so the emitted JSON is minimal and deterministic. */
function _clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
