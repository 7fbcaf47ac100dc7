/**
 * Every alert and recording rule of GpuMonitoring, run by Prometheus's own rule tester (`promtool test rules`) on
 * every platform, against series shaped by the scrape the library emits (test/support/promtool.ts): GPUs no pod
 * holds, several GPUs per pod, a short burst of use between two rule evaluations, a pod waiting for GPUs, and the
 * GKE Managed Prometheus variant whose workload labels are `exported_*`.
 *
 * Needs Debian's `prometheus` package (`apt-get install -y prometheus`, which ships /usr/bin/promtool). Without it the
 * test FAILS when $CI is set and is skipped loudly otherwise.
 */
import { Accelerator, GpuMonitoring, GpuPriceTable, Platform, PrometheusFlavor } from '../lib';
import {
  ExporterPod, InputSeries, Labels, Scrape, exporterScrape, gmpScrape, describeWithPromtool, runPromtool, seriesName, stored,
} from './support/promtool';
import { chartFor, find, synth } from './support/synth';

const maybe = describeWithPromtool('promtool');

/** Rule evaluation and scrape intervals of the tests: the rule groups' 30 s, the exporter's 15 s. */
const EVALUATION_INTERVAL = '30s';
const SCRAPE_INTERVAL = '15s';
/** 100 minutes of samples. */
const LONG = 'x400';

interface Holder { readonly namespace: string; readonly pod: string; readonly container: string }
interface Gpu {
  readonly node: 'node-a' | 'node-b';
  readonly gpu: number;
  readonly holder?: Holder;
  readonly util: string;
  readonly fbUsed: number;
  readonly fbFree: number;
  readonly temp: number;
  readonly xid: number;
}

const TRAIN: Holder = { namespace: 'ml', pod: 'train-0', container: 'trainer' };
const IDLE: Holder = { namespace: 'team-a', pod: 'idle-0', container: 'main' };
const BURST: Holder = { namespace: 'team-b', pod: 'burst-0', container: 'worker' };
const LOW: Holder = { namespace: 'team-b', pod: 'low-0', container: 'worker' };

/**
 * Two nodes. node-a: one pod with two GPUs (one busy, one idle: not GpuIdle), an idle pod, and a GPU no pod holds (idle,
 * memory full, hot, XID 79); node-b: a pod idle except one sample at 15m15s (between the evaluations at 15m and
 * 15m30s), a pod at 10 %, and another GPU no pod holds.
 */
const GPUS: Gpu[] = [
  { node: 'node-a', gpu: 0, holder: TRAIN, util: `80${LONG}`, fbUsed: 15000, fbFree: 1000, temp: 60, xid: 0 },
  { node: 'node-a', gpu: 1, holder: TRAIN, util: `0${LONG}`, fbUsed: 8000, fbFree: 8000, temp: 60, xid: 48 },
  { node: 'node-a', gpu: 2, holder: IDLE, util: `0${LONG}`, fbUsed: 1000, fbFree: 15000, temp: 55, xid: 0 },
  { node: 'node-a', gpu: 3, util: `0${LONG}`, fbUsed: 15000, fbFree: 1000, temp: 90, xid: 79 },
  { node: 'node-b', gpu: 0, holder: BURST, util: `0x60 50 0${LONG}`, fbUsed: 1000, fbFree: 15000, temp: 50, xid: 0 },
  { node: 'node-b', gpu: 1, holder: LOW, util: `10${LONG}`, fbUsed: 2000, fbFree: 14000, temp: 50, xid: 0 },
  { node: 'node-b', gpu: 2, util: `0${LONG}`, fbUsed: 0, fbFree: 16000, temp: 40, xid: 0 },
];
const NODE_IPS = { 'node-a': '10.0.1.5', 'node-b': '10.0.2.5' };

/** One platform under test: the GpuMonitoring it gets, and the model of each node's GPUs. */
interface Case {
  readonly title: string;
  readonly platform: Platform;
  readonly accelerators: Accelerator[];
  readonly prices?: GpuPriceTable;
}
const A = (c: Case) => c.accelerators[0];
const B = (c: Case) => c.accelerators[1] ?? c.accelerators[0];

const CASES: Case[] = [
  { title: 'Karpenter (prometheus-operator, own exporter)', platform: Platform.karpenter(), accelerators: [Accelerator.A10G, Accelerator.L4] },
  { title: 'GKE Standard (prometheus-operator, own exporter)', platform: Platform.gkeStandard(), accelerators: [Accelerator.T4, Accelerator.L4] },
  {
    title: 'plain Kubernetes (prometheus-operator, own exporter, own prices)', platform: Platform.kubernetes(), accelerators: [Accelerator.L40S],
    prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1.2, spotPerHour: 0.5 }]),
  },
  {
    title: 'GKE Standard (GKE Managed Prometheus, own exporter)', platform: Platform.gkeStandard({ prometheus: PrometheusFlavor.GKE_MANAGED }),
    accelerators: [Accelerator.T4, Accelerator.L4],
  },
  { title: 'GKE Autopilot (GKE Managed Prometheus, GKE\'s managed exporter)', platform: Platform.gkeAutopilot(), accelerators: [Accelerator.L4] },
];

/** The objects GpuMonitoring emits for a case. */
function objectsOf(c: Case): any[] {
  const chart = chartFor(c.platform);
  new GpuMonitoring(chart, 'mon', { platform: c.platform, name: 'gpu', accelerators: c.accelerators, prices: c.prices });
  return synth(chart, c.platform);
}

/** The label names that carry the workload on stored series: the series' own, or `exported_*` on GMP. */
function workloadLabels(gmp: boolean) {
  return gmp ? { ns: 'exported_namespace', pod: 'exported_pod' } : { ns: 'namespace', pod: 'pod' };
}

/** The name of our exporter's pod on a node (a DaemonSet pod: `<name>-<5 random characters>`). */
function exporterPodName(ds: any, node: 'node-a' | 'node-b'): string {
  return `${ds.metadata.name}-${node === 'node-a' ? 'x7k2p' : 'q9r4d'}`;
}

/** How each node's exporter is scraped and what it calls itself. */
function exporterOf(objects: any[], node: 'node-a' | 'node-b'): { scrape: Scrape; hostname: string } {
  const ds = objects.find(o => o.kind === 'DaemonSet');
  if (!ds) {
    // GKE's managed DCGM package: a ClusterPodMonitoring in gke-managed-system; its Hostname is the node.
    const ep: ExporterPod = { node, pod: `dcgm-exporter-${node}`, ip: NODE_IPS[node] };
    return { scrape: gmpScrape('gke-managed-system', 'dcgm-exporter', ep, 'dcgm-exporter'), hostname: node };
  }
  const ep: ExporterPod = { node, pod: exporterPodName(ds, node), ip: NODE_IPS[node] };
  const monitor = objects.find(o => (o.kind === 'ServiceMonitor' || o.kind === 'PodMonitoring') && o.metadata.name === ds.metadata.name);
  const container = ds.spec.template.spec.containers[0];
  // dcgm-exporter's Hostname: NODE_NAME when set, else the container's host name, i.e. the pod name.
  const nodeName = (container.env ?? []).find((e: any) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName';
  return { scrape: exporterScrape(monitor, ep, container.name), hostname: nodeName ? node : ep.pod };
}

/** kube-state-metrics' scrape: kube-prometheus-stack honors its labels; GMP renames them exported_*. */
function ksmScrape(gmp: boolean): Scrape {
  const ep: ExporterPod = { node: 'node-x', pod: 'kube-state-metrics-7d9f8', ip: '10.0.9.9' };
  if (gmp) return gmpScrape('gke-managed-cim', 'kube-state-metrics', ep, 'kube-state-metrics');
  return {
    honorLabels: true,
    targetLabels: {
      namespace: 'monitoring', pod: ep.pod, container: 'kube-state-metrics', service: 'kube-state-metrics', endpoint: 'http',
      job: 'kube-state-metrics', instance: `${ep.ip}:8080`,
    },
  };
}

/** Every input series of the scenario, as the case's Prometheus stores them. */
function inputSeries(c: Case, objects: any[]): InputSeries[] {
  const gmp = c.platform.prometheus === PrometheusFlavor.GKE_MANAGED;
  const out: InputSeries[] = [];
  for (const g of GPUS) {
    const { scrape, hostname } = exporterOf(objects, g.node);
    const model = (g.node === 'node-a' ? A(c) : B(c)).dcgmModelName!;
    const exposed: Labels = {
      gpu: String(g.gpu), UUID: `GPU-${g.node}-${g.gpu}`, device: `nvidia${g.gpu}`, modelName: model, Hostname: hostname,
      DCGM_FI_DRIVER_VERSION: '550.127.05',
      ...(g.holder ? { namespace: g.holder.namespace, pod: g.holder.pod, container: g.holder.container } : {}),
    };
    const labels = stored(exposed, scrape);
    out.push(
      { series: seriesName('DCGM_FI_DEV_GPU_UTIL', labels), values: g.util },
      { series: seriesName('DCGM_FI_DEV_FB_USED', labels), values: `${g.fbUsed}${LONG}` },
      { series: seriesName('DCGM_FI_DEV_FB_FREE', labels), values: `${g.fbFree}${LONG}` },
      { series: seriesName('DCGM_FI_DEV_GPU_TEMP', labels), values: `${g.temp}${LONG}` },
      { series: seriesName('DCGM_FI_DEV_XID_ERRORS', labels), values: `${g.xid}${LONG}` },
    );
  }
  // kube-state-metrics: owners (one pod exported twice, as two replicas of kube-state-metrics do), GPU requests, phases.
  const ksm = ksmScrape(gmp);
  const ksm2: Scrape = { ...ksm, targetLabels: { ...ksm.targetLabels, instance: '10.0.9.10:8080', pod: 'kube-state-metrics-7d9f9' } };
  const ds = objects.find(o => o.kind === 'DaemonSet');
  const exporterPods = ds
    ? (['node-a', 'node-b'] as const).map(n => ({ namespace: ds.metadata.namespace, pod: exporterPodName(ds, n), kind: 'DaemonSet', owner: ds.metadata.name }))
    : [];
  const owners = [
    { ...TRAIN, kind: 'Job', owner: 'train' }, { ...IDLE, kind: 'Job', owner: 'idle' }, { ...BURST, kind: 'PyTorchJob', owner: 'burst' },
    { ...LOW, kind: 'Job', owner: 'low-workers-0' }, { namespace: 'ml', pod: 'wait-0', kind: 'Job', owner: 'wait' }, ...exporterPods,
  ];
  for (const o of owners) {
    const exposed = { namespace: o.namespace, pod: o.pod, uid: `uid-${o.pod}`, owner_kind: o.kind, owner_name: o.owner, owner_is_controller: 'true' };
    out.push({ series: seriesName('kube_pod_owner', stored(exposed, ksm)), values: `1${LONG}` });
    if (o.pod === TRAIN.pod) out.push({ series: seriesName('kube_pod_owner', stored(exposed, ksm2)), values: `1${LONG}` });
  }
  // GPU sharing: what each node offers pods; here one nvidia.com/gpu per GPU (no sharing: the rules must not change).
  for (const [node, gpus] of [['node-a', 4], ['node-b', 3]] as const) {
    out.push({ series: seriesName('kube_node_status_allocatable', stored({ node, resource: 'nvidia_com_gpu', unit: 'integer' }, ksm)), values: `${gpus}${LONG}` });
  }
  const pods = [{ ...TRAIN, gpus: 2, phase: 'Running' }, { ...IDLE, gpus: 1, phase: 'Running' }, { namespace: 'ml', pod: 'wait-0', container: 'main', gpus: 2, phase: 'Pending' }];
  for (const p of pods) {
    const req = { namespace: p.namespace, pod: p.pod, container: p.container, node: p.phase === 'Pending' ? '' : 'node-a', resource: 'nvidia_com_gpu', unit: 'integer' };
    if (req.node === '') delete (req as any).node;
    out.push({ series: seriesName('kube_pod_container_resource_requests', stored(req, ksm)), values: `${p.gpus}${LONG}` });
    for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
      const exposed = { namespace: p.namespace, pod: p.pod, uid: `uid-${p.pod}`, phase };
      out.push({ series: seriesName('kube_pod_status_phase', stored(exposed, ksm)), values: `${phase === p.phase ? 1 : 0}${LONG}` });
    }
  }
  return out;
}

/** `{k="v",...}` of a recorded or alert label set, as promtool wants it in exp_samples. */
function sample(name: string, labels: Labels, value: number) {
  return { labels: seriesName(name, labels), value };
}

/** What every rule must produce in the scenario. */
function expectations(c: Case, gmp: boolean) {
  const w = workloadLabels(gmp);
  const at = (h: Holder) => ({ [w.ns]: h.namespace, [w.pod]: h.pod });
  const prices = c.prices ?? GpuPriceTable.forCloud(c.platform.cloud);
  const price = (acc: Accelerator, capacity: string) => {
    const p = prices.priceOf(acc)!;
    return capacity === 'on-demand' ? p.onDemandPerHour : p.spotPerHour;
  };
  // The per-pod series say whether their figure is an estimate (issue 19); the sums drop it.
  const estimate = (acc: Accelerator, capacity: string) => {
    const p = prices.priceOf(acc)!;
    return String((capacity === 'on-demand' ? p.onDemandIsEstimate : p.spotIsEstimate) === true);
  };
  // GPUs held per pod and model: unallocated GPUs hold nothing.
  const held = [
    { h: TRAIN, acc: A(c), gpus: 2, util: 40, owner: ['Job', 'train'] },
    { h: IDLE, acc: A(c), gpus: 1, util: 0, owner: ['Job', 'idle'] },
    { h: BURST, acc: B(c), gpus: 1, util: 0, owner: ['PyTorchJob', 'burst'] },
    { h: LOW, acc: B(c), gpus: 1, util: 10, owner: ['Job', 'low-workers-0'] },
  ];
  const capacities = ['on-demand', 'spot'];
  const podCost = held.flatMap(x => capacities.map(cap => sample('namespace_pod:gpu_cost_per_hour:usd',
    { ...at(x.h), accelerator: x.acc.name, capacity_type: cap, price_estimate: estimate(x.acc, cap) }, x.gpus * price(x.acc, cap))));
  const ownerCost = held.flatMap(x => capacities.map(cap => sample('namespace_owner:gpu_cost_per_hour:usd',
    { [w.ns]: x.h.namespace, owner_kind: x.owner[0], owner_name: x.owner[1], accelerator: x.acc.name, capacity_type: cap },
    x.gpus * price(x.acc, cap))));
  const nsCost = capacities.flatMap(cap => [
    sample('namespace:gpu_cost_per_hour:usd', { [w.ns]: 'ml', accelerator: A(c).name, capacity_type: cap }, 2 * price(A(c), cap)),
    sample('namespace:gpu_cost_per_hour:usd', { [w.ns]: 'team-a', accelerator: A(c).name, capacity_type: cap }, 1 * price(A(c), cap)),
    sample('namespace:gpu_cost_per_hour:usd', { [w.ns]: 'team-b', accelerator: B(c).name, capacity_type: cap }, 1 * price(B(c), cap) + 1 * price(B(c), cap)),
  ]);
  const promql = [
    { expr: 'namespace_pod:dcgm_gpus_allocated:count', samples: held.map(x => sample('namespace_pod:dcgm_gpus_allocated:count', { ...at(x.h), modelName: x.acc.dcgmModelName! }, x.gpus)) },
    { expr: 'namespace_pod:dcgm_gpu_utilization:avg', samples: held.map(x => sample('namespace_pod:dcgm_gpu_utilization:avg', at(x.h), x.util)) },
    // The autoscaler's series: the same, under the pod's own namespace and pod labels on every flavor (issue 18).
    { expr: 'pod:dcgm_gpu_utilization:avg', samples: held.map(x => sample('pod:dcgm_gpu_utilization:avg', { namespace: x.h.namespace, pod: x.h.pod }, x.util)) },
    {
      expr: 'namespace:dcgm_gpu_utilization:avg', samples: [
        sample('namespace:dcgm_gpu_utilization:avg', { [w.ns]: 'ml' }, 40),
        sample('namespace:dcgm_gpu_utilization:avg', { [w.ns]: 'team-a' }, 0),
        sample('namespace:dcgm_gpu_utilization:avg', { [w.ns]: 'team-b' }, 5),
      ],
    },
    { expr: 'namespace_pod:gpu_cost_per_hour:usd', samples: podCost },
    // GPU sharing: one unit per GPU on both nodes, so no pod holds a share (test/sharing-monitoring.test.ts shares them).
    {
      expr: 'node:gpu_units_per_gpu:ratio', samples: [
        sample('node:gpu_units_per_gpu:ratio', { node: 'node-a', modelName: A(c).dcgmModelName! }, 1),
        sample('node:gpu_units_per_gpu:ratio', { node: 'node-b', modelName: B(c).dcgmModelName! }, 1),
      ],
    },
    { expr: 'namespace_pod:gpu_shares_allocated:sum', samples: [] },
    { expr: 'namespace_owner:gpu_cost_per_hour:usd', samples: ownerCost },
    { expr: 'namespace:gpu_cost_per_hour:usd', samples: nsCost },
  ].map(t => ({ expr: t.expr, eval_time: '5m', exp_samples: t.samples }));

  const who = (h: Holder) => `${h.namespace}/${h.pod}`;
  const idle = (h: Holder) => ({
    exp_labels: { severity: 'warning', ...at(h) },
    exp_annotations: {
      summary: 'GPUs allocated but idle',
      description: `Pod ${who(h)} holds GPUs whose utilization stayed below 1% in every sample for 1h: release them or fix the job.`,
    },
  });
  const alerts = [
    // The idle pod fires after 1h; the GPU no pod holds never does (it has no pod), nor the pod with one busy GPU, nor
    // the pod whose one busy sample fell between two evaluations: that sample restarted its hour.
    { eval_time: '61m', alertname: 'GpuIdle', exp_alerts: [idle(IDLE)] },
    { eval_time: '76m', alertname: 'GpuIdle', exp_alerts: [idle(IDLE)] },
    { eval_time: '77m', alertname: 'GpuIdle', exp_alerts: [idle(IDLE), idle(BURST)] },
    {
      eval_time: '11m', alertname: 'GpuLowUtilization', exp_alerts: [{
        exp_labels: { severity: 'info', ...at(LOW) },
        exp_annotations: {
          summary: 'GPU utilization is low',
          description: 'Pod team-b/low-0 used its GPUs at 10% on average (below 30%) for 10m: look for data-loading or CPU bottlenecks, or use fewer or smaller GPUs.',
        },
      }],
    },
    {
      // The GPU no pod holds has a full framebuffer too: not a workload's problem, no alert.
      eval_time: '6m', alertname: 'GpuMemoryHigh', exp_alerts: [{
        exp_labels: { severity: 'warning', ...at(TRAIN), Hostname: 'node-a', gpu: '0' },
        exp_annotations: {
          summary: 'GPU memory almost full',
          description: 'Pod ml/train-0 uses 93.75% of the framebuffer memory of GPU 0 on node-a (threshold 90%): an out-of-memory error is near.',
        },
      }],
    },
    {
      // Hardware alerts cover every GPU, held or not, and name the node (NODE_NAME), not the exporter pod.
      eval_time: '1m', alertname: 'GpuXidError', exp_alerts: [
        {
          exp_labels: { severity: 'critical', ...at(TRAIN), Hostname: 'node-a', gpu: '1' },
          exp_annotations: {
            summary: 'GPU reported an XID error',
            description: 'GPU 1 on node-a (pod ml/train-0) reported XID error 48: see NVIDIA\'s XID catalog; the GPU or node may need a reset.',
          },
        },
        {
          exp_labels: { severity: 'critical', Hostname: 'node-a', gpu: '3' },
          exp_annotations: {
            summary: 'GPU reported an XID error',
            description: 'GPU 3 on node-a (held by no pod) reported XID error 79: see NVIDIA\'s XID catalog; the GPU or node may need a reset.',
          },
        },
      ],
    },
    {
      eval_time: '6m', alertname: 'GpuTemperatureHigh', exp_alerts: [{
        exp_labels: { severity: 'warning', Hostname: 'node-a', gpu: '3' },
        exp_annotations: {
          summary: 'GPU temperature high',
          description: 'GPU 3 on node-a (held by no pod) is at 90 °C (threshold 85 °C): it will throttle.',
        },
      }],
    },
    { eval_time: '14m', alertname: 'GpuPodPending', exp_alerts: [] },
    {
      eval_time: '16m', alertname: 'GpuPodPending', exp_alerts: [{
        exp_labels: { severity: 'warning', [w.ns]: 'ml', [w.pod]: 'wait-0' },
        exp_annotations: {
          summary: 'Pod waits for GPUs',
          description: 'Pod ml/wait-0 requesting 2 GPUs has been Pending for 15m: check GPU quota, node pool limits and the accelerator it selects.',
        },
      }],
    },
  ];
  return { alerts, promql };
}

/** The rule file and the promtool test file of a case. */
function files(c: Case, objects: any[]): { 'rules.yaml': any; 'tests.yaml': any } {
  const rules = objects.find(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules');
  const gmp = rules.kind === 'ClusterRules';
  const { alerts, promql } = expectations(c, gmp);
  return {
    'rules.yaml': { groups: rules.spec.groups },
    'tests.yaml': {
      rule_files: ['rules.yaml'],
      evaluation_interval: EVALUATION_INTERVAL,
      tests: [{ name: c.title, interval: SCRAPE_INTERVAL, input_series: inputSeries(c, objects), alert_rule_test: alerts, promql_expr_test: promql }],
    },
  };
}

maybe.each(CASES.map(c => [c.title, c] as const))('%s', (_title, c) => {
  const objects = objectsOf(c);
  const f = files(c, objects);

  test('promtool check rules accepts the rule file', () => {
    const r = runPromtool(['check', 'rules', 'rules.yaml'], f);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  test('promtool test rules: every alert and recording rule behaves as documented', () => {
    const r = runPromtool(['test', 'rules', 'tests.yaml'], f);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  test('the tests cover every alert (firing) and every recording rule', () => {
    const rules = f['rules.yaml'].groups.flatMap((g: any) => g.rules);
    const test0 = f['tests.yaml'].tests[0];
    const firing = new Set(test0.alert_rule_test.filter((t: any) => t.exp_alerts.length > 0).map((t: any) => t.alertname));
    const recorded = new Set(test0.promql_expr_test.map((t: any) => t.expr));
    expect(rules.filter((r: any) => r.alert && !firing.has(r.alert)).map((r: any) => r.alert)).toEqual([]);
    expect(rules.filter((r: any) => r.record && !recorded.has(r.record)).map((r: any) => r.record)).toEqual([]);
  });
});

maybe('the promtool tests fail when what they guard is undone', () => {
  const c = CASES[0];
  const run = (mutate: (objects: any[]) => void) => {
    const objects = objectsOf(c);
    mutate(objects);
    return runPromtool(['test', 'rules', 'tests.yaml'], files(c, objects));
  };
  test('the baseline passes', () => expect(run(() => undefined).status).toBe(0));

  test('without the labeldrop, GPUs no pod holds carry the exporter pod: GpuIdle fires for it and it costs money', () => {
    const r = run(objects => { delete find(objects, 'ServiceMonitor').spec.endpoints[0].relabelings; });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/alertname: GpuIdle[\s\S]*pod="gpu-dcgm-exporter-x7k2p"/);
    expect(r.output).toMatch(/expr: "namespace:gpu_cost_per_hour:usd"[\s\S]*namespace="gpu-monitoring"/);
  });

  test('without max_over_time, a busy sample between two evaluations does not reset GpuIdle', () => {
    const r = run(objects => {
      const idle = find(objects, 'PrometheusRule').spec.groups[1].rules.find((x: any) => x.alert === 'GpuIdle');
      idle.expr = 'max by (namespace, pod) (DCGM_FI_DEV_GPU_UTIL{pod!=""}) < 1';
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/alertname: GpuIdle, time: 1h1m[\s\S]*pod="burst-0"/);
  });

  test('without max by, a pod that two kube-state-metrics replicas export breaks the cost per owner', () => {
    const r = run(objects => {
      const owner = find(objects, 'PrometheusRule').spec.groups[0].rules.find((x: any) => x.record === 'namespace_owner:gpu_cost_per_hour:usd');
      owner.expr = owner.expr.replace('max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner)', 'kube_pod_owner');
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('found duplicate series for the match group');
  });

  test('without NODE_NAME, alerts name the exporter pod instead of the node', () => {
    const r = run(objects => {
      const container = find(objects, 'DaemonSet').spec.template.spec.containers[0];
      container.env = container.env.filter((e: any) => e.name !== 'NODE_NAME');
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Hostname="gpu-dcgm-exporter-x7k2p"');
  });
});
