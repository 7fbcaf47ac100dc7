/**
 * PromQL checks for everything GpuMonitoring emits: an expression is valid iff the lezer-promql parse tree has no
 * error node, and every metric it names must be one the DCGM exporter or kube-state-metrics exports, or a recording
 * rule the library defines.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { GpuMetric, MetricSource } from '../../lib';

/** dcgm-exporter default-counters.csv (NVIDIA/dcgm-exporter @d5e5f51, see platform-facts §6). */
export const DCGM_DEFAULT_COUNTERS = [
  'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_MEM_CLOCK', 'DCGM_FI_DEV_MEMORY_TEMP', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL',
  'DCGM_FI_DEV_ENC_UTIL', 'DCGM_FI_DEV_DEC_UTIL', 'DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_RESERVED', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
  'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  'DCGM_FI_DRIVER_VERSION', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE',
  'DCGM_FI_PROF_PCIE_TX_BYTES', 'DCGM_FI_PROF_PCIE_RX_BYTES',
];
/** kube-state-metrics series the library reads (all in KSM's default pod and node collectors). */
export const KSM_METRICS = ['kube_pod_container_resource_requests', 'kube_pod_status_phase', 'kube_pod_owner', 'kube_node_status_allocatable'];

/** Every metric name an emitted expression may use. */
export function knownMetrics(): Set<string> {
  const recording = Object.values(GpuMetric)
    .filter((m): m is GpuMetric => m instanceof GpuMetric && m.source === MetricSource.RECORDING_RULE).map(m => m.name);
  return new Set([...DCGM_DEFAULT_COUNTERS, ...KSM_METRICS, ...recording]);
}

/** Replaces Grafana's variables with sample values so a panel query is plain PromQL. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$__range_s\b/g, '3600').replace(/\$__range\b/g, '1h').replace(/\$__rate_interval\b/g, '1m');
}

/** Problems of one expression: parse errors (with position) and unknown metrics. Empty when valid. */
export function promqlProblems(expr: string, known: Set<string> = knownMetrics()): string[] {
  const problems: string[] = [];
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  tree.iterate({
    enter: node => {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
    },
  });
  if (tree.length !== expr.length) problems.push('parse did not cover the whole expression');
  metrics.push(...namesMatched(expr));
  for (const m of metrics) if (!known.has(m)) problems.push(`unknown metric ${m}`);
  if (metrics.length === 0 && problems.length === 0) problems.push('names no metric');
  return problems;
}

/** Metric names listed by a `{__name__=~"a|b"}` matcher (a selector of several metrics at once). */
function namesMatched(expr: string): string[] {
  return [...expr.matchAll(/__name__=~?"([^"]*)"/g)].flatMap(m => m[1].split('|'));
}

/** The metric names an expression reads. */
export function metricsOf(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({
    enter: node => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') out.push(expr.slice(node.from, node.to));
    },
  });
  return [...out, ...namesMatched(expr)];
}
