/**
 * GpuMonitoring's LLM rules: valid PromQL on vLLM's own metric names, and `promtool test rules` on synthetic vLLM series
 * (skipped, loudly, where promtool is not installed: `apt-get install -y prometheus`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { stringify } from 'yaml';
import { Accelerator, GpuMonitoring, GpuMonitoringProps, LlmModel, Platform, VllmDeployment, VllmMetric, VllmMetricType } from '../lib';
import { knownMetrics, promqlProblems } from './support/promql';
import { chartFor, find, synth, synthError } from './support/synth';

const operator = Platform.kubernetes();

function rulesOf(props: Partial<GpuMonitoringProps>, platform: Platform = operator): any {
  const chart = chartFor(platform);
  new GpuMonitoring(chart, 'mon', { platform, name: 'mon', ...props });
  const objects = synth(chart, platform);
  return objects.find(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules');
}

/** vLLM's exported series: gauges as named, counters with `_total`, histograms as their `_bucket`/`_sum`/`_count`. */
function vllmSeries(): string[] {
  return VllmMetric.all().filter(m => m.type !== VllmMetricType.RECORDING_RULE)
    .flatMap(m => (m.type === VllmMetricType.HISTOGRAM ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name]));
}

const recorded = VllmMetric.all().filter(m => m.type === VllmMetricType.RECORDING_RULE).map(m => m.name);
const known = new Set([...knownMetrics(), ...vllmSeries(), ...recorded]);
const llmGroups = (rules: any) => rules.spec.groups.filter((g: any) => g.name.startsWith('gpu-ml.llm'));

describe('LLM rules in GpuMonitoring', () => {
  const rules = rulesOf({ llmRules: {} });

  test('two groups added after the GPU rules', () => {
    expect(rules.spec.groups.map((g: any) => g.name)).toEqual(['gpu-ml.recording', 'gpu-ml.alerts', 'gpu-ml.llm.recording', 'gpu-ml.llm.alerts']);
    expect(llmGroups(rules)[1].rules.map((r: any) => r.alert)).toEqual(['LlmTimeToFirstTokenHigh', 'LlmQueueDepthHigh', 'LlmKvCacheFull', 'LlmRequestsPreempted']);
  });
  test('every expression parses and reads only vLLM series or the library\'s recording rules', () => {
    for (const g of llmGroups(rules)) {
      for (const r of g.rules) {
        const name = r.record ?? r.alert;
        expect({ name, problems: promqlProblems(r.expr, known) }).toEqual({ name, problems: [] });
      }
    }
  });
  test('without llmRules there are none', () => {
    expect(llmGroups(rulesOf({}))).toEqual([]);
  });
  test('GKE Managed Prometheus gets them in its ClusterRules', () => {
    const gmp = rulesOf({ llmRules: {} }, Platform.gkeAutopilot());
    expect(gmp.kind).toBe('ClusterRules');
    expect(llmGroups(gmp).length).toBe(2);
  });
  test('a vLLM server gives monitoring its scrape target', () => {
    const platform = Platform.gkeStandard();
    const chart = chartFor(platform);
    const server = new VllmDeployment(chart, 's', { platform, name: 'llama', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192, huggingFaceToken: { secretName: 'hf', key: 'token' } });
    new GpuMonitoring(chart, 'mon', { platform, name: 'mon', scrapeTargets: [server.scrapeTarget], llmRules: {} });
    const monitor = find(synth(chart, platform), 'PodMonitor', 'llama-vllm');
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'llama' } });
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
  });
  test.each<[string, any, string]>([
    ['a threshold of zero', { timeToFirstTokenSeconds: 0 }, 'llmRules.timeToFirstTokenSeconds=0 is invalid: must be a number above 0 and at most 3600'],
    ['a percentage above 100', { kvCacheUsagePercent: 120 }, 'llmRules.kvCacheUsagePercent=120 is invalid: must be a number above 0 and at most 100'],
    ['not an object', 'yes', '[kubernetes/mon] llmRules="yes" is invalid: must be an LlmRulesOptions object { for?, kvCacheUsagePercent?, timeToFirstTokenSeconds?, waitingRequests? }'],
    ['a duration that is not one', { for: 600 }, '[kubernetes/mon] llmRules.for=600 is invalid: must be a Duration, e.g. Duration.minutes(30)'],
    ['a duration too short', { for: Duration.millis(500) }, '[kubernetes/mon] llmRules.for=500 millis is invalid: must be a whole number of seconds, at least 1s'],
  ])('bad options: %s', (_n, llmRules, message) => {
    expect(synthError(c => new GpuMonitoring(c, 'mon', { platform: operator, llmRules }), operator)).toContain(message);
  });
});

const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('\n[llm-rules] promtool is absent: the promtool rule tests are SKIPPED (apt-get install -y prometheus)\n');
    return false;
  }
})();

(promtool ? describe : describe.skip)('promtool test rules on synthetic vLLM series', () => {
  const llmRules = { timeToFirstTokenSeconds: 2, waitingRequests: 10, kvCacheUsagePercent: 95, for: Duration.minutes(10) };
  const groups = llmGroups(rulesOf({ llmRules }));
  const s = (name: string, labels: string) => `${name}{namespace="ml",model_name="llama",engine="0",${labels}}`;
  const slow = 'pod="slow"';
  const fast = 'pod="fast",model_name="qwen"';
  const test = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '30s',
    tests: [{
      interval: '30s',
      input_series: [
        // llama: 10 requests a minute, every first token between 2.5 and 5 s -> p95 = 2.5 + 0.95 x 2.5 = 4.875 s.
        { series: s(`${VllmMetric.TIME_TO_FIRST_TOKEN.name}_bucket`, `${slow},le="2.5"`), values: '0+0x60' },
        { series: s(`${VllmMetric.TIME_TO_FIRST_TOKEN.name}_bucket`, `${slow},le="5"`), values: '0+5x60' },
        { series: s(`${VllmMetric.TIME_TO_FIRST_TOKEN.name}_bucket`, `${slow},le="+Inf"`), values: '0+5x60' },
        // qwen: every first token within 0.5 s.
        { series: s(`${VllmMetric.TIME_TO_FIRST_TOKEN.name}_bucket`, `${fast},le="0.5"`).replace('model_name="llama",', ''), values: '0+5x60' },
        { series: s(`${VllmMetric.TIME_TO_FIRST_TOKEN.name}_bucket`, `${fast},le="+Inf"`).replace('model_name="llama",', ''), values: '0+5x60' },
        // llama's queue: 8 + 7 waiting on two servers; qwen: 3.
        { series: s(VllmMetric.NUM_REQUESTS_WAITING.name, slow), values: '8x60' },
        { series: s(VllmMetric.NUM_REQUESTS_WAITING.name, 'pod="slow-2"'), values: '7x60' },
        { series: s(VllmMetric.NUM_REQUESTS_WAITING.name, fast).replace('model_name="llama",', ''), values: '3x60' },
        // KV cache: llama's first server 97 % full, qwen's 50 %.
        { series: s(VllmMetric.KV_CACHE_USAGE.name, slow), values: '0.97x60' },
        { series: s(VllmMetric.KV_CACHE_USAGE.name, fast).replace('model_name="llama",', ''), values: '0.5x60' },
        // Preemptions: 3 per 30 s on llama's first server, none on qwen's.
        { series: s(VllmMetric.NUM_PREEMPTIONS.name, slow), values: '0+3x60' },
        { series: s(VllmMetric.NUM_PREEMPTIONS.name, fast).replace('model_name="llama",', ''), values: '0x60' },
        // 600 tokens generated per 30 s by llama.
        { series: s(VllmMetric.GENERATION_TOKENS.name, slow), values: '0+600x60' },
      ],
      promql_expr_test: [
        { expr: VllmMetric.MODEL_REQUESTS_WAITING.name, eval_time: '5m', exp_samples: [
          { labels: `${VllmMetric.MODEL_REQUESTS_WAITING.name}{namespace="ml",model_name="llama"}`, value: 15 },
          { labels: `${VllmMetric.MODEL_REQUESTS_WAITING.name}{namespace="ml",model_name="qwen"}`, value: 3 },
        ] },
        { expr: VllmMetric.MODEL_KV_CACHE_USAGE_MAX.name, eval_time: '5m', exp_samples: [
          { labels: `${VllmMetric.MODEL_KV_CACHE_USAGE_MAX.name}{namespace="ml",model_name="llama"}`, value: 0.97 },
          { labels: `${VllmMetric.MODEL_KV_CACHE_USAGE_MAX.name}{namespace="ml",model_name="qwen"}`, value: 0.5 },
        ] },
        { expr: VllmMetric.MODEL_GENERATION_TOKENS_RATE.name, eval_time: '10m', exp_samples: [
          { labels: `${VllmMetric.MODEL_GENERATION_TOKENS_RATE.name}{namespace="ml",model_name="llama"}`, value: 20 },
        ] },
        { expr: `round(${VllmMetric.MODEL_TIME_TO_FIRST_TOKEN_P95.name}, 0.001)`, eval_time: '10m', exp_samples: [
          { labels: '{namespace="ml",model_name="llama"}', value: 4.875 },
          { labels: '{namespace="ml",model_name="qwen"}', value: 0.475 },
        ] },
      ],
      alert_rule_test: [
        // Conditions hold from the first minutes; `for: 10m` delays every alert.
        { eval_time: '8m', alertname: 'LlmTimeToFirstTokenHigh', exp_alerts: [] },
        { eval_time: '20m', alertname: 'LlmTimeToFirstTokenHigh', exp_alerts: [{
          exp_labels: { severity: 'warning', namespace: 'ml', model_name: 'llama' },
          exp_annotations: {
            summary: 'LLM time to first token is high',
            description: '95% of the requests to ml/llama got their first token within 4.875s (threshold 2s) for 10m: the servers are saturated or prefill is slow; add replicas or shorten prompts.',
          },
        }] },
        { eval_time: '20m', alertname: 'LlmQueueDepthHigh', exp_alerts: [{
          exp_labels: { severity: 'warning', namespace: 'ml', model_name: 'llama' },
          exp_annotations: {
            summary: 'Requests queue up at the LLM servers',
            description: '15 requests wait for ml/llama (threshold 10) for 10m: add replicas or let the autoscaler scale further.',
          },
        }] },
        { eval_time: '20m', alertname: 'LlmKvCacheFull', exp_alerts: [{
          exp_labels: { severity: 'warning', namespace: 'ml', pod: 'slow', model_name: 'llama' },
          exp_annotations: {
            summary: 'LLM server KV cache almost full',
            description: 'Server ml/slow (llama) uses 97% of its KV cache (threshold 95%) for 10m: requests wait or are preempted; add replicas, GPUs or shorten the context.',
          },
        }] },
        { eval_time: '20m', alertname: 'LlmRequestsPreempted', exp_alerts: [{
          exp_labels: { severity: 'info', namespace: 'ml', pod: 'slow', model_name: 'llama' },
          exp_annotations: {
            summary: 'LLM server preempts requests',
            description: 'Server ml/slow (llama) preempted 100m requests per second for 10m: its KV cache is too small for the load; their work is recomputed.',
          },
        }] },
      ],
    }],
  };

  it('every alert fires for the model or server that breaks its threshold, and only then', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-rules-'));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups }));
    fs.writeFileSync(path.join(dir, 'test.yaml'), stringify(test));
    let out = '';
    try {
      out = execFileSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (e: any) {
      throw new Error(`promtool test rules failed:\n${e.stdout}${e.stderr}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(out).toContain('SUCCESS');
  });

  it('promtool check rules accepts the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-rules-'));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups }));
    const out = execFileSync('promtool', ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(out).toContain('SUCCESS: 9 rules found');
  });
});
