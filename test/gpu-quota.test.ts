import { Accelerator, GpuPriorityClasses, GpuPriorityClassesProps, GpuQuota, GpuQuotaProps, Platform, SpotBatchJob } from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();

describe('GpuQuota and GpuPriorityClasses', () => {
  const chart = chartFor(autopilot);
  const classes = new GpuPriorityClasses(chart, 'priorities');
  new GpuQuota(chart, 'research-gpus', { gpus: 8, priorityClasses: [classes.researchName] });
  new GpuQuota(chart, 'all-gpus', { gpus: 32, namespace: 'team-a' });
  new SpotBatchJob(chart, 'embed', { platform: autopilot, image: 'embed:1', accelerator: Accelerator.L4, priorityClassName: classes.researchName });
  const objects = synth(chart, autopilot);

  test('whole manifest', () => expect(objects.filter(o => o.kind === 'ResourceQuota' || o.kind === 'PriorityClass')).toMatchSnapshot());
  test('quota on requests.nvidia.com/gpu, in the chart namespace by default, optionally scoped by priority class', () => {
    const research = find(objects, 'ResourceQuota', 'gke-autopilot-research-gpus');
    expect(research.metadata.namespace).toBe('ml');
    expect(research.spec).toEqual({
      hard: { 'requests.nvidia.com/gpu': 8 },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['gpu-research'] }] },
    });
    const all = find(objects, 'ResourceQuota', 'gke-autopilot-all-gpus');
    expect(all.metadata.namespace).toBe('team-a');
    expect(all.spec).toEqual({ hard: { 'requests.nvidia.com/gpu': 32 } });
  });
  test('production preempts, research never does; both cluster-scoped and not the global default', () => {
    const prod = find(objects, 'PriorityClass', 'gpu-production');
    const research = find(objects, 'PriorityClass', 'gpu-research');
    expect(prod).toMatchObject({ apiVersion: 'scheduling.k8s.io/v1', value: 100000, preemptionPolicy: 'PreemptLowerPriority', globalDefault: false });
    expect(research).toMatchObject({ value: 1000, preemptionPolicy: 'Never', globalDefault: false });
    expect(prod.metadata.namespace).toBeUndefined();
    expect(research.metadata.namespace).toBeUndefined();
  });
  test('workloads reference the classes by name', () => {
    expect(find(objects, 'Job').spec.template.spec.priorityClassName).toBe('gpu-research');
  });
});

test('custom names and values; research may preempt when asked', () => {
  const chart = chartFor(autopilot);
  new GpuPriorityClasses(chart, 'p', { productionName: 'prod-gpu', productionValue: 5000, researchName: 'lab-gpu', researchValue: -10, researchPreempts: true });
  const objects = synth(chart, autopilot);
  expect(find(objects, 'PriorityClass', 'prod-gpu').value).toBe(5000);
  expect(find(objects, 'PriorityClass', 'lab-gpu')).toMatchObject({ value: -10, preemptionPolicy: 'PreemptLowerPriority' });
});

const quotaBad: [string, Partial<GpuQuotaProps>, string][] = [
  ['negative GPUs', { gpus: -1 }, '[gke-autopilot/q] gpus=-1 is invalid: must be an integer >= 0'],
  ['fractional GPUs', { gpus: 1.5 }, '[gke-autopilot/q] gpus=1.5 is invalid: must be an integer >= 0'],
  ['no GPUs given', { gpus: undefined }, '[gke-autopilot/q] gpus=undefined is invalid: must be an integer >= 0'],
  ['empty priority class list', { gpus: 1, priorityClasses: [] }, '[gke-autopilot/q] priorityClasses=[] is invalid: must be a non-empty list of PriorityClass names'],
  ['bad namespace', { gpus: 1, namespace: 'Team A' }, '[gke-autopilot/q] namespace="Team A" is invalid: must be a DNS-1123 label'],
];
const classesBad: [string, GpuPriorityClassesProps, string][] = [
  ['research above production', { researchValue: 200000 }, '[gke-autopilot/p] researchValue=200000 is invalid: must be below productionValue (100000), or production work cannot preempt research'],
  ['value in the system range', { productionValue: 2000000000 }, '[gke-autopilot/p] productionValue=2000000000 is invalid: must be an integer from -1000000000 to 1000000000'],
  ['reserved prefix', { productionName: 'system-gpu' }, '[gke-autopilot/p] productionName="system-gpu" is invalid: the system- prefix is reserved'],
  ['same names', { productionName: 'gpu', researchName: 'gpu' }, '[gke-autopilot/p] researchName="gpu" is invalid: must differ from productionName'],
];

describe('bad input', () => {
  test.each(quotaBad)('GpuQuota: %s', (_n, props, expected) => {
    expect(synthError(chart => new GpuQuota(chart, 'q', props as GpuQuotaProps), autopilot)).toContain(expected);
  });
  test.each(classesBad)('GpuPriorityClasses: %s', (_n, props, expected) => {
    expect(synthError(chart => new GpuPriorityClasses(chart, 'p', props), autopilot)).toContain(expected);
  });
});
