/**
 * Retry defaults (issue 18): a Job retries every failure up to its backoff limit unless the user names fail-fast exit
 * codes; preemption never counts. Each synthesized Job spec is run through the Job controller's documented rules
 * (test/support/job-controller.ts) with pods that keep failing.
 */
import { Accelerator, CapacityType, DdpJob, GpuTrainingJob, GpuTrainingJobProps, Platform, SpotBatchJob, SpotBatchJobProps } from '../lib';
import { FailedPod, actionFor, runFailingPods } from './support/job-controller';
import { chartFor, find, synth } from './support/synth';

const karpenter = Platform.karpenter();
const exits = (code: number, container: string): FailedPod => ({ exitCodes: { [container]: code } });
const preempted = (container: string): FailedPod => ({ exitCodes: { [container]: 137 }, conditions: [{ type: 'DisruptionTarget', status: 'True' }] });

function trainingJob(props: Partial<GpuTrainingJobProps> = {}): any {
  const chart = chartFor(karpenter);
  new GpuTrainingJob(chart, 'train', { platform: karpenter, accelerator: Accelerator.A10G, image: 'trainer:1.0', ...props });
  return find(synth(chart, karpenter), 'Job').spec;
}

function batchJob(props: Partial<SpotBatchJobProps> = {}): any {
  const chart = chartFor(karpenter);
  new SpotBatchJob(chart, 'embed', { platform: karpenter, accelerator: Accelerator.A10G, image: 'embedder:2.1', completions: 4, ...props });
  return find(synth(chart, karpenter), 'Job').spec;
}

describe('GpuTrainingJob', () => {
  test('backoffLimit: 3 with default props retries a job that exits with 1: four pods, then BackoffLimitExceeded', () => {
    const spec = trainingJob({ backoffLimit: 3 });
    expect(runFailingPods(spec, exits(1, 'trainer'))).toEqual({ pods: 4, state: 'Failed', reason: 'BackoffLimitExceeded' });
  });
  test('every exit code is retried by default (a Python exception, a usage error, SIGKILL)', () => {
    const spec = trainingJob({ backoffLimit: 3 });
    for (const code of [1, 2, 127, 137]) expect(runFailingPods(spec, exits(code, 'trainer')).pods).toBe(4);
  });
  test('the default policy holds only the preemption rule', () => {
    expect(trainingJob().podFailurePolicy).toEqual({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
  });
  test('preemption never uses up retries', () => {
    const spec = trainingJob({ backoffLimit: 3 });
    expect(actionFor(spec.podFailurePolicy, preempted('trainer'))).toBe('Ignore');
    expect(runFailingPods(spec, preempted('trainer'), 50)).toEqual({ pods: 50, state: 'Running' });
  });
  test('failFastExitCodes fails the Job at once on those codes only', () => {
    const spec = trainingJob({ backoffLimit: 3, failFastExitCodes: [2, 78] });
    expect(runFailingPods(spec, exits(2, 'trainer'))).toEqual({ pods: 1, state: 'Failed', reason: 'PodFailurePolicy' });
    expect(runFailingPods(spec, exits(78, 'trainer'))).toEqual({ pods: 1, state: 'Failed', reason: 'PodFailurePolicy' });
    expect(runFailingPods(spec, exits(1, 'trainer')).pods).toBe(4);
    // A fail-fast code in another container (a sidecar) is not the program's verdict.
    expect(runFailingPods(spec, exits(2, 'sidecar')).pods).toBe(4);
  });
  test('the default backoffLimit (2) gives three pods', () => {
    expect(runFailingPods(trainingJob(), exits(1, 'trainer')).pods).toBe(3);
  });
});

describe('SpotBatchJob', () => {
  test('a shard that exits with 1 is retried up to backoffLimitPerIndex (default 2)', () => {
    expect(runFailingPods(batchJob(), exits(1, 'worker'))).toEqual({ pods: 3, state: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(runFailingPods(batchJob({ backoffLimitPerIndex: 3 }), exits(1, 'worker')).pods).toBe(4);
  });
  test('fail-fast codes fail the shard (FailIndex) at once; preemption never counts', () => {
    const spec = batchJob({ failFastExitCodes: [2] });
    expect(actionFor(spec.podFailurePolicy, exits(2, 'worker'))).toBe('FailIndex');
    expect(runFailingPods(spec, exits(2, 'worker'))).toEqual({ pods: 1, state: 'Failed', reason: 'PodFailurePolicy' });
    expect(runFailingPods(spec, preempted('worker'), 20).state).toBe('Running');
  });
});

test('DdpJob retries a rank that exits with 1 (no fail-fast codes)', () => {
  const chart = chartFor(karpenter);
  new DdpJob(chart, 'ddp', {
    platform: karpenter, accelerator: Accelerator.A10G, image: 'trainer:1.0', script: 'train.py', nodes: 2, backoffLimit: 3,
    capacityType: CapacityType.ON_DEMAND,
  });
  const spec = find(synth(chart, karpenter), 'Job').spec;
  expect(runFailingPods(spec, exits(1, 'pytorch')).pods).toBe(4);
});

test('the simulator can fail: a FailJob rule on 1 ends the Job at the first pod', () => {
  const spec = { backoffLimit: 3, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [1] } }] } };
  expect(runFailingPods(spec, exits(1, 'trainer'))).toEqual({ pods: 1, state: 'Failed', reason: 'PodFailurePolicy' });
  expect(actionFor({ rules: [{ action: 'Count', onExitCodes: { operator: 'NotIn', values: [0] } }] }, exits(0, 'x'))).toBe('Count');
});
