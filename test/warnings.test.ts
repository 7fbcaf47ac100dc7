/** Warnings: printed once per synth (each distinct warning once), worded for what happens, fatal in strict mode. */
import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import {
  Accelerator, DdpJob, GpuTrainingJob, GpuTrainingJobProps, KServeDeploymentMode, KServeInferenceService, ModelFormat, Platform, ScalingMetric,
} from '../lib';
import { _Problems } from '../lib/validation';
import { printedWarnings } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const knative = {
  platform: autopilot, accelerator: Accelerator.L4, modelFormat: ModelFormat.HUGGINGFACE, deploymentMode: KServeDeploymentMode.KNATIVE,
  scalingMetrics: [ScalingMetric.concurrency(4)],
};

const printed = printedWarnings;

test('each synth prints each warning once', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  new KServeInferenceService(chart, 'llm', { ...knative, minReplicas: 0 });
  const first = printed(() => Testing.synth(chart));
  const second = printed(() => Testing.synth(chart));
  expect(first).toEqual(['[WARNING] [c/llm] minReplicas=0 with 1 GPU(s): after an idle period the first request waits for a GPU node and the model load (minutes); the revision\'s progress deadline is raised to 1800s (Knative\'s default: 600s) so a cold start is not marked failed (kserve#1247)']);
  expect(second).toEqual(first);
});

test('a warning recorded twice is printed once, and absorbed copies too', () => {
  const app = new App({ outdir: Testing.app().outdir });
  const chart = new Chart(app, 'c');
  const p = new _Problems();
  p.attach(chart);
  p.attach(chart);
  p.warn('x=1 is risky');
  p.warn('x=1 is risky');
  const other = new _Problems();
  other.warn('x=1 is risky');
  p.absorb(other);
  expect(printed(() => Testing.synth(chart))).toEqual(['[WARNING] [c] x=1 is risky']);
});

test('a lowered progress deadline says it is lowered', () => {
  const chart = new Chart(Testing.app(), 'c');
  new KServeInferenceService(chart, 'llm', { ...knative, minReplicas: 0, coldStartTimeout: Duration.minutes(5) });
  new KServeInferenceService(chart, 'warm', { ...knative, name: 'warm', coldStartTimeout: Duration.minutes(5) });
  new KServeInferenceService(chart, 'fine', { ...knative, name: 'fine', coldStartTimeout: Duration.minutes(20) });
  expect(printed(() => Testing.synth(chart))).toEqual([
    '[WARNING] [c/llm] minReplicas=0 with 1 GPU(s): after an idle period the first request waits for a GPU node and the model load (minutes); the revision\'s progress deadline is lowered to 300s (Knative\'s default: 600s), so a cold start that takes longer is marked failed (kserve#1247)',
    '[WARNING] [c/warm] coldStartTimeout=300s lowers the revision\'s progress deadline below Knative\'s default (600s): a new revision whose GPU node and model load take longer is marked failed',
  ]);
});

test('strict mode turns warnings into errors and prints nothing', () => {
  const app = Testing.app();
  app.node.setContext('cdk8s-gpu-ml:strict', true);
  const chart = new Chart(app, 'c');
  new KServeInferenceService(chart, 'llm', { ...knative, minReplicas: 0 });
  expect(printed(() => expect(() => Testing.synth(chart)).toThrow('[c/llm] (strict mode) minReplicas=0 with 1 GPU(s)'))).toEqual([]);
});

describe('defaults that reserve a lot are said (4 GPUs or more without cpu or memory)', () => {
  const k8sPlatform = Platform.kubernetes();
  const job = { platform: k8sPlatform, image: 'registry.example.com/train:1.0' };
  test.each<[string, Partial<GpuTrainingJobProps>, string[]]>([
    ['8 GPUs, neither', { gpus: 8 }, ['[WARNING] [c/job] gpus=8 without memory or cpu: the pod reserves the default 16Gi of memory and 4 vCPUs per GPU (128Gi and 32 vCPUs), which its node must have free besides the GPUs; set memory and cpu to what the pod needs']],
    ['4 GPUs, no cpu', { gpus: 4, memory: Size.gibibytes(48) }, ['[WARNING] [c/job] gpus=4 without cpu: the pod reserves the default 4 vCPUs per GPU (16 vCPUs), which its node must have free besides the GPUs; set cpu to what the pod needs']],
    ['4 GPUs, no memory', { gpus: 4, cpu: 8 }, ['[WARNING] [c/job] gpus=4 without memory: the pod reserves the default 16Gi of memory per GPU (64Gi), which its node must have free besides the GPUs; set memory to what the pod needs']],
    ['8 GPUs, both given', { gpus: 8, cpu: 32, memory: Size.gibibytes(128) }, []],
    ['2 GPUs, neither', { gpus: 2 }, []],
  ])('%s', (_name, size, expected) => {
    const chart = new Chart(Testing.app(), 'c');
    new GpuTrainingJob(chart, 'job', { ...job, ...size });
    expect(printed(() => Testing.synth(chart))).toEqual(expected);
  });

  test('a DDP job says it once for all its pods, and strict mode refuses it', () => {
    const chart = new Chart(Testing.app(), 'c');
    new DdpJob(chart, 'ddp', { ...job, module: 'train', gpus: 8, nodes: 3, memory: Size.gibibytes(256) });
    expect(printed(() => Testing.synth(chart))).toEqual([
      '[WARNING] [c/ddp] gpus=8 without cpu: the pod reserves the default 4 vCPUs per GPU (32 vCPUs), which its node must have free besides the GPUs; set cpu to what the pod needs',
    ]);
    process.env.CDK8S_GPU_STRICT = '1';
    try {
      expect(() => Testing.synth(chart)).toThrow('[c/ddp] (strict mode) gpus=8 without cpu: the pod reserves the default 4 vCPUs per GPU (32 vCPUs)');
    } finally {
      delete process.env.CDK8S_GPU_STRICT;
    }
  });
});
