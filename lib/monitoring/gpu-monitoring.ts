import { ApiObject, Chart, Duration, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../accelerator';
import { Conventions } from '../conventions';
import { Platform } from '../platform/platform';
import { _checkAdmission, _podTemplatesOf } from '../pod/admission';
import { _containerSecurityContext, _podSecurityContext } from '../pod/security-context';
import { _noNamespace } from '../capacity/_cluster-scoped';
import {
  _Problems, _checkDns1035, _checkDnsLabel, _checkLabels, _checkProps, _durationSeconds, _ensure, _imageProblem, _promRegexProblem, _show,
} from '../validation';
import { GpuWorkload } from '../workload/gpu-workload';
import { _Registry } from '../workload/registry';
import { _OutputFile } from '../workload/output-file';
import { _prometheusAdapterValues } from './adapter-rules';
import { _gpuDashboard } from './dashboard';
import { GpuPriceTable } from './gpu-price-table';
import { LlmRulesOptions, _llmRuleGroups, _llmRuleSettings } from './llm-rules';
import { _CostLine, _gpuRuleGroups, _promDuration } from './rules';
import { _Renders } from '../pod/renders';

const INSTANCE_LABEL = Conventions.INSTANCE_LABEL;
const COMPONENT_LABEL = Conventions.COMPONENT_LABEL;
const PSS_EXCEPTION_LABEL = Conventions.PSS_EXCEPTION_LABEL;
const PSS_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** A workload's own metrics endpoint to scrape (e.g. an inference server's `/metrics`). */
export interface ScrapeTarget {
  /** Name of the PodMonitor / PodMonitoring object (DNS label). */
  readonly name: string;
  /** Labels selecting the pods, in the monitoring namespace of the construct. */
  readonly matchLabels: { [key: string]: string };
  /** Name of the container port serving the metrics (a named port also gives the series a `container` label). */
  readonly port: string;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Scrape interval.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
}

/** Props of a {@link GpuMonitoring}. */
export interface GpuMonitoringProps {
  /** The platform; decides whether an exporter is deployed and which monitoring API the objects use. */
  readonly platform: Platform;
  /**
   * Base name of the objects.
   * @default - derived from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the rules, the monitors of `scrapeTargets` (the namespace of the pods they select) and the dashboard.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Namespace of the DCGM exporter (DaemonSet, Service, ServiceAccount, ServiceMonitor, NetworkPolicy). The exporter
   * runs as root with a hostPath, so it needs a namespace whose Pod Security level is `privileged`: never the
   * workloads' own. The default namespace is emitted too (labelled `pod-security.kubernetes.io/enforce: privileged`);
   * a namespace you name is yours to create.
   * @default GpuMonitoring.DEFAULT_EXPORTER_NAMESPACE ('gpu-monitoring')
   */
  readonly exporterNamespace?: string;
  /**
   * Deploy the NVIDIA DCGM exporter DaemonSet (with its Service, ServiceMonitor and NetworkPolicy). Must stay false
   * where the platform runs DCGM itself and forbids node agents (GKE Autopilot).
   * @default - true unless the platform manages DCGM (`platform.managesDcgm`)
   */
  readonly deployExporter?: boolean;
  /**
   * DCGM exporter image.
   * @default GpuMonitoring.DEFAULT_EXPORTER_IMAGE
   */
  readonly exporterImage?: string;
  /**
   * Collect DCGM profiling metrics (`DCGM_FI_PROF_*`): adds the SYS_ADMIN capability to the exporter.
   * @default false
   */
  readonly profilingMetrics?: boolean;
  /**
   * Namespace of Prometheus: the only one the exporter's NetworkPolicy admits scrapes from.
   * @default - 'monitoring' with prometheus-operator; 'gmp-system' (where its collectors run) with GKE Managed Prometheus
   */
  readonly monitoringNamespace?: string;
  /**
   * Labels on ServiceMonitor, PodMonitor and PrometheusRule objects so the Prometheus selects them
   * (kube-prometheus-stack selects `release: <helm release>`). Not used with GKE Managed Prometheus.
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly prometheusLabels?: { [key: string]: string };
  /**
   * Workloads' own metrics endpoints to scrape (PodMonitor, or PodMonitoring on GKE Managed Prometheus).
   * @default - none
   */
  readonly scrapeTargets?: ScrapeTarget[];
  /**
   * Accelerators the app uses: each gets cost recording rules, so each needs a price in `prices`.
   * @default - none: no cost rules
   */
  readonly accelerators?: Accelerator[];
  /**
   * USD per GPU-hour, on-demand and spot.
   * @default GpuPriceTable.forCloud(platform.cloud) - approximate public list prices
   */
  readonly prices?: GpuPriceTable;
  /**
   * Utilization (percent) under which an allocated GPU counts as idle.
   * @default 1
   */
  readonly idleUtilizationPercent?: number;
  /**
   * How long GPUs must stay idle before `GpuIdle` fires.
   * @default Duration.hours(1)
   */
  readonly idleFor?: Duration;
  /**
   * Mean utilization (percent) under which `GpuLowUtilization` fires.
   * @default 30
   */
  readonly lowUtilizationPercent?: number;
  /**
   * How long utilization must stay low before `GpuLowUtilization` fires.
   * @default Duration.minutes(10)
   */
  readonly lowUtilizationFor?: Duration;
  /**
   * Framebuffer memory used (percent) above which `GpuMemoryHigh` fires.
   * @default 90
   */
  readonly memoryUsedPercent?: number;
  /**
   * GPU temperature (°C) above which `GpuTemperatureHigh` fires.
   * @default 85
   */
  readonly temperatureCelsius?: number;
  /**
   * How long a GPU pod may stay Pending before `GpuPodPending` fires.
   * @default Duration.minutes(15)
   */
  readonly pendingFor?: Duration;
  /**
   * Add recording and alert rules on the metrics of vLLM servers (time to first token, queue depth, KV cache); scrape
   * the servers with `scrapeTargets: [server.scrapeTarget]`.
   * @default - no LLM rules
   */
  readonly llmRules?: LlmRulesOptions;
  /**
   * Emit the Grafana dashboard ConfigMap (label `grafana_dashboard: "1"`, picked up by kube-prometheus-stack's
   * Grafana sidecar).
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Emit a NetworkPolicy admitting only scrapes from `monitoringNamespace` to the exporter.
   * @default true
   */
  readonly isolateNetwork?: boolean;
}

const MANAGED_BY = { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY };

/**
 * GPU monitoring for one platform: the NVIDIA DCGM exporter where the platform does not run one (Karpenter, GKE
 * Standard, plain Kubernetes) with a prometheus-operator ServiceMonitor, or nothing on GKE Autopilot whose managed
 * DCGM metrics already reach Managed Service for Prometheus; alert and recording rules (GPU idle, low utilization,
 * memory, XID errors, temperature, pods pending on GPUs; utilization and cost per namespace, pod and owner) as a
 * `PrometheusRule` or GKE `ClusterRules`; monitors for the workloads' own metrics; and a Grafana dashboard.
 */
export class GpuMonitoring extends Construct {
  /** The DCGM exporter image, pinned (NVIDIA/dcgm-exporter Helm chart values at d5e5f51). */
  public static readonly DEFAULT_EXPORTER_IMAGE = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless';
  /** Port of the DCGM exporter's /metrics. */
  public static readonly EXPORTER_PORT = 9400;
  /** The exporter's own namespace unless `exporterNamespace` names another. */
  public static readonly DEFAULT_EXPORTER_NAMESPACE = 'gpu-monitoring';

  /** The platform. */
  public readonly platform: Platform;
  /** Base name of the objects. */
  public readonly name: string;
  /** Namespace of the DCGM exporter (undefined when no exporter is deployed). */
  public readonly exporterNamespace?: string;
  /**
   * The prometheus-adapter values file this writes beside the manifests
   * (`extras/<cluster>.prometheus-adapter-values.yml`) with the rules that serve `ScalingMetric.gpuUtilization` and the
   * vLLM servers' `autoscaling`; undefined on GKE Managed Prometheus, whose Custom Metrics Stackdriver Adapter needs
   * no rules.
   */
  public readonly adapterValuesFile?: string;
  private readonly _problems: _Problems;
  private readonly _exporterNamespaceObject?: k8s.KubeNamespace;
  private readonly _daemonSet?: k8s.KubeDaemonSet;
  private readonly _service?: k8s.KubeService;
  private readonly _serviceMonitor?: ApiObject;
  private readonly _rules?: ApiObject;
  private readonly _dashboard?: k8s.KubeConfigMap;
  private readonly _networkPolicy?: k8s.KubeNetworkPolicy;
  private readonly _monitors: ApiObject[] = [];
  private readonly _scraped: Array<{
    readonly namespace: string; readonly matchLabels: { [key: string]: string }; readonly port: string; readonly path: string;
  }> = [];

  public constructor(scope: Construct, id: string, props: GpuMonitoringProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'GpuMonitoringProps', props, { allowUnknown: new.target !== GpuMonitoring });
    const platform = props.platform;
    this.platform = platform;
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: 40 });
    _checkDnsLabel(p, 'name', this.name, 40);
    _checkDns1035(p, 'name', this.name, 'it names the DCGM exporter\'s Service');
    _checkDnsLabel(p, 'namespace', props.namespace);
    _checkDnsLabel(p, 'monitoringNamespace', props.monitoringNamespace);
    _checkDnsLabel(p, 'exporterNamespace', props.exporterNamespace);
    _checkLabels(p, 'prometheusLabels', props.prometheusLabels);
    if (!(platform instanceof Platform)) {
      p.error('platform', platform, 'must be a Platform, e.g. Platform.gkeAutopilot()');
    }
    const ok = platform instanceof Platform;
    const deployExporter = props.deployExporter ?? (ok && !platform.managesDcgm);
    if (ok && deployExporter && !platform.allowsNodeAgents) {
      p.raw(`deployExporter=true is invalid: ${platform.displayName} rejects node agents (hostPath, root) and runs its own managed DCGM exporter (allowed: false)`);
    }
    if (ok && !deployExporter && props.exporterNamespace !== undefined) {
      p.error('exporterNamespace', props.exporterNamespace, 'names the namespace of the DCGM exporter, and none is deployed (deployExporter is false); drop it');
    }
    if (props.exporterImage !== undefined && _imageProblem(props.exporterImage)) {
      p.error('exporterImage', props.exporterImage, `must be a container image reference: it ${_imageProblem(props.exporterImage)}`);
    }
    const percent = (prop: string, value: number | undefined, dflt: number, min = 0): number => {
      if (value === undefined) return dflt;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= min || value > 100) {
        p.error(prop, value, `must be a percentage above ${min} and at most 100`);
        return dflt;
      }
      return value;
    };
    const idlePercent = percent('idleUtilizationPercent', props.idleUtilizationPercent, 1);
    const lowPercent = percent('lowUtilizationPercent', props.lowUtilizationPercent, 30);
    const memoryPercent = percent('memoryUsedPercent', props.memoryUsedPercent, 90);
    if (props.idleUtilizationPercent !== undefined && props.lowUtilizationPercent !== undefined && idlePercent >= lowPercent) {
      p.raw(`idleUtilizationPercent=${idlePercent} is invalid: must be below lowUtilizationPercent (${lowPercent})`);
    }
    let temperature = props.temperatureCelsius ?? 85;
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0 || temperature > 120) {
      p.error('temperatureCelsius', props.temperatureCelsius, 'must be a temperature above 0 and at most 120 °C');
      temperature = 85;
    }
    const idleSeconds = _durationSeconds(p, 'idleFor', props.idleFor) ?? 3600;
    const lowSeconds = _durationSeconds(p, 'lowUtilizationFor', props.lowUtilizationFor) ?? 600;
    const pendingSeconds = _durationSeconds(p, 'pendingFor', props.pendingFor) ?? 900;

    // Prices: every accelerator the app uses needs one, and DCGM must be able to tell them apart.
    const prices = props.prices ?? (ok ? GpuPriceTable.forCloud(platform.cloud) : GpuPriceTable.of([]));
    if (!(prices instanceof GpuPriceTable)) p.error('prices', prices, 'must be a GpuPriceTable, e.g. GpuPriceTable.gcpListPrices()');
    const costs: _CostLine[] = [];
    const seenModels = new Map<string, string>();
    for (const [i, acc] of (props.accelerators ?? []).entries()) {
      if (!(acc instanceof Accelerator)) { p.error(`accelerators[${i}]`, acc, 'must be an Accelerator, e.g. Accelerator.L4'); continue; }
      const price = prices instanceof GpuPriceTable ? prices.priceOf(acc) : undefined;
      if (!price) {
        const have = prices instanceof GpuPriceTable ? prices.prices.map(x => x.accelerator.name).join(', ') || 'none' : 'none';
        p.raw(`accelerators[${i}]=${_show(acc.name)} is invalid: prices has no price for it (prices cover: ${have}); add one with prices.withPrice({ accelerator, onDemandPerHour, spotPerHour })`);
        continue;
      }
      for (const [field, v] of [['onDemandPerHour', price.onDemandPerHour], ['spotPerHour', price.spotPerHour]] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) p.error(`prices[${JSON.stringify(acc.name)}].${field}`, v, 'must be a number of USD >= 0');
      }
      const model = GpuPriceTable._modelNameOf(price);
      if (model === undefined || _promRegexProblem(model)) {
        p.error(`prices[${JSON.stringify(acc.name)}].dcgmModelName`, model, `must be an RE2 regular expression matching the modelName DCGM reports, e.g. "NVIDIA L4"${model !== undefined ? `: it ${_promRegexProblem(model)}` : ''}`);
        continue;
      }
      if (seenModels.has(model)) {
        p.raw(`accelerators[${i}]=${_show(acc.name)} is invalid: DCGM reports it with the same modelName as ${seenModels.get(model)} (${model}), so their costs cannot be told apart; list only one`);
        continue;
      }
      seenModels.set(model, acc.name);
      costs.push({
        accelerator: acc.name, modelName: model, onDemandPerHour: price.onDemandPerHour, spotPerHour: price.spotPerHour,
        onDemandIsEstimate: price.onDemandIsEstimate === true, spotIsEstimate: price.spotIsEstimate === true,
        description: GpuPriceTable.describe(price),
      });
    }
    const targets = props.scrapeTargets ?? [];
    for (const [i, t] of targets.entries()) {
      if (!t || typeof t !== 'object') { p.error(`scrapeTargets[${i}]`, t, 'must be { name, matchLabels, port }'); continue; }
      _checkDnsLabel(p, `scrapeTargets[${i}].name`, t.name ?? '');
      if (!t.matchLabels || Object.keys(t.matchLabels).length === 0) p.error(`scrapeTargets[${i}].matchLabels`, t.matchLabels, 'must select the pods with at least one label');
      else _checkLabels(p, `scrapeTargets[${i}].matchLabels`, t.matchLabels);
      if (typeof t.port !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(t.port) || t.port.length > 15 || !/[a-z]/.test(t.port)) {
        p.error(`scrapeTargets[${i}].port`, t.port, 'must be the name of a container port (IANA service name: at most 15 lowercase letters, digits and \'-\')');
      }
      if (t.path !== undefined && (typeof t.path !== 'string' || !t.path.startsWith('/'))) p.error(`scrapeTargets[${i}].path`, t.path, 'must be an absolute HTTP path, e.g. "/metrics"');
      _durationSeconds(p, `scrapeTargets[${i}].interval`, t.interval);
    }
    const llm = props.llmRules !== undefined ? _llmRuleSettings(p, props.llmRules) : undefined;
    // Never silently among the workloads: their namespace is (or should be) "restricted", and the exporter's cannot be.
    // Registered before `attach`, whose validation prints the warnings.
    if (ok && deployExporter) {
      const exporterNs = props.exporterNamespace ?? GpuMonitoring.DEFAULT_EXPORTER_NAMESPACE;
      let checked = false;
      this.node.addValidation({
        validate: () => {
          if (checked) return [];
          checked = true;
          const sharing = this.node.root.node.findAll().filter((c): c is GpuWorkload =>
            c instanceof GpuWorkload && c.platform instanceof Platform && c.platform.cluster === platform.cluster && c.namespace === exporterNs);
          if (sharing.length) {
            p.warn(`exporterNamespace=${_show(exporterNs)} is also the namespace of GPU workloads (${sharing.map(w => `[${w.node.path}]`).join(', ')}): the DCGM exporter runs as root with a hostPath and needs a privileged namespace, which would take the "restricted" Pod Security level away from them (give the exporter a namespace of its own)`);
          }
          return [];
        },
      });
    }
    p.attach(this);
    if (!p.ok) return;

    const namespace = props.namespace ?? Chart.of(this).namespace;
    const labels = { 'app.kubernetes.io/name': 'gpu-monitoring', [INSTANCE_LABEL]: this.name, ...MANAGED_BY };
    const flavor = platform.prometheus;
    const promLabels = flavor._usesSelectorLabels ? props.prometheusLabels ?? { release: 'kube-prometheus-stack' } : {};

    if (deployExporter) {
      const exporterName = `${this.name}-dcgm-exporter`;
      const selector = { 'app.kubernetes.io/name': 'dcgm-exporter', [INSTANCE_LABEL]: exporterName };
      const exporterLabels = { ...selector, [COMPONENT_LABEL]: 'daemon', ...MANAGED_BY };
      // Its own namespace: DCGM needs root and a hostPath, which a workloads' "restricted" namespace rejects.
      const exporterNamespace = this.exporterNamespace = props.exporterNamespace ?? GpuMonitoring.DEFAULT_EXPORTER_NAMESPACE;
      if (props.exporterNamespace === undefined) {
        this._exporterNamespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
          metadata: {
            name: exporterNamespace,
            namespace: _noNamespace(),
            labels: { ...labels, [PSS_ENFORCE_LABEL]: 'privileged' },
          },
        });
      }
      const meta = { name: exporterName, namespace: exporterNamespace, labels: exporterLabels };
      new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta, automountServiceAccountToken: false });
      const needs = platform.dcgmExporterNeeds();
      const sched = platform.nodeAgentPlacement();
      const hostPaths = [
        // The kubelet's pod-resources socket tells the exporter which pod holds which GPU.
        { name: 'pod-resources', hostPath: '/var/lib/kubelet/pod-resources', mountPath: '/var/lib/kubelet/pod-resources' },
        ...needs.hostPaths,
      ];
      const probe = (delay: number): k8s.Probe => ({
        httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(GpuMonitoring.EXPORTER_PORT) }, initialDelaySeconds: delay, periodSeconds: 10,
      });
      this._daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
        metadata: meta,
        spec: {
          selector: { matchLabels: selector },
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('25%') } },
          template: {
            // Cannot pass Pod Security "restricted": hostPath volume and uid 0 (DCGM needs root to read the GPUs).
            metadata: { labels: { ...exporterLabels, [PSS_EXCEPTION_LABEL]: 'dcgm-exporter' } },
            spec: {
              serviceAccountName: exporterName,
              automountServiceAccountToken: false,
              enableServiceLinks: false,
              securityContext: _podSecurityContext(true),
              tolerations: sched.tolerations,
              affinity: sched.affinity,
              containers: [{
                name: 'exporter',
                image: props.exporterImage ?? GpuMonitoring.DEFAULT_EXPORTER_IMAGE,
                args: ['-f', '/etc/dcgm-exporter/default-counters.csv', ...needs.args],
                env: [
                  { name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' },
                  { name: 'DCGM_EXPORTER_LISTEN', value: `:${GpuMonitoring.EXPORTER_PORT}` },
                  // The `Hostname` label of every series: the node, not the exporter pod (dcgm-exporter's hostname.go).
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  ...needs.env,
                ],
                ports: [{ name: 'metrics', containerPort: GpuMonitoring.EXPORTER_PORT, protocol: 'TCP' }],
                // No CPU limit: a throttled exporter misses scrapes.
                resources: {
                  requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('128Mi') },
                  limits: { memory: k8s.Quantity.fromString('512Mi') },
                },
                securityContext: { ..._containerSecurityContext(props.profilingMetrics ? ['SYS_ADMIN'] : []), runAsNonRoot: false, runAsUser: 0 },
                livenessProbe: probe(45),
                readinessProbe: probe(15),
                volumeMounts: hostPaths.map(h => ({ name: h.name, mountPath: h.mountPath, readOnly: true })),
              }],
              volumes: hostPaths.map(h => ({ name: h.name, hostPath: { path: h.hostPath, type: 'Directory' } })),
            },
          },
        },
      });
      this._service = new k8s.KubeService(this, 'Service', {
        metadata: meta,
        spec: {
          selector,
          ports: [{ name: 'metrics', port: GpuMonitoring.EXPORTER_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
        },
      });
      this._serviceMonitor = flavor._exporterScrape(this, 'ServiceMonitor', {
        name: exporterName, namespace: exporterNamespace, labels: { ...exporterLabels, ...promLabels }, matchLabels: selector,
        port: 'metrics', path: '/metrics', interval: '15s',
      });
      if (props.isolateNetwork !== false) {
        this._networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
          metadata: meta,
          spec: {
            podSelector: { matchLabels: selector },
            policyTypes: ['Ingress'],
            ingress: [{
              from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.monitoringNamespace ?? flavor._scraperNamespace } } }],
              ports: [{ port: k8s.IntOrString.fromNumber(GpuMonitoring.EXPORTER_PORT), protocol: 'TCP' }],
            }],
          },
        });
      }
      const daemonSet = this._daemonSet;
      _checkAdmission(this, platform, () => _podTemplatesOf(_Renders.of(daemonSet)), [daemonSet]);
    }

    // Monitors for the workloads' own metrics.
    for (const t of targets) {
      this._scraped.push({ namespace: namespace ?? '', matchLabels: t.matchLabels, port: t.port, path: t.path ?? '/metrics' });
      this._monitors.push(flavor._podScrape(this, t.name, {
        name: t.name, namespace, labels: { ...labels, ...promLabels }, matchLabels: t.matchLabels,
        port: t.port, path: t.path ?? '/metrics', interval: _promDuration(t.interval?.toSeconds() ?? 30),
      }));
    }

    // Rules (cluster-wide on GKE Managed Prometheus: DCGM series carry the namespace of GKE's exporter pods).
    const workloadLabels = flavor._workloadMetricLabels();
    const groups = _gpuRuleGroups({
      labels: workloadLabels, idlePercent, idleSeconds, lowPercent, lowSeconds, memoryPercent,
      temperatureCelsius: temperature, pendingSeconds, costs,
    });
    if (llm) groups.push(..._llmRuleGroups(llm));
    this._rules = flavor._rules(this, 'Rules', { name: this.name, namespace, labels: { ...labels, ...promLabels }, groups });
    // What prometheus-adapter needs to serve the autoscalers' GPU utilization and vLLM metrics per pod: a values file of its
    // chart (its config is one ConfigMap of its own, which a second ConfigMap could not extend). One adapter serves a
    // cluster, and one GpuMonitoring monitors it: the file is named after the cluster (a second GpuMonitoring of the
    // cluster is refused below, and writes none).
    if (flavor._adapterNeedsRules && !_Registry.hasSingleton(this, platform.cluster, 'GpuMonitoring')) {
      const file = `${platform.cluster}.prometheus-adapter-values.yml`;
      this.adapterValuesFile = `${_OutputFile.DIRECTORY}/${file}`;
      _OutputFile.write(this, file, () => _prometheusAdapterValues(this.node.path, platform.displayName), p);
    }

    if (props.dashboard !== false) {
      const dashboard = _gpuDashboard(`GPUs (${this.name})`, `gpu-ml-${this.name}`.slice(0, 40), workloadLabels, costs);
      this._dashboard = new k8s.KubeConfigMap(this, 'Dashboard', {
        metadata: { name: `${this.name}-dashboard`, namespace, labels: { ...labels, grafana_dashboard: '1' } },
        data: { [`${this.name}.json`]: JSON.stringify(dashboard, undefined, 2) },
      });
    }
    // One monitoring stack per cluster: a second would double exporters, alerts and cost series.
    _Registry.claimAll(this, platform.cluster, [{
      key: 'GpuMonitoring',
      message: (others, cluster) => `platform=${_show(platform.id)} is invalid: ${others} already monitors the GPUs of cluster ${_show(cluster)}; a second GpuMonitoring doubles its exporters, alerts and cost series (keep one per cluster, or give the platforms different cluster names)`,
    }]);
  }

  /** The DCGM exporter DaemonSet, if this platform gets one (escape hatch). */
  public get daemonSet(): k8s.KubeDaemonSet | undefined {
    _ensure(this, this._rules, this._problems);
    return this._daemonSet;
  }

  /** The exporter's Namespace, if an exporter is deployed in the default `exporterNamespace` (which this emits). */
  public get exporterNamespaceObject(): k8s.KubeNamespace | undefined {
    return this._exporterNamespaceObject;
  }

  /** The exporter's Service, if an exporter is deployed. */
  public get service(): k8s.KubeService | undefined {
    return this._service;
  }

  /** The exporter's ServiceMonitor, if an exporter is deployed. */
  public get serviceMonitor(): ApiObject | undefined {
    return this._serviceMonitor;
  }

  /** The exporter's NetworkPolicy, if an exporter is deployed and `isolateNetwork` is not false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  /** The rules: a prometheus-operator `PrometheusRule`, or a GKE Managed Prometheus `ClusterRules`. */
  public get rules(): ApiObject {
    return _ensure(this, this._rules, this._problems);
  }

  /**
   * Whether one of `scrapeTargets` scrapes `port` and `path` of the pods labelled `podLabels` in `namespace` (asked by
   * a server whose autoscaler reads its own metrics).
   * @internal
   */
  public _scrapes(namespace: string, podLabels: { [key: string]: string }, port: string, path: string): boolean {
    return this._scraped.some(t => t.namespace === namespace && t.port === port && t.path === path
      && Object.entries(t.matchLabels).every(([k, v]) => podLabels[k] === v));
  }

  /** The PodMonitor / PodMonitoring objects of `scrapeTargets`. */
  public get monitors(): ApiObject[] {
    return [...this._monitors];
  }

  /** The Grafana dashboard ConfigMap, unless `dashboard` is false. */
  public get dashboard(): k8s.KubeConfigMap | undefined {
    return this._dashboard;
  }
}
