/**
 * Built-in prices with provenance (issue 19): every row says where its figures come from and when, spot is either
 * sourced or an estimate with its assumption, and users can still replace the table. Sources: docs/platform-facts.md.
 */
import { Accelerator, GpuPrice, GpuPriceTable } from '../lib';

/** What every built-in row must carry; returns the problems of one row. */
function provenanceProblems(p: GpuPrice): string[] {
  const out: string[] = [];
  const name = p.accelerator?.name;
  if (typeof p.source !== 'string' || p.source.length < 10) out.push(`${name}: no source`);
  if (typeof p.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(p.date)) out.push(`${name}: no date (YYYY-MM-DD)`);
  if (p.spotIsEstimate && !(typeof p.spotAssumption === 'string' && p.spotAssumption.length > 0)) out.push(`${name}: spot estimate without its assumption`);
  if (p.onDemandIsEstimate && !/unverified|estimate/.test(p.source ?? '')) out.push(`${name}: estimated on-demand price whose source does not say so`);
  // Issue 19 found "unverified: GCP list price ... from memory of ...": a recollection is no source, even for an estimate,
  // and a figure not marked as an estimate must not be unverified.
  if (/from memory/i.test(p.source ?? '')) out.push(`${name}: a recollection is not a source`);
  else if (!p.onDemandIsEstimate && /unverified/i.test(p.source ?? '')) out.push(`${name}: unverified source for a figure not marked as an estimate`);
  return out;
}

const tables: Array<[string, GpuPriceTable]> = [['GCP', GpuPriceTable.gcpListPrices()], ['AWS', GpuPriceTable.awsListPrices()]];

test.each(tables)('%s: every row has a source, a date, and spot sourced or an estimate with its assumption', (_cloud, table) => {
  expect(table.prices.length).toBeGreaterThan(0);
  expect(table.prices.flatMap(provenanceProblems)).toEqual([]);
});

test('the provenance check fails on a row without source and date (it can fail)', () => {
  expect(provenanceProblems({ accelerator: Accelerator.L4, onDemandPerHour: 1, spotPerHour: 0.4, spotIsEstimate: true }))
    .toEqual(['L4: no source', 'L4: no date (YYYY-MM-DD)', 'L4: spot estimate without its assumption']);
  // The rows issue 19 found: a remembered list price, presented as a price.
  const remembered = { accelerator: Accelerator.L4, onDemandPerHour: 0.71, spotPerHour: 0.3, date: '2026-11-29' };
  const fromMemory = 'unverified: GCP list price (us-central1) from memory of cloud.google.com/compute/gpus-pricing, 2025';
  expect(provenanceProblems({ ...remembered, source: fromMemory })).toEqual(['L4: a recollection is not a source']);
  expect(provenanceProblems({ ...remembered, source: fromMemory, onDemandIsEstimate: true })).toEqual(['L4: a recollection is not a source']);
  expect(provenanceProblems({ ...remembered, source: 'unverified: GCP list price (us-central1), not confirmed against a primary copy' }))
    .toEqual(['L4: unverified source for a figure not marked as an estimate']);
  expect(provenanceProblems({ ...remembered, source: 'our own guess', onDemandIsEstimate: true })).toEqual(['L4: estimated on-demand price whose source does not say so']);
});

describe('AWS: Karpenter\'s generated pricing, us-east-1, commit 6fc13b52 (generated 2026-07-20)', () => {
  const aws = GpuPriceTable.awsListPrices();
  // Issue 19: A100 40GB was 4.10 and A100 80GB 5.12 $/GPU-h (pre-June-2025 prices). Source: zz_generated.pricing_aws.go
  // "p4d.24xlarge": 21.957642, "p4de.24xlarge": 27.447050, 8 GPUs each.
  test.each([
    [Accelerator.A100_40GB, 21.957642 / 8],
    [Accelerator.A100_80GB, 27.44705 / 8],
    [Accelerator.H100_80GB, 55.04 / 8],
    [Accelerator.T4, 0.526],
    [Accelerator.A10G, 1.006],
    [Accelerator.L4, 0.8048],
    [Accelerator.L40S, 1.861],
    [Accelerator.H200_141GB, 63.296 / 8],
    [Accelerator.B200, 113.9328 / 8],
  ] as Array<[Accelerator, number]>)('on-demand row %#', (acc, perGpu) => {
    const price = aws.priceOf(acc)!;
    expect(price.onDemandPerHour).toBeCloseTo(perGpu, 4);
    expect(price.onDemandIsEstimate).toBe(false);
    expect(price.source).toContain('commit 6fc13b52');
    expect(price.date).toBe('2026-07-20');
  });
  // Issue 19: every spot row was exactly 0.40 x on-demand, presented as a typical price. Karpenter has no spot data
  // (pricing.go seeds spot from on-demand), so the figure stays, marked as the estimate it is.
  test('spot is an estimate, 40 % of on-demand, saying so', () => {
    for (const p of aws.prices) {
      const estimate = Math.round(p.onDemandPerHour * 0.4 * 10000) / 10000;
      expect([p.accelerator.name, p.spotIsEstimate, p.spotPerHour]).toEqual([p.accelerator.name, true, estimate]);
      expect(p.spotAssumption).toBe('40 % of on-demand (an assumed 60 % spot discount, not a price)');
    }
  });
});

describe('GCP (us-central1): every figure read from a price list, on-demand and spot', () => {
  const gcp = GpuPriceTable.gcpListPrices();
  // Issue 19: four of five GCP rows were "unverified ... from memory"; every spot row was an estimate.
  test('no estimate left: every row sourced, spot too', () => {
    expect(gcp.prices.filter(p => GpuPriceTable.isEstimate(p)).map(p => p.accelerator.name)).toEqual([]);
    for (const p of gcp.prices) expect(p.source).not.toMatch(/unverified|from memory/);
  });
  // Source: Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml @fd66b26f ("generated: Thu Jul 30 06:13:17
  // 2026", Cloud Billing Catalog API), compute.instance.<type>.cost.us-central1: hour, hour_spot. Accelerator-optimized
  // machines bundle their GPUs: the smallest machine with the GPU, divided by its GPUs. a2-highgpu-1g agrees with
  // SkyPilot's catalog @017e2502 (machine 0.73948 + A100 2.93391 $/h).
  test.each([
    [Accelerator.L4, 'g2-standard-4', 0.706832255, 0.397336, 1],
    [Accelerator.A100_40GB, 'a2-highgpu-1g', 3.673385, 1.92802, 1],
    [Accelerator.A100_80GB, 'a2-ultragpu-1g', 5.06879789041096, 2.75954630136986, 1],
    [Accelerator.H100_80GB, 'a3-highgpu-8g', 88.4899999025753, 50.6095408219178, 8],
  ] as Array<[Accelerator, string, number, number, number]>)('accelerator-optimized VM %#: price / GPUs', (acc, machine, hour, spot, gpus) => {
    const p = gcp.priceOf(acc)!;
    expect(p.onDemandPerHour).toBeCloseTo(hour / gpus, 4);
    expect(p.spotPerHour).toBeCloseTo(spot / gpus, 4);
    expect([p.onDemandIsEstimate, p.spotIsEstimate, p.date]).toEqual([false, false, '2026-07-30']);
    expect(p.source).toContain('pricing.yml @fd66b26f');
    expect(p.source).toContain(machine);
  });
  // Source: SkyPilot's GCP catalog (skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv @017e2502, read 2026-11-30),
  // rows without an instance type (the GPU alone), us-central1: T4 0.35/0.14, P4 0.6/0.24, P100 1.46/0.584, V100
  // 2.48/0.992 $/h. Issue 19: "T4 attaches to N1 machines; no accelerator-optimized T4 VM exists".
  test.each([
    [Accelerator.T4, 0.35, 0.14],
    [Accelerator.P4, 0.6, 0.24],
    [Accelerator.P100, 1.46, 0.584],
    [Accelerator.V100, 2.48, 0.992],
  ] as Array<[Accelerator, number, number]>)('GPU attached to N1 %#: the GPU\'s own price, without the machine', (acc, onDemand, spot) => {
    const p = gcp.priceOf(acc)!;
    expect([p.onDemandPerHour, p.spotPerHour, p.onDemandIsEstimate, p.spotIsEstimate]).toEqual([onDemand, spot, false, false]);
    expect(p.source).toContain('vms.csv @017e2502');
    expect(p.source).toMatch(/without its N1 machine|the N1 machine it attaches to is billed separately/);
    expect(p.source).not.toMatch(/accelerator-optimized/);
  });
});

describe('what shows prices can say "estimate"', () => {
  test('describe() names the source, the date and every estimate', () => {
    const a100 = GpuPriceTable.awsListPrices().priceOf(Accelerator.A100_40GB)!;
    expect(GpuPriceTable.describe(a100)).toBe(
      `on-demand 2.7447 $/GPU-h from ${a100.source} (2026-07-20); spot 1.0979 $/GPU-h is an estimate: 40 % of on-demand (an assumed 60 % spot discount, not a price)`);
    expect(GpuPriceTable.isEstimate(a100)).toBe(true);
    const l4 = GpuPriceTable.gcpListPrices().priceOf(Accelerator.L4)!;
    expect(GpuPriceTable.describe(l4)).toBe(`on-demand 0.7068 $/GPU-h from ${l4.source} (2026-07-30); spot 0.3973 $/GPU-h`);
    expect(GpuPriceTable.isEstimate(l4)).toBe(false);
  });
  test('your own prices: no source needed, and not estimates', () => {
    const own: GpuPrice = { accelerator: Accelerator.L4, onDemandPerHour: 0.5, spotPerHour: 0.2 };
    expect(GpuPriceTable.describe(own)).toBe('on-demand 0.5 $/GPU-h (your own price); spot 0.2 $/GPU-h');
    expect(GpuPriceTable.isEstimate(own)).toBe(false);
  });
});

test('users can still replace the table or a row', () => {
  const mine: GpuPrice = { accelerator: Accelerator.A100_40GB, onDemandPerHour: 2, spotPerHour: 1, source: 'our contract', date: '2026-11-01' };
  const t = GpuPriceTable.awsListPrices().withPrice(mine);
  expect(t.priceOf(Accelerator.A100_40GB)).toBe(mine);
  expect(GpuPriceTable.of([mine]).prices).toEqual([mine]);
  expect(GpuPriceTable.of(undefined as unknown as GpuPrice[]).prices).toEqual([]);
});
