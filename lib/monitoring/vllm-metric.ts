/** What kind of series a vLLM metric is. */
export enum VllmMetricType {
  /** A value that goes up and down. */
  GAUGE = 'gauge',
  /** A monotonic counter (`_total`). */
  COUNTER = 'counter',
  /** A histogram (`_bucket`, `_sum`, `_count` series). */
  HISTOGRAM = 'histogram',
  /** A recording rule of `GpuMonitoring`'s LLM rules. */
  RECORDING_RULE = 'recording-rule',
}

/**
 * A Prometheus metric of vLLM's OpenAI server (`/metrics` on the serving port, v1 engine), or a recording rule made
 * from them. Every vLLM series carries `model_name` (the first `--served-model-name`) and `engine`. Names as of vLLM
 * 0.11 and later: `vllm:kv_cache_usage_perc` replaced `vllm:gpu_cache_usage_perc` (deprecated in 0.9) and
 * `vllm:inter_token_latency_seconds` replaced `vllm:time_per_output_token_seconds` (deprecated in 0.11).
 */
export class VllmMetric {
  /** Requests waiting to be scheduled (the queue). */
  public static readonly NUM_REQUESTS_WAITING = new VllmMetric('vllm:num_requests_waiting', VllmMetricType.GAUGE);
  /** Requests in the running batch. */
  public static readonly NUM_REQUESTS_RUNNING = new VllmMetric('vllm:num_requests_running', VllmMetricType.GAUGE);
  /** KV-cache usage, a fraction from 0 to 1. */
  public static readonly KV_CACHE_USAGE = new VllmMetric('vllm:kv_cache_usage_perc', VllmMetricType.GAUGE);
  /** Time to first token, seconds. */
  public static readonly TIME_TO_FIRST_TOKEN = new VllmMetric('vllm:time_to_first_token_seconds', VllmMetricType.HISTOGRAM);
  /** Time between output tokens, seconds. */
  public static readonly INTER_TOKEN_LATENCY = new VllmMetric('vllm:inter_token_latency_seconds', VllmMetricType.HISTOGRAM);
  /** Whole-request latency, seconds. */
  public static readonly E2E_REQUEST_LATENCY = new VllmMetric('vllm:e2e_request_latency_seconds', VllmMetricType.HISTOGRAM);
  /** Prompt tokens processed. */
  public static readonly PROMPT_TOKENS = new VllmMetric('vllm:prompt_tokens_total', VllmMetricType.COUNTER);
  /** Tokens generated. */
  public static readonly GENERATION_TOKENS = new VllmMetric('vllm:generation_tokens_total', VllmMetricType.COUNTER);
  /** Requests preempted for lack of KV cache (their cache is dropped and recomputed). */
  public static readonly NUM_PREEMPTIONS = new VllmMetric('vllm:num_preemptions_total', VllmMetricType.COUNTER);

  /** 95th percentile time to first token per namespace and model, seconds (recording rule). */
  public static readonly MODEL_TIME_TO_FIRST_TOKEN_P95 = new VllmMetric('namespace_model:vllm_time_to_first_token_seconds:p95', VllmMetricType.RECORDING_RULE);
  /** 95th percentile inter-token latency per namespace and model, seconds (recording rule). */
  public static readonly MODEL_INTER_TOKEN_LATENCY_P95 = new VllmMetric('namespace_model:vllm_inter_token_latency_seconds:p95', VllmMetricType.RECORDING_RULE);
  /** Requests waiting per namespace and model (recording rule). */
  public static readonly MODEL_REQUESTS_WAITING = new VllmMetric('namespace_model:vllm_num_requests_waiting:sum', VllmMetricType.RECORDING_RULE);
  /** Highest KV-cache usage of the model's servers per namespace and model, 0-1 (recording rule). */
  public static readonly MODEL_KV_CACHE_USAGE_MAX = new VllmMetric('namespace_model:vllm_kv_cache_usage:max', VllmMetricType.RECORDING_RULE);
  /** Generated tokens per second per namespace and model (recording rule). */
  public static readonly MODEL_GENERATION_TOKENS_RATE = new VllmMetric('namespace_model:vllm_generation_tokens:rate5m', VllmMetricType.RECORDING_RULE);

  /** Every metric above, in a stable order. */
  public static all(): VllmMetric[] {
    return Object.values(VllmMetric).filter((m): m is VllmMetric => m instanceof VllmMetric);
  }

  /** The Prometheus name (histograms: the base name of their `_bucket`, `_sum` and `_count` series). */
  public readonly name: string;
  /** What kind of series it is. */
  public readonly type: VllmMetricType;

  private constructor(name: string, type: VllmMetricType) {
    this.name = name;
    this.type = type;
  }
}
