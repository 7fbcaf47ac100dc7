import { Construct } from 'constructs';
import { Accelerator, GpuMonitoring, GpuPriceTable, Platform, VllmLeaderWorkerSet } from '../lib';

/** GpuMonitoring on each platform: what a team adds once per cluster (or per namespace) for its GPU apps. */
export function addMonitoringExamples(scope: Construct, platform: Platform): void {
  switch (platform.id) {
    case 'gke-autopilot':
      // No exporter: GKE's managed DCGM already feeds Managed Service for Prometheus. Scrape the vLLM server of the LLM
      // example (examples/llm.ts, `llama-8b`; `server.scrapeTarget` gives the same) and add the LLM alerts.
      // L4 for most workloads, H100 for the 405B LLM (GCP's H100 price is an unverified estimate: see the price table),
      // A100 80GB for the fleet plan's research (examples/fleet.ts).
      new GpuMonitoring(scope, 'gpu-monitoring', {
        name: 'gpu',
        platform,
        accelerators: [Accelerator.L4, Accelerator.H100_80GB, Accelerator.A100_80GB],
        scrapeTargets: [{ name: 'llama-8b-vllm', matchLabels: { 'app.kubernetes.io/instance': 'llama-8b' }, port: 'http' }],
        llmRules: {},
      });
      break;
    case 'gke-standard':
      // T4 for training and batch, L4 for the Knative LLM, A100 40GB for the MIG job, H100 and A100 80GB for the fleet
      // plan: every GPU the chart runs has a price.
      new GpuMonitoring(scope, 'gpu-monitoring', {
        name: 'gpu', platform, accelerators: [Accelerator.T4, Accelerator.L4, Accelerator.A100_40GB, Accelerator.H100_80GB, Accelerator.A100_80GB] });
      break;
    case 'karpenter':
      // The GPUs of the chart's NodePools: A10G, T4, the L40S of the LLM example, H100 (trainer example, fleet plan) and
      // A100 of the fleet plan. Scrape the leaders of the LLM example's autoscaled `llama-70b` (`server.scrapeTarget`
      // gives the same): its HPA reads their vLLM queue and KV cache through the adapter rules of the values file.
      new GpuMonitoring(scope, 'gpu-monitoring', {
        name: 'gpu', platform, accelerators: [Accelerator.A10G, Accelerator.T4, Accelerator.L40S, Accelerator.H100_80GB, Accelerator.A100_80GB],
        profilingMetrics: true,
        scrapeTargets: [{
          name: 'llama-70b-vllm', matchLabels: { 'app.kubernetes.io/instance': 'llama-70b', [VllmLeaderWorkerSet.ROLE_LABEL]: 'leader' }, port: 'http',
        }],
      });
      break;
    default:
      // No cloud list prices on plain Kubernetes: give your own (e.g. amortized hardware cost per GPU-hour).
      new GpuMonitoring(scope, 'gpu-monitoring', {
        name: 'gpu',
        platform,
        accelerators: [Accelerator.L40S],
        prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1.2, spotPerHour: 1.2 }]),
      });
  }
}
