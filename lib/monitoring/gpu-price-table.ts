import { Accelerator } from '../accelerator';
import { Cloud } from '../platform/platform';

/** The price of one GPU for one hour, on-demand and on spot capacity. */
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
}

/**
 * USD per GPU-hour for the accelerators an app uses, on-demand and spot, used by GpuMonitoring's cost recording rules.
 *
 * The built-in tables are APPROXIMATE public list prices, read from memory of the providers' pricing pages in 2025
 * (GCP us-central1: the accelerator-optimized VM price divided by its GPUs; AWS us-east-1: the smallest instance
 * with the GPU, or the 8-GPU instance divided by 8). Spot prices move daily: the spot column is a rough typical value.
 * Override them with your negotiated or current prices (`withPrice`).
 */
export class GpuPriceTable {
  /** Approximate GCP (us-central1) on-demand / spot prices per GPU-hour, 2025. */
  public static gcpListPrices(): GpuPriceTable {
    return new GpuPriceTable([
      { accelerator: Accelerator.T4, onDemandPerHour: 0.35, spotPerHour: 0.14 },
      { accelerator: Accelerator.L4, onDemandPerHour: 0.71, spotPerHour: 0.28 },
      { accelerator: Accelerator.A100_40GB, onDemandPerHour: 3.67, spotPerHour: 1.47 },
      { accelerator: Accelerator.A100_80GB, onDemandPerHour: 5.07, spotPerHour: 2.03 },
      { accelerator: Accelerator.H100_80GB, onDemandPerHour: 11.06, spotPerHour: 4.43 },
    ]);
  }

  /** Approximate AWS (us-east-1) on-demand / spot prices per GPU-hour, 2025. */
  public static awsListPrices(): GpuPriceTable {
    return new GpuPriceTable([
      { accelerator: Accelerator.T4, onDemandPerHour: 0.53, spotPerHour: 0.21 },
      { accelerator: Accelerator.A10G, onDemandPerHour: 1.01, spotPerHour: 0.40 },
      { accelerator: Accelerator.L4, onDemandPerHour: 0.80, spotPerHour: 0.32 },
      { accelerator: Accelerator.L40S, onDemandPerHour: 1.86, spotPerHour: 0.74 },
      { accelerator: Accelerator.A100_40GB, onDemandPerHour: 4.10, spotPerHour: 1.64 },
      { accelerator: Accelerator.A100_80GB, onDemandPerHour: 5.12, spotPerHour: 2.05 },
      { accelerator: Accelerator.H100_80GB, onDemandPerHour: 6.88, spotPerHour: 2.75 },
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
