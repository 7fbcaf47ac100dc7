/**
 * The renderings that synth-time checks share (lib/pod/renders.ts): each object renders once per validation pass,
 * however many checks read it, and an edit made between two synths is always seen.
 */
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { Accelerator, GpuNodePool, GpuTrainingJob, Platform } from '../lib';
import { chartFor } from './support/synth';

const karpenter = Platform.karpenter();
const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml' };

/** Three pools that each read every object of the app, and a job on one of them. */
function app() {
  const chart = chartFor(karpenter);
  const pools = ['a', 'b', 'c'].map(id => new GpuNodePool(chart, id, { accelerator: Accelerator.L4, gpusPerNode: [1, 4], gpuLimit: 8, ...aws }));
  const job = new GpuTrainingJob(chart, 'train', { platform: pools[0].platform(), image: 'train:1', accelerator: Accelerator.L4, gpus: 1 });
  return { chart, job };
}

/** Counts the renderings of `obj` (calls of ApiObject's own toJson on it) while `fn` runs. */
function rendersOf(obj: ApiObject, fn: () => void): number {
  const own = ApiObject.prototype.toJson;
  let n = 0;
  const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
    if (this === obj) n++;
    return own.call(this);
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return n;
}

test('one synth of a chart renders the job once: the three pools, its admission check and the synth share it', () => {
  const { chart, job } = app();
  expect(rendersOf(job.apiObject, () => Testing.synth(chart))).toBe(1);
});

test('without sharing it would render more than once (the count can fail)', () => {
  const { chart, job } = app();
  // A check of our own that renders the job itself, outside the shared renderings.
  chart.node.addValidation({ validate: () => (job.apiObject.toJson() ? [] : []) });
  expect(rendersOf(job.apiObject, () => Testing.synth(chart))).toBe(2);
});

test('an escape-hatch edit between two synths is seen by the pools\' checks', () => {
  const { chart, job } = app();
  Testing.synth(chart);
  job.apiObject.addJsonPatch(JsonPatch.add('/spec/activeDeadlineSeconds', 3456000));
  expect(() => Testing.synth(chart)).toThrow('[karpenter/a] expireAfter=720h is invalid: Job ml/karpenter-train (karpenter/train) may run for 960h (spec.activeDeadlineSeconds=3456000) on this NodePool');
});

test('toJson() outside a synth renders afresh, also right after one', () => {
  const { chart, job } = app();
  Testing.synth(chart);
  job.apiObject.addJsonPatch(JsonPatch.add('/metadata/labels/edited', 'yes'));
  expect(job.apiObject.toJson().metadata.labels.edited).toBe('yes');
  expect(Testing.synth(chart).find(o => o.kind === 'Job').metadata.labels.edited).toBe('yes');
});

test('one App.synth() of several charts renders each object once, though cdk8s validates the app once per chart', () => {
  const { chart, job } = app();
  const root = chart.node.root as App;
  const other = new Chart(root, 'other', { namespace: 'ml', disableResourceNameHashes: true });
  new GpuTrainingJob(other, 'train2', { platform: karpenter, image: 'train:1', accelerator: Accelerator.L4, gpus: 1 });
  expect(rendersOf(job.apiObject, () => root.synth())).toBe(1);
  // Each App.synth() is a session of its own: an edit in between is seen.
  job.apiObject.addJsonPatch(JsonPatch.add('/spec/activeDeadlineSeconds', 3456000));
  expect(() => root.synth()).toThrow('[karpenter/a] expireAfter=720h is invalid: Job ml/karpenter-train');
  expect(() => root.synthYaml()).toThrow('[karpenter/a] expireAfter=720h is invalid: Job ml/karpenter-train');
});
