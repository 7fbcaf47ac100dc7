import { Accelerator } from '../accelerator';
import { Cloud } from '../platform/platform';

/** The price of one GPU for one hour, on-demand and on spot capacity, with where the figures come from. */
export interface GpuPrice {
  /** The accelerator this price is for. */
  readonly accelerator: Accelerator;
  /** USD per GPU-hour on on-demand capacity. */
  readonly onDemandPerHour: number;
  /** USD per GPU-hour on spot capacity. */
  readonly spotPerHour: number;
  /**
   * RE2 regular expression matching the `modelName` label DCGM reports for this GPU (NVML's product name, matched
   * whole).
   * @default - the accelerator's `dcgmModelName` (e.g. `NVIDIA L4`)
   */
  readonly dcgmModelName?: string;
  /**
   * Where the figures come from, e.g. `Karpenter's generated AWS pricing, us-east-1, commit 6fc13b52`.
   * @default - your own price (no source stated)
   */
  readonly source?: string;
  /**
   * When the figures were read or checked, `YYYY-MM-DD`.
   * @default - not stated
   */
  readonly date?: string;
  /**
   * Whether `onDemandPerHour` is an estimate rather than a figure read from a price list.
   * @default false
   */
  readonly onDemandIsEstimate?: boolean;
  /**
   * Whether `spotPerHour` is an estimate rather than an observed or published spot price (spot prices move daily).
   * @default false
   */
  readonly spotIsEstimate?: boolean;
  /**
   * How the spot estimate was made, e.g. `40 % of on-demand (an assumed 60 % discount)`.
   * @default - none
   */
  readonly spotAssumption?: string;
}

/** Built-in AWS spot prices: no source has them (Karpenter's static data has none; live prices move daily). */
const SPOT_ASSUMPTION = '40 % of on-demand (an assumed 60 % spot discount, not a price)';

/** A built-in price: spot estimated with the stated assumption. */
function price(accelerator: Accelerator, onDemandPerHour: number, source: string, date: string, onDemandIsEstimate = false): GpuPrice {
  return {
    accelerator,
    onDemandPerHour,
    spotPerHour: Math.round(onDemandPerHour * 0.4 * 10000) / 10000,
    source,
    date,
    onDemandIsEstimate,
    spotIsEstimate: true,
    spotAssumption: SPOT_ASSUMPTION,
  };
}

/** A built-in price whose on-demand and spot figures are both read from a price list (per GPU-hour, 4 decimals). */
function listed(accelerator: Accelerator, onDemandPerHour: number, spotPerHour: number, source: string, date: string): GpuPrice {
  const round = (n: number) => Math.round(n * 10000) / 10000;
  return {
    accelerator, onDemandPerHour: round(onDemandPerHour), spotPerHour: round(spotPerHour), source, date,
    onDemandIsEstimate: false, spotIsEstimate: false,
  };
}

/** Karpenter's us-east-1 on-demand prices (zz_generated.pricing_aws.go, generated 2026-07-20T13:44:30Z). */
const KARPENTER = 'Karpenter\'s generated AWS pricing (aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go), us-east-1, commit 6fc13b52';
const KARPENTER_DATE = '2026-07-20';
/**
 * Whole-VM prices of GCP's accelerator-optimized machines, on-demand (`hour`) and spot (`hour_spot`), from the Cloud
 * Billing Catalog API (pricing.yml "generated: Thu Jul 30 06:13:17 2026").
 */
const CYCLENERD = 'Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml @fd66b26f (Cloud Billing Catalog API, generated 2026-07-30), us-central1';
const CYCLENERD_DATE = '2026-07-30';
/** GCP's per-GPU prices of GPUs that attach to N1 machines (rows without an instance type: the GPU alone). */
const SKYPILOT = 'SkyPilot\'s GCP catalog (skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv @017e2502, from the Cloud Billing API), us-central1';
const SKYPILOT_READ = '2026-11-30';

/**
 * USD per GPU-hour for the accelerators an app uses, on-demand and spot, used by GpuMonitoring's cost recording rules.
 * Every built-in row says where its figures come from (`source`, `date`) and which are estimates; `describe(price)`
 * says it in words. Sources and dates: docs/platform-facts.md.
 *
 * - AWS (us-east-1): Karpenter's generated on-demand pricing (2026-07-20), per GPU: the smallest instance with the GPU,
 *   or the 8-GPU instance divided by 8.
 * - GCP (us-central1), per GPU, on-demand and spot both read from price lists: A2/A3/G2 machines bundle their GPUs, so
 *   the smallest machine's price divided by its GPUs (Cyclenerd's Cloud Billing export, 2026-07-30); T4, P4, P100 and V100
 *   attach to N1 machines, so the GPU's own price, without the N1 machine (SkyPilot's GCP catalog). GCP changes spot
 *   prices up to once a month: they are the prices of the day the source was generated.
 * - AWS spot: no source gives spot prices the library could ship (they move daily, and Karpenter's static data has
 *   none): every built-in AWS spot figure is an estimate, 40 % of on-demand.
 *
 * Override them with your negotiated or current prices (`withPrice`, `GpuPriceTable.of`).
 */
export class GpuPriceTable {
  /** GCP (us-central1) on-demand and spot prices per GPU-hour, each from a price list (see `describe`). */
  public static gcpListPrices(): GpuPriceTable {
    return new GpuPriceTable([
      // GPUs that attach to N1 machines: the GPU's own price; the N1 machine is billed separately.
      listed(Accelerator.T4, 0.35, 0.14, `${SKYPILOT}: T4 0.35 $/h, spot 0.14 $/h (the T4 GPU alone; the N1 machine it attaches to is billed separately)`, SKYPILOT_READ),
      // Accelerator-optimized machines: the smallest machine with the GPU, divided by its GPUs.
      listed(Accelerator.L4, 0.706832255, 0.397336, `${CYCLENERD}: g2-standard-4 (1 GPU) 0.706832255 $/h, spot 0.397336 $/h`, CYCLENERD_DATE),
      // SkyPilot's catalog agrees on-demand: a2-highgpu-1g 0.73948 + A100 2.93391 $/h.
      listed(Accelerator.A100_40GB, 3.673385, 1.92802, `${CYCLENERD}: a2-highgpu-1g (1 GPU) 3.673385 $/h, spot 1.92802 $/h`, CYCLENERD_DATE),
      listed(Accelerator.A100_80GB, 5.06879789, 2.7595463, `${CYCLENERD}: a2-ultragpu-1g (1 GPU) 5.06879789 $/h, spot 2.7595463 $/h`, CYCLENERD_DATE),
      listed(Accelerator.H100_80GB, 88.4899999 / 8, 50.6095408 / 8, `${CYCLENERD}: a3-highgpu-8g 88.4899999 $/h / 8, spot 50.6095408 $/h / 8`, CYCLENERD_DATE),
      listed(Accelerator.P4, 0.6, 0.24, `${SKYPILOT}: P4 0.6 $/h, spot 0.24 $/h (the GPU alone, without its N1 machine)`, SKYPILOT_READ),
      listed(Accelerator.P100, 1.46, 0.584, `${SKYPILOT}: P100 1.46 $/h, spot 0.584 $/h (the GPU alone, without its N1 machine)`, SKYPILOT_READ),
      listed(Accelerator.V100, 2.48, 0.992, `${SKYPILOT}: V100 2.48 $/h, spot 0.992 $/h (the GPU alone, without its N1 machine)`, SKYPILOT_READ),
    ]);
  }

  /** AWS (us-east-1) on-demand prices per GPU-hour from Karpenter's generated pricing, spot estimated. */
  public static awsListPrices(): GpuPriceTable {
    return new GpuPriceTable([
      price(Accelerator.T4, 0.526, `${KARPENTER}: g4dn.xlarge 0.526 $/h`, KARPENTER_DATE),
      price(Accelerator.A10G, 1.006, `${KARPENTER}: g5.xlarge 1.006 $/h`, KARPENTER_DATE),
      price(Accelerator.L4, 0.8048, `${KARPENTER}: g6.xlarge 0.8048 $/h`, KARPENTER_DATE),
      price(Accelerator.L40S, 1.861, `${KARPENTER}: g6e.xlarge 1.861 $/h`, KARPENTER_DATE),
      price(Accelerator.A100_40GB, 2.7447, `${KARPENTER}: p4d.24xlarge 21.957642 $/h / 8`, KARPENTER_DATE),
      price(Accelerator.A100_80GB, 3.4309, `${KARPENTER}: p4de.24xlarge 27.44705 $/h / 8`, KARPENTER_DATE),
      price(Accelerator.H100_80GB, 6.88, `${KARPENTER}: p5.4xlarge 6.88 $/h (p5.48xlarge 55.04 $/h / 8)`, KARPENTER_DATE),
      // p5e.48xlarge has no us-east-1 on-demand price (capacity blocks only): the H200 price is p5en's.
      price(Accelerator.H200_141GB, 7.912, `${KARPENTER}: p5en.48xlarge 63.296 $/h / 8`, KARPENTER_DATE),
      price(Accelerator.B200, 14.2416, `${KARPENTER}: p6-b200.48xlarge 113.9328 $/h / 8`, KARPENTER_DATE),
    ]);
  }

  /** The built-in table for a cloud (empty for `Cloud.ANY`: give your own prices). */
  public static forCloud(cloud: Cloud): GpuPriceTable {
    if (cloud === Cloud.GCP) return GpuPriceTable.gcpListPrices();
    if (cloud === Cloud.AWS) return GpuPriceTable.awsListPrices();
    return GpuPriceTable.of([]);
  }

  /** A table of your own prices. */
  public static of(prices: GpuPrice[]): GpuPriceTable {
    return new GpuPriceTable(prices);
  }

  /**
   * Where a price comes from, in words, for anything that shows prices (a dashboard, a cost report): e.g.
   * `on-demand 2.7447 $/GPU-h from Karpenter's generated AWS pricing, ... (2026-07-20); spot 1.0979 $/GPU-h is an
   * estimate: 40 % of on-demand (...)`.
   */
  public static describe(price: GpuPrice): string {
    const from = price.source ? ` from ${price.source}` : ' (your own price)';
    const date = price.date ? ` (${price.date})` : '';
    const onDemand = `on-demand ${price.onDemandPerHour} $/GPU-h${price.onDemandIsEstimate ? ' is an estimate' : ''}${from}${date}`;
    const spot = price.spotIsEstimate
      ? `spot ${price.spotPerHour} $/GPU-h is an estimate${price.spotAssumption ? `: ${price.spotAssumption}` : ''}`
      : `spot ${price.spotPerHour} $/GPU-h`;
    return `${onDemand}; ${spot}`;
  }

  /** Whether either figure of a price is an estimate. */
  public static isEstimate(price: GpuPrice): boolean {
    return price.onDemandIsEstimate === true || price.spotIsEstimate === true;
  }

  /** The prices, one per accelerator, in the order given. */
  public readonly prices: GpuPrice[];

  private constructor(prices: GpuPrice[]) {
    const byAccelerator = new Map<Accelerator, GpuPrice>();
    for (const price of Array.isArray(prices) ? prices : []) byAccelerator.set(price?.accelerator, price);
    this.prices = [...byAccelerator.values()];
  }

  /** A copy of this table with `price` added, or replacing the price of the same accelerator. */
  public withPrice(price: GpuPrice): GpuPriceTable {
    return new GpuPriceTable([...this.prices.filter(p => p.accelerator !== price?.accelerator), price]);
  }

  /** The price of `accelerator`, if the table has one. */
  public priceOf(accelerator: Accelerator): GpuPrice | undefined {
    return this.prices.find(p => p.accelerator === accelerator);
  }

  /** The DCGM `modelName` pattern of a price (its own, or the catalog's). @internal */
  public static _modelNameOf(price: GpuPrice): string | undefined {
    return price.dcgmModelName ?? price.accelerator?.dcgmModelName;
  }
}
