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

describe('GCP (us-central1)', () => {
  const gcp = GpuPriceTable.gcpListPrices();
  // Issue 19: "T4 attaches to N1 machines; no accelerator-optimized T4 VM exists".
  test('T4: the GPU\'s own price, without the N1 machine, and not an accelerator-optimized VM', () => {
    const t4 = gcp.priceOf(Accelerator.T4)!;
    expect(t4.source).toContain('the T4 GPU alone; the N1 machine it attaches to is billed separately');
    expect(t4.source).not.toMatch(/accelerator-optimized/);
  });
  // Source: SkyPilot's GCP catalog @017e2502 (read 2026-11-29), us-central1: a2-highgpu-1g 0.73948 + A100 2.93391 $/h.
  test('A100 40GB is the one confirmed GCP figure', () => {
    const a100 = gcp.priceOf(Accelerator.A100_40GB)!;
    expect(a100.onDemandPerHour).toBeCloseTo(0.73948 + 2.93391, 4);
    expect(a100.onDemandIsEstimate).toBe(false);
  });
  test('the figures that could not be sourced are marked as estimates', () => {
    expect(gcp.prices.filter(p => p.onDemandIsEstimate).map(p => p.accelerator.name)).toEqual(['T4', 'L4', 'A100 80GB', 'H100 80GB']);
    for (const p of gcp.prices.filter(x => x.onDemandIsEstimate)) expect(p.source).toMatch(/^unverified: /);
  });
});

describe('what shows prices can say "estimate"', () => {
  test('describe() names the source, the date and every estimate', () => {
    const a100 = GpuPriceTable.awsListPrices().priceOf(Accelerator.A100_40GB)!;
    expect(GpuPriceTable.describe(a100)).toBe(
      `on-demand 2.7447 $/GPU-h from ${a100.source} (2026-07-20); spot 1.0979 $/GPU-h is an estimate: 40 % of on-demand (an assumed 60 % spot discount, not a price)`);
    expect(GpuPriceTable.isEstimate(a100)).toBe(true);
    expect(GpuPriceTable.describe(GpuPriceTable.gcpListPrices().priceOf(Accelerator.L4)!)).toMatch(/^on-demand 0\.71 \$\/GPU-h is an estimate from unverified: /);
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
