/**
 * vLLM autoscaling that resolves on first apply, on every platform (issue 16 item 4, the design of issue 18 item 3).
 *
 * `autoscaling` makes the HPA read vLLM's gauges `vllm:num_requests_waiting` and `vllm:kv_cache_usage_perc` of the
 * serving pods (one-node servers; a LeaderWorkerSet's leaders, which its scale subresource gives the HPA), as scraped by
 * GpuMonitoring's `scrapeTargets: [server.scrapeTarget]` (PodMonitor / PodMonitoring: the scrape adds the pod's own
 * `namespace` and `pod`). The name is the one the platform's adapter serves:
 *  - prometheus-operator: the raw name, served by prometheus-adapter with the rules GpuMonitoring writes to
 *    `extras/<cluster>.prometheus-adapter-values.yml`, which renders `<reduce> by (pod) (<series>{namespace="<ns>",
 *    pod=~"<pod>|<pod>"})` (prometheus-adapter pkg/naming, @v0.12.0);
 *  - GKE Managed Prometheus: `prometheus.googleapis.com|<name>|gauge`, read by the Custom Metrics Stackdriver Adapter
 *    with `resource.labels.namespace = <ns>` and `metric.labels.pod = <pod>` (filter_builder.go), adding up the series
 *    of a pod (response_translator.go): the PromQL `sum by (pod) (<name>{namespace="<ns>",pod=~"<pods>"})`.
 * Prometheus's rule tester (`promtool test rules`) evaluates that query on vLLM series shaped by the emitted scrape: it
 * must return the HPA's pods' values and nothing of the other pods (a server whose name starts the same, a pod of the
 * same name in another namespace).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, ClusterAddon, GpuMonitoring, LlmModel, Platform, PrometheusFlavor, VllmDeployment, VllmLeaderWorkerSet, VllmServer,
} from '../lib';
import { Labels, podMonitorScrape, describeWithPromtool, adapterQuery, adapterServedName, runPromtool, seriesName, stored } from './support/promtool';
import { chartFor, find, printedWarnings, synth, synthError } from './support/synth';
import { DIST, distObjects } from './support/dist';

const maybe = describeWithPromtool('vllm-autoscaling');

const token = { secretName: 'huggingface', key: 'token' };
const WAITING = 'vllm:num_requests_waiting';
const KV = 'vllm:kv_cache_usage_perc';

interface Case { readonly title: string; readonly platform: Platform; readonly lws: boolean; readonly gmp: boolean }
const CASES: Case[] = [
  { title: 'Karpenter, LeaderWorkerSet: prometheus-operator, prometheus-adapter', platform: Platform.karpenter(), lws: true, gmp: false },
  { title: 'GKE Standard: prometheus-operator, prometheus-adapter', platform: Platform.gkeStandard(), lws: false, gmp: false },
  { title: 'plain Kubernetes: prometheus-operator, prometheus-adapter', platform: Platform.kubernetes(), lws: false, gmp: false },
  {
    title: 'GKE Standard, LeaderWorkerSet: Managed Prometheus, Custom Metrics Stackdriver Adapter',
    platform: Platform.gkeStandard({ prometheus: PrometheusFlavor.GKE_MANAGED }), lws: true, gmp: true,
  },
  { title: 'GKE Autopilot: Managed Prometheus, Custom Metrics Stackdriver Adapter', platform: Platform.gkeAutopilot(), lws: false, gmp: true },
];

const autoscaling = { maxReplicas: 4, waitingRequestsPerReplica: 5, kvCacheUsagePercent: 80 };

function server(chart: Chart, c: Case): VllmServer {
  return c.lws
    ? new VllmLeaderWorkerSet(chart, 'llm', {
      platform: c.platform, name: 'llm', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, huggingFaceToken: token,
      accelerator: c.platform.id === 'karpenter' ? Accelerator.A10G : Accelerator.L4, gpus: 8, nodes: 2, maxContextLength: 8192, autoscaling,
    })
    : new VllmDeployment(chart, 'llm', {
      platform: c.platform, name: 'llm', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, huggingFaceToken: token,
      accelerator: Accelerator.L4, maxContextLength: 8192, autoscaling,
    });
}

/** The app of a case: the autoscaled server and GpuMonitoring scraping it; its objects and extra files. */
function build(c: Case): { objects: any[]; extras: { [name: string]: string } } {
  const app = Testing.app();
  const chart = new Chart(app, c.platform.id, { namespace: 'ml', disableResourceNameHashes: true });
  const s = server(chart, c);
  new GpuMonitoring(chart, 'mon', { platform: c.platform, name: 'gpu', scrapeTargets: [s.scrapeTarget] });
  const objects = synth(chart, c.platform);
  const dir = path.join(app.outdir, 'extras');
  const extras = fs.existsSync(dir) ? Object.fromEntries(fs.readdirSync(dir).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')])) : {};
  return { objects, extras };
}

/** The serving pods' template: the Deployment's, or the LeaderWorkerSet's leaders'. */
function servingTemplate(objects: any[], hpa: any): any {
  const target = find(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
  return target.kind === 'LeaderWorkerSet' ? target.spec.leaderWorkerTemplate.leaderTemplate : target.spec.template;
}

/** The HPA's pods (a Deployment's or a LeaderWorkerSet's leaders), and the others that must not count. */
function podsOf(c: Case) {
  const [a, b, canary] = c.lws ? ['llm-0', 'llm-1', 'llm-canary-0'] : ['llm-7d9f8b6c4-x2k9p', 'llm-7d9f8b6c4-q7r4t', 'llm-canary-5c8d7b9f4-b4n2m'];
  return {
    mine: [{ namespace: 'ml', pod: a, waiting: 7, kv: 0.5 }, { namespace: 'ml', pod: b, waiting: 2, kv: 0.25 }],
    // Another server whose name starts like ours, and a pod of the same name in another namespace.
    others: [{ namespace: 'ml', pod: canary, waiting: 40, kv: 0.99 }, { namespace: 'team-a', pod: a, waiting: 30, kv: 0.9 }],
  };
}

/** The query the flavor's adapter runs for an HPA metric name and the HPA's pods (undefined: nothing serves it). */
function resolve(c: Case, extras: { [name: string]: string }, name: string, pods: string[]): string | undefined {
  const selector = `{namespace="ml",pod=~${JSON.stringify(pods.join('|'))}}`;
  if (c.gmp) {
    const m = /^prometheus\.googleapis\.com\|(.+)\|gauge$/.exec(name);
    return m ? `sum by (pod) (${m[1]}${selector})` : undefined;
  }
  const file = Object.entries(extras).find(([f]) => f.endsWith('.prometheus-adapter-values.yml'))?.[1];
  const rules = (parse(file ?? '{}')?.rules?.custom ?? []).filter((r: any) => adapterServedName(r) === name);
  return rules.length === 1 ? adapterQuery(rules[0], 'ml', pods) : undefined;
}

/** vLLM's two gauges of every pod (one engine), as Prometheus stores them after the emitted scrape. */
function vllmSeries(c: Case, monitor: any): Array<{ series: string; values: string }> {
  const { mine, others } = podsOf(c);
  return [...mine, ...others].flatMap((p, i) => {
    const scrape = podMonitorScrape(monitor, { namespace: p.namespace, pod: p.pod, ip: `10.0.0.${i + 1}`, container: 'vllm' });
    const exposed: Labels = { model_name: 'meta-llama/Llama-3.1-8B-Instruct', engine: '0' };
    return [
      { series: seriesName(WAITING, stored(exposed, scrape)), values: `${p.waiting}x40` },
      { series: seriesName(KV, stored(exposed, scrape)), values: `${p.kv}x40` },
    ];
  });
}

function promtool(c: Case, monitor: any, tests: any[]) {
  return runPromtool(['test', 'rules', 'tests.yaml'], {
    'rules.yaml': { groups: [] },
    'tests.yaml': {
      rule_files: ['rules.yaml'], evaluation_interval: '30s',
      tests: [{ interval: '15s', input_series: vllmSeries(c, monitor), promql_expr_test: tests }],
    },
  });
}

describe.each(CASES.map(c => [c.title, c] as const))('%s', (_title, c) => {
  const built = build(c);
  const hpa = find(built.objects, 'HorizontalPodAutoscaler');
  const names: string[] = hpa.spec.metrics.map((m: any) => m.pods.metric.name);
  // The scrape of server.scrapeTarget (GKE Standard's DCGM exporter has a PodMonitoring of its own).
  const monitor = find(built.objects, c.gmp ? 'PodMonitoring' : 'PodMonitor', 'llm-vllm');
  const pods = podsOf(c).mine.map(p => p.pod);

  test('the HPA names vLLM\'s gauges as the platform\'s adapter serves them', () => {
    expect(names).toEqual(c.gmp ? [`prometheus.googleapis.com|${WAITING}|gauge`, `prometheus.googleapis.com|${KV}|gauge`] : [WAITING, KV]);
    expect(hpa.spec.metrics.map((m: any) => m.pods.target)).toEqual([{ type: 'AverageValue', averageValue: '5' }, { type: 'AverageValue', averageValue: '800m' }]);
  });

  test(c.gmp ? 'no adapter rules (the Stackdriver adapter serves every Cloud Monitoring metric)' : 'the values file has one rule serving each name, asking for the HPA\'s pods only', () => {
    expect(Object.keys(built.extras).filter(f => f.includes('prometheus-adapter'))).toEqual(c.gmp ? [] : ['default.prometheus-adapter-values.yml']);
    expect(names.map(n => resolve(c, built.extras, n, pods))).toEqual([
      `sum by (pod) (${WAITING}{namespace="ml",pod=~"${pods.join('|')}"})`,
      `${c.gmp ? 'sum' : 'max'} by (pod) (${KV}{namespace="ml",pod=~"${pods.join('|')}"})`,
    ]);
  });

  test('GpuMonitoring scrapes the serving pods\' /metrics on their http port (and no worker)', () => {
    const template = servingTemplate(built.objects, hpa);
    expect(monitor.metadata.namespace).toBe('ml');
    const selects = (labels: { [k: string]: string }) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => labels[k] === v);
    expect(selects(template.metadata.labels)).toBe(true);
    const endpoint = c.gmp ? monitor.spec.endpoints[0] : monitor.spec.podMetricsEndpoints[0];
    expect({ port: endpoint.port, path: endpoint.path }).toEqual({ port: 'http', path: '/metrics' });
    expect(template.spec.containers[0].ports).toContainEqual({ name: 'http', containerPort: 8000, protocol: 'TCP' });
    if (c.lws) expect(selects(find(built.objects, 'LeaderWorkerSet').spec.leaderWorkerTemplate.workerTemplate.metadata.labels)).toBe(false);
  });

  (maybe === describe ? test : test.skip)('promtool: the adapter\'s query returns the HPA\'s pods\' values and nothing of the other pods', () => {
    const { mine } = podsOf(c);
    const res = promtool(c, monitor, [
      { expr: resolve(c, built.extras, names[0], pods), eval_time: '2m', exp_samples: mine.map(p => ({ labels: `{pod=${JSON.stringify(p.pod)}}`, value: p.waiting })) },
      { expr: resolve(c, built.extras, names[1], pods), eval_time: '2m', exp_samples: mine.map(p => ({ labels: `{pod=${JSON.stringify(p.pod)}}`, value: p.kv })) },
    ]);
    expect({ status: res.status, output: res.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});

maybe('the promtool check can fail', () => {
  test('a query without the namespace matcher would count the namesake pod of team-a', () => {
    const c = CASES[0];
    const built = build(c);
    const monitor = find(built.objects, 'PodMonitor');
    const pods = podsOf(c).mine.map(p => p.pod);
    const res = promtool(c, monitor, [{
      expr: resolve(c, built.extras, WAITING, pods)!.replace('namespace="ml",', ''), eval_time: '2m',
      exp_samples: [{ labels: '{pod="llm-0"}', value: 7 }, { labels: '{pod="llm-1"}', value: 2 }],
    }]);
    expect(res.status).not.toBe(0);
    expect(res.output).toContain('llm-0');
  });
  test('the series the scrape stores carry the pod the adapter asks for: without the scrape\'s pod label, nothing is selected', () => {
    const c = CASES[1];
    const built = build(c);
    const monitor = find(built.objects, 'PodMonitor');
    const pods = podsOf(c).mine.map(p => p.pod);
    const res = promtool(c, monitor, [{ expr: resolve(c, built.extras, WAITING, pods)!.replace('pod=~', 'exported_pod=~'), eval_time: '2m', exp_samples: [] }]);
    expect(res.status).toBe(0);
  });
});

describe('what the cluster needs: the adapter of the platform\'s Prometheus flavor', () => {
  const deploy = (platform: Platform) => (chart: Chart) => new VllmDeployment(chart, 'llm', {
    platform, name: 'llm', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, huggingFaceToken: token, accelerator: Accelerator.L4, maxContextLength: 8192,
    autoscaling: { maxReplicas: 2 },
  });
  test.each([
    ['GKE Standard (prometheus-operator) without prometheus-adapter', Platform.gkeStandard({ addons: [ClusterAddon.PROMETHEUS_OPERATOR] }),
      '[gke-standard/llm] platform.addons=[prometheus-operator] is invalid: an autoscaler on vLLM\'s metrics (the custom metrics API) needs prometheus-adapter (custom.metrics.k8s.io), which GKE Standard does not list; install it and add ClusterAddon.PROMETHEUS_ADAPTER to the platform\'s addons, or choose a construct that does not need it'],
    ['GKE Autopilot (Managed Prometheus) with prometheus-adapter only', Platform.gkeAutopilot({ addons: [ClusterAddon.PROMETHEUS_ADAPTER] }),
      '[gke-autopilot/llm] platform.addons=[prometheus-adapter] is invalid: an autoscaler on vLLM\'s metrics (the custom metrics API) needs the Custom Metrics Stackdriver Adapter (custom.metrics.k8s.io from Cloud Monitoring), which GKE Autopilot does not list; install it and add ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER to the platform\'s addons, or choose a construct that does not need it'],
  ] as const)('%s: refused, naming the add-on', (_t, platform, message) => {
    expect(synthError(deploy(platform), platform)).toContain(message);
  });
  test.each([
    ['GKE Autopilot with the Stackdriver adapter', Platform.gkeAutopilot({ addons: [ClusterAddon.CUSTOM_METRICS_STACKDRIVER_ADAPTER] })],
    ['Karpenter with prometheus-adapter', Platform.karpenter({ addons: [ClusterAddon.PROMETHEUS_ADAPTER] })],
  ] as const)('%s: accepted', (_t, platform) => {
    const chart = chartFor(platform);
    deploy(platform)(chart);
    expect(find(synth(chart, platform), 'HorizontalPodAutoscaler')).toBeDefined();
  });
});

describe('synth warns when nothing scrapes the serving pods (the HPA would get no metric)', () => {
  function warnings(platform: Platform, build2: (chart: Chart) => void): string[] {
    const chart = chartFor(platform);
    build2(chart);
    return printedWarnings(() => synth(chart, platform));
  }
  const karpenter = Platform.karpenter();
  const autopilot = Platform.gkeAutopilot();
  const lws = (chart: Chart, scaled = true) => new VllmLeaderWorkerSet(chart, 'llm', {
    platform: karpenter, name: 'llm', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, huggingFaceToken: token, accelerator: Accelerator.A10G, gpus: 8, nodes: 2,
    cpu: 32, memory: Size.gibibytes(128), maxContextLength: 8192,
    ...(scaled ? { autoscaling: { maxReplicas: 2, kvCacheUsagePercent: 80 } } : { replicas: 1 }),
  });
  const l4 = (chart: Chart) => new VllmDeployment(chart, 'llm', {
    platform: autopilot, name: 'llm', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, huggingFaceToken: token, accelerator: Accelerator.L4, maxContextLength: 8192,
    autoscaling: { maxReplicas: 2 },
  });
  const monitoring = (chart: Chart, platform: Platform, scrapeTargets?: any[]) =>
    new GpuMonitoring(chart, 'mon', { platform, name: 'gpu', scrapeTargets });
  const NOT_SCRAPED = '[WARNING] [karpenter/llm] autoscaling reads vllm:num_requests_waiting and vllm:kv_cache_usage_perc of the serving pods, and GpuMonitoring [karpenter/mon] does not scrape them (none of its scrapeTargets selects labels {"app.kubernetes.io/instance":"llm","gpu-ml.cdk8s.io/role":"leader"} in namespace "ml" on port "http", path "/metrics"): the HPA gets no metric until it does (add server.scrapeTarget to its scrapeTargets)';

  test.each([
    ['Karpenter, no GpuMonitoring of the cluster', karpenter, (chart: Chart) => {
      lws(chart);
      monitoring(chart, Platform.karpenter({ cluster: 'other' }));
    }, ['[WARNING] [karpenter/llm] autoscaling reads vllm:num_requests_waiting and vllm:kv_cache_usage_perc of the serving pods, and no GpuMonitoring monitors cluster "default" in this app: the HPA gets no metric until something scrapes them (add a GpuMonitoring for this platform with scrapeTargets: [server.scrapeTarget], which also writes the prometheus-adapter rules that serve them, or scrape the pods and serve the metrics yourself)']],
    ['GKE Autopilot, no GpuMonitoring', autopilot, (chart: Chart) => { l4(chart); },
      ['[WARNING] [gke-autopilot/llm] autoscaling reads vllm:num_requests_waiting of the serving pods, and no GpuMonitoring monitors cluster "default" in this app: the HPA gets no metric until something scrapes them (add a GpuMonitoring for this platform with scrapeTargets: [server.scrapeTarget], or scrape the pods and serve the metrics yourself)']],
    ['GpuMonitoring without scrape targets', karpenter, (chart: Chart) => { lws(chart); monitoring(chart, karpenter); }, [NOT_SCRAPED]],
    ['a scrape target selecting the workers only', karpenter, (chart: Chart) => {
      lws(chart);
      monitoring(chart, karpenter, [{ name: 'w', matchLabels: { 'app.kubernetes.io/instance': 'llm', [VllmLeaderWorkerSet.ROLE_LABEL]: 'worker' }, port: 'http' }]);
    }, [NOT_SCRAPED]],
    ['a scrape target on another port', karpenter, (chart: Chart) => {
      const s = lws(chart);
      monitoring(chart, karpenter, [{ ...s.scrapeTarget, port: 'metrics' }]);
    }, [NOT_SCRAPED]],
    ['a scrape target of another namespace', karpenter, (chart: Chart) => {
      const s = lws(chart);
      new GpuMonitoring(chart, 'mon', { platform: karpenter, name: 'gpu', namespace: 'monitoring', scrapeTargets: [s.scrapeTarget] });
    }, [NOT_SCRAPED]],
    ['server.scrapeTarget', karpenter, (chart: Chart) => { const s = lws(chart); monitoring(chart, karpenter, [s.scrapeTarget]); }, []],
    ['a hand-written target on the instance label (the leaders carry it)', karpenter, (chart: Chart) => {
      lws(chart);
      monitoring(chart, karpenter, [{ name: 'llm-vllm', matchLabels: { 'app.kubernetes.io/instance': 'llm' }, port: 'http' }]);
    }, []],
    ['a server without autoscaling', karpenter, (chart: Chart) => { lws(chart, false); }, []],
  ] as const)('%s', (_t, platform, build2, expected) => {
    expect(warnings(platform, build2)).toEqual(expected);
  });
});

describe('the example app (dist/): every vLLM autoscaler comes with what resolves its metrics', () => {
  const charts = ['gke-autopilot', 'gke-standard', 'karpenter', 'kubernetes'];
  const scaled: string[] = [];
  test.each(charts)('%s', chart => {
    const objects = distObjects(chart);
    const values = path.join(DIST, 'extras', `${chart}.prometheus-adapter-values.yml`);
    for (const hpa of objects.filter(o => o.kind === 'HorizontalPodAutoscaler')) {
      const names: string[] = hpa.spec.metrics.filter((m: any) => m.type === 'Pods').map((m: any) => m.pods.metric.name).filter((n: string) => n.includes('vllm:'));
      if (!names.length) continue;
      scaled.push(`${chart}/${hpa.metadata.name}`);
      const labels = servingTemplate(objects, hpa).metadata.labels;
      const monitors = objects.filter(o => (o.kind === 'PodMonitor' || o.kind === 'PodMonitoring') && o.metadata.namespace === hpa.metadata.namespace
        && Object.entries(o.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
      expect(monitors.map(m => m.kind)).toEqual([chart === 'gke-autopilot' ? 'PodMonitoring' : 'PodMonitor']);
      for (const name of names) {
        if (chart === 'gke-autopilot') {
          expect(name).toMatch(/^prometheus\.googleapis\.com\|vllm:[a-z_]+\|gauge$/);
        } else {
          expect(parse(fs.readFileSync(values, 'utf8')).rules.custom.filter((r: any) => adapterServedName(r) === name)).toHaveLength(1);
        }
      }
    }
  });
  test('the example app has vLLM autoscalers on GMP and on prometheus-adapter', () => {
    expect(scaled.sort()).toEqual(['gke-autopilot/llama-8b', 'karpenter/llama-70b']);
  });
});
