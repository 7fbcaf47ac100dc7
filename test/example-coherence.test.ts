/**
 * The example app is coherent: on Karpenter every GPU pod selects a GPU model (and capacity type and GPU count) that
 * one of the chart's NodePools launches, and on every platform each GPU model the pods select has a cost rule, so the
 * price table covers what runs.
 */
import { Accelerator, KarpenterPlatform, Platform } from '../lib';
import { examplePlatforms } from '../main';
import { podsOf } from './support/pods';
import { distObjects } from './support/dist';

// dist/ is the example app's synth (test/example.test.ts proves it equals a fresh one).
const charts = new Map(examplePlatforms().map(p => [p.id, distObjects(p.id)]));
const platformOf = (id: string): Platform => examplePlatforms().find(p => p.id === id)!;

function gpusOf(pod: any): number {
  return (pod.containers ?? []).reduce((n: number, c: any) => n + Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0), 0);
}

function capacityOf(pod: any): string[] | undefined {
  const label = KarpenterPlatform.CAPACITY_TYPE_LABEL;
  if (pod.nodeSelector?.[label]) return [pod.nodeSelector[label]];
  for (const t of pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const e of t.matchExpressions ?? []) if (e.key === label && e.operator === 'In') return e.values;
  }
  return undefined;
}

/** What a chart's GPU pods select, as accelerators of the catalog, by the label their platform uses. */
function selectedAccelerators(id: string): Map<string, string[]> {
  const platform = platformOf(id);
  const out = new Map<string, string[]>();
  for (const obj of charts.get(id)!) {
    for (const pod of podsOf(obj, { kserveWebhook: true })) {
      if (gpusOf(pod.spec) === 0) continue;
      const values = Object.values(pod.spec.nodeSelector ?? {}) as string[];
      const acc = Accelerator.all().filter(a => values.includes(platform.gpuLabelValue(a) ?? '\u0000'));
      // Two catalog models may share a label value (A100 40GB and 80GB on Karpenter): either counts.
      out.set(pod.where, acc.map(a => a.name));
    }
  }
  return out;
}

test('on Karpenter, every GPU pod selects a GPU model, capacity and count that a NodePool of the chart launches', () => {
  const objects = charts.get('karpenter')!;
  const pools = objects.filter(o => o.kind === 'NodePool').map(o => {
    const req = (key: string) => o.spec.template.spec.requirements.find((r: any) => r.key === key)?.values ?? [];
    return {
      name: o.metadata.name, gpuNames: req(KarpenterPlatform.GPU_NAME_LABEL), capacity: req(KarpenterPlatform.CAPACITY_TYPE_LABEL),
      maxGpus: Math.max(...req(KarpenterPlatform.GPU_COUNT_LABEL).map(Number)),
    };
  });
  expect(pools.length).toBeGreaterThan(0);
  const unplaceable: string[] = [];
  let gpuPods = 0;
  for (const obj of objects) {
    for (const pod of podsOf(obj)) {
      const gpus = gpusOf(pod.spec);
      if (gpus === 0) continue;
      gpuPods++;
      const name = pod.spec.nodeSelector?.[KarpenterPlatform.GPU_NAME_LABEL];
      const capacity = capacityOf(pod.spec) ?? ['spot', 'on-demand'];
      const pool = pools.find(p => p.gpuNames.includes(name) && p.capacity.some((c: string) => capacity.includes(c)) && p.maxGpus >= gpus
        && (pod.spec.nodeSelector?.[KarpenterPlatform.NODEPOOL_LABEL] ?? p.name) === p.name);
      if (!pool) unplaceable.push(`${pod.where}: ${gpus} x ${name} on ${capacity.join('/')}`);
    }
  }
  expect(gpuPods).toBeGreaterThan(5);
  expect(unplaceable).toEqual([]);
});

test.each(examplePlatforms().map(p => [p.id]))('%s: every GPU model the pods select has a price in the cost rules', id => {
  const rules = charts.get(id)!.filter(o => o.kind === 'PrometheusRule' || o.kind === 'ClusterRules');
  expect(rules.length).toBe(1);
  const priced = new Set<string>(rules[0].spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.labels?.accelerator).filter(Boolean));
  const unpriced = [...selectedAccelerators(id)].filter(([, accs]) => accs.length > 0 && !accs.some(a => priced.has(a)));
  expect(unpriced).toEqual([]);
});

test('the check finds an unpriced model (it can fail)', () => {
  // gke-standard runs T4 and L4 pods: without L4 in the rules, the L4 pods are unpriced.
  const selected = [...selectedAccelerators('gke-standard').values()].flat();
  expect(selected).toEqual(expect.arrayContaining(['T4', 'L4']));
});
