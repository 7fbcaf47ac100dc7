/**
 * App-wide conflicts (issue 12 item 1): two constructs, of any kind and in any charts of one App, that would emit the
 * same kind/namespace/name in one cluster are an error naming both construct paths, once per construct and name with
 * every object they share; GpuMonitoring twice for one cluster is refused.
 */
import { Chart, Testing } from 'cdk8s';
import {
  Accelerator, DdpJob, GpuMonitoring, GpuNodePool, GpuQuota, GpuTrainingJob, InferenceDeployment, Platform,
} from '../lib';
import { chartFor, synth, synthError } from './support/synth';

const karpenter = Platform.karpenter();
const job = { platform: karpenter, image: 'train:1', accelerator: Accelerator.A10G };
const aws = { role: 'KarpenterNodeRole-ml', clusterName: 'ml' };
const unique = 'in cluster "default"; names must be unique per kind and namespace in a cluster (give one of them another name, or give the platforms of charts that target different clusters different cluster names: Platform.xxx({ cluster: \'...\' }))';

/** The error lines of a failed synth, without the header. */
function lines(msg: string): string[] {
  return msg.split('\n').map(l => l.trim()).filter(l => l.startsWith('['));
}

test('two jobs named x: one message each, listing every object they share', () => {
  const msg = synthError(chart => {
    new GpuTrainingJob(chart, 'a', { ...job, name: 'x' });
    new GpuTrainingJob(chart, 'b', { ...job, name: 'x' });
  }, karpenter);
  expect(lines(msg)).toEqual([
    `[karpenter/a] name="x" is invalid: ServiceAccount ml/x, Job ml/x and NetworkPolicy ml/x are also emitted by [karpenter/b] ${unique}`,
    `[karpenter/b] name="x" is invalid: ServiceAccount ml/x, Job ml/x and NetworkPolicy ml/x are also emitted by [karpenter/a] ${unique}`,
  ]);
});

test('a GpuTrainingJob and a DdpJob named x (the DdpJob\'s headless Service is its own)', () => {
  const msg = synthError(chart => {
    new GpuTrainingJob(chart, 'train', { ...job, name: 'x' });
    new DdpJob(chart, 'ddp', { ...job, name: 'x', module: 'train', nodes: 2 });
  }, karpenter);
  expect(lines(msg)).toEqual([
    `[karpenter/train] name="x" is invalid: ServiceAccount ml/x, Job ml/x and NetworkPolicy ml/x are also emitted by [karpenter/ddp] ${unique}`,
    `[karpenter/ddp] name="x" is invalid: ServiceAccount ml/x, Job ml/x and NetworkPolicy ml/x are also emitted by [karpenter/train] ${unique}`,
  ]);
});

test('a job and a Deployment named x share their ServiceAccount and NetworkPolicy', () => {
  const msg = synthError(chart => {
    new GpuTrainingJob(chart, 'train', { ...job, name: 'x' });
    new InferenceDeployment(chart, 'serve', { platform: karpenter, image: 'server:1', accelerator: Accelerator.A10G, name: 'x' });
  }, karpenter);
  expect(lines(msg)).toEqual([
    `[karpenter/train] name="x" is invalid: ServiceAccount ml/x and NetworkPolicy ml/x are also emitted by [karpenter/serve] ${unique}`,
    `[karpenter/serve] name="x" is invalid: ServiceAccount ml/x and NetworkPolicy ml/x are also emitted by [karpenter/train] ${unique}`,
  ]);
});

test.each([
  ['only in case', 'Train', 'train'],
  ['only in characters a DNS name cannot hold', 'train a', 'train@a'],
])('construct ids that differ %s derive one name', (_how, id1, id2) => {
  const msg = synthError(chart => {
    new GpuTrainingJob(chart, id1, job);
    new GpuTrainingJob(chart, id2, job);
  }, karpenter);
  const objects = 'ServiceAccount ml/karpenter-train, Job ml/karpenter-train and NetworkPolicy ml/karpenter-train';
  const name = id1 === 'Train' ? 'karpenter-train' : 'karpenter-traina';
  expect(lines(msg)).toEqual([
    `[karpenter/${id1}] name="${name}" is invalid: ${objects.replace(/karpenter-train/g, name)} are also emitted by [karpenter/${id2}] ${unique}`,
    `[karpenter/${id2}] name="${name}" is invalid: ${objects.replace(/karpenter-train/g, name)} are also emitted by [karpenter/${id1}] ${unique}`,
  ]);
});

test('construct ids with characters a DNS label cannot hold but cdk8s keeps (_ and .) make invalid names, not duplicates', () => {
  const msg = synthError(chart => {
    new GpuTrainingJob(chart, 'train_a', job);
    new GpuTrainingJob(chart, 'train.a', job);
  }, karpenter);
  const label = 'must be a DNS-1123 label of at most 63 characters: lowercase letters, digits and \'-\', starting and ending with a letter or digit';
  expect(lines(msg)).toEqual([
    `[karpenter/train_a] name="karpenter-train_a" is invalid: ${label}`,
    `[karpenter/train.a] name="karpenter-train.a" is invalid: ${label}`,
  ]);
});

test('two quotas of one name', () => {
  const msg = synthError(chart => {
    new GpuQuota(chart, 'a', { platform: karpenter, gpus: 1, name: 'gpus' });
    new GpuQuota(chart, 'b', { platform: karpenter, gpus: 2, name: 'gpus' });
  }, karpenter);
  expect(lines(msg)).toEqual([
    `[karpenter/a] name="gpus" is invalid: ResourceQuota ml/gpus is also emitted by [karpenter/b] ${unique}`,
    `[karpenter/b] name="gpus" is invalid: ResourceQuota ml/gpus is also emitted by [karpenter/a] ${unique}`,
  ]);
});

test('two node pools of one name (cluster-scoped: whatever the chart namespace)', () => {
  const app = Testing.app();
  new GpuNodePool(new Chart(app, 'a', { namespace: 'team-a' }), 'pool', { name: 'gpu', accelerator: Accelerator.L4, gpuLimit: 8, ...aws });
  new GpuNodePool(new Chart(app, 'b', { namespace: 'team-b' }), 'pool', { name: 'gpu', accelerator: Accelerator.L4, gpuLimit: 8, ...aws });
  expect(() => app.synth()).toThrow(`[a/pool] name="gpu" is invalid: EC2NodeClass gpu and NodePool gpu are also emitted by [b/pool] ${unique}`);
});

test('across charts of one App', () => {
  const app = Testing.app();
  new GpuTrainingJob(new Chart(app, 'one', { namespace: 'ml' }), 'job', { ...job, name: 'x' });
  new GpuTrainingJob(new Chart(app, 'two', { namespace: 'ml' }), 'job', { ...job, name: 'x' });
  expect(() => app.synth()).toThrow(`[one/job] name="x" is invalid: ServiceAccount ml/x, Job ml/x and NetworkPolicy ml/x are also emitted by [two/job] ${unique}`);
});

test('GpuMonitoring twice for one cluster is refused, once per construct (its shared objects need no second message)', () => {
  const app = Testing.app();
  new GpuMonitoring(new Chart(app, 'one', { namespace: 'ml' }), 'mon', { platform: karpenter });
  new GpuMonitoring(new Chart(app, 'two', { namespace: 'ops' }), 'mon', { platform: karpenter, name: 'other' });
  let msg = '';
  try { app.synth(); } catch (e: any) { msg = e.message; }
  const refused = (me: string, other: string) => `[${me}] platform="karpenter" is invalid: [${other}] already monitors the GPUs of cluster "default"; a second GpuMonitoring doubles its exporters, alerts and cost series (keep one per cluster, or give the platforms different cluster names)`;
  expect(lines(msg)).toEqual([refused('one/mon', 'two/mon'), refused('two/mon', 'one/mon')]);
});

test('no conflict: other names, other namespaces, other kinds, other clusters', () => {
  const chart = chartFor(karpenter);
  new GpuTrainingJob(chart, 'a', { ...job, name: 'x' });
  new GpuTrainingJob(chart, 'b', { ...job, name: 'x', namespace: 'team-b' });
  new GpuTrainingJob(chart, 'c', { ...job, name: 'y' });
  new GpuQuota(chart, 'q', { platform: karpenter, gpus: 4, name: 'x' });
  new GpuMonitoring(chart, 'm1', { platform: Platform.karpenter({ cluster: 'east' }), name: 'gpu' });
  new GpuMonitoring(chart, 'm2', { platform: Platform.karpenter({ cluster: 'west' }), name: 'gpu' });
  expect(synth(chart).filter(o => o.kind === 'Job')).toHaveLength(3);
});
