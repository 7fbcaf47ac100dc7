import { Duration } from 'cdk8s';
import { _Problems, _durationSeconds } from '../validation';
import { _RULE_INTERVAL_SECONDS, _RuleGroup, _promDuration } from './rules';
import { VllmMetric } from './vllm-metric';

/**
 * Recording and alert rules on the metrics of vLLM servers (time to first token, queue depth, KV cache), added to
 * `GpuMonitoring`'s rules. The servers' `/metrics` must be scraped: give `GpuMonitoring` each server's `scrapeTarget`.
 */
export interface LlmRulesOptions {
  /**
   * 95th-percentile time to first token (seconds) above which `LlmTimeToFirstTokenHigh` fires.
   * @default 2
   */
  readonly timeToFirstTokenSeconds?: number;
  /**
   * Requests waiting for one model (all its servers in a namespace) above which `LlmQueueDepthHigh` fires.
   * @default 10
   */
  readonly waitingRequests?: number;
  /**
   * KV-cache usage (percent) of one server above which `LlmKvCacheFull` fires.
   * @default 95
   */
  readonly kvCacheUsagePercent?: number;
  /**
   * How long a condition must hold before its alert fires.
   * @default Duration.minutes(10)
   */
  readonly for?: Duration;
}

/** Validated LLM rule settings. @internal */
export interface _LlmRuleSettings {
  readonly ttftSeconds: number;
  readonly waiting: number;
  readonly kvPercent: number;
  readonly forSeconds: number;
}

/** Checks the ranges of the options (their types are checked with GpuMonitoring's props) under the prop name `llmRules`. @internal */
export function _llmRuleSettings(p: _Problems, o: LlmRulesOptions): _LlmRuleSettings {
  const positive = (prop: string, value: number | undefined, dflt: number, max: number): number => {
    if (value === undefined) return dflt;
    if (!Number.isFinite(value) || value <= 0 || value > max) {
      p.error(`llmRules.${prop}`, value, `must be a number above 0 and at most ${max}`);
      return dflt;
    }
    return value;
  };
  return {
    ttftSeconds: positive('timeToFirstTokenSeconds', o.timeToFirstTokenSeconds, 2, 3600),
    waiting: positive('waitingRequests', o.waitingRequests, 10, 1_000_000),
    kvPercent: positive('kvCacheUsagePercent', o.kvCacheUsagePercent, 95, 100),
    forSeconds: _durationSeconds(p, 'llmRules.for', o.for) ?? 600,
  };
}

/** Renders a number for PromQL (no exponent, no trailing zeros). */
function num(value: number): string {
  return String(Number(value.toFixed(6)));
}

/**
 * The LLM rule groups. vLLM series carry `model_name` (the served name); the scrape adds `namespace` and `pod` (a
 * PodMonitor and GKE's PodMonitoring both do), so the rules group by those.
 * @internal
 */
export function _llmRuleGroups(s: _LlmRuleSettings): _RuleGroup[] {
  const by = 'namespace, model_name';
  const quantile = (m: VllmMetric) => `histogram_quantile(0.95, sum by (${by}, le) (rate(${m.name}_bucket[5m])))`;
  const who = '{{ $labels.namespace }}/{{ $labels.model_name }}';
  const interval = _promDuration(_RULE_INTERVAL_SECONDS);
  const forText = _promDuration(s.forSeconds);
  return [
    {
      name: 'gpu-ml.llm.recording',
      interval,
      rules: [
        { record: VllmMetric.MODEL_TIME_TO_FIRST_TOKEN_P95.name, expr: quantile(VllmMetric.TIME_TO_FIRST_TOKEN) },
        { record: VllmMetric.MODEL_INTER_TOKEN_LATENCY_P95.name, expr: quantile(VllmMetric.INTER_TOKEN_LATENCY) },
        { record: VllmMetric.MODEL_REQUESTS_WAITING.name, expr: `sum by (${by}) (${VllmMetric.NUM_REQUESTS_WAITING.name})` },
        { record: VllmMetric.MODEL_KV_CACHE_USAGE_MAX.name, expr: `max by (${by}) (${VllmMetric.KV_CACHE_USAGE.name})` },
        { record: VllmMetric.MODEL_GENERATION_TOKENS_RATE.name, expr: `sum by (${by}) (rate(${VllmMetric.GENERATION_TOKENS.name}[5m]))` },
      ],
    },
    {
      name: 'gpu-ml.llm.alerts',
      interval,
      rules: [
        {
          alert: 'LlmTimeToFirstTokenHigh',
          expr: `${VllmMetric.MODEL_TIME_TO_FIRST_TOKEN_P95.name} > ${num(s.ttftSeconds)}`,
          for: forText,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'LLM time to first token is high',
            description: `95% of the requests to ${who} got their first token within {{ $value | humanizeDuration }} (threshold ${num(s.ttftSeconds)}s) for ${forText}: the servers are saturated or prefill is slow; add replicas or shorten prompts.`,
          },
        },
        {
          alert: 'LlmQueueDepthHigh',
          expr: `${VllmMetric.MODEL_REQUESTS_WAITING.name} > ${num(s.waiting)}`,
          for: forText,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Requests queue up at the LLM servers',
            description: `{{ $value }} requests wait for ${who} (threshold ${num(s.waiting)}) for ${forText}: add replicas or let the autoscaler scale further.`,
          },
        },
        {
          alert: 'LlmKvCacheFull',
          expr: `max by (namespace, pod, model_name) (${VllmMetric.KV_CACHE_USAGE.name}) * 100 > ${num(s.kvPercent)}`,
          for: forText,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'LLM server KV cache almost full',
            description: `Server {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.model_name }}) uses {{ $value | humanize }}% of its KV cache (threshold ${num(s.kvPercent)}%) for ${forText}: requests wait or are preempted; add replicas, GPUs or shorten the context.`,
          },
        },
        {
          alert: 'LlmRequestsPreempted',
          expr: `sum by (namespace, pod, model_name) (rate(${VllmMetric.NUM_PREEMPTIONS.name}[5m])) > 0`,
          for: forText,
          labels: { severity: 'info' },
          annotations: {
            summary: 'LLM server preempts requests',
            description: `Server {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.model_name }}) preempted {{ $value | humanize }} requests per second for ${forText}: its KV cache is too small for the load; their work is recomputed.`,
          },
        },
      ],
    },
  ];
}
