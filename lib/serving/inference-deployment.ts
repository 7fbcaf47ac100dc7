import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Platform, WorkloadKind } from '../platform/platform';
import { PrometheusFlavor } from '../platform/prometheus-flavor';
import { StorageVolume, VolumeMount } from '../pod/storage-volume';
import { _Problems, _checkDns1035, _checkDnsSubdomain, _checkInt, _durationSeconds, _ensure, _int32Max, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { _Registry } from '../workload/registry';
import { InferenceEndpoint, InferenceEndpointProps } from './inference-endpoint';
import { ScalingMetric, ScalingMetricType } from './scaling-metric';

/** How the Deployment's Service is exposed. */
export enum ServiceType {
  /** Inside the cluster only. */
  CLUSTER_IP = 'ClusterIP',
  /** A cloud load balancer (external by default on GKE and EKS). */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Props of an {@link InferenceDeployment}. */
export interface InferenceDeploymentProps extends InferenceEndpointProps {
  /** Model server image, ideally pinned by digest or version tag. */
  readonly image: string;
  /**
   * HTTP path of the startup, readiness and liveness probes.
   * @default '/health'
   */
  readonly healthPath?: string;
  /**
   * Port of the probes; must be `port` or `metricsPort`.
   * @default - port
   */
  readonly healthPort?: number;
  /**
   * Longest a pod may take to load the model before its startup probe gives up.
   * @default Duration.minutes(20)
   */
  readonly modelLoadTimeout?: Duration;
  /**
   * Service type.
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: ServiceType;
  /**
   * Service port.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Most pods a voluntary disruption (drain, consolidation, upgrade) may take down at once (PodDisruptionBudget).
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * Host name served over HTTPS with a certificate the platform manages (GKE: an Ingress with a Google-managed
   * `ManagedCertificate`).
   * @default - no HTTPS exposure
   */
  readonly httpsHost?: string;
  /**
   * Name of a reserved global static IP for the GKE Ingress (`kubernetes.io/ingress.global-static-ip-name`).
   * @default - an ephemeral IP
   */
  readonly staticIpName?: string;
}

const MODEL_DIR = '/mnt/models';
const KSERVE_SCHEMES = ['gs', 's3', 'pvc', 'hf', 'https', 'oci'];

/**
 * A GPU model server on a plain `apps/v1` Deployment (no operator needed) with its Service, HorizontalPodAutoscaler
 * (cpu, memory, per-pod and external metrics) and PodDisruptionBudget; probes allow minutes of model loading; a
 * NetworkPolicy admits only the serving (and metrics) port; optionally HTTPS on a host name where the platform manages
 * certificates. `pvc://` (and `gs://` where GCS FUSE exists) models are mounted read-only at `/mnt/models`, with the
 * model's path in `$MODEL_DIR`.
 */
export class InferenceDeployment extends InferenceEndpoint {
  /** @internal */
  public static readonly _propsType: string = 'InferenceDeploymentProps';

  private readonly _deployment?: k8s.KubeDeployment;
  private readonly _service?: k8s.KubeService;
  private readonly _hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  private readonly _pdb?: k8s.KubePodDisruptionBudget;
  private readonly _https: ApiObject[] = [];

  public constructor(scope: Construct, id: string, props: InferenceDeploymentProps) {
    super(scope, id, props);
    props = this._checkedProps;
    this._checkScaling({
      allowed: [ScalingMetricType.CPU, ScalingMetricType.MEMORY, ScalingMetricType.POD_METRIC, ScalingMetricType.EXTERNAL],
      where: 'InferenceDeployment\'s HPA scales on cpu, memory, pod and external metrics',
      single: false,
      noScaleToZero: 'a Deployment cannot scale to zero (a HorizontalPodAutoscaler needs minReplicas >= 1 unless the HPAScaleToZero alpha feature gate is on); use KServeInferenceService with KServeDeploymentMode.KNATIVE',
    });
    const p = this._problems;
    const port = this.port;
    this.checkRecordedMetrics();

    // Model: mounted from a claim, or a bucket where the platform has a driver for it.
    const storage = this.parseStorageUri(props.storageUri);

    // Probes
    const healthPort = props.healthPort ?? port;
    _checkInt(p, 'healthPort', props.healthPort, 1, 65535);
    const exposed = [`${port} (port)`, ...(props.metricsPort !== undefined ? [`${props.metricsPort} (metricsPort)`] : [])];
    if (healthPort !== port && healthPort !== props.metricsPort) {
      p.error('healthPort', props.healthPort, `the container exposes only ${exposed.join(', ')}; probe one of those`);
    }
    const healthPath = props.healthPath ?? '/health';
    if (!healthPath.startsWith('/') || /\s/.test(healthPath)) p.error('healthPath', props.healthPath, 'must be an absolute HTTP path without spaces, e.g. "/health"');
    const loadSeconds = props.modelLoadTimeout !== undefined ? _durationSeconds(p, 'modelLoadTimeout', props.modelLoadTimeout, { max: 6 * 3600 }) ?? 1200 : 1200;
    _checkInt(p, 'servicePort', props.servicePort, 1, 65535);
    _checkInt(p, 'maxUnavailable', props.maxUnavailable, 1, _int32Max());
    _checkDns1035(p, 'name', this.name, 'it also names the Deployment\'s Service');
    const serviceType = props.serviceType ?? ServiceType.CLUSTER_IP;

    // HTTPS on a host name, where the platform manages certificates.
    const https = this.platform?._httpsExposure?.();
    if (props.httpsHost !== undefined) {
      if (props.httpsHost.length > 63 || !/^(([a-z0-9]+|[a-z0-9][-a-z0-9]*[a-z0-9])\.)+[a-z][-a-z0-9]*[a-z0-9]$/.test(props.httpsHost)) {
        p.error('httpsHost', props.httpsHost, 'must be a lowercase, non-wildcard DNS name of at most 63 characters, e.g. "llava.example.com"');
      } else if (this.platform && !https) {
        p.raw(`httpsHost=${_show(props.httpsHost)} is invalid: ${this.platform.displayName} has no HTTPS exposure with a managed certificate (GKE has one: an Ingress with a ManagedCertificate); expose the Service with serviceType: ServiceType.LOAD_BALANCER, or bring your own Ingress`);
      }
    }
    if (props.staticIpName !== undefined && props.httpsHost === undefined) p.error('staticIpName', props.staticIpName, 'needs httpsHost (it names the Ingress\'s address)');

    const volumes: VolumeMount[] = [...(props.volumes ?? [])];
    if (storage.volume) volumes.push({ volume: storage.volume, mountPath: MODEL_DIR, readOnly: true });
    const pod = this._pod({ ...props, volumes }, {
      kind: WorkloadKind.SERVING,
      containerName: 'server',
      minGpus: 0,
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }, ...(props.metricsPort !== undefined ? [{ name: 'metrics', containerPort: props.metricsPort, protocol: 'TCP' }] : [])],
      extraEnv: storage.volume ? [{ name: 'MODEL_DIR', value: `${MODEL_DIR}${storage.path ? `/${storage.path}` : ''}` }] : [],
    });
    if (!this._ready()) return;

    const probe = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number): k8s.Probe => ({
      httpGet: { path: healthPath, port: k8s.IntOrString.fromNumber(healthPort) }, periodSeconds, failureThreshold, timeoutSeconds,
    });
    const container: k8s.Container = {
      ...pod.container,
      // Startup: up to modelLoadTimeout to download and load the weights; liveness and readiness only start after it.
      startupProbe: probe(10, Math.max(1, Math.ceil(loadSeconds / 10)), 5),
      readinessProbe: probe(10, 3, 5),
      // Lenient liveness: a busy GPU server answers slowly; restarting it means reloading the model.
      livenessProbe: probe(30, 5, 10),
    };
    const autoscale = this.maxReplicas > this.minReplicas || this._metrics.length > 0;
    this._deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: this._metadata(),
      spec: {
        // With an HPA the replica count is the HPA's to set.
        replicas: autoscale ? undefined : this.minReplicas,
        selector: { matchLabels: this._selector },
        // Never drop below the serving capacity during a rollout; the new pod needs a GPU of its own.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        // Node provisioning (~10 min for a GPU node) plus the model load.
        progressDeadlineSeconds: loadSeconds + 600,
        template: { metadata: this._podMetadata(pod), spec: { ...pod.spec, containers: [container] } },
      },
    });
    const servicePort = props.servicePort ?? 80;
    this._service = new k8s.KubeService(this, 'Service', {
      metadata: { ...this._metadata(), annotations: props.httpsHost !== undefined && https ? https.serviceAnnotations : undefined },
      spec: {
        type: serviceType,
        selector: this._selector,
        ports: [{ name: 'http', port: servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    if (autoscale) {
      const metrics = this._metrics.length ? this._metrics : [ScalingMetric.cpu(80)];
      this._hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: this._metadata(),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: this.minReplicas,
          maxReplicas: this.maxReplicas,
          metrics: metrics.map(m => m._toHpa(this.platform.prometheus)),
          // GPU pods are slow and costly to start again: wait 10 minutes of low load before scaling down.
          behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
        },
      });
    }
    this._pdb = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: this._metadata(),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: this._selector },
        // A crash-looping pod must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    if (props.httpsHost !== undefined && https) {
      this._https.push(...https.emit(this, {
        name: this.name, namespace: this.namespace, labels: this._labels, host: props.httpsHost,
        serviceName: this.name, servicePort, staticIpName: props.staticIpName,
      }));
    }
    const admitted = [port, ...(props.metricsPort !== undefined ? [props.metricsPort] : [])];
    this._finish({ resource: this._deployment, ingress: [{ ports: admitted.map(n => ({ port: k8s.IntOrString.fromNumber(n), protocol: 'TCP' })) }] });
  }

  /** The `apps/v1` Deployment (escape hatch). */
  public get deployment(): k8s.KubeDeployment {
    return _ensure(this, this._deployment, this._problems);
  }

  /** The Service in front of the Deployment. */
  public get service(): k8s.KubeService {
    return _ensure(this, this._service, this._problems);
  }

  /** The HorizontalPodAutoscaler, when the endpoint autoscales. */
  public get autoscaler(): k8s.KubeHorizontalPodAutoscalerV2 | undefined {
    return this._hpa;
  }

  /** The PodDisruptionBudget. */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this._pdb;
  }

  /** The objects of the HTTPS exposure (GKE: the ManagedCertificate and the Ingress), when `httpsHost` is set. */
  public get httpsObjects(): ApiObject[] {
    return [...this._https];
  }

  /**
   * A metric GpuMonitoring records (`ScalingMetric.gpuUtilization`) needs the flavor's custom-metrics adapter, and a
   * GpuMonitoring in the cluster (checked once the app is complete: a warning, since rules can come from elsewhere).
   */
  private checkRecordedMetrics(): void {
    const platform = this.platform;
    const recorded = this._metrics.map((m, i) => ({ m, i }))
      .filter(({ m }) => m instanceof ScalingMetric && m._recordedByMonitoring && !m._problem());
    if (!recorded.length || !(platform instanceof Platform) || !(platform.prometheus instanceof PrometheusFlavor)) return;
    _requireAddon(this._problems, platform, platform.prometheus._customMetricsAdapter, 'an autoscaler on GPU utilization (ScalingMetric.gpuUtilization)');
    // Its own collector, attached after the check, so that the warning it records at validation is printed.
    const late = new _Problems();
    this.node.addValidation({
      validate: () => {
        // 'GpuMonitoring' is the singleton GpuMonitoring claims per cluster.
        if (this._problems.ok && !_Registry.hasSingleton(this, platform.cluster, 'GpuMonitoring')) {
          for (const { m, i } of recorded) {
            late.warn(`scalingMetrics[${i}]=${m.toString()} reads GpuMonitoring's recording rule ${m.metricName}, and no GpuMonitoring monitors cluster ${_show(platform.cluster)} in this app: the HPA gets no metric until one does (add a GpuMonitoring for this platform, or record the series in rules of your own)`);
          }
        }
        return [];
      },
    });
    late.attach(this);
  }

  private parseStorageUri(uri: string | undefined): { volume?: StorageVolume; path?: string } {
    const p = this._problems;
    if (uri === undefined) return {};
    const m = /^([a-z0-9]+):\/\/([^/\s]+)\/?(\S*)$/.exec(uri);
    if (!m) {
      p.error('storageUri', uri, 'must be a URI such as pvc://claim/path, gs://bucket/path, s3://bucket/path or hf://org/model');
      return {};
    }
    const [, scheme, host, path] = m;
    const buckets = this.platform?._bucketScheme === 'gs';
    const allowed = `pvc://${buckets ? ' and gs:// (GCS FUSE)' : ''}`;
    if (scheme === 'pvc') {
      _checkDnsSubdomain(p, 'storageUri claim name', host);
      return { volume: StorageVolume.fromPersistentVolumeClaim(host), path: path.replace(/\/+$/, '') };
    }
    if (scheme === 'gs' && buckets) return { volume: StorageVolume.fromGcsBucket(host), path: path.replace(/\/+$/, '') };
    p.error('storageUri', uri, `InferenceDeployment mounts only ${allowed} at ${MODEL_DIR}; use KServeInferenceService, whose storage initializer downloads ${KSERVE_SCHEMES.filter(s => s !== 'pvc').map(s => `${s}://`).join(', ')}`);
    return {};
  }
}
