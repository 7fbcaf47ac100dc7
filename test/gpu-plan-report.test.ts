/**
 * The GPU plan report (issue 13): written at synth into the output directory beside the manifests, with each
 * workload's GPUs, ladder, queue and most cost, each team's quota against demand, totals and the prices' provenance.
 * The figures of the example app are pinned.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import {
  Accelerator, CapacityType, ComputeClass, ComputeClassCapacity, GpuFleet, GpuFlavor, GpuPlanReport, GpuPriceTable, GpuShare, GpuTrainingJob,
  InferenceDeployment, MigProfile, MigStrategy, Platform, ScalingMetric, SpotBatchJob,
} from '../lib';

const karpenter = Platform.karpenter();
const image = 'us-docker.pkg.dev/p/r/trainer:1.0';

function synthTo(build: (chart: Chart) => void): { md: string; json: any; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-plan-'));
  const app = new App({ outdir: dir });
  const chart = new Chart(app, 'plan', { namespace: 'ml', disableResourceNameHashes: true });
  build(chart);
  app.synth();
  return {
    dir,
    md: fs.readFileSync(path.join(dir, 'extras', 'plan.gpu-plan.md'), 'utf8'),
    json: JSON.parse(fs.readFileSync(path.join(dir, 'extras', 'plan.gpu-plan.json'), 'utf8')),
  };
}

/** One queued job, one autoscaled service, one spot job without a deadline, on Karpenter with one price of our own. */
function small(chart: Chart): void {
  const fleet = new GpuFleet(chart, 'fleet', { platform: karpenter, name: 'gpu', teams: [
    { name: 'research', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 8, borrowingLimit: 4 }] },
    { name: 'serving', namespace: 'serving', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 4, lendingLimit: 2 }] },
  ] });
  new GpuTrainingJob(chart, 'train', {
    platform: karpenter, name: 'train', image, accelerator: Accelerator.L4, gpus: 4, activeDeadline: Duration.minutes(90), queue: fleet.queue('research'),
  });
  new InferenceDeployment(chart, 'serve', {
    platform: karpenter, name: 'serve', image, accelerator: Accelerator.L4, minReplicas: 1, maxReplicas: 3, scalingMetrics: [ScalingMetric.cpu(70)],
  });
  new SpotBatchJob(chart, 'sweep', { platform: karpenter, name: 'sweep', image, accelerator: Accelerator.L4, completions: 10, parallelism: 5 });
  new GpuPlanReport(chart, 'report', {
    platform: karpenter,
    prices: GpuPriceTable.of([{ accelerator: Accelerator.L4, onDemandPerHour: 1, spotPerHour: 0.5, source: 'our contract', date: '2026-09-01', spotIsEstimate: true }]),
  });
}

test('the report of a small chart, whole: workloads, teams, totals, prices with their source', () => {
  const { md, dir } = synthTo(small);
  expect(fs.readdirSync(dir).sort()).toEqual(['extras', 'plan.k8s.yaml']);
  expect(md).toBe([
    '# GPU plan: plan',
    '',
    'Platform: Karpenter (EKS), cluster `default`. Generated at synth by cdk8s-gpu-ml; costs are ceilings from the prices below, not bills.',
    '',
    '## Workloads',
    '',
    '| workload | accelerator | GPUs: per pod x pods | capacity ladder | queue | runs | most it can cost |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    '| Job ml/train | L4 | 4 x 1 = 4 | on-demand | ml/research → research | job, at most 1.50 h | $6.00 (4 GPUs x 1.50 h x $1/GPU-h L4 on-demand) |',
    '| Deployment ml/serve | L4 | 1 x 1-3 = 1-3 | on-demand | not queued | until deleted | $1.00-$3.00 per hour (1-3 GPUs x $1/GPU-h L4 on-demand) |',
    '| Job ml/sweep | L4 | 1 x 5 = 5 | spot | not queued | job, no deadline | no ceiling |',
    '',
    'Notes:',
    '',
    '- Job ml/sweep: no activeDeadline: the cost has no ceiling',
    '',
    '## Teams: quota against demand',
    '',
    '`nvidia.com/gpu` units, as Kueue counts them: a whole GPU, a time-shared GPU, an MPS share or a MIG slice each take 1 unit, so the quota of a '
      + 'flavor of shared GPUs is in shares. Reachable = nominal quota + what the team may borrow in its cohort (Kueue admits a workload whole or not at all).',
    '',
    '| team (ClusterQueue) | namespace | cohort | flavor | nominal | borrowing limit | lending limit | reachable | demand | largest admission | workloads |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    '| research | ml | gpu | l4-on-demand | 8 | 4 | none | 10 | 4 | 4 | Job ml/train |',
    '| serving | serving | gpu | l4-on-demand | 4 | none | 2 | 12 | 0 | 0 | - |',
    '',
    '## Totals',
    '',
    '|  |  |',
    '| --- | --- |',
    '| GPUs (fewest-most replicas; jobs: pods at once; shares at their fraction) | 10-12 |',
    '| jobs: most they can cost | $6.00, not counting Job ml/sweep (no price or no deadline) |',
    '| services: cost per hour | $1.00-$3.00 |',
    '',
    '## Prices',
    '',
    '| accelerator | on-demand $/GPU-h | spot $/GPU-h | source |',
    '| --- | --- | --- | --- |',
    '| L4 | 1 | 0.5 (estimate) | on-demand 1 $/GPU-h from our contract (2026-09-01); spot 0.5 $/GPU-h is an estimate |',
    '',
  ].join('\n'));
});

test('the JSON report holds the same figures for machines', () => {
  const { json } = synthTo(small);
  expect(json.workloads.map((w: any) => [w.object, w.gpus, w.maxCost, w.costPerHour])).toEqual([
    ['Job ml/train', { min: 4, max: 4 }, 6, undefined],
    ['Deployment ml/serve', { min: 1, max: 3 }, undefined, { min: 1, max: 3 }],
    ['Job ml/sweep', { min: 5, max: 5 }, undefined, undefined],
  ]);
  expect(json.quotas[0]).toEqual({
    team: 'research', namespace: 'ml', cohort: 'gpu', flavor: 'l4-on-demand', nominal: 8, borrowingLimit: 4, reachable: 10, demand: 4,
    demandGpuEquivalent: 4, largestAdmission: 4, workloads: ['Job ml/train'],
  });
  expect(json.totals).toEqual({
    gpus: { min: 10, max: 12 }, gpuEquivalent: { min: 10, max: 12 }, jobsMaxCost: 6, jobsNotCounted: ['Job ml/sweep'], servingCostPerHour: { min: 1, max: 3 }, servicesNotCounted: [],
  });
  expect(json.prices).toEqual([{
    accelerator: 'L4', onDemandPerHour: 1, spotPerHour: 0.5, source: 'our contract', date: '2026-09-01', onDemandIsEstimate: false, spotIsEstimate: true,
    description: 'on-demand 1 $/GPU-h from our contract (2026-09-01); spot 0.5 $/GPU-h is an estimate',
  }]);
});

test('a compute class is priced at its dearest priority, and its ladder is listed', () => {
  const gke = Platform.gkeStandard();
  const { json } = synthTo(chart => {
    const cc = new ComputeClass(chart, 'cc', { platform: gke, name: 'mixed', priorities: [
      { accelerator: Accelerator.H100_80GB, gpus: 8, capacity: ComputeClassCapacity.SPOT },
      { accelerator: Accelerator.A100_80GB, gpus: 8, capacity: ComputeClassCapacity.FLEX_START, maxRunDuration: Duration.hours(12) },
    ] });
    new GpuTrainingJob(chart, 'train', { platform: gke, image, accelerator: Accelerator.H100_80GB, gpus: 8, computeClass: cc, activeDeadline: Duration.hours(10) });
    new GpuPlanReport(chart, 'report', { platform: gke });
  });
  const w = json.workloads[0];
  expect(w.ladder).toEqual(['8 x H100 80GB (a3-highgpu-8g), spot', '8 x A100 80GB (a2-ultragpu-8g), flex-start, nodes live at most 12 h']);
  expect(w.accelerators).toEqual(['H100 80GB', 'A100 80GB']);
  // GCP's listed prices (Cyclenerd's pricing.yml @fd66b26f): H100 spot (a3-highgpu-8g 50.6095408 / 8 = 6.3262) vs A100
  // 80GB on-demand (5.0688, the ceiling of flex-start): the H100 is dearer. 8 GPUs x 10 h x 6.3262 = 506.10.
  expect([w.pricePerGpuHour, w.priceBasis, w.maxCost]).toEqual([6.3262, 'H100 80GB spot', 506.1]);
});

describe('shared GPUs count and cost at their fraction of a GPU', () => {
  const l4 = GpuPriceTable.of([{ accelerator: Accelerator.L4, onDemandPerHour: 1, spotPerHour: 0.5, source: 'our contract', date: '2026-09-01' }]);
  /** A batch of 8 time-shared pods at once (2 L4s' worth) queued to a flavor of shared L4s, a whole-GPU job beside it. */
  const { md, json } = synthTo(chart => {
    const fleet = new GpuFleet(chart, 'fleet', { platform: karpenter, name: 'gpu', teams: [
      { name: 'shared', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4, { share: GpuShare.timeShared(4) }), gpus: 16 }] },
    ] });
    new SpotBatchJob(chart, 'score', {
      platform: karpenter, name: 'score', image, accelerator: Accelerator.L4, gpuShare: GpuShare.timeShared(4), capacityType: CapacityType.ON_DEMAND,
      completions: 16, parallelism: 8, activeDeadline: Duration.hours(3), queue: fleet.queue('shared'),
    });
    new InferenceDeployment(chart, 'serve', {
      platform: karpenter, name: 'serve', image, accelerator: Accelerator.L4, gpuShare: GpuShare.timeShared(4), minReplicas: 1, maxReplicas: 6,
      scalingMetrics: [ScalingMetric.cpu(70)],
    });
    new GpuTrainingJob(chart, 'train', { platform: karpenter, name: 'train', image, accelerator: Accelerator.L4, gpus: 2, activeDeadline: Duration.hours(1) });
    new GpuPlanReport(chart, 'report', { platform: karpenter, prices: l4 });
  });

  test('JSON: the units the pods ask for, the share, the GPU equivalent, costs on the equivalent', () => {
    expect(json.workloads.map((w: any) => [w.object, w.gpus, w.gpuResources, w.share, w.gpuEquivalent, w.maxCost ?? w.costPerHour])).toEqual([
      ['Job ml/score', { min: 8, max: 8 }, ['nvidia.com/gpu'], { strategy: 'time-sharing', description: 'GpuShare.timeShared(4)', fraction: 0.25 }, { min: 2, max: 2 }, 6],
      ['Deployment ml/serve', { min: 1, max: 6 }, ['nvidia.com/gpu'], { strategy: 'time-sharing', description: 'GpuShare.timeShared(4)', fraction: 0.25 },
        { min: 0.25, max: 1.5 }, { min: 0.25, max: 1.5 }],
      ['Job ml/train', { min: 2, max: 2 }, ['nvidia.com/gpu'], undefined, { min: 2, max: 2 }, 2],
    ]);
    expect(json.totals).toMatchObject({
      gpus: { min: 11, max: 16 }, gpuEquivalent: { min: 4.25, max: 5.5 }, jobsMaxCost: 8, servingCostPerHour: { min: 0.25, max: 1.5 },
    });
  });

  test('the quota counts nvidia.com/gpu units, as Kueue does: 8 shares of the 16, 2 GPUs\' worth', () => {
    expect(json.quotas).toEqual([{
      team: 'shared', namespace: 'ml', cohort: 'gpu', flavor: 'l4-on-demand-time-shared-4', nominal: 16, reachable: 16, demand: 8, demandGpuEquivalent: 2,
      largestAdmission: 8, workloads: ['Job ml/score'],
    }]);
  });

  test('Markdown: the share in the GPU column, equivalents in the costs and totals, quota in units', () => {
    const lines = md.split('\n');
    expect(lines.filter(l => /^\| (Job|Deployment) /.test(l))).toEqual([
      '| Job ml/score | L4 | 1 x 8 shares (1/4 L4 each, GpuShare.timeShared(4)) = 2 GPUs | on-demand | ml/shared → shared | job, at most 3 h | $6.00 (2 GPUs x 3 h x $1/GPU-h L4 on-demand) |',
      '| Deployment ml/serve | L4 | 1 x 1-6 shares (1/4 L4 each, GpuShare.timeShared(4)) = 0.25-1.5 GPUs | on-demand | not queued | until deleted | $0.25-$1.50 per hour (0.25-1.5 GPUs x $1/GPU-h L4 on-demand) |',
      '| Job ml/train | L4 | 2 x 1 = 2 | on-demand | not queued | job, at most 1 h | $2.00 (2 GPUs x 1 h x $1/GPU-h L4 on-demand) |',
    ]);
    expect(md).toContain('Shared GPUs (time-sharing, MPS, MIG) count and cost at their fraction of a physical GPU. The nodes bill whole GPUs: shares no pod holds are idle cost, charged to no workload here.');
    expect(lines).toContain('| shared | ml | gpu | l4-on-demand-time-shared-4 | 16 | none | none | 16 | 8 (2 GPUs) | 8 | Job ml/score |');
    expect(lines).toContain('| GPUs (fewest-most replicas; jobs: pods at once; shares at their fraction) | 4.25-5.5 |');
  });

  test('a mixed-strategy MIG slice (nvidia.com/mig-1g.5gb) is counted and priced at its profile\'s fraction', () => {
    const platform = Platform.kubernetes({ migStrategy: MigStrategy.MIXED });
    const { json: mig, md: migMd } = synthTo(chart => {
      new GpuTrainingJob(chart, 'lora', {
        platform, name: 'lora', image, accelerator: Accelerator.A100_40GB, gpuShare: GpuShare.mig(MigProfile.of('1g.5gb')), activeDeadline: Duration.hours(7),
      });
      new GpuPlanReport(chart, 'report', {
        platform, prices: GpuPriceTable.of([{ accelerator: Accelerator.A100_40GB, onDemandPerHour: 7, spotPerHour: 3, source: 'ours', date: '2026-09-01' }]),
      });
    });
    expect(mig.workloads.map((w: any) => [w.object, w.gpus, w.gpuResources, w.share?.fraction, w.gpuEquivalent, w.maxCost])).toEqual([
      ['Job ml/lora', { min: 1, max: 1 }, ['nvidia.com/mig-1g.5gb'], 0.1429, { min: 0.1429, max: 0.1429 }, 7],
    ]);
    expect(migMd).toContain('| Job ml/lora | A100 40GB | 1 x 1 slice (1/7 A100 40GB each, GpuShare.mig("1g.5gb")) = 0.143 GPU | on-demand | not queued | job, at most 7 h | $7.00 (0.143 GPU x 7 h x $7/GPU-h A100 40GB on-demand) |');
  });
});

test('a workload of another chart is not in the report', () => {
  const { json } = synthTo(chart => {
    new GpuTrainingJob(new Chart(App.of(chart) as App, 'other'), 'train', { platform: karpenter, image, accelerator: Accelerator.L4 });
    new GpuPlanReport(chart, 'report', { platform: karpenter });
  });
  expect(json.workloads).toEqual([]);
});

describe('the example app\'s plan, pinned', () => {
  // dist/ is the example app's synth (test/example.test.ts proves it equals a fresh one).
  const dir = path.join(__dirname, '..', 'dist');
  const plan = (chart: string) => JSON.parse(fs.readFileSync(path.join(dir, 'extras', `${chart}.gpu-plan.json`), 'utf8'));
  const fleetRows = (chart: string) => plan(chart).workloads.filter((w: any) => /^ml-(production|research)/.test(w.object.split(' ')[1]))
    .map((w: any) => [w.object, w.gpus.max, w.priceBasis, w.maxCost ?? w.costPerHour]);

  test('GKE Autopilot: the H100 ladder, the 32-GPU research run, the spot sweep, flex-start and DWS', () => {
    expect(fleetRows('gke-autopilot')).toEqual([
      ['Job ml-production/prod-finetune', 8, 'H100 80GB on-demand', 2123.75],
      ['Deployment ml-production/prod-serving', 6, 'H100 80GB on-demand', { min: 22.12, max: 66.37 }],
      ['Job ml-research/research-ddp', 32, 'A100 80GB on-demand', 11678.52],
      ['Job ml-research/spot-sweep', 16, 'A100 80GB spot', 529.82],
      ['Job ml-research/flex-eval', 1, 'H100 80GB on-demand', 66.37],
      ['Job ml-research/dws-pretrain', 16, 'H100 80GB on-demand', 3539.58],
    ]);
  });

  test('Karpenter: reserved H100 training, on-demand serving and research, spot sweep, from Karpenter\'s prices', () => {
    expect(fleetRows('karpenter')).toEqual([
      ['Job ml-production/prod-finetune', 8, 'H100 80GB on-demand', 1320.96],
      ['Deployment ml-production/prod-serving', 6, 'H100 80GB on-demand', { min: 13.76, max: 41.28 }],
      ['Job ml-research/research-ddp', 32, 'A100 80GB on-demand', 7904.79],
      ['Job ml-research/spot-sweep', 16, 'A100 80GB spot (estimate)', 263.5],
    ]);
  });

  test('shared GPUs: the time-shared L4, the MIG slice, the MPS clients, the time-sliced T4 pool, at their fraction', () => {
    const row = (chart: string, object: string) => {
      const w = plan(chart).workloads.find((x: any) => x.object === object);
      return [object, w.gpus, w.share?.description, w.gpuEquivalent, w.maxCost ?? w.costPerHour];
    };
    expect([
      row('gke-autopilot', 'Deployment ml/embeddings'),
      row('gke-standard', 'Job ml/lora-mig'),
      row('gke-standard', 'Job ml/score-mps'),
      row('karpenter', 'Deployment ml/reranker'),
    ]).toEqual([
      // 2-4 replicas of a quarter L4 ($0.71/h): 0.5-1 GPU.
      ['Deployment ml/embeddings', { min: 2, max: 4 }, 'GpuShare.timeShared(4)', { min: 0.5, max: 1 }, { min: 0.35, max: 0.71 }],
      // A seventh of an A100 40GB ($3.6734/h) for 6 h.
      ['Job ml/lora-mig', { min: 1, max: 1 }, 'GpuShare.mig("1g.5gb")', { min: 0.1429, max: 0.1429 }, 3.15],
      // 4 MPS clients of a T4 ($0.35/h) at once for 2 h: one T4.
      ['Job ml/score-mps', { min: 4, max: 4 }, 'GpuShare.mps(4)', { min: 1, max: 1 }, 0.7],
      // 1-4 replicas on the pool's T4s time-sliced 4 ways ($0.526/h): 0.25-1 GPU.
      ['Deployment ml/reranker', { min: 1, max: 4 }, 'GpuShare.timeShared(4)', { min: 0.25, max: 1 }, { min: 0.13, max: 0.53 }],
    ]);
    const md = fs.readFileSync(path.join(dir, 'extras', 'gke-autopilot.gpu-plan.md'), 'utf8');
    expect(md).toContain('| Deployment ml/embeddings | L4 | 1 x 2-4 shares (1/4 L4 each, GpuShare.timeShared(4)) = 0.5-1 GPU |');
  });

  test('the teams: the research quota of 32 A100s (48 with what production lends), demand within it', () => {
    const research = (chart: string) => plan(chart).quotas.find((q: any) => q.team === 'research');
    expect(research('gke-standard')).toMatchObject({ flavor: 'class-research-a100', nominal: 32, borrowingLimit: 16, reachable: 48, demand: 32, largestAdmission: 32 });
    expect(research('karpenter')).toMatchObject({ flavor: 'a100-80gb-on-demand', nominal: 32, borrowingLimit: 16, reachable: 48, demand: 32, largestAdmission: 32 });
    for (const chart of ['gke-autopilot', 'gke-standard', 'karpenter']) {
      for (const q of plan(chart).quotas) {
        const row = { chart, team: q.team, flavor: q.flavor };
        expect({ ...row, over: q.largestAdmission > q.reachable }).toEqual({ ...row, over: false });
      }
    }
  });

  test('every price the reports use says where it comes from', () => {
    for (const chart of ['gke-autopilot', 'gke-standard', 'karpenter', 'kubernetes']) {
      for (const pr of plan(chart).prices) {
        if (pr.missing) continue;
        expect({ chart, accelerator: pr.accelerator, sourced: typeof pr.source === 'string' && pr.source.length > 0 }).toEqual({ chart, accelerator: pr.accelerator, sourced: true });
      }
    }
    expect(plan('karpenter').prices.find((p: any) => p.accelerator === 'H100 80GB').description).toContain('Karpenter\'s generated AWS pricing');
  });
});
