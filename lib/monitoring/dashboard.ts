import { GpuMetric } from './gpu-metric';
import { _CostLine, _RULE_INTERVAL_SECONDS, _WorkloadLabels, _sharedNodes } from './rules';

/**
 * What the cost panels say about their prices, from the price lines in use: a title suffix naming the estimated figures
 * (e.g. `spot estimated for T4, L4`), and a description with every price and its source.
 */
function costNotes(costs: _CostLine[]): { suffix: string; description: string } {
  const onDemand = costs.filter(c => c.onDemandIsEstimate).map(c => c.accelerator);
  const spot = costs.filter(c => c.spotIsEstimate).map(c => c.accelerator);
  const estimated = [
    ...(onDemand.length ? [`on-demand estimated for ${onDemand.join(', ')}`] : []),
    ...(spot.length ? [`spot estimated for ${spot.join(', ')}`] : []),
  ];
  const lines = costs.map(c => `- ${c.accelerator}: ${c.description}`);
  return {
    suffix: estimated.length ? `; ${estimated.join('; ')}` : '',
    description: costs.length === 0 ? '' : `USD per GPU-hour, from the GpuPriceTable of GpuMonitoring${estimated.length ? ` (estimates: ${estimated.join('; ')})` : ''}:\n${lines.join('\n')}`,
  };
}

/**
 * The Grafana dashboard of GpuMonitoring (schema of Grafana 10+): utilization, memory, temperature, power, XID errors
 * and cost, filterable by namespace, pod and GPU. Queries use Grafana variables (`$namespace`, `$__range`...). The cost
 * panels name the prices that are estimates, and describe every price with its source.
 * @internal
 */
export function _gpuDashboard(title: string, uid: string, labels: _WorkloadLabels, costs: _CostLine[] = []): any {
  const notes = costNotes(costs);
  const { namespace: ns, pod } = labels;
  const sel = `${ns}=~"$namespace", ${pod}=~"$pod", gpu=~"$gpu"`;
  const podSel = `${ns}=~"$namespace", ${pod}=~"$pod"`;
  const hours = `${_RULE_INTERVAL_SECONDS} / 3600`;
  // Whole GPUs as DCGM attributes them, and the fractions pods on shared nodes hold (GPU sharing).
  const allocated = `{__name__=~"${GpuMetric.POD_GPUS_ALLOCATED.name}|${GpuMetric.POD_GPU_SHARES_ALLOCATED.name}", ${podSel}}`;
  const panels: { title: string; unit: string; expr: string; legend: string; type?: string; description?: string }[] = [
    { title: 'GPU utilization', unit: 'percent', expr: `avg by (${ns}, ${pod}, gpu) (${GpuMetric.GPU_UTILIZATION.name}{${sel}})`, legend: `{{${ns}}}/{{${pod}}} gpu {{gpu}}` },
    {
      title: 'GPU framebuffer memory used',
      unit: 'percent',
      expr: `max by (${ns}, ${pod}, gpu) (${GpuMetric.FRAMEBUFFER_USED.name}{${sel}} / (${GpuMetric.FRAMEBUFFER_USED.name}{${sel}} + ${GpuMetric.FRAMEBUFFER_FREE.name}{${sel}}) * 100)`,
      legend: `{{${ns}}}/{{${pod}}} gpu {{gpu}}`,
    },
    { title: 'GPU temperature', unit: 'celsius', expr: `max by (Hostname, gpu) (${GpuMetric.GPU_TEMPERATURE.name}{${sel}})`, legend: '{{Hostname}} gpu {{gpu}}' },
    { title: 'GPU power draw', unit: 'watt', expr: `sum by (Hostname, gpu) (${GpuMetric.POWER_USAGE.name}{${sel}})`, legend: '{{Hostname}} gpu {{gpu}}' },
    { title: 'XID errors (last code)', unit: 'none', expr: `max by (Hostname, gpu, ${pod}) (${GpuMetric.XID_ERRORS.name}{${sel}})`, legend: `{{Hostname}} gpu {{gpu}} {{${pod}}}` },
    { title: 'GPUs allocated per namespace (shared GPUs at their fraction)', unit: 'none', expr: `sum by (${ns}) (${allocated})`, legend: `{{${ns}}}` },
    {
      title: `GPU cost per hour (USD${notes.suffix})`,
      description: notes.description,
      unit: 'currencyUSD',
      expr: `sum by (${ns}, accelerator) (${GpuMetric.NAMESPACE_GPU_COST_PER_HOUR.name}{${ns}=~"$namespace", capacity_type="$capacity_type"})`,
      legend: `{{${ns}}} {{accelerator}}`,
    },
    {
      title: `GPU cost over the time range, per owner (USD${notes.suffix})`,
      description: notes.description,
      unit: 'currencyUSD',
      type: 'table',
      expr: `sum by (${ns}, owner_kind, owner_name) (sum_over_time(${GpuMetric.OWNER_GPU_COST_PER_HOUR.name}{${ns}=~"$namespace", capacity_type="$capacity_type"}[$__range])) * ${hours}`,
      legend: `{{${ns}}} {{owner_kind}}/{{owner_name}}`,
    },
    {
      title: 'GPU-hours over the time range, per namespace',
      unit: 'h',
      type: 'table',
      expr: `sum by (${ns}) (sum_over_time(${allocated}[$__range])) * ${hours}`,
      legend: `{{${ns}}}`,
    },
    {
      // DCGM cannot tell a time-shared GPU's clients apart: the GPU's utilization is all of them together.
      title: 'Shared GPUs: utilization of each GPU, all its clients together',
      unit: 'percent',
      expr: `avg by (Hostname, gpu) (${GpuMetric.GPU_UTILIZATION.name}{gpu=~"$gpu"} and on (Hostname) ${_sharedNodes('Hostname')})`,
      legend: '{{Hostname}} gpu {{gpu}}',
    },
    {
      title: 'Shared GPUs: the fraction of a GPU each pod holds',
      unit: 'none',
      type: 'table',
      expr: `sum by (${ns}, ${pod}, modelName) (${GpuMetric.POD_GPU_SHARES_ALLOCATED.name}{${podSel}})`,
      legend: `{{${ns}}}/{{${pod}}} {{modelName}}`,
    },
  ];
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const queryVar = (name: string, label: string, query: string) => ({
    name, label, type: 'query', datasource, query: { query, refId: `${name}-var` }, definition: query,
    includeAll: true, multi: true, allValue: '.*', refresh: 2, sort: 1, current: { text: 'All', value: '$__all' },
  });
  const util = GpuMetric.GPU_UTILIZATION.name;
  return {
    uid,
    title,
    tags: ['gpu', 'dcgm', 'cdk8s-gpu-ml'],
    timezone: 'browser',
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {} },
        queryVar('namespace', 'Namespace', `label_values(${util}{${pod}!=""}, ${ns})`),
        queryVar('pod', 'Pod', `label_values(${util}{${ns}=~"$namespace", ${pod}!=""}, ${pod})`),
        queryVar('gpu', 'GPU', `label_values(${util}, gpu)`),
        {
          name: 'capacity_type', label: 'Price', type: 'custom', query: 'on-demand,spot',
          options: [{ text: 'on-demand', value: 'on-demand', selected: true }, { text: 'spot', value: 'spot', selected: false }],
          current: { text: 'on-demand', value: 'on-demand' },
        },
      ],
    },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: p.type ?? 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: [{ refId: 'A', datasource, expr: p.expr, legendFormat: p.legend, ...(p.type === 'table' ? { instant: true, format: 'table' } : {}) }],
    })),
  };
}
