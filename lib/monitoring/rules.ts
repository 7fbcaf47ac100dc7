import { GpuMetric } from './gpu-metric';

/** Label names that carry the workload on DCGM / kube-state-metrics series (platform-dependent). @internal */
export interface _WorkloadLabels {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** One price line of the cost rules. @internal */
export interface _CostLine {
  readonly accelerator: string;
  readonly modelName: string;
  readonly onDemandPerHour: number;
  readonly spotPerHour: number;
  /** Whether the on-demand figure is an estimate (GpuPrice.onDemandIsEstimate). */
  readonly onDemandIsEstimate: boolean;
  /** Whether the spot figure is an estimate (GpuPrice.spotIsEstimate). */
  readonly spotIsEstimate: boolean;
  /** The price and its provenance in words (GpuPriceTable.describe). */
  readonly description: string;
}

/** Everything the rules depend on. @internal */
export interface _RuleSettings {
  readonly labels: _WorkloadLabels;
  readonly idlePercent: number;
  readonly idleSeconds: number;
  readonly lowPercent: number;
  readonly lowSeconds: number;
  readonly memoryPercent: number;
  readonly temperatureCelsius: number;
  readonly pendingSeconds: number;
  readonly costs: _CostLine[];
}

/** One Prometheus rule, as both PrometheusRule and GMP Rules spell it. @internal */
export interface _Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/** A rule group. @internal */
export interface _RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: _Rule[];
}

/** Seconds between rule evaluations; the dashboard turns `sum_over_time` of recorded $/h into dollars with it. @internal */
export const _RULE_INTERVAL_SECONDS = 30;

/**
 * The window in which GpuIdle looks for a busy sample: twice the rule interval, so every sample is seen by at least
 * one evaluation, also one scraped between two evaluations or appended late (a scrape commits after it started).
 * @internal
 */
export const _IDLE_WINDOW_SECONDS = 2 * _RULE_INTERVAL_SECONDS;

/** Renders seconds as a Prometheus duration (`1h`, `10m`, `90s`). @internal */
export function _promDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A PromQL string literal. @internal */
export function _promString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The nodes whose GPUs are shared (more `nvidia.com/gpu` units than physical GPUs), with their node name in `label`.
 * @internal
 */
export function _sharedNodes(label = 'node'): string {
  const ratio = `${GpuMetric.NODE_GPU_UNITS_PER_GPU.name} > 1`;
  return label === 'node' ? `(${ratio})` : `label_replace(${ratio}, "${label}", "$1", "node", "(.+)")`;
}

/** Renders a number for PromQL (no exponent, no trailing zeros). */
function num(value: number): string {
  return String(Number(value.toFixed(6)));
}

/**
 * The recording and alerting rules of GpuMonitoring. Every DCGM series with a pod label is a GPU allocated to that
 * pod (dcgm-exporter attributes a GPU only to the pod the device plugin gave it to), so "allocated" needs no join, and
 * a GPU no pod holds has no pod label (the scrape drops the exporter pod's own): the workload rules read only series
 * with a pod, the hardware alerts (XID, temperature) every GPU.
 * @internal
 */
export function _gpuRuleGroups(s: _RuleSettings): _RuleGroup[] {
  const { namespace: ns, pod } = s.labels;
  const byPod = `${ns}, ${pod}`;
  const who = `{{ $labels.${ns} }}/{{ $labels.${pod} }}`;
  const holder = `{{ if $labels.${pod} }}pod ${who}{{ else }}held by no pod{{ end }}`;
  // GPU sharing: a node whose nvidia.com/gpu units outnumber its physical GPUs shares them (time-sharing and MPS
  // clients, MIG slices). DCGM names one of a shared GPU's pods on its series (or none: MIG slices have no utilization),
  // so the workload rules read only GPUs of other nodes, and a shared pod's part comes from what it requested.
  const shared = _sharedNodes('Hostname');
  const util = `${GpuMetric.GPU_UTILIZATION.name}{${pod}!=""} unless on (Hostname) ${shared}`;
  // Idle: the busiest sample of the pod's GPUs in the last window is below the threshold.
  const idle = `max by (${byPod}) (max_over_time(${GpuMetric.GPU_UTILIZATION.name}{${pod}!=""}[${_promDuration(_IDLE_WINDOW_SECONDS)}]) unless on (Hostname) ${shared}) < ${num(s.idlePercent)}`;
  // A physical GPU is one DCGM device (a MIG slice's series carry GPU_I_PROFILE); the node label is its Hostname (the
  // exporter's NODE_NAME), the name kube-state-metrics gives the node.
  const physical = `count by (node, modelName) (label_replace(${GpuMetric.GPU_TEMPERATURE.name}{GPU_I_PROFILE=""}, "node", "$1", "Hostname", "(.+)"))`;
  const requested = `sum by (${byPod}, node) (${GpuMetric.KSM_CONTAINER_GPU_REQUESTS.name}{resource="nvidia_com_gpu"})`;
  const running = `(max by (${byPod}) (${GpuMetric.KSM_POD_STATUS_PHASE.name}{phase="Running"}) == 1)`;

  const recording: _Rule[] = [
    {
      record: GpuMetric.NODE_GPU_UNITS_PER_GPU.name,
      expr: `max by (node) (${GpuMetric.KSM_NODE_ALLOCATABLE.name}{resource="nvidia_com_gpu"}) / on (node) group_right () ${physical}`,
    },
    { record: GpuMetric.NAMESPACE_GPU_UTILIZATION.name, expr: `avg by (${ns}) (${util})` },
    { record: GpuMetric.POD_GPU_UTILIZATION.name, expr: `avg by (${byPod}) (${util})` },
    // The same per pod under the pod's own `namespace` and `pod` labels on every flavor: custom-metrics adapters find
    // a pod's series by those (ScalingMetric.gpuUtilization, issue 18).
    { record: GpuMetric.POD_GPU_UTILIZATION_FOR_AUTOSCALING.name, expr: `avg by (namespace, pod) (${_asOwnPodLabels(util, ns, pod)})` },
    { record: GpuMetric.POD_GPUS_ALLOCATED.name, expr: `count by (${byPod}, modelName) (${util})` },
    {
      record: GpuMetric.POD_GPU_SHARES_ALLOCATED.name,
      expr: `sum by (${byPod}, modelName) (${requested} * on (${byPod}) group_left () ${running} / on (node) group_left (modelName) ${_sharedNodes()})`,
    },
  ];
  // Whole GPUs at their price, shares at their fraction of it.
  const allocated = `{__name__=~"${GpuMetric.POD_GPUS_ALLOCATED.name}|${GpuMetric.POD_GPU_SHARES_ALLOCATED.name}"`;
  for (const c of s.costs) {
    // price_estimate: whether the figure is an estimate rather than a listed price (issue 19), on the series itself.
    for (const [capacity, price, estimate] of [['on-demand', c.onDemandPerHour, c.onDemandIsEstimate], ['spot', c.spotPerHour, c.spotIsEstimate]] as const) {
      recording.push({
        record: GpuMetric.POD_GPU_COST_PER_HOUR.name,
        expr: `sum by (${byPod}) (${allocated}, modelName=~${_promString(c.modelName)}}) * ${num(price)}`,
        labels: { accelerator: c.accelerator, capacity_type: capacity, price_estimate: String(estimate) },
      });
    }
  }
  if (s.costs.length > 0) {
    recording.push(
      {
        record: GpuMetric.OWNER_GPU_COST_PER_HOUR.name,
        // max by: one owner series per pod even when several kube-state-metrics replicas export it.
        expr: `sum by (${ns}, owner_kind, owner_name, accelerator, capacity_type) (${GpuMetric.POD_GPU_COST_PER_HOUR.name} * on (${byPod}) group_left (owner_kind, owner_name) max by (${byPod}, owner_kind, owner_name) (${GpuMetric.KSM_POD_OWNER.name}))`,
      },
      {
        record: GpuMetric.NAMESPACE_GPU_COST_PER_HOUR.name,
        expr: `sum by (${ns}, accelerator, capacity_type) (${GpuMetric.POD_GPU_COST_PER_HOUR.name})`,
      },
    );
  }

  const gpuWhere = `GPU {{ $labels.gpu }} on {{ $labels.Hostname }}`;
  const alerts: _Rule[] = [
    {
      alert: 'GpuIdle',
      expr: idle,
      for: _promDuration(s.idleSeconds),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPUs allocated but idle',
        description: `Pod ${who} holds GPUs whose utilization stayed below ${num(s.idlePercent)}% in every sample for ${_promDuration(s.idleSeconds)}: release them or fix the job.`,
      },
    },
    {
      alert: 'GpuLowUtilization',
      expr: `(avg by (${byPod}) (${util}) < ${num(s.lowPercent)}) unless on (${byPod}) (${idle})`,
      for: _promDuration(s.lowSeconds),
      labels: { severity: 'info' },
      annotations: {
        summary: 'GPU utilization is low',
        description: `Pod ${who} used its GPUs at {{ $value | humanize }}% on average (below ${num(s.lowPercent)}%) for ${_promDuration(s.lowSeconds)}: look for data-loading or CPU bottlenecks, or use fewer or smaller GPUs.`,
      },
    },
    {
      alert: 'GpuMemoryHigh',
      expr: `max by (${byPod}, Hostname, gpu) (${GpuMetric.FRAMEBUFFER_USED.name}{${pod}!=""} / (${GpuMetric.FRAMEBUFFER_USED.name}{${pod}!=""} + ${GpuMetric.FRAMEBUFFER_FREE.name}{${pod}!=""}) * 100) > ${num(s.memoryPercent)}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPU memory almost full',
        description: `Pod ${who} uses {{ $value | humanize }}% of the framebuffer memory of ${gpuWhere} (threshold ${num(s.memoryPercent)}%): an out-of-memory error is near.`,
      },
    },
    {
      alert: 'GpuXidError',
      expr: `max by (${byPod}, Hostname, gpu) (${GpuMetric.XID_ERRORS.name}) > 0`,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'GPU reported an XID error',
        description: `${gpuWhere} (${holder}) reported XID error {{ $value }}: see NVIDIA's XID catalog; the GPU or node may need a reset.`,
      },
    },
    {
      alert: 'GpuTemperatureHigh',
      expr: `max by (${byPod}, Hostname, gpu) (${GpuMetric.GPU_TEMPERATURE.name}) > ${num(s.temperatureCelsius)}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'GPU temperature high',
        description: `${gpuWhere} (${holder}) is at {{ $value }} °C (threshold ${num(s.temperatureCelsius)} °C): it will throttle.`,
      },
    },
    {
      alert: 'GpuPodPending',
      expr: `sum by (${byPod}) (${GpuMetric.KSM_CONTAINER_GPU_REQUESTS.name}{resource="nvidia_com_gpu"}) * on (${byPod}) (max by (${byPod}) (${GpuMetric.KSM_POD_STATUS_PHASE.name}{phase="Pending"}) == 1) > 0`,
      for: _promDuration(s.pendingSeconds),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Pod waits for GPUs',
        description: `Pod ${who} requesting {{ $value }} GPUs has been Pending for ${_promDuration(s.pendingSeconds)}: check GPU quota, node pool limits and the accelerator it selects.`,
      },
    },
  ];
  return [
    { name: 'gpu-ml.recording', interval: _promDuration(_RULE_INTERVAL_SECONDS), rules: recording },
    { name: 'gpu-ml.alerts', interval: _promDuration(_RULE_INTERVAL_SECONDS), rules: alerts },
  ];
}

/** A selector's series with the workload's labels renamed to `namespace` and `pod` (a no-op where they are those). */
function _asOwnPodLabels(selector: string, ns: string, pod: string): string {
  let out = selector;
  if (ns !== 'namespace') out = `label_replace(${out}, "namespace", "$1", "${ns}", "(.+)")`;
  if (pod !== 'pod') out = `label_replace(${out}, "pod", "$1", "${pod}", "(.+)")`;
  return out;
}
