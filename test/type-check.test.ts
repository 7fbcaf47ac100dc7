/**
 * The runtime type check (lib/validation.ts `_checkProps`, driven by lib/generated/type-specs.ts): what JavaScript and
 * jsii callers get for wrong types, with exact messages, and a sweep of garbage into every prop of every construct
 * that must end in a validation error, never a TypeError, RangeError or a crash.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as lib from '../lib';
import {
  Accelerator, GpuMonitoring, GpuNodePool, GpuPriorityClasses, GpuQuota, GpuTrainingJob, ModelFormat, Platform,
} from '../lib';
import { _structProps } from '../lib/validation';
import { _typeSpecs } from '../lib/generated/type-specs';
import { synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const base = { platform: autopilot, accelerator: Accelerator.L4, image: 'trainer:1.0' };
const J = '[test/j]';

const cases: [string, any, string][] = [
  ['no props object', undefined, `${J} props=undefined is invalid: must be an object of GpuTrainingJobProps (required: platform, image)`],
  ['null props', null, `${J} props=null is invalid: must be an object of GpuTrainingJobProps (required: platform, image)`],
  ['a string for props', 'train', `${J} props="train" is invalid: must be an object of GpuTrainingJobProps (required: platform, image)`],
  ['a list for props', [base], `${J} props=`],
  ['missing required prop', { image: 'x:1' }, `${J} platform=undefined is invalid: required (a Platform)`],
  ['typo: gpu for gpus', { ...base, gpu: 2 }, `${J} gpu is not a prop of GpuTrainingJobProps (did you mean gpus?)`],
  ['typo: memroy', { ...base, memroy: Size.gibibytes(1) }, `${J} memroy is not a prop of GpuTrainingJobProps (did you mean memory?)`],
  ['typo: wrong case', { ...base, GPUS: 2 }, `${J} GPUS is not a prop of GpuTrainingJobProps (did you mean gpus?)`],
  ['unknown prop without a near name', { ...base, colour: 'red' }, `${J} colour is not a prop of GpuTrainingJobProps`],
  ['a string where a list is expected', { ...base, args: '--epochs 3' }, `${J} args=<a string, not shown> is invalid: must be a list of strings, not a single string`],
  ['a string where a map is expected', { ...base, env: 'A=B' }, `${J} env=<a string, not shown> is invalid: must be a map of keys to strings`],
  ['a list where a map is expected', { ...base, env: ['A=B'] }, `${J} env=<a list, not shown> is invalid: must be a map of keys to strings, not a list`],
  // eslint-disable-next-line no-sparse-arrays
  ['a list with a hole', { ...base, args: ['a', , 'b'] }, `${J} args[1] is invalid: the list has a hole there (e.g. [a, , b]); remove it`],
  ['undefined in a list', { ...base, args: ['a', undefined] }, `${J} args[1]=undefined is invalid: must be a string`],
  ['a number where a string is expected', { ...base, image: 42 }, `${J} image=42 is invalid: must be a string`],
  ['a number in a map of strings (not shown)', { ...base, env: { HF_TOKEN: 12345678 } }, `${J} env["HF_TOKEN"]=<a number, not shown> is invalid: must be a string`],
  ['a boolean where a number is expected', { ...base, gpus: true }, `${J} gpus=true is invalid: must be a number`],
  ['NaN', { ...base, cpu: NaN }, `${J} cpu=NaN is invalid: must be a finite number`],
  ['Infinity', { ...base, cpu: Infinity }, `${J} cpu=Infinity is invalid: must be a finite number`],
  ['1e21', { ...base, cpu: 1e21 }, `${J} cpu=1e+21 is invalid: must be a number between -9007199254740991 and 9007199254740991`],
  ['a wrong enum value', { ...base, capacityType: 'Spot' }, `${J} capacityType="Spot" is invalid: must be one of CapacityType.ON_DEMAND, CapacityType.SPOT, CapacityType.SPOT_WITH_FALLBACK, CapacityType.FLEX_START, CapacityType.RESERVED`],
  ['a string where a class instance is expected', { ...base, accelerator: 'L4' }, `${J} accelerator="L4" is invalid: must be an Accelerator, e.g. Accelerator.L4`],
  ['an object that is not an instance', { ...base, accelerator: { name: 'L4' } }, `${J} accelerator=L4 is invalid: must be an Accelerator, e.g. Accelerator.L4 (it has no autopilotMaximumFor, awsInstances, gkeMachineFor)`],
  ['a Duration where a Size is expected', { ...base, memory: Duration.hours(1) }, `${J} memory=60 minutes is invalid: must be a Size, e.g. Size.gibibytes(16) (it has no asString, toGibibytes, toKibibytes)`],
  ['a function where a string is expected', { ...base, name: () => 'x' }, `${J} name=a function is invalid: must be a string`],
  ['a struct in a list: missing prop and typo', { ...base, secretEnv: [{ name: 'X', secret: 's', key: 'k' }] },
    `${J} secretEnv[0].secretName=undefined is invalid: required (a string)\n  ${J} secretEnv[0].secret is not a prop of SecretEnvVar (did you mean secretName?)`],
  ['a string where a struct is expected', { ...base, secretEnv: ['HF_TOKEN'] }, `${J} secretEnv[0]="HF_TOKEN" is invalid: must be a SecretEnvVar object { key, name, optional?, secretName }`],
  ['a string where an interface is expected', { ...base, priorityClass: 'gpu-research' }, `${J} priorityClass="gpu-research" is invalid: must be an IPriorityClass, e.g. PriorityClass.fromName(...)`],
  ['a bad field of a class instance', { ...base, accelerator: Accelerator.custom({ name: 'X', gkeLabel: 'x', autopilotCounts: 'four' as any }) },
    `${J} accelerator.autopilotCounts="four" is invalid: must be a list of numbers, not a single string`],
  ['a bad item in a list field of a class instance', { ...base, accelerator: Accelerator.custom({ name: 'X', gkeLabel: 'x', autopilotCounts: [1, 'two'] as any }) },
    `${J} accelerator.autopilotCounts[1]="two" is invalid: must be a number`],
  ['platform options: typo', { ...base, platform: Platform.karpenter({ nodepool: 'x' } as any) }, `${J} platform.nodepool is not a prop of KarpenterOptions (did you mean nodePool?)`],
  ['platform options: not an object', { ...base, platform: Platform.karpenter('x' as any) }, `${J} platform.options="x" is invalid: must be an object of KarpenterOptions`],
  ['platform options: wrong type', { ...base, platform: Platform.kubernetes({ maxGpusPerNode: '8' } as any) }, `${J} platform.maxGpusPerNode="8" is invalid: must be a number`],
  ['platform options: refused before anything allocates', { ...base, platform: Platform.kubernetes({ maxGpusPerNode: 1e9 }) }, `${J} platform.maxGpusPerNode=1000000000 is invalid: must be an integer from 1 to 64`],
  ['custom accelerator counts: refused before anything allocates', { ...base, platform: Platform.gkeStandard(), accelerator: Accelerator.custom({ name: 'X', gkeLabel: 'x', autopilotCounts: [1e9] }) },
    `${J} accelerator.autopilotCounts[0]=1000000000 is invalid: a GPU count of accelerator "X" must be a whole number from 1 to 64`],
  ['a props object whose reads throw', new Proxy({}, { get() { throw new Error('boom'); } }), `${J} props could not be read: boom`],
];

test.each(cases)('%s', (_name, props, expected) => {
  const msg = synthError(chart => new GpuTrainingJob(chart, 'j', props));
  expect(msg).toContain(expected);
});

test('a wrong type is reported once: nothing else is said about that prop', () => {
  const msg = synthError(chart => new GpuTrainingJob(chart, 'j', { ...base, image: 42 as any, accelerator: 'L4' as any }));
  expect(msg.split('\n').slice(1)).toEqual([
    `  ${J} accelerator="L4" is invalid: must be an Accelerator, e.g. Accelerator.L4`,
    `  ${J} image=42 is invalid: must be a string`,
  ]);
});

test('a props object missing entirely says only that', () => {
  expect(synthError(chart => new GpuTrainingJob(chart, 'j', undefined as any)).split('\n').slice(1)).toEqual([
    `  ${J} props=undefined is invalid: must be an object of GpuTrainingJobProps (required: platform, image)`,
  ]);
});

test('a subclass of a construct may add props of its own (checked against the nearest library type)', () => {
  class MyJob extends GpuTrainingJob {
    constructor(scope: Construct, id: string, props: lib.GpuTrainingJobProps & { team: string }) {
      super(scope, id, props);
    }
  }
  const chart = new Chart(Testing.app(), 'c');
  new MyJob(chart, 'j', { ...base, team: 'nlp' });
  expect(Testing.synth(chart).map(o => o.kind)).toContain('Job');
  const bad = new Chart(Testing.app(), 'c');
  new MyJob(bad, 'j', { ...base, team: 'nlp', gpus: 'two' as any });
  expect(() => Testing.synth(bad)).toThrow('[c/j] gpus="two" is invalid: must be a number');
});

test.each([
  ['GpuQuota', (c: Chart) => new GpuQuota(c, 'q', { gpus: '2' } as any), '[test/q] gpus="2" is invalid: must be a number'],
  ['GpuPriorityClasses', (c: Chart) => new GpuPriorityClasses(c, 'q', null as any), '[test/q] props=null is invalid: must be an object of GpuPriorityClassesProps'],
  ['GpuNodePool', (c: Chart) => new GpuNodePool(c, 'q', { accelerator: Accelerator.L4, gpuLimit: 8, role: 'r', clusterName: 'c', gpusPerNode: 4 } as any),
    '[test/q] gpusPerNode=4 is invalid: must be a list of numbers'],
  ['GpuMonitoring', (c: Chart) => new GpuMonitoring(c, 'q', { platform: Platform.karpenter(), accelerators: Accelerator.L4 } as any),
    '[test/q] accelerators=L4 is invalid: must be a list of Accelerators, e.g. [Accelerator.L4]'],
  ['GpuMonitoring scrape target', (c: Chart) => new GpuMonitoring(c, 'q', { platform: Platform.karpenter(), scrapeTargets: [{ name: 'x', matchLabels: 'app=x', port: 'http' }] } as any),
    '[test/q] scrapeTargets[0].matchLabels=<a string, not shown> is invalid: must be a map of keys to strings'],
  ['GpuMonitoring price table', (c: Chart) => new GpuMonitoring(c, 'q', {
    platform: Platform.karpenter(), prices: lib.GpuPriceTable.of([{ accelerator: Accelerator.L4, onDemandPerHour: '1', spotPerHour: 0.3 } as any]),
  }), '[test/q] prices.prices[0].onDemandPerHour="1" is invalid: must be a number'],
])('%s: %s', (_name, build, expected) => {
  expect(synthError(build)).toContain(expected);
});

const llm = {
  platform: autopilot, model: lib.LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192,
  huggingFaceToken: { secretName: 'hf', key: 'token' },
};

/** A valid props object for every construct, to put garbage into one prop at a time. */
function validProps(): { [cls: string]: (chart: Chart) => any } {
  const karpenter = Platform.karpenter();
  return {
    GpuTrainingJob: () => ({ ...base }),
    DdpJob: () => ({ ...base, module: 'train' }),
    DdpJobSet: () => ({ ...base, module: 'train' }),
    PyTorchJob: () => ({ ...base, module: 'train' }),
    TfJob: () => ({ ...base }),
    SpotBatchJob: () => ({ ...base, capacityType: lib.CapacityType.SPOT }),
    InferenceDeployment: () => ({ ...base }),
    KServeInferenceService: () => ({ platform: autopilot, accelerator: Accelerator.L4, modelFormat: ModelFormat.HUGGINGFACE }),
    GpuNodePool: () => ({ accelerator: Accelerator.L4, gpuLimit: 8, role: 'r', clusterName: 'c' }),
    GpuQuota: () => ({ gpus: 2 }),
    GpuSharingConfig: () => ({ platform: karpenter, shares: [lib.GpuShare.timeShared(2)] }),
    GpuPriorityClasses: () => ({}),
    GpuMonitoring: () => ({ platform: karpenter }),
    Topology: () => ({ platform: karpenter }),
    TrainJob: () => ({ ...base, command: ['torchrun', 'train.py'] }),
    TorchTrainingRuntime: () => ({ platform: karpenter }),
    GkePersistentDiskStorageClass: () => ({ platform: autopilot }),
    GkeHyperdiskMlStorageClass: () => ({ platform: autopilot }),
    EbsGp3StorageClass: () => ({ platform: karpenter }),
    EfsStorageClass: () => ({ platform: karpenter, fileSystemId: 'fs-0123456789abcdef0' }),
    FsxLustreStorageClass: () => ({ platform: karpenter, subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'] }),
    VolumeClaim: () => ({ platform: karpenter, size: Size.gibibytes(10) }),
    VllmDeployment: () => ({ ...llm }),
    VllmLeaderWorkerSet: () => ({ ...llm, nodes: 2 }),
    KServeLlmInferenceService: () => ({ ...llm, huggingFaceToken: { secretName: 'hf', key: 'HF_TOKEN' } }),
    InferenceGateway: (chart: Chart) => ({ server: new lib.VllmDeployment(chart, 'server', { ...llm }) }),
    KubeflowNotebook: () => ({ ...base, image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' }),
    StatefulSetNotebook: () => ({ ...base, image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }),
    JupyterHubGpuProfiles: () => ({ platform: autopilot, profiles: [{ displayName: '1 x L4', accelerator: Accelerator.L4 }] }),
    WandbLaunchQueue: () => ({ platform: autopilot, accelerator: Accelerator.L4 }),
    WandbLaunchAgent: () => ({
      platform: autopilot, image: 'wandb/launch-agent:0.28.2', apiKey: { secretName: 'wandb', key: 'api-key' }, queues: [lib.WandbLaunchQueue.fromName('gpu', 'ml')],
    }),
    // Fleet (issue 13)
    ComputeClass: () => ({ platform: autopilot, priorities: [{ accelerator: Accelerator.L4, gpus: 1 }] }),
    GpuFleet: () => ({ platform: autopilot, teams: [{ name: 't', namespace: 'ml', quotas: [{ flavor: lib.GpuFlavor.onDemand(Accelerator.L4), gpus: 4 }] }] }),
    GpuPlanReport: () => ({ platform: autopilot }),
  };
}

const GARBAGE: [string, unknown][] = [
  ['null', null], ['a string', 'garbage'], ['a number', 42], ['1e21', 1e21], ['NaN', NaN], ['-1', -1], ['true', true],
  ['[]', []], ['[null]', [null]], ['{}', {}], ['{ x: 1 }', { x: 1 }], ['a function', () => 1], ['a Date', new Date(0)],
];

const sweep = Object.keys(validProps()).flatMap(cls => Object.keys(_structProps(_typeSpecs().constructs[cls])).map(prop => [cls, prop] as const));

/** What building and synthesizing does: nothing, a validation error, or a crash (the message of the crash). */
function crash(build: (chart: Chart) => void): string | undefined {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
  try {
    build(chart);
    Testing.synth(chart);
  } catch (e: any) {
    if (e instanceof TypeError || e instanceof RangeError || !/Validation failed/.test(e.message)) return `${e.constructor.name}: ${e.stack}`;
  }
  return undefined;
}

test('the valid props of the sweep are valid: garbage is what fails', () => {
  for (const [cls, props] of Object.entries(validProps())) {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    new (lib as any)[cls](chart, 'x', props(chart));
    expect(() => Testing.synth(chart)).not.toThrow();
  }
});

test('the sweep covers every concrete construct', () => {
  const abstract = ['GpuWorkload', 'DistributedTrainingJob', 'InferenceEndpoint', 'GpuNotebook', 'LlmServer', 'VllmServer', 'MlStorageClass'];
  expect(Object.keys(validProps()).sort()).toEqual(Object.keys(_typeSpecs().constructs).filter(c => !abstract.includes(c)).sort());
});

test('the sweep tells a crash from a validation error (it can fail)', () => {
  expect(crash(chart => new GpuQuota(chart, 'q', { gpus: 'x' } as any))).toBeUndefined();
  expect(crash(() => (undefined as any).x)).toMatch(/^TypeError/);
});

test.each(sweep)('%s: garbage in %s is a validation error or valid, never a crash', (cls, prop) => {
  for (const [what, garbage] of GARBAGE) {
    const crashed = crash(chart => new (lib as any)[cls](chart, 'x', { ...validProps()[cls](chart), [prop]: garbage }));
    if (crashed) throw new Error(`${cls} with ${prop}=${what}: ${crashed}`);
  }
});
