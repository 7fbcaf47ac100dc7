/**
 * GPU sharing in GpuMonitoring's rules, run by `promtool test rules` (see test/promtool.test.ts for the scrape model):
 * a T4 time-shared by 4 whose series DCGM gives to one of its two pods, an A100 cut into seven 1g.5gb MIG slices whose
 * parent series shows 0 % for its pod (DCGM has no utilization of MIG slices), and a whole T4. The shared pods cost their
 * fraction of the GPU, are not counted as whole GPUs, and never fire GpuIdle for a GPU that is not theirs alone.
 */
import { Accelerator, GpuMonitoring, GpuPriceTable, Platform, PrometheusFlavor } from '../lib';
import {
  ExporterPod, InputSeries, Labels, Scrape, exporterScrape, gmpScrape, describeWithPromtool, runPromtool, seriesName, stored,
} from './support/promtool';
import { chartFor, synth } from './support/synth';

const maybe = describeWithPromtool('sharing-monitoring');

const LONG = 'x400';
const PRICES = GpuPriceTable.of([
  { accelerator: Accelerator.T4, onDemandPerHour: 1, spotPerHour: 0.4 },
  // 7 and 3.5: a seventh of each is exact in floating point.
  { accelerator: Accelerator.A100_40GB, onDemandPerHour: 7, spotPerHour: 3.5 },
]);

interface Pod { readonly ns: string; readonly pod: string; readonly node?: string; readonly units: number; readonly phase: string }
const PODS: Pod[] = [
  { ns: 'dev', pod: 'ts-0', node: 'node-ts', units: 1, phase: 'Running' },
  { ns: 'dev', pod: 'ts-1', node: 'node-ts', units: 1, phase: 'Running' },
  { ns: 'dev', pod: 'ts-2', units: 1, phase: 'Pending' },
  { ns: 'ml', pod: 'mig-0', node: 'node-mig', units: 1, phase: 'Running' },
  { ns: 'ml', pod: 'whole-0', node: 'node-x', units: 1, phase: 'Running' },
];
/** One physical GPU per node; DCGM's series of each names one pod (the shared T4: the last of its clients it saw). */
const GPUS = [
  { node: 'node-ts', model: Accelerator.T4, units: 4, holder: PODS[1], util: 50 },
  { node: 'node-mig', model: Accelerator.A100_40GB, units: 7, holder: PODS[3], util: 0 },
  { node: 'node-x', model: Accelerator.T4, units: 1, holder: PODS[4], util: 0 },
];

function scenario(gmp: boolean) {
  const platform = gmp ? Platform.gkeStandard({ prometheus: PrometheusFlavor.GKE_MANAGED }) : Platform.karpenter();
  const chart = chartFor(platform);
  new GpuMonitoring(chart, 'mon', { platform, name: 'gpu', accelerators: [Accelerator.T4, Accelerator.A100_40GB], prices: PRICES });
  const objects = synth(chart, platform);
  const rules = objects.find(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules');
  const ds = objects.find(o => o.kind === 'DaemonSet');
  const monitor = objects.find(o => (o.kind === 'ServiceMonitor' || o.kind === 'PodMonitoring') && o.metadata.name === ds.metadata.name);
  const w = gmp ? { ns: 'exported_namespace', pod: 'exported_pod' } : { ns: 'namespace', pod: 'pod' };
  const ksmEp: ExporterPod = { node: 'node-k', pod: 'kube-state-metrics-1', ip: '10.0.9.9' };
  const ksm: Scrape = gmp ? gmpScrape('gke-managed-cim', 'kube-state-metrics', ksmEp, 'kube-state-metrics')
    : { honorLabels: true, targetLabels: { namespace: 'monitoring', pod: ksmEp.pod, container: 'kube-state-metrics', job: 'kube-state-metrics', instance: '10.0.9.9:8080' } };

  const input: InputSeries[] = [];
  GPUS.forEach((g, i) => {
    const ep: ExporterPod = { node: g.node, pod: `${ds.metadata.name}-p${i}`, ip: `10.0.${i}.5` };
    const scrape = exporterScrape(monitor, ep, ds.spec.template.spec.containers[0].name);
    const exposed: Labels = {
      gpu: '0', UUID: `GPU-${g.node}`, device: 'nvidia0', modelName: g.model.dcgmModelName!.replace('.*', ' '), Hostname: g.node,
      namespace: g.holder.ns, pod: g.holder.pod, container: 'main',
    };
    const labels = stored(exposed, scrape);
    input.push(
      { series: seriesName('DCGM_FI_DEV_GPU_UTIL', labels), values: `${g.util}${LONG}` },
      { series: seriesName('DCGM_FI_DEV_GPU_TEMP', labels), values: `50${LONG}` },
      { series: seriesName('kube_node_status_allocatable', stored({ node: g.node, resource: 'nvidia_com_gpu', unit: 'integer' }, ksm)), values: `${g.units}${LONG}` },
    );
    if (g.units === 7) {
      // A MIG slice's own series: DCGM reports it per GPU instance, with its profile.
      input.push({ series: seriesName('DCGM_FI_DEV_FB_USED', stored({ ...exposed, GPU_I_PROFILE: '1g.5gb', GPU_I_ID: '7' }, scrape)), values: `2000${LONG}` });
      input.push({ series: seriesName('DCGM_FI_DEV_GPU_TEMP', stored({ ...exposed, GPU_I_PROFILE: '1g.5gb', GPU_I_ID: '7' }, scrape)), values: `50${LONG}` });
    }
  });
  for (const p of PODS) {
    const req: Labels = { namespace: p.ns, pod: p.pod, container: 'main', resource: 'nvidia_com_gpu', unit: 'integer', ...(p.node ? { node: p.node } : {}) };
    input.push({ series: seriesName('kube_pod_container_resource_requests', stored(req, ksm)), values: `${p.units}${LONG}` });
    for (const phase of ['Pending', 'Running']) {
      input.push({ series: seriesName('kube_pod_status_phase', stored({ namespace: p.ns, pod: p.pod, uid: `u-${p.pod}`, phase }, ksm)), values: `${phase === p.phase ? 1 : 0}${LONG}` });
    }
  }

  const at = (p: Pod) => ({ [w.ns]: p.ns, [w.pod]: p.pod });
  const t4 = Accelerator.T4.dcgmModelName!;
  const a100 = Accelerator.A100_40GB.dcgmModelName!.replace('.*', ' ');
  const exp = (name: string, samples: [Labels, number][]) => ({ expr: name, eval_time: '5m', exp_samples: samples.map(([l, value]) => ({ labels: seriesName(name, l), value })) });
  const cost = (p: Pod, acc: Accelerator, onDemand: number, spot: number): [Labels, number][] => [
    [{ ...at(p), accelerator: acc.name, capacity_type: 'on-demand', price_estimate: 'false' }, onDemand],
    [{ ...at(p), accelerator: acc.name, capacity_type: 'spot', price_estimate: 'false' }, spot],
  ];
  const promql = [
    exp('node:gpu_units_per_gpu:ratio', [[{ node: 'node-ts', modelName: t4 }, 4], [{ node: 'node-mig', modelName: a100 }, 7], [{ node: 'node-x', modelName: t4 }, 1]]),
    // Whole GPUs: only the exclusive T4; the shared T4 and the MIG GPU are nobody's alone.
    exp('namespace_pod:dcgm_gpus_allocated:count', [[{ ...at(PODS[4]), modelName: t4 }, 1]]),
    // Shares: what each running pod requested over its node's units per GPU; the Pending one holds nothing.
    exp('namespace_pod:gpu_shares_allocated:sum', [
      [{ ...at(PODS[0]), modelName: t4 }, 0.25], [{ ...at(PODS[1]), modelName: t4 }, 0.25], [{ ...at(PODS[3]), modelName: a100 }, 1 / 7],
    ]),
    exp('namespace_pod:gpu_cost_per_hour:usd', [
      ...cost(PODS[0], Accelerator.T4, 0.25, 0.1), ...cost(PODS[1], Accelerator.T4, 0.25, 0.1),
      ...cost(PODS[3], Accelerator.A100_40GB, 1, 0.5), ...cost(PODS[4], Accelerator.T4, 1, 0.4),
    ]),
    exp('namespace:gpu_cost_per_hour:usd', [
      [{ [w.ns]: 'dev', accelerator: 'T4', capacity_type: 'on-demand' }, 0.5], [{ [w.ns]: 'dev', accelerator: 'T4', capacity_type: 'spot' }, 0.2],
      [{ [w.ns]: 'ml', accelerator: 'T4', capacity_type: 'on-demand' }, 1], [{ [w.ns]: 'ml', accelerator: 'T4', capacity_type: 'spot' }, 0.4],
      [{ [w.ns]: 'ml', accelerator: 'A100 40GB', capacity_type: 'on-demand' }, 1], [{ [w.ns]: 'ml', accelerator: 'A100 40GB', capacity_type: 'spot' }, 0.5],
    ]),
    exp('namespace_pod:dcgm_gpu_utilization:avg', [[at(PODS[4]), 0]]),
  ];
  // GpuIdle: the whole idle T4's pod only; not the MIG pod (0 % is DCGM's missing MIG utilization), not ts-1 (the shared
  // T4's utilization is all its clients').
  const alerts = [{
    eval_time: '61m', alertname: 'GpuIdle', exp_alerts: [{
      exp_labels: { severity: 'warning', ...at(PODS[4]) },
      exp_annotations: { summary: 'GPUs allocated but idle', description: 'Pod ml/whole-0 holds GPUs whose utilization stayed below 1% in every sample for 1h: release them or fix the job.' },
    }],
  }];
  return {
    'rules.yaml': { groups: rules.spec.groups },
    'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '30s', tests: [{ interval: '15s', input_series: input, promql_expr_test: promql, alert_rule_test: alerts }] },
  };
}

maybe.each([['prometheus-operator', false], ['GKE Managed Prometheus', true]] as const)('GPU sharing in the rules (%s)', (_name, gmp) => {
  test('shared pods cost their fraction, are no whole GPUs and raise no GpuIdle', () => {
    const r = runPromtool(['test', 'rules', 'tests.yaml'], scenario(gmp));
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  test('the test can fail: without the shared-node exclusion the shared T4 counts as ts-1\'s whole GPU', () => {
    const files = scenario(gmp);
    for (const g of files['rules.yaml'].groups) {
      for (const rule of g.rules) rule.expr = rule.expr.replace(/ unless on \(Hostname\) label_replace\(node:gpu_units_per_gpu:ratio > 1, "Hostname", "\$1", "node", "\(\.\+\)"\)/g, '');
    }
    const r = runPromtool(['test', 'rules', 'tests.yaml'], files);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/ts-1/);
  });
});
