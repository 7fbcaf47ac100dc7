import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Accelerator } from '../accelerator';
import { GpuPrice, GpuPriceTable } from '../monitoring/gpu-price-table';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { _Problems, _checkProps } from '../validation';
import { _OutputFile } from '../workload/output-file';
import { _ComputeClassInfo, _FleetRegistry, _WorkloadInfo } from './_fleet-registry';
import { _Renders } from '../pod/renders';
import { _demandOf } from './_demand';
import { _flavorFits, _kueueIntegration, _reachableGpus } from './_queued-workload';

/** Props of a {@link GpuPlanReport}. */
export interface GpuPlanReportProps {
  /** The platform (cluster) of the chart: its cloud picks the default prices. */
  readonly platform: Platform;
  /**
   * GPU prices the costs are computed with (each row's source and date are shown).
   * @default GpuPriceTable.forCloud(platform.cloud) - the library's list prices, spot estimated
   */
  readonly prices?: GpuPriceTable;
}

/** One workload of the plan. */
interface PlanWorkload {
  readonly object: string;
  readonly path: string;
  readonly accelerators: string[];
  /** GPUs per pod of each pod template with GPUs, and its pods (fewest, most). */
  readonly podSets: { readonly gpusPerPod: number; readonly minPods: number; readonly maxPods: number }[];
  readonly pods: { readonly min: number; readonly max: number };
  /** GPUs the pods ask for, in units of their GPU resources (a time-shared GPU, an MPS share, a MIG slice counts 1). */
  readonly gpus: { readonly min: number; readonly max: number };
  /** The GPU resources the pods ask for: `nvidia.com/gpu`, or a mixed-strategy MIG slice (`nvidia.com/mig-1g.5gb`). */
  readonly gpuResources: string[];
  /** How the pods share their GPUs, and the fraction of a physical GPU one unit holds (absent: whole GPUs). */
  readonly share?: { readonly strategy: string; readonly description: string; readonly fraction: number };
  /** Physical GPUs the pods hold: `gpus` x the share's fraction (what the costs are computed on). */
  readonly gpuEquivalent: { readonly min: number; readonly max: number };
  readonly capacity: string;
  readonly ladder: string[];
  readonly queue?: {
    readonly localQueue: string; readonly clusterQueue?: string; readonly cohort?: string; readonly priority?: string; readonly note?: string;
  };
  readonly runs: 'job' | 'service';
  readonly deadlineSeconds?: number;
  readonly pricePerGpuHour?: number;
  readonly priceBasis?: string;
  /** Jobs: the most the run can cost (GPUs at once x deadline x price). */
  readonly maxCost?: number;
  /** Serving: cost per hour at the fewest and the most replicas. */
  readonly costPerHour?: { readonly min: number; readonly max: number };
  readonly notes: string[];
}

/** One GPU quota of a team, with the demand charged to it. */
interface PlanQuota {
  readonly team: string;
  readonly namespace: string;
  readonly cohort: string;
  readonly flavor: string;
  readonly nominal: number;
  readonly borrowingLimit?: number;
  readonly lendingLimit?: number;
  readonly reachable: number;
  /** `nvidia.com/gpu` units of the workloads queued to the flavor (Kueue's count: a share is 1 unit). */
  readonly demand: number;
  /** The same workloads in physical GPUs (shares at their fraction). */
  readonly demandGpuEquivalent: number;
  readonly largestAdmission: number;
  readonly workloads: string[];
}

/** Rounds money to cents. */
function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Dollars with cents and thousands separators, the same on every machine (no locale). */
function usd(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  const [whole, fraction] = n.toFixed(2).split('.');
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

/** A price per GPU-hour as the table gives it (up to 4 decimals). */
function rate(n: number | undefined): string {
  return n === undefined ? 'n/a' : `$${Number(n.toFixed(4))}`;
}

/** GPUs, whole or fractional (shares), to 3 decimals at most (a 1/7 slice is 0.143). */
function gpuNumber(n: number): number {
  return Number(n.toFixed(3));
}

function gpusWord(n: number): string {
  return `${gpuNumber(n)} GPU${n > 1 ? 's' : ''}`;
}

/** A fraction of a GPU for people: `1/4`, `1/7` (shares hold one over a whole number of a GPU; `f` has 4 decimals). */
function fractionText(f: number): string {
  const k = Math.round(1 / f);
  return Math.abs(1 / k - f) < 1e-4 ? `1/${k}` : `${gpuNumber(f)}`;
}

/** GPU counts kept in the JSON: 4 decimals (a 1/7 slice is 0.1429). */
function round4(n: number): number {
  return Number(n.toFixed(4));
}

function hours(seconds: number): string {
  const h = seconds / 3600;
  return `${Number.isInteger(h) ? h : h.toFixed(2)} h`;
}

/**
 * The GPU plan of a chart, written at synth beside its manifests as `extras/<chart>.gpu-plan.md` (for people) and
 * `extras/<chart>.gpu-plan.json` (for machines): for each GPU workload its accelerator, GPUs, capacity ladder, queue and
 * the most it can cost (jobs: GPUs at once x active deadline x price; serving: fewest and most replicas x GPUs x price
 * per hour); for each team of a `GpuFleet` its quota against the demand of the workloads queued to it; totals; and the
 * prices used, with their source and date (estimates say so). Read from the rendered objects, so escape-hatch edits
 * count.
 *
 * Prices: spot capacity at the spot price; on-demand, reserved, flex-start and spot-with-fallback at the on-demand
 * price (the most it can cost: reservations are billed whether used or not, flex-start is discounted); a compute class
 * at its dearest priority. Shared GPUs (time-sharing, MPS, MIG) count and cost at their fraction of a physical GPU
 * (`GpuShare.fractionOf`); the quota figures of the teams are in `nvidia.com/gpu` units, as Kueue counts them (one per
 * share).
 */
export class GpuPlanReport extends Construct {
  /** File name of the Markdown report in the output directory's `extras/` folder. */
  public readonly markdownFileName: string;
  /** File name of the JSON report in the output directory's `extras/` folder. */
  public readonly jsonFileName: string;
  private readonly _prices: GpuPriceTable;
  private readonly _platform: Platform;

  public constructor(scope: Construct, id: string, props: GpuPlanReportProps) {
    super(scope, id);
    const p = new _Problems();
    props = _checkProps(p, 'GpuPlanReportProps', props, { allowUnknown: new.target !== GpuPlanReport });
    p.attach(this);
    this._platform = props.platform;
    this._prices = props.prices ?? GpuPriceTable.forCloud(props.platform?.cloud);
    this.markdownFileName = _OutputFile.chartFileName(this, 'gpu-plan.md');
    this.jsonFileName = _OutputFile.chartFileName(this, 'gpu-plan.json');
    // One plan per validation pass for both files.
    _Renders.watch(this);
    const plan = () => _Renders.perPass(this, 'plan', () => this.plan());
    _OutputFile.write(this, this.markdownFileName, () => this.markdown(plan()), p);
    _OutputFile.write(this, this.jsonFileName, () => `${JSON.stringify(plan(), undefined, 2)}\n`, p);
  }

  /** The plan: workloads, quotas, totals and prices, as the JSON report holds it. */
  private plan(): any {
    const registry = _FleetRegistry.of(this);
    const chart = Chart.of(this);
    const mine = (c: IConstruct) => Chart.of(c) === chart;
    const used = new Map<Accelerator, GpuPrice | undefined>();
    const priceOf = (acc: Accelerator) => {
      if (!used.has(acc)) used.set(acc, this._prices.priceOf(acc));
      return used.get(acc);
    };
    const workloads: PlanWorkload[] = [];
    const demands = new Map<_WorkloadInfo, { gpus: number; equivalent: number; admission: number; resources: string[] }>();
    for (const w of registry.workloads.filter(x => mine(x.construct))) {
      const entry = this.workload(registry, w, priceOf);
      if (!entry) continue;
      workloads.push(entry.row);
      demands.set(w, entry.demand);
    }
    const quotas: PlanQuota[] = [];
    for (const fleet of registry.fleets.filter(f => mine(f.construct))) {
      for (const team of fleet.teams) {
        for (const q of team.quotas) {
          // A fleet's flavors hold nvidia.com/gpu quota: a mixed-strategy MIG slice is charged to none of them.
          const queued = [...demands.entries()].filter(([w, d]) => w.platform.cluster === fleet.cluster && w.queueName === team.queueName
            && w.queueNamespace === team.namespace && d.resources.every(r => r === 'nvidia.com/gpu') && team.quotas.find(x => _flavorFits(x.flavor, w)) === q);
          quotas.push({
            team: team.clusterQueue, namespace: team.namespace, cohort: fleet.cohort, flavor: q.flavor.name, nominal: q.gpus,
            borrowingLimit: q.borrowingLimit, lendingLimit: q.lendingLimit, reachable: _reachableGpus(fleet.teams, team, q),
            demand: queued.reduce((n, [, d]) => n + d.gpus, 0),
            demandGpuEquivalent: round4(queued.reduce((n, [, d]) => n + d.equivalent, 0)),
            largestAdmission: Math.max(0, ...queued.map(([, d]) => d.admission)),
            workloads: queued.map(([w]) => `${w.resource.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`),
          });
        }
      }
    }
    const jobs = workloads.filter(w => w.runs === 'job');
    const serving = workloads.filter(w => w.runs === 'service');
    const totals = {
      gpus: { min: workloads.reduce((n, w) => n + w.gpus.min, 0), max: workloads.reduce((n, w) => n + w.gpus.max, 0) },
      gpuEquivalent: {
        min: round4(workloads.reduce((n, w) => n + w.gpuEquivalent.min, 0)), max: round4(workloads.reduce((n, w) => n + w.gpuEquivalent.max, 0)),
      },
      jobsMaxCost: cents(jobs.reduce((n, w) => n + (w.maxCost ?? 0), 0)),
      jobsNotCounted: jobs.filter(w => w.maxCost === undefined).map(w => w.object),
      servingCostPerHour: {
        min: cents(serving.reduce((n, w) => n + (w.costPerHour?.min ?? 0), 0)),
        max: cents(serving.reduce((n, w) => n + (w.costPerHour?.max ?? 0), 0)),
      },
      servicesNotCounted: serving.filter(w => w.costPerHour === undefined).map(w => w.object),
    };
    const prices = [...used.entries()].map(([acc, price]) => (price
      ? {
        accelerator: acc.name, onDemandPerHour: price.onDemandPerHour, spotPerHour: price.spotPerHour, source: price.source ?? 'your own price',
        date: price.date, onDemandIsEstimate: price.onDemandIsEstimate === true, spotIsEstimate: price.spotIsEstimate === true,
        description: GpuPriceTable.describe(price),
      }
      : { accelerator: acc.name, missing: true }));
    return { chart: chart.node.id, platform: this._platform?.displayName, cluster: this._platform?.cluster, workloads, quotas, totals, prices };
  }

  private workload(registry: _FleetRegistry, w: _WorkloadInfo, priceOf: (a: Accelerator) => GpuPrice | undefined)
    : { row: PlanWorkload; demand: { gpus: number; equivalent: number; admission: number; resources: string[] } } | undefined {
    const demand = _demandOf(w.construct, w.resource);
    if (demand.maxGpus === 0) return undefined;
    const cc: _ComputeClassInfo | undefined = w.computeClassName !== undefined
      ? registry.computeClassOf(w.platform.cluster, w.computeClassName) : undefined;
    const notes: string[] = [];
    // GPU sharing: one unit of a shared GPU holds a fraction of a physical one, and costs that fraction of its price.
    const share = w.share !== undefined && w.share.isShared ? w.share : undefined;
    let fraction = share ? share.fractionOf(w.accelerator) : 1;
    if (fraction === undefined) {
      notes.push(`the fraction of a GPU that ${share!.toString()} holds on ${w.accelerator?.name ?? 'an unnamed accelerator'} is unknown (the catalog does not list the profile): counted as whole GPUs`);
      fraction = 1;
    }
    // What the pods can run on, and at what price per GPU-hour at most.
    let accelerators: Accelerator[] = w.accelerator ? [w.accelerator] : [];
    let ladder: string[];
    let capacity: string;
    const options: { acc: Accelerator; spot: boolean }[] = [];
    if (w.computeClassName !== undefined) {
      capacity = `compute class ${w.computeClassName}`;
      if (cc) {
        accelerators = [...new Set(cc.priorities.map(pr => pr.accelerator))];
        ladder = cc.priorities.map(pr => `${pr.gpus} x ${pr.accelerator.name}${pr.machineType ? ` (${pr.machineType})` : ''}, ${pr.description}${pr.maxRunSeconds ? `, nodes live at most ${hours(pr.maxRunSeconds)}` : ''}`);
        options.push(...cc.priorities.map(pr => ({ acc: pr.accelerator, spot: pr.capacity === 'spot' })));
      } else {
        ladder = [`compute class ${w.computeClassName} (not defined in the app: its priorities are unknown)`];
        options.push(...accelerators.map(acc => ({ acc, spot: false })));
      }
    } else {
      capacity = w.capacityType;
      ladder = [w.capacityType === CapacityType.SPOT_WITH_FALLBACK ? 'spot, else on-demand' : w.capacityType];
      options.push(...accelerators.map(acc => ({ acc, spot: w.capacityType === CapacityType.SPOT })));
    }
    if (w.capacityType === CapacityType.RESERVED) notes.push('reserved capacity is billed whether it is used or not; priced at on-demand');
    if (w.capacityType === CapacityType.FLEX_START) notes.push('flex-start is billed at Dynamic Workload Scheduler prices (discounted); priced at on-demand');
    let price: number | undefined;
    let basis: string | undefined;
    for (const o of options) {
      const row = priceOf(o.acc);
      if (!row) { price = undefined; basis = undefined; notes.push(`no price for ${o.acc.name} in the price table`); break; }
      const value = o.spot ? row.spotPerHour : row.onDemandPerHour;
      const estimate = o.spot ? row.spotIsEstimate : row.onDemandIsEstimate;
      if (price === undefined || value > price) {
        price = value;
        basis = `${o.acc.name} ${o.spot ? 'spot' : 'on-demand'}${estimate ? ' (estimate)' : ''}`;
      }
    }
    const queue = w.queueName !== undefined ? (() => {
      const found = registry.teamOf(w.platform.cluster, w.queueNamespace, w.queueName!);
      const integration = _kueueIntegration(w.resource);
      const note = integration && !integration.enabledByDefault ? `Kueue must enable the ${integration.framework} integration (off by default)` : undefined;
      if (note) notes.push(note);
      return {
        localQueue: `${w.queueNamespace ?? ''}/${w.queueName}`, clusterQueue: found?.team.clusterQueue, cohort: found?.fleet.cohort, priority: w.priorityName, note,
      };
    })() : undefined;
    const job = demand.runsToCompletion && w.kind !== WorkloadKind.SERVING;
    const gpuSets = demand.podSets.filter(s => s.gpusPerPod > 0);
    const row: PlanWorkload = {
      object: `${w.resource.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`,
      path: w.construct.node.path,
      accelerators: accelerators.map(a => a.name),
      podSets: gpuSets.map(s => ({ gpusPerPod: s.gpusPerPod, minPods: s.minPods, maxPods: s.maxPods })),
      pods: { min: gpuSets.reduce((n, s) => n + s.minPods, 0), max: gpuSets.reduce((n, s) => n + s.maxPods, 0) },
      gpus: { min: demand.minGpus, max: demand.maxGpus },
      gpuResources: demand.gpuResources,
      share: share ? { strategy: share.strategy, description: share.toString(), fraction: round4(fraction) } : undefined,
      gpuEquivalent: { min: round4(demand.minGpus * fraction), max: round4(demand.maxGpus * fraction) },
      capacity,
      ladder,
      queue,
      runs: job ? 'job' : 'service',
      deadlineSeconds: job ? demand.deadlineSeconds : undefined,
      pricePerGpuHour: price,
      priceBasis: basis,
      maxCost: job && price !== undefined && demand.deadlineSeconds !== undefined
        ? cents(demand.maxGpus * fraction * (demand.deadlineSeconds / 3600) * price) : undefined,
      costPerHour: !job && price !== undefined
        ? { min: cents(demand.minGpus * fraction * price), max: cents(demand.maxGpus * fraction * price) } : undefined,
      notes: job && demand.deadlineSeconds === undefined ? [...notes, 'no activeDeadline: the cost has no ceiling'] : notes,
    };
    const queued = { gpus: demand.maxGpus, equivalent: demand.maxGpus * fraction, admission: demand.admissionGpus, resources: demand.gpuResources };
    return { row, demand: queued };
  }

  private markdown(plan: any): string {
    const out: string[] = [];
    const cell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|');
    const table = (head: string[], rows: unknown[][]) => {
      out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(r => `| ${r.map(cell).join(' | ')} |`), '');
    };
    out.push(`# GPU plan: ${plan.chart}`, '', `Platform: ${plan.platform ?? 'n/a'}, cluster \`${plan.cluster ?? 'n/a'}\`. Generated at synth by cdk8s-gpu-ml; `
      + 'costs are ceilings from the prices below, not bills.', '');
    out.push('## Workloads', '');
    const range = (r: { min: number; max: number }) => (r.min === r.max ? `${r.max}` : `${r.min}-${r.max}`);
    const money = (r: { min: number; max: number }) => (r.min === r.max ? usd(r.max) : `${usd(r.min)}-${usd(r.max)}`);
    const gpuRange = (r: { min: number; max: number }) => range({ min: gpuNumber(r.min), max: gpuNumber(r.max) });
    const gpuRangeWord = (r: { min: number; max: number }) => `${gpuRange(r)} GPU${r.max > 1 ? 's' : ''}`;
    // Whole GPUs: `2 x 1-4 = 2-8`; shares: `1 x 2-4 shares (1/4 L4 each, GpuShare.timeShared(4)) = 0.5-1 GPU`.
    const gpuCell = (w: PlanWorkload) => {
      const sets = w.podSets.map(s => `${s.gpusPerPod} x ${range({ min: s.minPods, max: s.maxPods })}`).join(' + ');
      if (!w.share) return `${sets} = ${range(w.gpus)}`;
      const unit = w.share.strategy === 'mig' ? 'slice' : 'share';
      const of = w.accelerators.length ? ` ${w.accelerators.join(' or ')}` : ' GPU';
      return `${sets} ${unit}${w.gpus.max === 1 ? '' : 's'} (${fractionText(w.share.fraction)}${of} each, ${w.share.description}) = ${gpuRangeWord(w.gpuEquivalent)}`;
    };
    table(['workload', 'accelerator', 'GPUs: per pod x pods', 'capacity ladder', 'queue', 'runs', 'most it can cost'], plan.workloads.map((w: PlanWorkload) => [
      `${w.object}`,
      w.accelerators.join(', ') || 'any',
      gpuCell(w),
      w.ladder.join(' → '),
      w.queue ? `${w.queue.localQueue}${w.queue.clusterQueue ? ` → ${w.queue.clusterQueue}` : ''}${w.queue.priority ? ` (priority ${w.queue.priority})` : ''}` : 'not queued',
      w.runs === 'job' ? `job${w.deadlineSeconds !== undefined ? `, at most ${hours(w.deadlineSeconds)}` : ', no deadline'}` : 'until deleted',
      w.runs === 'job'
        ? (w.pricePerGpuHour === undefined ? 'no price' : w.maxCost !== undefined ? `${usd(w.maxCost)} (${gpusWord(w.gpuEquivalent.max)} x ${hours(w.deadlineSeconds!)} x ${rate(w.pricePerGpuHour)}/GPU-h ${w.priceBasis})` : 'no ceiling')
        : (w.costPerHour ? `${money(w.costPerHour)} per hour (${gpuRangeWord(w.gpuEquivalent)} x ${rate(w.pricePerGpuHour)}/GPU-h ${w.priceBasis})` : 'no price'),
    ]));
    if (plan.workloads.some((w: PlanWorkload) => w.share)) {
      out.push('Shared GPUs (time-sharing, MPS, MIG) count and cost at their fraction of a physical GPU. The nodes bill whole GPUs: '
        + 'shares no pod holds are idle cost, charged to no workload here.', '');
    }
    const notes = plan.workloads.filter((w: PlanWorkload) => w.notes.length);
    if (notes.length) {
      out.push('Notes:', '', ...notes.map((w: PlanWorkload) => `- ${w.object}: ${w.notes.join('; ')}`), '');
    }
    if (plan.quotas.length) {
      out.push('## Teams: quota against demand', '', '`nvidia.com/gpu` units, as Kueue counts them: a whole GPU, a time-shared GPU, an MPS share or a MIG slice '
        + 'each take 1 unit, so the quota of a flavor of shared GPUs is in shares. Reachable = nominal quota + what the team may borrow in its cohort '
        + '(Kueue admits a workload whole or not at all).', '');
      table(['team (ClusterQueue)', 'namespace', 'cohort', 'flavor', 'nominal', 'borrowing limit', 'lending limit', 'reachable', 'demand', 'largest admission', 'workloads'],
        plan.quotas.map((q: PlanQuota) => [q.team, q.namespace, q.cohort, q.flavor, q.nominal, q.borrowingLimit ?? 'none', q.lendingLimit ?? 'none',
          q.reachable, `${q.demand}${q.demandGpuEquivalent !== q.demand ? ` (${gpusWord(q.demandGpuEquivalent)})` : ''}${q.demand > q.reachable ? ' (over: workloads wait)' : ''}`,
          q.largestAdmission, q.workloads.join(', ') || '-']));
    }
    const t = plan.totals;
    out.push('## Totals', '');
    table(['', ''], [
      ['GPUs (fewest-most replicas; jobs: pods at once; shares at their fraction)', gpuRange(t.gpuEquivalent)],
      ['jobs: most they can cost', `${usd(t.jobsMaxCost)}${t.jobsNotCounted.length ? `, not counting ${t.jobsNotCounted.join(', ')} (no price or no deadline)` : ''}`],
      ['services: cost per hour', `${money(t.servingCostPerHour)}${t.servicesNotCounted.length ? `, not counting ${t.servicesNotCounted.join(', ')} (no price)` : ''}`],
    ]);
    out.push('## Prices', '');
    table(['accelerator', 'on-demand $/GPU-h', 'spot $/GPU-h', 'source'], plan.prices.map((pr: any) => (pr.missing
      ? [pr.accelerator, 'n/a', 'n/a', 'no price in the table: its costs are not counted']
      : [pr.accelerator, `${pr.onDemandPerHour}${pr.onDemandIsEstimate ? ' (estimate)' : ''}`, `${pr.spotPerHour}${pr.spotIsEstimate ? ' (estimate)' : ''}`, pr.description])));
    return `${out.join('\n').trimEnd()}\n`;
  }
}
