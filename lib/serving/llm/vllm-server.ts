import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GpuMonitoring, ScrapeTarget } from '../../monitoring/gpu-monitoring';
import { VllmMetric } from '../../monitoring/vllm-metric';
import { Platform, WorkloadKind } from '../../platform/platform';
import { PrometheusFlavor } from '../../platform/prometheus-flavor';
import { _PodTemplate } from '../../pod/pod-template';
import { StorageVolume, VolumeMount } from '../../pod/storage-volume';
import { _Problems, _checkDnsSubdomain, _checkInt, _ensure, _show } from '../../validation';
import { _requireAddon } from '../../workload/addons';
import { ModelSource } from './llm-model';
import { LlmServer, LlmServerProps } from './llm-server';
import { _LLM_SHARE_REFUSED } from './memory-fit';

/**
 * Autoscaling of an LLM server on vLLM's own metrics: an `autoscaling/v2` HorizontalPodAutoscaler with `Pods` metrics
 * from the custom metrics API, served by the adapter of the platform's Prometheus flavor: prometheus-adapter
 * (`ClusterAddon.PROMETHEUS_ADAPTER`, with the rules of GpuMonitoring's values file) or, on GKE Managed Prometheus, the
 * Custom Metrics Stackdriver Adapter (`ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER`). The serving pods must be
 * scraped: give `GpuMonitoring` the server's `scrapeTarget`.
 */
export interface LlmAutoscaling {
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Fewest replicas.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Target of requests waiting in each server's queue (`vllm:num_requests_waiting`, averaged over the servers).
   * @default 5
   */
  readonly waitingRequestsPerReplica?: number;
  /**
   * Target KV-cache usage, percent (`vllm:kv_cache_usage_perc`, averaged over the servers).
   * @default - not scaled on KV-cache usage
   */
  readonly kvCacheUsagePercent?: number;
}

/** Props shared by the vLLM servers. */
export interface VllmServerProps extends LlmServerProps {
  /**
   * vLLM OpenAI-server image.
   * @default VllmServer.DEFAULT_IMAGE
   */
  readonly image?: string;
  /**
   * Where downloaded weights (`HF_HOME`) and vLLM's compile cache (`VLLM_CACHE_ROOT`) live, mounted at `/model-cache`.
   * A PersistentVolumeClaim (ReadWriteMany for several replicas) keeps them across restarts.
   * @default - scratch space on the node, sized for the weights (the pod's ephemeral-storage request grows with it)
   */
  readonly modelCache?: StorageVolume;
  /**
   * Autoscale on vLLM's queue and KV-cache usage instead of a fixed `replicas`.
   * @default - a fixed number of replicas
   */
  readonly autoscaling?: LlmAutoscaling;
}

/** Env the construct sets itself. */
const RESERVED_ENV = ['HF_HOME', 'VLLM_CACHE_ROOT', 'HOME'];
const MODEL_DIR = '/mnt/models';
const CACHE_DIR = '/model-cache';

/** Which pod of a replica a template is. @internal */
export enum _VllmRole {
  /** The only pod of a one-node replica. */
  SINGLE = 'single',
  /** The pod that runs the API server (and the Ray head) of a multi-node replica. */
  LEADER = 'leader',
  /** A pod that only lends its GPUs to the leader's Ray cluster. */
  WORKER = 'worker',
}

/**
 * The base of the vLLM servers: the vLLM OpenAI server image, the model (a Hugging Face id downloaded into a model
 * cache, or `pvc://` / `gs://` weights mounted read-only at `/mnt/models`), probes that allow the model load, a Service on
 * the serving pods, an optional HorizontalPodAutoscaler on vLLM's queue and KV-cache usage, and a NetworkPolicy.
 */
export abstract class VllmServer extends LlmServer {
  /** @internal */
  public static readonly _propsType: string = 'VllmServerProps';

  /** The vLLM OpenAI-server image (the newest tag found in an upstream Kubernetes manifest, llm-d-router v0.10.0). */
  public static readonly DEFAULT_IMAGE = 'vllm/vllm-openai:v0.21.0';

  /** The image. */
  public readonly image: string;
  /** Fewest replicas. */
  public readonly minReplicas: number;
  /** Most replicas. */
  public readonly maxReplicas: number;
  private readonly _props: VllmServerProps;
  private readonly _modelArg: string;
  private readonly _volumes: VolumeMount[];
  private readonly _ephemeral?: Size;
  private _service?: k8s.KubeService;
  private _hpa?: k8s.KubeHorizontalPodAutoscalerV2;

  protected constructor(scope: Construct, id: string, props: VllmServerProps) {
    super(scope, id, props);
    props = this._checkedProps;
    const p = this._problems;
    const given: VllmServerProps = props;
    this._props = given;
    this.image = given.image ?? VllmServer.DEFAULT_IMAGE;
    for (const key of Object.keys(given.env ?? {})) {
      if (RESERVED_ENV.includes(key)) p.error(`env[${JSON.stringify(key)}]`, key, `${this._llmVariant.what} sets ${key} itself (the model cache); use modelCache`);
    }

    // Autoscaling or a fixed size
    const a = given.autoscaling;
    if (a !== undefined && given.replicas !== undefined) {
      p.raw(`replicas=${_show(given.replicas)} is invalid together with autoscaling: the autoscaler sets the replicas (give autoscaling.minReplicas instead)`);
    }
    this.minReplicas = this.replicas;
    this.maxReplicas = this.replicas;
    if (a !== undefined) this.checkAutoscaling(p, a);

    // Model: downloaded from the Hub into the cache, or mounted.
    const volumes: VolumeMount[] = [...(given.volumes ?? [])];
    this._modelArg = this.model?.location ?? '';
    let cacheGiB = 10;
    if (this.model && this.model.source === ModelSource.STORAGE_URI) {
      const mounted = this.mountModel(p, this.model.location);
      if (mounted) {
        volumes.push({ volume: mounted.volume, mountPath: MODEL_DIR, readOnly: true });
        this._modelArg = mounted.path ? `${MODEL_DIR}/${mounted.path}` : MODEL_DIR;
      }
    } else {
      cacheGiB = this._downloadGiB;
    }
    if (given.modelCache !== undefined) {
      if (!(given.modelCache instanceof StorageVolume)) p.error('modelCache', given.modelCache, 'must be a StorageVolume, e.g. StorageVolume.fromPersistentVolumeClaim("model-cache")');
      else volumes.push({ volume: given.modelCache, mountPath: CACHE_DIR, readOnly: false });
    } else {
      volumes.push({ volume: StorageVolume.fromEmptyDir(Size.gibibytes(cacheGiB)), mountPath: CACHE_DIR, readOnly: false });
      // The scratch cache lives on the node's ephemeral storage: request it, or the kubelet evicts the pod mid-download.
      if (given.ephemeralStorage === undefined) this._ephemeral = Size.gibibytes(cacheGiB + 10);
    }
    this._volumes = volumes;
  }

  /** The Service in front of the serving pods (port 80 to vLLM's 8000). */
  public get service(): k8s.KubeService {
    return _ensure(this, this._service, this._problems);
  }

  /** The HorizontalPodAutoscaler, when `autoscaling` is set. */
  public get autoscaler(): k8s.KubeHorizontalPodAutoscalerV2 | undefined {
    return this._hpa;
  }

  /**
   * Labels that select the pods serving HTTP (and `/metrics`): every pod of a one-node server, the leaders of a
   * multi-node one. An InferencePool or a scrape selects these.
   */
  public get servingSelector(): { [key: string]: string } {
    return { ...this._selector, ...this._servingLabels() };
  }

  /** Where monitoring scrapes vLLM's metrics: give it to `GpuMonitoring`'s `scrapeTargets`. */
  public get scrapeTarget(): ScrapeTarget {
    return { name: `${this.name}-vllm`.slice(0, 63).replace(/-+$/, ''), matchLabels: this.servingSelector, port: 'http', path: '/metrics' };
  }

  /** Labels only the serving pods carry (the leader role). @internal */
  protected _servingLabels(): { [key: string]: string } {
    return {};
  }

  /**
   * Builds the pod of one role: the single server, a multi-node leader (the Ray head, then `vllm serve` on Ray) or a
   * worker (joins the leader's Ray cluster at `$LWS_LEADER_ADDRESS`).
   * @internal
   */
  public _vllmPod(role: _VllmRole, leaderScript?: string, workerScript?: string): _PodTemplate {
    const props = this._props;
    const serving = role !== _VllmRole.WORKER;
    const flags = [this._modelArg, '--served-model-name', this.model?.servedName ?? '', '--port', String(LlmServer.PORT),
      '--tensor-parallel-size', String(this.tensorParallelSize), ...(this.nodes > 1 ? ['--pipeline-parallel-size', String(this.nodes)] : []),
      ...(role === _VllmRole.LEADER ? ['--distributed-executor-backend', 'ray'] : []),
      ...this._tuningFlags(), ...(props.args ?? [])];
    const command = role === _VllmRole.SINGLE ? ['vllm', 'serve'] : ['/bin/sh', '-c', role === _VllmRole.LEADER ? leaderScript! : workerScript!, 'vllm'];
    const pod = this._pod({
      ...props,
      image: this.image,
      command,
      args: serving ? flags : undefined,
      volumes: this._volumes,
      ephemeralStorage: props.ephemeralStorage ?? this._ephemeral,
    }, {
      kind: WorkloadKind.SERVING,
      containerName: 'vllm',
      shareRefused: _LLM_SHARE_REFUSED,
      ports: serving ? [{ name: 'http', containerPort: LlmServer.PORT, protocol: 'TCP' }] : undefined,
      extraEnv: [
        ...this._tokenEnv(),
        { name: 'HF_HOME', value: `${CACHE_DIR}/huggingface` },
        { name: 'VLLM_CACHE_ROOT', value: `${CACHE_DIR}/vllm` },
        // The image's home (/root) is not writable by a non-root user; Ray and the compilers write under $HOME.
        { name: 'HOME', value: '/tmp' },
      ],
    }, m => m);
    if (!serving) return pod;
    const probe = (periodSeconds: number, failureThreshold: number, timeoutSeconds: number): k8s.Probe => ({
      httpGet: { path: '/health', port: k8s.IntOrString.fromString('http') }, periodSeconds, failureThreshold, timeoutSeconds,
    });
    // /health answers only once the model is loaded: the startup probe allows modelLoadTimeout for download and load;
    // readiness and liveness start after it.
    const container: k8s.Container = {
      ...pod.container,
      startupProbe: probe(10, Math.max(1, Math.ceil(this._loadSeconds / 10)), 5),
      readinessProbe: probe(5, 3, 5),
      // Lenient: a restart reloads the model, minutes of lost capacity.
      livenessProbe: probe(10, 6, 10),
    };
    return { ...pod, container, spec: { ...pod.spec, containers: [container] } };
  }

  /**
   * Emits what every vLLM server has beside its workload object: the Service on the serving pods and the autoscaler.
   * @internal
   */
  public _emitAround(target: { apiVersion: string; kind: string }): void {
    const flavor = this.platform.prometheus;
    this._service = new k8s.KubeService(this, 'Service', {
      metadata: this._metadata(),
      spec: {
        type: 'ClusterIP',
        selector: this.servingSelector,
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });
    const a = this._props.autoscaling;
    if (a === undefined) return;
    const metrics: k8s.MetricSpecV2[] = [{
      type: 'Pods',
      pods: {
        metric: { name: flavor._podMetricName(VllmMetric.NUM_REQUESTS_WAITING.name) },
        target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(_quantity(a.waitingRequestsPerReplica ?? 5)) },
      },
    }];
    if (a.kvCacheUsagePercent !== undefined) {
      metrics.push({
        type: 'Pods',
        pods: {
          metric: { name: flavor._podMetricName(VllmMetric.KV_CACHE_USAGE.name) },
          // vLLM reports a fraction (1 = full).
          target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(_quantity(a.kvCacheUsagePercent / 100)) },
        },
      });
    }
    this._hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata: this._metadata(),
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: this.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics,
        // A new replica needs GPU nodes and a model load: wait 10 minutes of low load before giving one back.
        behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
      },
    });
    this.checkScraped(metrics.length > 1 ? [VllmMetric.NUM_REQUESTS_WAITING, VllmMetric.KV_CACHE_USAGE] : [VllmMetric.NUM_REQUESTS_WAITING]);
  }

  /**
   * The HPA's metrics exist only where something scrapes the serving pods: GpuMonitoring's `scrapeTargets` (which on
   * prometheus-adapter also writes the adapter rules that serve them). Checked once the app is complete; a warning,
   * since the pods can be scraped, and the metrics served, by objects of the user's own.
   */
  private checkScraped(metrics: VllmMetric[]): void {
    const platform = this.platform;
    const namespace = this.namespace ?? '';
    const podLabels = { ...this._labels, ...this._servingLabels() };
    const names = metrics.map(m => m.name).join(' and ');
    const adapter = platform.prometheus._adapterNeedsRules ? ', which also writes the prometheus-adapter rules that serve them' : '';
    // Its own collector, attached after the check, so that the warning it records at validation is printed.
    const late = new _Problems();
    this.node.addValidation({
      validate: () => {
        if (!this._problems.ok) return [];
        const monitoring = this.node.root.node.findAll().find((c): c is GpuMonitoring =>
          c instanceof GpuMonitoring && c.platform instanceof Platform && c.platform.cluster === platform.cluster);
        if (!monitoring) {
          late.warn(`autoscaling reads ${names} of the serving pods, and no GpuMonitoring monitors cluster ${_show(platform.cluster)} in this app: the HPA gets no metric until something scrapes them (add a GpuMonitoring for this platform with scrapeTargets: [server.scrapeTarget]${adapter}, or scrape the pods and serve the metrics yourself)`);
        } else if (!monitoring._scrapes(namespace, podLabels, 'http', '/metrics')) {
          late.warn(`autoscaling reads ${names} of the serving pods, and GpuMonitoring [${monitoring.node.path}] does not scrape them (none of its scrapeTargets selects labels ${_show(this.servingSelector)} in namespace ${_show(namespace)} on port "http", path "/metrics"): the HPA gets no metric until it does (add server.scrapeTarget to its scrapeTargets)`);
        }
        return [];
      },
    });
    late.attach(this);
  }

  /** Whether the replica count belongs to the autoscaler. @internal */
  public get _autoscaled(): boolean {
    return this._props.autoscaling !== undefined;
  }

  /** The NetworkPolicy rule admitting the serving port from anywhere (clients, the gateway, the endpoint picker, Prometheus). @internal */
  public _servingIngress(): k8s.NetworkPolicyIngressRule {
    return { ports: [{ port: k8s.IntOrString.fromNumber(LlmServer.PORT), protocol: 'TCP' }] };
  }

  private checkAutoscaling(p: _Problems, a: LlmAutoscaling): void {
    _checkInt(p, 'autoscaling.minReplicas', a.minReplicas, 1, 1000);
    _checkInt(p, 'autoscaling.maxReplicas', a.maxReplicas, 1, 1000);
    const min = Number.isInteger(a.minReplicas) ? a.minReplicas! : 1;
    const max = Number.isInteger(a.maxReplicas) ? a.maxReplicas : min;
    if (min > max) p.error('autoscaling.minReplicas', min, `must be at most autoscaling.maxReplicas (${max})`);
    (this as { minReplicas: number }).minReplicas = min;
    (this as { maxReplicas: number }).maxReplicas = max;
    const w = a.waitingRequestsPerReplica;
    if (w !== undefined && (typeof w !== 'number' || !Number.isFinite(w) || w <= 0 || w > 10000)) {
      p.error('autoscaling.waitingRequestsPerReplica', w, 'must be a number of requests above 0 (at most 10000)');
    }
    const kv = a.kvCacheUsagePercent;
    if (kv !== undefined && (typeof kv !== 'number' || !Number.isInteger(kv) || kv < 1 || kv > 100)) {
      p.error('autoscaling.kvCacheUsagePercent', kv, 'must be an integer percentage from 1 to 100');
    }
    const platform = this.platform;
    if (platform instanceof Platform && platform.prometheus instanceof PrometheusFlavor) {
      _requireAddon(p, platform, platform.prometheus._customMetricsAdapter, 'an autoscaler on vLLM\'s metrics (the custom metrics API)');
    }
  }

  /** The volume that holds a model at a storage URI, where the platform can mount it. */
  private mountModel(p: _Problems, uri: string): { volume: StorageVolume; path: string } | undefined {
    const m = typeof uri === 'string' ? /^([a-z0-9]+):\/\/([^/\s]+)\/?(\S*)$/.exec(uri) : null;
    if (!m) {
      p.error('model', uri, 'must be a storage URI such as pvc://claim/path or gs://bucket/path');
      return undefined;
    }
    const [, scheme, host, rest] = m;
    const path = rest.replace(/\/+$/, '');
    const buckets = this.platform?._bucketScheme;
    if (scheme === 'pvc') {
      _checkDnsSubdomain(p, 'model claim name', host);
      return { volume: StorageVolume.fromPersistentVolumeClaim(host), path };
    }
    if (scheme === 'gs' && buckets === 'gs') return { volume: StorageVolume.fromGcsBucket(host), path };
    p.error('model', uri, `${this._llmVariant.what} mounts only pvc://${buckets ? ` and ${buckets}:// (the platform's bucket driver)` : ''} at ${MODEL_DIR}; for other schemes use LlmModel.huggingFace, or KServeLlmInferenceService whose storage initializer downloads s3://, gs://, hf://`);
    return undefined;
  }
}

/** A number as a Kubernetes quantity (milli-units for fractions). */
function _quantity(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
