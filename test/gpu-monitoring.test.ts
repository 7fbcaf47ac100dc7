import { Duration, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { Accelerator, GpuMetric, GpuMonitoring, GpuMonitoringProps, GpuPriceTable, GpuTrainingJob, Platform, PrometheusFlavor } from '../lib';
import { promqlProblems, substituteGrafanaVariables, metricsOf, knownMetrics } from './support/promql';
import { chartFor, find, synth, synthError } from './support/synth';

/** GPU sharing: what the workload rules leave out (GPUs of nodes with more nvidia.com/gpu units than GPUs). */
const SHARED = 'unless on (Hostname) label_replace(node:gpu_units_per_gpu:ratio > 1, "Hostname", "$1", "node", "(.+)")';
/** Whole GPUs and shares of GPUs, which the cost rules price. */
const ALLOCATED = '{__name__=~"namespace_pod:dcgm_gpus_allocated:count|namespace_pod:gpu_shares_allocated:sum"';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const standard = Platform.gkeStandard();
const kubernetes = Platform.kubernetes();

function build(platform: Platform, props: Partial<GpuMonitoringProps> = {}) {
  const chart = chartFor(platform);
  new GpuMonitoring(chart, 'mon', { platform, name: 'gpu', ...props } as GpuMonitoringProps);
  return chart;
}

/** Every PromQL expression in a set of objects: rules, and dashboard panels with Grafana variables substituted. */
function expressions(objects: any[]): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const o of objects) {
    if (o.kind === 'PrometheusRule' || o.kind === 'ClusterRules') {
      for (const g of o.spec.groups) for (const r of g.rules) out.push({ where: `${o.kind} ${r.record ?? r.alert}`, expr: r.expr });
    }
    if (o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') {
      for (const json of Object.values<string>(o.data)) {
        const d = JSON.parse(json);
        for (const p of d.panels) for (const t of p.targets) out.push({ where: `panel ${p.title}`, expr: substituteGrafanaVariables(t.expr) });
        for (const v of d.templating.list.filter((x: any) => x.type === 'query')) {
          const m = /^label_values\((.*), *[A-Za-z_]+\)$/.exec(v.query.query);
          if (!m) throw new Error(`unexpected variable query ${v.query.query}`);
          out.push({ where: `variable ${v.name}`, expr: m[1] });
        }
      }
    }
  }
  return out;
}

describe('Karpenter: DCGM exporter + ServiceMonitor + PrometheusRule + dashboard', () => {
  const objects = synth(build(karpenter, { accelerators: [Accelerator.A10G] }), karpenter);
  const ds = find(objects, 'DaemonSet');
  const pod = ds.spec.template.spec;
  const c = pod.containers[0];

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('emits exactly these kinds', () => {
    expect(objects.map(o => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'DaemonSet', 'Service', 'ServiceMonitor', 'NetworkPolicy', 'PrometheusRule', 'ConfigMap']);
  });
  test('the exporter has its own namespace (privileged Pod Security: root and a hostPath); rules and dashboard stay in the chart\'s', () => {
    expect(find(objects, 'Namespace')).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: {
        name: 'gpu-monitoring',
        labels: {
          'app.kubernetes.io/name': 'gpu-monitoring', 'app.kubernetes.io/instance': 'gpu', 'app.kubernetes.io/managed-by': 'cdk8s-gpu-ml',
          'pod-security.kubernetes.io/enforce': 'privileged',
        },
      },
    });
    const byKind = Object.fromEntries(objects.filter(o => o.kind !== 'Namespace').map(o => [o.kind, o.metadata.namespace]));
    expect(byKind).toEqual({
      ServiceAccount: 'gpu-monitoring', DaemonSet: 'gpu-monitoring', Service: 'gpu-monitoring', ServiceMonitor: 'gpu-monitoring', NetworkPolicy: 'gpu-monitoring',
      PrometheusRule: 'ml', ConfigMap: 'ml',
    });
    expect(find(objects, 'ServiceMonitor').spec.namespaceSelector).toEqual({ matchNames: ['gpu-monitoring'] });
  });
  test('NODE_NAME from the downward API, so the Hostname label names the node', () => {
    expect(c.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });
  test('pinned image, port 9400, pod attribution on, pod-resources read-only', () => {
    expect(c.image).toBe('nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless');
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9400, protocol: 'TCP' }]);
    expect(c.env).toContainEqual({ name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' });
    expect(c.args).toEqual(['-f', '/etc/dcgm-exporter/default-counters.csv']);
    expect(pod.volumes).toEqual([{ name: 'pod-resources', hostPath: { path: '/var/lib/kubelet/pod-resources', type: 'Directory' } }]);
    expect(c.volumeMounts).toEqual([{ name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }]);
  });
  test('only on GPU nodes, tolerating the NodePool GPU taint and the share taint', () => {
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      // GPU sharing: the exporter runs on shared GPU nodes too, which carry the share taint.
      { key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'Exists' }] }]);
  });
  test('as restricted as DCGM allows: root, but no escalation, ALL caps dropped, no SYS_ADMIN by default, labelled', () => {
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, runAsNonRoot: false, runAsUser: 0 });
    expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(ds.spec.template.metadata.labels['gpu-ml.cdk8s.io/pss-exception']).toBe('dcgm-exporter');
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  });
  test('own ServiceAccount without token; no RBAC objects', () => {
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('gpu-dcgm-exporter');
    expect(objects.filter(o => /Role/.test(o.kind))).toEqual([]);
  });
  test('NetworkPolicy admits port 9400 from the monitoring namespace only', () => {
    expect(find(objects, 'NetworkPolicy').spec).toEqual({
      podSelector: { matchLabels: ds.spec.selector.matchLabels },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9400, protocol: 'TCP' }] }],
    });
  });
  test('ServiceMonitor keeps the GPU workload\'s namespace/pod/container, drops the exporter pod\'s, and is selected by kube-prometheus-stack', () => {
    const sm = find(objects, 'ServiceMonitor');
    expect(sm.spec.endpoints).toEqual([{
      port: 'metrics', path: '/metrics', interval: '15s', scrapeTimeout: '10s', honorLabels: true,
      relabelings: [{ action: 'labeldrop', regex: 'pod|namespace|container' }],
    }]);
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(sm.spec.selector.matchLabels).toEqual(find(objects, 'Service').spec.selector);
  });
  test('every alert has a severity, a summary and a description naming pod and namespace', () => {
    const alerts = find(objects, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(alerts.map((a: any) => a.alert)).toEqual(['GpuIdle', 'GpuLowUtilization', 'GpuMemoryHigh', 'GpuXidError', 'GpuTemperatureHigh', 'GpuPodPending']);
    for (const a of alerts) {
      expect(['info', 'warning', 'critical']).toContain(a.labels.severity);
      expect(a.annotations.summary).toBeTruthy();
      expect(a.annotations.description).toContain('{{ $labels.namespace }}/{{ $labels.pod }}');
    }
  });
  test('default thresholds: idle < 1 % for 1h, low < 30 % for 10m, memory > 90 %, 85 °C, pending 15m', () => {
    const rules = Object.fromEntries(find(objects, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert).map((r: any) => [r.alert, r]));
    // GPUs of shared nodes are not one pod's (GPU sharing): the workload rules leave them out.
    expect(rules.GpuIdle).toMatchObject({ expr: `max by (namespace, pod) (max_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[1m]) ${SHARED}) < 1`, for: '1h' });
    expect(rules.GpuLowUtilization.for).toBe('10m');
    expect(rules.GpuLowUtilization.expr).toContain('< 30)');
    expect(rules.GpuMemoryHigh.expr).toMatch(/> 90$/);
    expect(rules.GpuTemperatureHigh.expr).toMatch(/> 85$/);
    expect(rules.GpuPodPending.for).toBe('15m');
  });
  // Karpenter's generated AWS pricing, us-east-1, commit 6fc13b52 (2026-07-20): g5.xlarge 1.006 $/h; spot estimated at 40 %.
  // Issue 19: the series say which figure is an estimate (price_estimate).
  test('cost rules for A10G at the AWS list price, on-demand and spot, the spot one marked as an estimate', () => {
    const cost = find(objects, 'PrometheusRule').spec.groups[0].rules.filter((r: any) => r.record === GpuMetric.POD_GPU_COST_PER_HOUR.name);
    expect(cost).toEqual([
      // Whole GPUs and, at their fraction, shares of GPUs (GPU sharing).
      {
        record: 'namespace_pod:gpu_cost_per_hour:usd', expr: `sum by (namespace, pod) (${ALLOCATED}, modelName=~"NVIDIA A10G"}) * 1.006`,
        labels: { accelerator: 'A10G', capacity_type: 'on-demand', price_estimate: 'false' },
      },
      {
        record: 'namespace_pod:gpu_cost_per_hour:usd', expr: `sum by (namespace, pod) (${ALLOCATED}, modelName=~"NVIDIA A10G"}) * 0.4024`,
        labels: { accelerator: 'A10G', capacity_type: 'spot', price_estimate: 'true' },
      },
    ]);
  });
  // Issue 19.2: "the report/dashboard says 'estimate'". The cost panels name the estimated figures of the price table in
  // use and describe every price with its source (GpuPriceTable.describe).
  test('dashboard: the cost panels say which prices are estimates, and where each comes from', () => {
    const d = JSON.parse(find(objects, 'ConfigMap').data['gpu.json']);
    const cost = d.panels.filter((p: any) => p.fieldConfig.defaults.unit === 'currencyUSD');
    expect(cost.map((p: any) => p.title)).toEqual([
      'GPU cost per hour (USD; spot estimated for A10G)',
      'GPU cost over the time range, per owner (USD; spot estimated for A10G)',
    ]);
    for (const p of cost) {
      expect(p.description).toBe('USD per GPU-hour, from the GpuPriceTable of GpuMonitoring (estimates: spot estimated for A10G):\n'
        + `- A10G: ${GpuPriceTable.describe(GpuPriceTable.awsListPrices().priceOf(Accelerator.A10G)!)}`);
    }
    expect(d.panels.filter((p: any) => p.description && p.fieldConfig.defaults.unit !== 'currencyUSD')).toEqual([]);
  });
  test('every PromQL expression parses and reads only known metrics', () => {
    const exprs = expressions(objects);
    expect(exprs.length).toBeGreaterThan(20);
    for (const e of exprs) expect({ where: e.where, problems: promqlProblems(e.expr) }).toEqual({ where: e.where, problems: [] });
  });
  test('dashboard: JSON parses, sidecar label, namespace/pod/gpu variables, the six topics', () => {
    const cm = find(objects, 'ConfigMap');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const d = JSON.parse(cm.data['gpu.json']);
    expect(d.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'namespace', 'pod', 'gpu', 'capacity_type']);
    const used = new Set(d.panels.flatMap((p: any) => p.targets.flatMap((t: any) => metricsOf(substituteGrafanaVariables(t.expr)))));
    for (const m of [GpuMetric.GPU_UTILIZATION, GpuMetric.FRAMEBUFFER_USED, GpuMetric.GPU_TEMPERATURE, GpuMetric.POWER_USAGE, GpuMetric.XID_ERRORS,
      GpuMetric.NAMESPACE_GPU_COST_PER_HOUR]) {
      expect(used).toContain(m.name);
    }
    // Recording rules the dashboard reads are ones this construct records.
    const recorded = new Set(find(objects, 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.record).filter(Boolean));
    for (const m of used) if (!String(m).startsWith('DCGM_') && !String(m).startsWith('kube_')) expect(recorded).toContain(m);
    expect(new Set(d.panels.map((p: any) => p.id)).size).toBe(d.panels.length);
  });
});

describe('GKE Autopilot: no exporter; PodMonitoring + ClusterRules + dashboard on managed DCGM metrics', () => {
  // ClusterRules has no CRD in ../shared; test/support/schema.ts checks it against the Rules schema (same spec type).
  const objects = synth(build(autopilot, {
    accelerators: [Accelerator.L4],
    scrapeTargets: [{ name: 'llm', matchLabels: { app: 'llm' }, port: 'http', interval: Duration.seconds(15) }],
  }), autopilot);

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('emits exactly these kinds, no pod at all', () => {
    expect(objects.map(o => o.kind)).toEqual(['PodMonitoring', 'ClusterRules', 'ConfigMap']);
  });
  test('PodMonitoring scrapes the workload endpoint', () => {
    expect(find(objects, 'PodMonitoring')).toMatchObject({
      apiVersion: 'monitoring.googleapis.com/v1',
      metadata: { name: 'llm', namespace: 'ml' },
      spec: { selector: { matchLabels: { app: 'llm' } }, endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }] },
    });
  });
  test('rules are cluster-scoped and read the exported_* workload labels of the managed exporter', () => {
    const rules = find(objects, 'ClusterRules');
    expect(rules.metadata.namespace).toBeUndefined();
    const idle = rules.spec.groups[1].rules[0];
    expect(idle.expr).toBe(`max by (exported_namespace, exported_pod) (max_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[1m]) ${SHARED}) < 1`);
    expect(idle.annotations.description).toContain('{{ $labels.exported_namespace }}/{{ $labels.exported_pod }}');
    for (const g of rules.spec.groups) expect(g.interval).toBe('30s');
  });
  test('every PromQL expression parses and reads only known metrics', () => {
    for (const e of expressions(objects)) expect({ where: e.where, problems: promqlProblems(e.expr) }).toEqual({ where: e.where, problems: [] });
  });
  // GCP's L4 prices, on-demand and spot, are both listed (Cyclenerd's Cloud Billing export, 2026-07-30): no estimate.
  test('listed prices only: no estimate marker on the series or the panels', () => {
    const cost = find(objects, 'ClusterRules').spec.groups[0].rules.filter((r: any) => r.record === GpuMetric.POD_GPU_COST_PER_HOUR.name);
    expect(cost.map((r: any) => r.labels)).toEqual([
      { accelerator: 'L4', capacity_type: 'on-demand', price_estimate: 'false' },
      { accelerator: 'L4', capacity_type: 'spot', price_estimate: 'false' },
    ]);
    const d = JSON.parse(find(objects, 'ConfigMap').data['gpu.json']);
    const panel = d.panels.find((p: any) => p.title.startsWith('GPU cost per hour'));
    expect(panel.title).toBe('GPU cost per hour (USD)');
    expect(panel.description).toMatch(/^USD per GPU-hour, from the GpuPriceTable of GpuMonitoring:\n- L4: on-demand 0\.7068 \$\/GPU-h from Cyclenerd/);
  });
});

// The markers come from the table in use, not from the built-in one: your own estimate is named, your own price is not.
test('dashboard and rules: estimates of your own price table are marked as such', () => {
  const prices = GpuPriceTable.of([
    { accelerator: Accelerator.L40S, onDemandPerHour: 1.2, spotPerHour: 0.5, onDemandIsEstimate: true, spotIsEstimate: true, spotAssumption: 'our guess' },
    { accelerator: Accelerator.A10G, onDemandPerHour: 1, spotPerHour: 0.4 },
  ]);
  const objects = synth(build(karpenter, { accelerators: [Accelerator.L40S, Accelerator.A10G], prices }), karpenter);
  const d = JSON.parse(find(objects, 'ConfigMap').data['gpu.json']);
  expect(d.panels.find((p: any) => p.title.startsWith('GPU cost per hour')).title).toBe('GPU cost per hour (USD; on-demand estimated for L40S; spot estimated for L40S)');
  const labels = find(objects, 'PrometheusRule').spec.groups[0].rules.filter((r: any) => r.record === GpuMetric.POD_GPU_COST_PER_HOUR.name).map((r: any) => r.labels);
  expect(labels.map((l: any) => `${l.accelerator} ${l.capacity_type} ${l.price_estimate}`)).toEqual(['L40S on-demand true', 'L40S spot true', 'A10G on-demand false', 'A10G spot false']);
});

test('GKE Standard: device-name GPU ids, the driver directory, GPU-node affinity', () => {
  const objects = synth(build(standard), standard);
  const pod = find(objects, 'DaemonSet').spec.template.spec;
  expect(pod.containers[0].args).toEqual(['-f', '/etc/dcgm-exporter/default-counters.csv', '--kubernetes-gpu-id-type', 'device-name']);
  expect(pod.volumes).toContainEqual({ name: 'nvidia-install-dir', hostPath: { path: '/home/kubernetes/bin/nvidia', type: 'Directory' } });
  expect(pod.tolerations).toEqual([
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    // GPU sharing: the exporter runs on shared GPU nodes too, which carry the share taint.
    { key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' },
  ]);
  expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe('cloud.google.com/gke-accelerator');
  expect(find(objects, 'PrometheusRule').spec.groups[0].rules.some((r: any) => r.record === GpuMetric.POD_GPU_COST_PER_HOUR.name)).toBe(false);
});

test('plain Kubernetes: custom GPU taint, GFD label, own prices; PodMonitor for scrape targets', () => {
  const k = Platform.kubernetes({ gpuTaintKey: 'gpu' });
  const objects = synth(build(k, {
    accelerators: [Accelerator.L40S],
    prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1.2, spotPerHour: 0.5 }]),
    scrapeTargets: [{ name: 'llm', matchLabels: { app: 'llm' }, port: 'metrics' }],
    monitoringNamespace: 'observability',
  }), k);
  const pod = find(objects, 'DaemonSet').spec.template.spec;
  expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'gpu-ml.cdk8s.io/gpu-share', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key).toBe('nvidia.com/gpu.present');
  expect(find(objects, 'PodMonitor').spec).toEqual({ selector: { matchLabels: { app: 'llm' } }, namespaceSelector: { matchNames: ['ml'] }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }] });
  expect(find(objects, 'NetworkPolicy').spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('observability');
  expect(JSON.stringify(find(objects, 'PrometheusRule'))).toContain('* 1.2');
});

test('an exporterNamespace of your own is used and not emitted (it is yours, with its own Pod Security level)', () => {
  const objects = synth(build(karpenter, { exporterNamespace: 'dcgm' }), karpenter);
  expect(objects.filter(o => o.kind === 'Namespace')).toEqual([]);
  expect(find(objects, 'DaemonSet').metadata.namespace).toBe('dcgm');
  expect(find(objects, 'ServiceMonitor').spec.namespaceSelector).toEqual({ matchNames: ['dcgm'] });
  expect(find(objects, 'NetworkPolicy').metadata.namespace).toBe('dcgm');
});

test('GKE Managed Prometheus on GKE Standard: the exporter in its namespace, scraped by a PodMonitoring there', () => {
  const gmp = Platform.gkeStandard({ prometheus: PrometheusFlavor.GKE_MANAGED });
  const objects = synth(build(gmp), gmp);
  expect(objects.map(o => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'DaemonSet', 'Service', 'PodMonitoring', 'NetworkPolicy', 'ClusterRules', 'ConfigMap']);
  expect(find(objects, 'PodMonitoring')).toMatchObject({ metadata: { name: 'gpu-dcgm-exporter', namespace: 'gpu-monitoring' }, spec: { endpoints: [{ port: 'metrics' }] } });
  // GMP's collectors scrape from gmp-system: the NetworkPolicy admits them, not a kube-prometheus-stack namespace.
  expect(find(objects, 'NetworkPolicy').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } }]);
});

test('profilingMetrics adds SYS_ADMIN and nothing else', () => {
  const c = find(synth(build(karpenter, { profilingMetrics: true }), karpenter), 'DaemonSet').spec.template.spec.containers[0];
  expect(c.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['SYS_ADMIN'] });
  expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
});

test('thresholds are props', () => {
  const objects = synth(build(karpenter, {
    idleUtilizationPercent: 5, idleFor: Duration.minutes(30), lowUtilizationPercent: 50, memoryUsedPercent: 95, temperatureCelsius: 80,
    pendingFor: Duration.minutes(5),
  }), karpenter);
  const rules = Object.fromEntries(find(objects, 'PrometheusRule').spec.groups[1].rules.map((r: any) => [r.alert, r]));
  expect(rules.GpuIdle).toMatchObject({ expr: expect.stringMatching(/< 5$/), for: '30m' });
  expect(rules.GpuLowUtilization.expr).toContain('< 50)');
  expect(rules.GpuMemoryHigh.expr).toMatch(/> 95$/);
  expect(rules.GpuTemperatureHigh.expr).toMatch(/> 80$/);
  expect(rules.GpuPodPending.for).toBe('5m');
});

test('GpuPriceTable: withPrice overrides one accelerator; defaults per cloud', () => {
  const t = GpuPriceTable.gcpListPrices().withPrice({ accelerator: Accelerator.L4, onDemandPerHour: 0.5, spotPerHour: 0.2 });
  expect(t.priceOf(Accelerator.L4)).toEqual({ accelerator: Accelerator.L4, onDemandPerHour: 0.5, spotPerHour: 0.2 });
  expect(t.prices.filter(p => p.accelerator === Accelerator.L4)).toHaveLength(1);
  expect(GpuPriceTable.forCloud(karpenter.cloud).priceOf(Accelerator.A10G)).toBeDefined();
  expect(GpuPriceTable.forCloud(kubernetes.cloud).prices).toEqual([]);
});

test('GpuMetric names the recording rules a workload (e.g. an HPA) can use', () => {
  const recorded = synth(build(karpenter, { accelerators: [Accelerator.A10G] }), karpenter);
  const names = new Set(find(recorded, 'PrometheusRule').spec.groups[0].rules.map((r: any) => r.record));
  for (const m of [GpuMetric.NAMESPACE_GPU_UTILIZATION, GpuMetric.POD_GPU_UTILIZATION, GpuMetric.POD_GPUS_ALLOCATED, GpuMetric.POD_GPU_COST_PER_HOUR,
    GpuMetric.OWNER_GPU_COST_PER_HOUR, GpuMetric.NAMESPACE_GPU_COST_PER_HOUR]) {
    expect(names).toContain(m.name);
  }
});

describe('the PromQL checker itself', () => {
  test('rejects a syntax error', () => {
    expect(promqlProblems('sum by (namespace (DCGM_FI_DEV_GPU_UTIL)')).not.toEqual([]);
    expect(promqlProblems('avg(DCGM_FI_DEV_GPU_UTIL{pod!=""}) <')).not.toEqual([]);
  });
  test('rejects an unknown metric (a typo of a DCGM name)', () => {
    expect(promqlProblems('avg(DCGM_FI_DEV_GPU_UTILIZATION)')).toEqual(['unknown metric DCGM_FI_DEV_GPU_UTILIZATION']);
  });
  test('accepts a valid expression', () => {
    expect(promqlProblems('sum by (namespace) (kube_pod_owner * on (namespace, pod) group_left () namespace_pod:gpu_cost_per_hour:usd)')).toEqual([]);
    expect(knownMetrics().has('DCGM_FI_DEV_XID_ERRORS')).toBe(true);
  });
});

describe('bad input', () => {
  const mi300x = Accelerator.custom({ name: 'MI300X' });
  const cases: [string, Platform, Partial<GpuMonitoringProps>, string][] = [
    ['exporter on Autopilot', autopilot, { deployExporter: true }, 'deployExporter=true is invalid: GKE Autopilot rejects node agents (hostPath, root) and runs its own managed DCGM exporter (allowed: false)'],
    ['idle threshold 0', karpenter, { idleUtilizationPercent: 0 }, 'idleUtilizationPercent=0 is invalid: must be a percentage above 0 and at most 100'],
    ['low threshold 150', karpenter, { lowUtilizationPercent: 150 }, 'lowUtilizationPercent=150 is invalid: must be a percentage above 0 and at most 100'],
    ['memory threshold -5', karpenter, { memoryUsedPercent: -5 }, 'memoryUsedPercent=-5 is invalid: must be a percentage above 0 and at most 100'],
    ['idle above low', karpenter, { idleUtilizationPercent: 40, lowUtilizationPercent: 30 }, 'idleUtilizationPercent=40 is invalid: must be below lowUtilizationPercent (30)'],
    ['temperature 500', karpenter, { temperatureCelsius: 500 }, 'temperatureCelsius=500 is invalid: must be a temperature above 0 and at most 120 °C'],
    ['zero idle duration', karpenter, { idleFor: Duration.seconds(0) }, 'idleFor=0 seconds is invalid: must be a whole number of seconds, at least 1s'],
    ['zero pending duration', karpenter, { pendingFor: Duration.millis(0) }, 'pendingFor=0 millis is invalid: must be a whole number of seconds, at least 1s'],
    ['price missing', karpenter, { accelerators: [Accelerator.RTX_PRO_6000] }, 'accelerators[0]="RTX PRO 6000" is invalid: prices has no price for it (prices cover: T4, A10G, L4, L40S, A100 40GB, A100 80GB, H100 80GB, H200 141GB, B200); add one with prices.withPrice({ accelerator, onDemandPerHour, spotPerHour })'],
    ['no prices on plain Kubernetes', kubernetes, { accelerators: [Accelerator.L4] }, 'accelerators[0]="L4" is invalid: prices has no price for it (prices cover: none); add one with prices.withPrice({ accelerator, onDemandPerHour, spotPerHour })'],
    ['indistinguishable models', standard, {
      accelerators: [Accelerator.H100_80GB, Accelerator.H100_MEGA_80GB],
      prices: GpuPriceTable.gcpListPrices().withPrice({ accelerator: Accelerator.H100_MEGA_80GB, onDemandPerHour: 11, spotPerHour: 4 }),
    }, 'accelerators[1]="H100 Mega 80GB" is invalid: DCGM reports it with the same modelName as H100 80GB (NVIDIA H100 80GB HBM3), so their costs cannot be told apart; list only one'],
    ['negative price', karpenter, { accelerators: [Accelerator.A10G], prices: GpuPriceTable.of([{ accelerator: Accelerator.A10G, onDemandPerHour: -1, spotPerHour: 0 }]) }, 'prices["A10G"].onDemandPerHour=-1 is invalid: must be a number of USD >= 0'],
    ['custom accelerator without model name', kubernetes, {
      accelerators: [mi300x],
      prices: GpuPriceTable.of([{ accelerator: mi300x, onDemandPerHour: 2, spotPerHour: 1 }]),
    }, 'prices["MI300X"].dcgmModelName=undefined is invalid: must be an RE2 regular expression matching the modelName DCGM reports, e.g. "NVIDIA L4"'],
    ['bad scrape port', autopilot, { scrapeTargets: [{ name: 'llm', matchLabels: { app: 'llm' }, port: '8080' }] }, 'scrapeTargets[0].port="8080" is invalid: must be the name of a container port (IANA service name: at most 15 lowercase letters, digits and \'-\')'],
    ['exporter namespace not a DNS label', karpenter, { exporterNamespace: 'GPU_Monitoring' }, 'exporterNamespace="GPU_Monitoring" is invalid: must be a DNS-1123 label of at most 63 characters'],
    ['exporter namespace without an exporter', autopilot, { exporterNamespace: 'gpu-monitoring' }, 'exporterNamespace="gpu-monitoring" is invalid: names the namespace of the DCGM exporter, and none is deployed (deployExporter is false); drop it'],
    ['scrape target without selector', autopilot, { scrapeTargets: [{ name: 'llm', matchLabels: {}, port: 'http' }] }, 'scrapeTargets[0].matchLabels={} is invalid: must select the pods with at least one label'],
  ];
  test.each(cases)('%s', (_name, platform, props, message) => {
    expect(synthError(chart => new GpuMonitoring(chart, 'mon', { platform, name: 'gpu', ...props } as GpuMonitoringProps), platform)).toContain(message);
  });
  test('the escape hatch explains why there is nothing', () => {
    const chart = chartFor(karpenter);
    const m = new GpuMonitoring(chart, 'mon', { platform: karpenter, idleUtilizationPercent: 0 });
    expect(() => m.rules).toThrow('has invalid props, so it emitted no objects: idleUtilizationPercent=0 is invalid');
  });
});

test('a custom accelerator with its DCGM model name gets cost rules', () => {
  const mi = Accelerator.custom({ name: 'RTX 6000 Ada', gpuProduct: 'NVIDIA-RTX-6000-Ada-Generation' });
  const objects = synth(build(kubernetes, { accelerators: [mi], prices: GpuPriceTable.of([{ accelerator: mi, onDemandPerHour: 0.9, spotPerHour: 0.9, dcgmModelName: 'NVIDIA RTX 6000 Ada Generation' }]) }), kubernetes);
  const rules = find(objects, 'PrometheusRule');
  expect(JSON.stringify(rules)).toContain('modelName=~\\"NVIDIA RTX 6000 Ada Generation\\"');
  for (const e of expressions(objects)) expect(promqlProblems(e.expr)).toEqual([]);
  void parseYaml;
});

describe('the exporter never shares a namespace with GPU workloads silently', () => {
  const train = { image: 'train:1', accelerator: Accelerator.A10G };
  test('a workload in the exporter namespace is a warning naming both, fatal in strict mode', () => {
    const chart = chartFor(karpenter);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    new GpuTrainingJob(chart, 'train', { platform: karpenter, ...train });
    new GpuMonitoring(chart, 'mon', { platform: karpenter, name: 'gpu', exporterNamespace: 'ml' });
    expect(() => Testing.synth(chart)).toThrow('[karpenter/mon] (strict mode) exporterNamespace="ml" is also the namespace of GPU workloads ([karpenter/train]): the DCGM exporter runs as root with a hostPath and needs a privileged namespace, which would take the "restricted" Pod Security level away from them (give the exporter a namespace of its own)');
  });
  test('also the default namespace, when a workload is put there', () => {
    const chart = chartFor(karpenter);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    new GpuTrainingJob(chart, 'train', { platform: karpenter, ...train, namespace: 'gpu-monitoring' });
    new GpuMonitoring(chart, 'mon', { platform: karpenter, name: 'gpu' });
    expect(() => Testing.synth(chart)).toThrow('exporterNamespace="gpu-monitoring" is also the namespace of GPU workloads ([karpenter/train])');
  });
  test('workloads of another cluster, or in their own namespace, are no concern', () => {
    const chart = chartFor(karpenter);
    chart.node.setContext('cdk8s-gpu-ml:strict', true);
    new GpuTrainingJob(chart, 'a', { platform: Platform.karpenter({ cluster: 'other' }), ...train, namespace: 'gpu-monitoring' });
    new GpuTrainingJob(chart, 'b', { platform: karpenter, ...train });
    new GpuMonitoring(chart, 'mon', { platform: karpenter, name: 'gpu' });
    expect(synth(chart, karpenter).filter(o => o.kind === 'DaemonSet')).toHaveLength(1);
  });
});
