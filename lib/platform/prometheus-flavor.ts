import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from './cluster-addon';

/** Label names that carry a workload's namespace, pod and container on scraped series. @internal */
export interface _WorkloadMetricLabels {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** A scrape of pods by label (a workload's own metrics). @internal */
export interface _PodScrape {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly matchLabels: { [key: string]: string };
  readonly port: string;
  readonly path: string;
  readonly interval: string;
}

/** A rules object. @internal */
export interface _RulesObject {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { [key: string]: string };
  readonly groups: any[];
}

/**
 * How a cluster runs Prometheus, which decides the monitoring objects: prometheus-operator (`ServiceMonitor`,
 * `PodMonitor`, `PrometheusRule`) or GKE Managed Service for Prometheus (`PodMonitoring`, `ClusterRules`).
 */
export class PrometheusFlavor {
  /** prometheus-operator (e.g. kube-prometheus-stack): `monitoring.coreos.com/v1` objects. */
  public static readonly PROMETHEUS_OPERATOR = new PrometheusFlavor('prometheus-operator', false);
  /** GKE Managed Service for Prometheus: `monitoring.googleapis.com/v1` objects. */
  public static readonly GKE_MANAGED = new PrometheusFlavor('gke-managed', true);

  /** Short id. */
  public readonly id: string;
  private readonly gmp: boolean;

  private constructor(id: string, gmp: boolean) {
    this.id = id;
    this.gmp = gmp;
  }

  /**
   * Names of the labels that carry the workload's namespace, pod and container on DCGM and kube-state-metrics series.
   * prometheus-operator scrapes with `honorLabels: true` and keeps the exporter's own; GKE Managed Prometheus does not
   * honor them and renames them `exported_*` behind the scraped pod's own.
   * @internal
   */
  public _workloadMetricLabels(): _WorkloadMetricLabels {
    return this.gmp
      ? { namespace: 'exported_namespace', pod: 'exported_pod', container: 'exported_container' }
      : { namespace: 'namespace', pod: 'pod', container: 'container' };
  }

  /**
   * The name under which the cluster's custom-metrics adapter serves a gauge series to an HPA `Pods` metric (issue 18):
   * a recording rule's output, or a scraped gauge such as `vllm:num_requests_waiting`. The series' own name for
   * prometheus-adapter (GpuMonitoring writes the adapter rules that serve it); `prometheus.googleapis.com|<name>|gauge`
   * for GKE's Custom Metrics Stackdriver Adapter, as Managed Service for Prometheus stores it
   * (`prometheus.googleapis.com/<name>/gauge`, the name kept as is, colons included: the rule evaluator exports every
   * rule result as a gauge, prometheus-engine pkg/export storage.go; GKE's LeaderWorkerSet sample scales on
   * `prometheus.googleapis.com|vllm:num_requests_waiting|gauge`). The Stackdriver adapter matches a `Pods` metric's
   * series by `metric.labels.pod` and `resource.labels.namespace` (its filter_builder.go), i.e. the series' `pod` and
   * `namespace` labels, and adds up the series of one pod (response_translator.go).
   * @internal
   */
  public _podMetricName(gaugeSeries: string): string {
    return this.gmp ? `prometheus.googleapis.com|${gaugeSeries}|gauge` : gaugeSeries;
  }

  /** The add-on that serves Prometheus series to HPAs as custom metrics on this flavor. @internal */
  public get _customMetricsAdapter(): ClusterAddon {
    return this.gmp ? ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER : ClusterAddon.PROMETHEUS_ADAPTER;
  }

  /**
   * Whether the adapter of this flavor needs rules to serve a series (prometheus-adapter does; the Stackdriver adapter
   * serves every metric of Cloud Monitoring by name).
   * @internal
   */
  public get _adapterNeedsRules(): boolean {
    return !this.gmp;
  }

  /**
   * Namespace the scrapes come from, the only one an exporter's NetworkPolicy admits: kube-prometheus-stack's usual
   * `monitoring`, or `gmp-system`, where GKE Managed Prometheus runs its collectors.
   * @internal
   */
  public get _scraperNamespace(): string {
    return this.gmp ? 'gmp-system' : 'monitoring';
  }

  /** Whether the flavor reads `prometheusLabels` (selector labels of the Prometheus). @internal */
  public get _usesSelectorLabels(): boolean {
    return !this.gmp;
  }

  /**
   * A cluster-wide rules object: GMP's namespaced `Rules` only see series whose `namespace` is their own, but DCGM and
   * kube-state-metrics series carry the namespace of the exporter pods, so GKE gets `ClusterRules`.
   * @internal
   */
  public _rules(scope: Construct, id: string, o: _RulesObject): ApiObject {
    if (!this.gmp) {
      return new ApiObject(scope, id, {
        apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule',
        metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
        spec: { groups: o.groups },
      });
    }
    const rules = new ApiObject(scope, id, {
      apiVersion: 'monitoring.googleapis.com/v1', kind: 'ClusterRules',
      metadata: { name: o.namespace ? `${o.namespace}-${o.name}` : o.name, labels: o.labels },
      spec: { groups: o.groups },
    });
    // ClusterRules is cluster-scoped: drop the namespace the chart gives every object.
    rules.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    return rules;
  }

  /**
   * The scrape of a node exporter's pods behind a Service (the DCGM exporter): a `ServiceMonitor` that keeps the
   * series' own namespace/pod/container and never adds the exporter pod's, or a `PodMonitoring` (GMP renames the
   * series' own to `exported_*`, and `_workloadMetricLabels` reads those).
   * @internal
   */
  public _exporterScrape(scope: Construct, id: string, o: _PodScrape): ApiObject {
    if (this.gmp) return this._podScrape(scope, id, o);
    return new ApiObject(scope, id, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
      spec: {
        selector: { matchLabels: o.matchLabels },
        namespaceSelector: { matchNames: [o.namespace!] },
        endpoints: [{
          port: o.port, path: o.path, interval: o.interval, scrapeTimeout: '10s',
          // dcgm-exporter labels a GPU with the namespace/pod/container of the pod holding it: keep those
          // (honorLabels) instead of renaming them exported_* behind the exporter pod's own...
          honorLabels: true,
          // ...and drop the target's own (the exporter pod's), which honorLabels would otherwise put on every GPU no
          // pod holds. Target relabelings run before the scrape, so the series' own labels are untouched.
          relabelings: [{ action: 'labeldrop', regex: 'pod|namespace|container' }],
        }],
      },
    });
  }

  /** A scrape of a workload's own metrics endpoint: `PodMonitor` or `PodMonitoring`. @internal */
  public _podScrape(scope: Construct, id: string, o: _PodScrape): ApiObject {
    const endpoint = { port: o.port, path: o.path, interval: o.interval };
    return this.gmp
      ? new ApiObject(scope, `PodMonitoring-${id}`, {
        apiVersion: 'monitoring.googleapis.com/v1', kind: 'PodMonitoring',
        metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
        spec: { selector: { matchLabels: o.matchLabels }, endpoints: [endpoint] },
      })
      : new ApiObject(scope, `PodMonitor-${id}`, {
        apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor',
        metadata: { name: o.name, namespace: o.namespace, labels: o.labels },
        spec: { selector: { matchLabels: o.matchLabels }, namespaceSelector: { matchNames: [o.namespace!] }, podMetricsEndpoints: [endpoint] },
      });
  }
}
