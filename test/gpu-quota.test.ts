import {
  Accelerator, GpuPriorityClasses, GpuPriorityClassesProps, GpuQuota, GpuQuotaProps, GpuTrainingJob, GpuTrainingJobProps, Platform,
  PriorityClass, SpotBatchJob,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();

describe('GpuQuota and GpuPriorityClasses', () => {
  const chart = chartFor(autopilot);
  const classes = new GpuPriorityClasses(chart, 'priorities');
  new GpuQuota(chart, 'research-gpus', { gpus: 8, priorityClasses: [classes.researchClass] });
  new GpuQuota(chart, 'all-gpus', { gpus: 32, namespace: 'team-a' });
  new SpotBatchJob(chart, 'embed', { platform: autopilot, image: 'embed:1', accelerator: Accelerator.L4, priorityClass: classes.researchClass });
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
    expect(classes.researchClass.priorityClassName).toBe('gpu-research');
    expect(classes.productionClass.priorityClassName).toBe('gpu-production');
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
  ['no GPUs given', { gpus: undefined }, '[gke-autopilot/q] gpus=undefined is invalid: required (a number)'],
  ['empty priority class list', { gpus: 1, priorityClasses: [] }, '[gke-autopilot/q] priorityClasses=[] is invalid: must be a non-empty list of priority classes, e.g. [classes.researchClass]'],
  ['priority class not a DNS name', { gpus: 1, priorityClasses: [PriorityClass.fromName('Gpu_Research')] }, '[gke-autopilot/q] priorityClasses[0]="Gpu_Research" is invalid: must be a DNS-1123 subdomain'],
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

describe('workload priority classes', () => {
  const job = (priorityClass: any): Partial<GpuTrainingJobProps> => ({ platform: autopilot, image: 'train:1', accelerator: Accelerator.L4, priorityClass });
  test('PriorityClass.fromName refers to a class the library did not create', () => {
    const chart = chartFor(autopilot);
    new GpuTrainingJob(chart, 'train', job(PriorityClass.fromName('team-a-high')) as GpuTrainingJobProps);
    expect(find(synth(chart, autopilot), 'Job').spec.template.spec.priorityClassName).toBe('team-a-high');
  });
  const cases: [string, any, string][] = [
    ['a system- class (it would preempt the cluster\'s own components)', PriorityClass.fromName('system-node-critical'), '[gke-autopilot/train] priorityClass="system-node-critical" is invalid: system- classes are for cluster-critical pods; a GPU workload would preempt the cluster\'s own components'],
    ['a class name that is not a DNS subdomain', PriorityClass.fromName('Gpu_Research'), '[gke-autopilot/train] priorityClass="Gpu_Research" is invalid: must be a DNS-1123 subdomain'],
    ['a string from JavaScript callers', 'gpu-research', '[gke-autopilot/train] priorityClass="gpu-research" is invalid: must be an IPriorityClass, e.g. PriorityClass.fromName(...)'],
  ];
  test.each(cases)('refused: %s', (_n, priorityClass, expected) => {
    expect(synthError(chart => new GpuTrainingJob(chart, 'train', job(priorityClass) as GpuTrainingJobProps), autopilot)).toContain(expected);
  });
});

describe('names are unique per kind and namespace in a cluster', () => {
  test('two quotas of the same name in one cluster are both reported', () => {
    const msg = synthError(chart => {
      new GpuQuota(chart, 'a', { gpus: 1, name: 'gpus' });
      new GpuQuota(chart, 'b', { gpus: 2, name: 'gpus' });
    }, autopilot);
    const rest = 'in cluster "default"; names must be unique per kind and namespace in a cluster (give one of them another name, or give the platforms of charts that target different clusters different cluster names: Platform.xxx({ cluster: \'...\' }))';
    expect(msg).toContain(`[gke-autopilot/a] name="gpus" is invalid: ResourceQuota ml/gpus is also emitted by [gke-autopilot/b] ${rest}`);
    expect(msg).toContain(`[gke-autopilot/b] name="gpus" is invalid: ResourceQuota ml/gpus is also emitted by [gke-autopilot/a] ${rest}`);
  });
  test('the same names in other namespaces, or in clusters of their own (platform.cluster), do not conflict', () => {
    const chart = chartFor(autopilot);
    new GpuQuota(chart, 'a', { gpus: 1, name: 'gpus' });
    new GpuQuota(chart, 'b', { gpus: 2, name: 'gpus', namespace: 'team-b' });
    new GpuPriorityClasses(chart, 'p1', { platform: Platform.gkeAutopilot({ cluster: 'east' }) });
    new GpuPriorityClasses(chart, 'p2', { platform: Platform.gkeAutopilot({ cluster: 'west' }) });
    expect(synth(chart).filter(o => o.kind === 'PriorityClass').map(o => o.metadata.name)).toEqual(['gpu-production', 'gpu-research', 'gpu-production', 'gpu-research']);
  });
  test('cluster-scoped PriorityClasses conflict in one cluster whatever the namespace', () => {
    const msg = synthError(chart => {
      new GpuPriorityClasses(chart, 'p1');
      new GpuPriorityClasses(chart, 'p2');
    }, autopilot);
    expect(msg).toContain('[gke-autopilot/p1] name="gpu-production" is invalid: PriorityClass gpu-production is also emitted by [gke-autopilot/p2] in cluster "default"');
  });
});
