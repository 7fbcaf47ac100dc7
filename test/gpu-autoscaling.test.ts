/**
 * GPU-utilization autoscaling that resolves on first apply, on every platform (issue 18 item 3).
 *
 * `ScalingMetric.gpuUtilization` makes the HPA read GpuMonitoring's recording rule `pod:dcgm_gpu_utilization:avg`
 * (each pod's mean over its GPUs, labelled with the pod's own `namespace` and `pod` on every Prometheus flavor). The
 * custom-metrics adapter then asks for the HPA's pods only:
 *  - prometheus-operator: prometheus-adapter with the rule GpuMonitoring writes to
 *    `extras/<cluster>.prometheus-adapter-values.yml`
 *    renders `max by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})` with `namespace="<ns>",pod=~"<pod>|<pod>"` and
 *    groups by `pod` (prometheus-adapter pkg/naming, @v0.12.0);
 *  - GKE Managed Prometheus: the Custom Metrics Stackdriver Adapter reads `prometheus.googleapis.com/<name>/gauge` with
 *    `resource.labels.namespace = <ns>` and `metric.labels.pod = <pod>` (its filter_builder.go): the series' `namespace`
 *    and `pod` labels, i.e. the PromQL selector `<name>{namespace="<ns>",pod=~"<pods>"}`.
 * Prometheus's own rule tester (`promtool test rules`) evaluates the emitted recording rule on DCGM series shaped by
 * the emitted scrape (test/support/promtool.ts), then the adapter's query: it must return the HPA's pods' utilization
 * and nothing of the other pods (a Deployment whose name starts the same, a pod of the same name in another namespace,
 * GPUs no pod holds).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, ClusterAddon, GpuMonitoring, InferenceDeployment, Platform, PrometheusFlavor, ScalingMetric,
} from '../lib';
import { ExporterPod, Labels, Scrape, exporterScrape, gmpScrape, describeWithPromtool, adapterQuery, adapterServedName, runPromtool, seriesName, stored } from './support/promtool';
import { chartFor, find, printedWarnings, synth, synthError } from './support/synth';
import { DIST, distObjects } from './support/dist';

const maybe = describeWithPromtool('gpu-autoscaling');

interface Case { readonly title: string; readonly platform: Platform; readonly accelerator?: Accelerator }
const CASES: Case[] = [
  { title: 'Karpenter: prometheus-operator, prometheus-adapter', platform: Platform.karpenter(), accelerator: Accelerator.A10G },
  { title: 'GKE Standard: prometheus-operator, prometheus-adapter', platform: Platform.gkeStandard(), accelerator: Accelerator.T4 },
  { title: 'plain Kubernetes: prometheus-operator, prometheus-adapter', platform: Platform.kubernetes() },
  {
    title: 'GKE Standard: Managed Prometheus, Custom Metrics Stackdriver Adapter', platform: Platform.gkeStandard({ prometheus: PrometheusFlavor.GKE_MANAGED }),
    accelerator: Accelerator.L4,
  },
  { title: 'GKE Autopilot: Managed Prometheus (GKE\'s DCGM), Custom Metrics Stackdriver Adapter', platform: Platform.gkeAutopilot(), accelerator: Accelerator.L4 },
];

/** The app of a case: GpuMonitoring and an InferenceDeployment scaling on GPU utilization; its objects and extra files. */
function build(c: Case): { objects: any[]; extras: { [name: string]: string }; outdir: string } {
  const app = Testing.app();
  const chart = new Chart(app, c.platform.id, { namespace: 'ml', disableResourceNameHashes: true });
  new GpuMonitoring(chart, 'mon', { platform: c.platform, name: 'gpu' });
  new InferenceDeployment(chart, 'vllm', {
    platform: c.platform, name: 'vllm', image: 'vllm/vllm-openai:v0.6.3', accelerator: c.accelerator, maxReplicas: 4,
    scalingMetrics: [ScalingMetric.gpuUtilization(70)],
  });
  const objects = synth(chart, c.platform);
  const dir = path.join(app.outdir, 'extras');
  const extras = fs.existsSync(dir) ? Object.fromEntries(fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')])) : {};
  return { objects, extras, outdir: app.outdir };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const gmpOf = (c: Case) => c.platform.prometheus === PrometheusFlavor.GKE_MANAGED;

/** The HPA's pods (the Deployment's), and the others that must not count. */
function podsOf(deployment: string) {
  return {
    mine: [
      { namespace: 'ml', pod: `${deployment}-7d9f8b6c4-x2k9p`, gpus: [80, 40] },
      { namespace: 'ml', pod: `${deployment}-7d9f8b6c4-q7r4t`, gpus: [20] },
    ],
    others: [
      // Another Deployment whose name starts like ours, and a pod of the same name in another namespace.
      { namespace: 'ml', pod: `${deployment}-canary-5c8d7b9f4-b4n2m`, gpus: [99] },
      { namespace: 'team-a', pod: `${deployment}-7d9f8b6c4-x2k9p`, gpus: [95] },
    ],
  };
}

/** How the exporter on a node is scraped: our DaemonSet's monitor, or GKE's managed DCGM ClusterPodMonitoring. */
function scrapeOf(objects: any[], node: string): Scrape {
  const ds = objects.find(o => o.kind === 'DaemonSet');
  const ep: ExporterPod = { node, pod: ds ? `${ds.metadata.name}-${node === 'node-a' ? 'x7k2p' : 'q9r4d'}` : `dcgm-exporter-${node}`, ip: node === 'node-a' ? '10.0.1.5' : '10.0.2.5' };
  if (!ds) return gmpScrape('gke-managed-system', 'dcgm-exporter', ep, 'dcgm-exporter');
  const monitor = objects.find(o => (o.kind === 'ServiceMonitor' || o.kind === 'PodMonitoring') && o.metadata.name === ds.metadata.name);
  return exporterScrape(monitor, ep, ds.spec.template.spec.containers[0].name);
}

/** DCGM_FI_DEV_GPU_UTIL of every GPU: the HPA's pods, the others, and one GPU no pod holds, as Prometheus stores them. */
function dcgmSeries(objects: any[], deployment: string): Array<{ series: string; values: string }> {
  const { mine, others } = podsOf(deployment);
  const out: Array<{ series: string; values: string }> = [];
  let gpu = 0;
  const node = (i: number) => (i % 2 === 0 ? 'node-a' : 'node-b');
  for (const p of [...mine, ...others]) {
    for (const util of p.gpus) {
      const n = node(gpu);
      const exposed: Labels = { gpu: String(gpu), UUID: `GPU-${gpu}`, modelName: 'NVIDIA A10G', Hostname: n, namespace: p.namespace, pod: p.pod, container: 'server' };
      out.push({ series: seriesName('DCGM_FI_DEV_GPU_UTIL', stored(exposed, scrapeOf(objects, n))), values: `${util}x40` });
      gpu++;
    }
  }
  const exposed: Labels = { gpu: String(gpu), UUID: `GPU-${gpu}`, modelName: 'NVIDIA A10G', Hostname: 'node-a' };
  out.push({ series: seriesName('DCGM_FI_DEV_GPU_UTIL', stored(exposed, scrapeOf(objects, 'node-a'))), values: '0x40' });
  return out;
}

/** What the HPA's metric resolves to: the query the adapter runs for the HPA's pods, and the series it reads. */
function resolution(c: Case, built: ReturnType<typeof build>) {
  const hpa = find(built.objects, 'HorizontalPodAutoscaler');
  const name: string = hpa.spec.metrics[0].pods.metric.name;
  const rules = built.objects.find(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules');
  const recorded: string[] = rules.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.record).map((r: any) => r.record);
  const deployment = find(built.objects, 'Deployment').metadata.name;
  const pods = podsOf(deployment).mine.map(p => p.pod);
  if (gmpOf(c)) {
    const m = /^prometheus\.googleapis\.com\|(.+)\|gauge$/.exec(name);
    return { name, series: m?.[1], recorded, rules, query: `${m?.[1]}{namespace="ml",pod=~${JSON.stringify(pods.join('|'))}}`, groupedByPod: false };
  }
  const file = Object.entries(built.extras).find(([f]) => f.endsWith('.prometheus-adapter-values.yml'));
  const rule = (parse(file?.[1] ?? '{}')?.rules?.custom ?? []).find((r: any) => adapterServedName(r) === name);
  const series = rule ? /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(rule.seriesQuery)![1] : undefined;
  return { name, series, recorded, rules, query: rule ? adapterQuery(rule, 'ml', pods) : undefined, seriesQuery: rule?.seriesQuery, groupedByPod: true };
}

describe.each(CASES.map(c => [c.title, c] as const))('%s', (_title, c) => {
  const built = build(c);
  const r = resolution(c, built);

  test('the HPA names the metric as the platform\'s adapter serves it, and GpuMonitoring records that series', () => {
    expect(r.name).toBe(gmpOf(c) ? 'prometheus.googleapis.com|pod:dcgm_gpu_utilization:avg|gauge' : 'pod:dcgm_gpu_utilization:avg');
    expect(r.series).toBe('pod:dcgm_gpu_utilization:avg');
    expect(r.recorded).toContain(r.series);
    expect(find(built.objects, 'HorizontalPodAutoscaler').spec.metrics[0].pods.target).toEqual({ type: 'AverageValue', averageValue: '70' });
  });

  test(gmpOf(c) ? 'no adapter rules are needed (the Stackdriver adapter serves every Cloud Monitoring metric)' : 'the adapter rule is written beside the manifests', () => {
    const files = Object.keys(built.extras).filter(f => f.includes('prometheus-adapter'));
    expect(files).toEqual(gmpOf(c) ? [] : ['default.prometheus-adapter-values.yml']);
    if (!gmpOf(c)) expect(r.query).toBe('max by (pod) (pod:dcgm_gpu_utilization:avg{namespace="ml",pod=~"vllm-7d9f8b6c4-x2k9p|vllm-7d9f8b6c4-q7r4t"})');
  });

  (maybe === describe ? test : test.skip)('promtool: the adapter\'s query returns the HPA\'s pods\' utilization and nothing of the other pods', () => {
    const deployment = find(built.objects, 'Deployment').metadata.name;
    const { mine } = podsOf(deployment);
    const expected = mine.map(p => ({
      labels: r.groupedByPod ? `{pod=${JSON.stringify(p.pod)}}` : seriesName(r.series!, { namespace: p.namespace, pod: p.pod }),
      value: mean(p.gpus),
    }));
    const tests: any[] = [{ expr: r.query, eval_time: '2m', exp_samples: expected }];
    // prometheus-adapter discovers the series with its seriesQuery: every pod's, the HPA's among them.
    if (r.seriesQuery) {
      const all = [...mine, ...podsOf(deployment).others];
      tests.push({
        expr: r.seriesQuery, eval_time: '2m',
        exp_samples: all.map(p => ({ labels: seriesName(r.series!, { namespace: p.namespace, pod: p.pod }), value: mean(p.gpus) })),
      });
    }
    const res = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups: r.rules.spec.groups },
      'tests.yaml': {
        rule_files: ['rules.yaml'], evaluation_interval: '30s',
        tests: [{ interval: '15s', input_series: dcgmSeries(built.objects, deployment), promql_expr_test: tests }],
      },
    });
    expect({ status: res.status, output: res.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});

maybe('the promtool check can fail', () => {
  test('on GKE Managed Prometheus, the raw DCGM series under the HPA\'s pod names select nothing (why the rule renames exported_pod)', () => {
    const c = CASES[4];
    const built = build(c);
    const r = resolution(c, built);
    const res = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups: r.rules.spec.groups },
      'tests.yaml': {
        rule_files: ['rules.yaml'], evaluation_interval: '30s',
        tests: [{
          interval: '15s', input_series: dcgmSeries(built.objects, 'vllm'),
          promql_expr_test: [{ expr: r.query!.replace('pod:dcgm_gpu_utilization:avg', 'DCGM_FI_DEV_GPU_UTIL'), eval_time: '2m', exp_samples: [] }],
        }],
      },
    });
    expect(res.status).toBe(0);
  });
  test('a query without the namespace matcher would count the namesake pod of team-a', () => {
    const c = CASES[0];
    const r = resolution(c, build(c));
    const res = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups: r.rules.spec.groups },
      'tests.yaml': {
        rule_files: ['rules.yaml'], evaluation_interval: '30s',
        tests: [{
          interval: '15s', input_series: dcgmSeries(build(c).objects, 'vllm'),
          promql_expr_test: [{ expr: r.query!.replace('namespace="ml",', ''), eval_time: '2m', exp_samples: [{ labels: '{pod="vllm-7d9f8b6c4-x2k9p"}', value: 60 }, { labels: '{pod="vllm-7d9f8b6c4-q7r4t"}', value: 20 }] }],
        }],
      },
    });
    expect(res.status).not.toBe(0);
    expect(res.output).toContain('vllm-7d9f8b6c4-x2k9p');
  });
});

describe('what the cluster needs', () => {
  const image = 'vllm/vllm-openai:v0.6.3';
  test('a platform whose add-ons lack the flavor\'s adapter refuses the autoscaler, naming the add-on', () => {
    const karpenter = Platform.karpenter({ addons: [ClusterAddon.PROMETHEUS_OPERATOR] });
    expect(synthError(chart => new InferenceDeployment(chart, 'vllm', {
      platform: karpenter, image, accelerator: Accelerator.A10G, maxReplicas: 4, scalingMetrics: [ScalingMetric.gpuUtilization(70)],
    }), karpenter)).toContain('[karpenter/vllm] platform.addons=[prometheus-operator] is invalid: an autoscaler on GPU utilization (ScalingMetric.gpuUtilization) needs prometheus-adapter (custom.metrics.k8s.io), which Karpenter (EKS) does not list; install it and add ClusterAddon.PROMETHEUS_ADAPTER to the platform\'s addons, or choose a construct that does not need it');
    const autopilot = Platform.gkeAutopilot({ addons: [] });
    expect(synthError(chart => new InferenceDeployment(chart, 'vllm', {
      platform: autopilot, image, accelerator: Accelerator.L4, maxReplicas: 4, scalingMetrics: [ScalingMetric.gpuUtilization(70)],
    }), autopilot)).toContain('needs the Custom Metrics Stackdriver Adapter (custom.metrics.k8s.io from Cloud Monitoring), which GKE Autopilot does not list; install it and add ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER');
  });

  function warnings(build2: (chart: Chart) => void): string[] {
    const chart = chartFor(Platform.karpenter());
    build2(chart);
    return printedWarnings(() => synth(chart));
  }
  const server = (chart: Chart, platform: Platform) => new InferenceDeployment(chart, 'vllm', {
    platform, image, accelerator: Accelerator.A10G, maxReplicas: 4, memory: Size.gibibytes(14), cpu: 3,
    scalingMetrics: [ScalingMetric.gpuUtilization(70)],
  });

  test('without a GpuMonitoring of its cluster, synth warns that the HPA gets no metric', () => {
    expect(warnings(chart => {
      server(chart, Platform.karpenter());
      new GpuMonitoring(chart, 'mon', { platform: Platform.karpenter({ cluster: 'other' }), name: 'gpu', accelerators: [Accelerator.A10G] });
    })).toEqual([
      '[WARNING] [karpenter/vllm] scalingMetrics[0]=pod:dcgm_gpu_utilization:avg 70% reads GpuMonitoring\'s recording rule pod:dcgm_gpu_utilization:avg, and no GpuMonitoring monitors cluster "default" in this app: the HPA gets no metric until one does (add a GpuMonitoring for this platform, or record the series in rules of your own)',
    ]);
  });
  test('with one, no warning', () => {
    expect(warnings(chart => {
      server(chart, Platform.karpenter());
      new GpuMonitoring(chart, 'mon', { platform: Platform.karpenter(), name: 'gpu', accelerators: [Accelerator.A10G] });
    })).toEqual([]);
  });
});

describe('the example app (dist/): every platform\'s GPU-utilization autoscaler comes with what resolves its metric', () => {
  const charts = ['gke-autopilot', 'gke-standard', 'karpenter', 'kubernetes'];
  test.each(charts)('%s', chart => {
    const objects = distObjects(chart);
    const names = objects.filter(o => o.kind === 'HorizontalPodAutoscaler')
      .flatMap(h => h.spec.metrics.filter((m: any) => m.type === 'Pods').map((m: any) => m.pods.metric.name as string))
      .filter(n => n.includes('dcgm_gpu_utilization'));
    expect(names.length).toBeGreaterThan(0);
    const recorded = objects.filter(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules')
      .flatMap(o => o.spec.groups.flatMap((g: any) => g.rules)).map((r: any) => r.record).filter(Boolean);
    const values = path.join(DIST, 'extras', `${chart}.prometheus-adapter-values.yml`);
    for (const name of names) {
      const gmp = /^prometheus\.googleapis\.com\|(.+)\|gauge$/.exec(name);
      if (gmp) {
        expect(recorded).toContain(gmp[1]);
      } else {
        const rules = parse(fs.readFileSync(values, 'utf8')).rules.custom;
        const serving = rules.filter((r: any) => adapterServedName(r) === name);
        expect(serving).toHaveLength(1);
        expect(recorded).toContain(name);
      }
    }
  });
});
