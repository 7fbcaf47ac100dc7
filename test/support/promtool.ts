/**
 * Runs GpuMonitoring's rules in Prometheus's own rule tester (`promtool test rules`, Debian's `prometheus` package)
 * against series shaped the way Prometheus stores them after the scrape the library configures:
 *  - what dcgm-exporter exposes: one series per GPU, with `namespace`/`pod`/`container` only for a GPU the kubelet gave
 *    to a pod, and `Hostname` = `NODE_NAME` when the exporter has it, else the exporter pod's own name
 *    (dcgm-exporter internal/pkg/hostname/hostname.go, 4.5.3-4.8.2);
 *  - the target labels of the scrape and how Prometheus merges them into the series: prometheus-operator gives every
 *    ServiceMonitor target `namespace`, `service`, `pod`, `container`, `endpoint`, `job` and `instance`, then applies
 *    the ServiceMonitor's `relabelings` (prometheus-operator promcfg.go generateServiceMonitorConfig @v0.93.0);
 *    `honorLabels: true` keeps a series' own label and adds the target's only where the series has none, `false`
 *    renames the series' own to `exported_<name>` (Prometheus scrape.go mutateSampleLabels). GKE Managed Prometheus
 *    never honors: a PodMonitoring's target always has `namespace`, plus `pod` and `container` by default
 *    (`targetLabels.metadata`), so a GPU's workload labels arrive as `exported_*`.
 * The scrape of our own exporter is read from the synthesized ServiceMonitor / PodMonitoring and DaemonSet, so a
 * change there (dropping the `labeldrop`, or `NODE_NAME`) changes the series and the tests fail.
 * Research: /work/research/trainer-kueue-monitoring.md section D (confirmed by running Prometheus 2.42).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';

/** The promtool binary (Debian: /usr/bin/promtool from the `prometheus` package). */
export const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** Whether promtool runs here, and if not, why. */
export function promtoolProbe(): { ok: boolean; why: string } {
  const r = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true, why: (r.stdout || r.stderr).split('\n')[0] };
  return { ok: false, why: `${PROMTOOL} does not run (${String(r.error ?? r.stderr).trim().split('\n').pop()})` };
}

/**
 * `describe` where promtool runs, `describe.skip` elsewhere: a skip says so loudly, and under CI (which installs the
 * prometheus package) the missing promtool is a failing test. Call it at the top of a test file.
 */
export function describeWithPromtool(file: string): jest.Describe {
  const probe = promtoolProbe();
  if (probe.ok) return describe;
  if (process.env.CI) {
    test('promtool is installed (CI installs the prometheus package)', () => { throw new Error(`${probe.why}: CI must run apt-get install -y prometheus`); });
  } else {
    process.stderr.write(`\n\n*** [${file}] SKIPPED: ${probe.why}. Install it with: apt-get install -y prometheus ***\n\n`);
  }
  return describe.skip;
}

/** Writes `files` to a fresh temp dir, runs promtool there, and removes the dir (set KEEP_PROMTOOL_FILES=1 to keep it). */
export function runPromtool(args: string[], files: { [name: string]: unknown }): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : stringify(content, { lineWidth: 0 }));
    }
    const r = spawnSync(PROMTOOL, args, { cwd: dir, encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    if (process.env.KEEP_PROMTOOL_FILES !== '1') fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A label set. */
export type Labels = { [name: string]: string };

/** How one scrape target's labels land on its series. */
export interface Scrape {
  /** Target labels after relabeling. */
  readonly targetLabels: Labels;
  /** `honor_labels`. */
  readonly honorLabels: boolean;
}

/** The labels a series gets in Prometheus: the exposed ones merged with the target's (Prometheus mutateSampleLabels). */
export function stored(exposed: Labels, scrape: Scrape): Labels {
  const out: Labels = { ...exposed };
  for (const [name, value] of Object.entries(scrape.targetLabels)) {
    if (value === '') continue;
    if (scrape.honorLabels) {
      if (!(name in exposed)) out[name] = value;
    } else {
      if (name in exposed) out[`exported_${name}`] = exposed[name];
      out[name] = value;
    }
  }
  return out;
}

/** Applies relabel configs to target labels; only the actions the library emits are simulated. */
export function relabel(labels: Labels, configs: any[]): Labels {
  let out = { ...labels };
  for (const c of configs) {
    const action = String(c.action ?? 'replace').toLowerCase();
    if (action !== 'labeldrop') throw new Error(`relabeling action ${action} is not simulated`);
    const re = new RegExp(`^(?:${c.regex})$`); // Prometheus anchors relabel regexes at both ends
    out = Object.fromEntries(Object.entries(out).filter(([name]) => !re.test(name)));
  }
  return out;
}

/** One exporter pod: where it runs and what it is called. */
export interface ExporterPod {
  readonly node: string;
  readonly pod: string;
  readonly ip: string;
  /** @default 9400 */
  readonly port?: number;
}

/** The target labels prometheus-operator gives a ServiceMonitor's target, before the ServiceMonitor's `relabelings`. */
export function operatorTargetLabels(monitor: any, ep: ExporterPod, container: string): Labels {
  const service = monitor.spec.selector.matchLabels['app.kubernetes.io/instance'];
  return {
    instance: `${ep.ip}:${ep.port ?? 9400}`, job: service, namespace: monitor.metadata.namespace, service,
    endpoint: monitor.spec.endpoints[0].port, pod: ep.pod, container,
  };
}

/**
 * The scrape of the exporter pod `ep` as the synthesized monitor configures it: a prometheus-operator ServiceMonitor
 * (the operator's target labels, then its `relabelings`, then `honorLabels`) or a GMP PodMonitoring.
 */
export function exporterScrape(monitor: any, ep: ExporterPod, container: string): Scrape {
  if (monitor.kind === 'ServiceMonitor') {
    const endpoint = monitor.spec.endpoints[0];
    const targetLabels = relabel(operatorTargetLabels(monitor, ep, container), endpoint.relabelings ?? []);
    return { targetLabels, honorLabels: endpoint.honorLabels === true };
  }
  if (monitor.kind === 'PodMonitoring') return gmpScrape(monitor.metadata.namespace, monitor.metadata.name, ep, container, monitor.spec.targetLabels?.metadata);
  throw new Error(`unknown monitor kind ${monitor.kind}`);
}

/** A GMP (PodMonitoring / ClusterPodMonitoring) target: namespace and job always, pod metadata by `metadata`. */
export function gmpScrape(namespace: string, job: string, ep: ExporterPod, container: string,
  metadata: string[] = ['container', 'pod', 'top_level_controller_name', 'top_level_controller_type']): Scrape {
  const meta: Labels = { container, pod: ep.pod, node: ep.node, top_level_controller_name: job, top_level_controller_type: 'DaemonSet' };
  const targetLabels: Labels = { project_id: 'proj', location: 'us-central1', cluster: 'c', namespace, job, instance: `${ep.node}:9400` };
  for (const m of metadata) targetLabels[m] = meta[m];
  return { targetLabels, honorLabels: false };
}

/** A series for promtool: `name{labels}` and its values in expanding notation. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** `name{a="b",...}` with the labels sorted. */
export function seriesName(name: string, labels: Labels): string {
  const body = Object.keys(labels).sort().map(k => `${k}=${JSON.stringify(labels[k])}`).join(',');
  return `${name}{${body}}`;
}

/** A workload pod scraped by a PodMonitor / PodMonitoring (e.g. a vLLM server's `/metrics`). */
export interface WorkloadPod {
  readonly namespace: string;
  readonly pod: string;
  readonly ip: string;
  readonly container: string;
}

/**
 * The scrape of a workload pod by the synthesized `PodMonitor` (prometheus-operator: `namespace`, `container`, `pod`,
 * `endpoint` = the port's name, `job` = `<namespace>/<PodMonitor>`, `instance`; promcfg.go generatePodMonitorConfig
 * @v0.93.0) or `PodMonitoring` (GMP: `namespace`, `job`, `instance`, and `pod`, `container` by default).
 */
export function podMonitorScrape(monitor: any, p: WorkloadPod): Scrape {
  if (monitor.kind === 'PodMonitor') {
    const endpoint = monitor.spec.podMetricsEndpoints[0];
    return {
      targetLabels: {
        namespace: p.namespace, container: p.container, pod: p.pod, endpoint: endpoint.port,
        job: `${monitor.metadata.namespace}/${monitor.metadata.name}`, instance: `${p.ip}:8000`,
      },
      honorLabels: endpoint.honorLabels === true,
    };
  }
  if (monitor.kind === 'PodMonitoring') {
    return gmpScrape(p.namespace, monitor.metadata.name, { node: 'node-a', pod: p.pod, ip: p.ip }, p.container, monitor.spec.targetLabels?.metadata);
  }
  throw new Error(`unknown monitor kind ${monitor.kind}`);
}

/** The series a prometheus-adapter rule reads: the metric name its `seriesQuery` starts with. */
export function adapterSeries(rule: any): string {
  return /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(rule.seriesQuery)![1];
}

/** The name prometheus-adapter serves a series under: the rule's `name.matches` / `name.as` (Go's $1 syntax). */
export function adapterServedName(rule: any, series: string = adapterSeries(rule)): string {
  const m = new RegExp(rule.name.matches).exec(series);
  if (!m) return '';
  return rule.name.as.replace(/\$\{(\d+)\}|\$(\d+)/g, (_: string, a?: string, b?: string) => m[Number(a ?? b)] ?? '');
}

/** prometheus-adapter's rendering of a rule's metricsQuery for the pods of one namespace (pkg/naming metrics_query.go). */
export function adapterQuery(rule: any, namespace: string, pods: string[]): string {
  return rule.metricsQuery
    .replace('<<.Series>>', adapterSeries(rule))
    .replace('<<.LabelMatchers>>', `namespace=${JSON.stringify(namespace)},pod=~${JSON.stringify(pods.join('|'))}`)
    .replace('<<.GroupBy>>', 'pod');
}
