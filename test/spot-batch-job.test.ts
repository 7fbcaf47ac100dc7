import { Duration, JsonPatch } from 'cdk8s';
import { Accelerator, CapacityType, Platform, SpotBatchJob, SpotBatchJobProps, StorageVolume } from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const base = { image: 'embedder:2.1', command: ['python', '-m', 'embed'] };

function batch(platform: Platform, props: Partial<SpotBatchJobProps> = {}) {
  const chart = chartFor(platform);
  new SpotBatchJob(chart, 'embed', { platform, accelerator: Accelerator.L4, ...base, ...props } as SpotBatchJobProps);
  return synth(chart, platform);
}

describe('SpotBatchJob on GKE Autopilot', () => {
  const objects = batch(autopilot, {
    completions: 8, parallelism: 4, checkpoints: StorageVolume.fromPersistentVolumeClaim('embed-ckpt'),
    checkpointCommand: ['python', '-m', 'embed.flush'], activeDeadline: Duration.hours(6), failFastExitCodes: [2],
  });
  const j = find(objects, 'Job');
  const pod = j.spec.template.spec;
  const c = pod.containers[0];

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('Indexed shards, run parallelism at a time, index and count in the env', () => {
    expect(j.spec).toMatchObject({ completionMode: 'Indexed', completions: 8, parallelism: 4, activeDeadlineSeconds: 21600 });
    expect(c.env).toContainEqual({ name: 'SHARD_INDEX', valueFrom: { fieldRef: { fieldPath: 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']' } } });
    expect(c.env).toContainEqual({ name: 'SHARD_COUNT', value: '8' });
  });
  test('spot by default, grace capped at Autopilot\'s 25 s, checkpoint hook and volume', () => {
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-spot': 'true' });
    expect(pod.terminationGracePeriodSeconds).toBe(25);
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['python', '-m', 'embed.flush'] } } });
    expect(c.volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
    expect(c.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
  });
  test('preemption never counts; real failures are retried per shard; the named fail-fast codes fail only their shard', () => {
    expect(pod.restartPolicy).toBe('Never');
    expect(j.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailIndex', onExitCodes: { containerName: 'worker', operator: 'In', values: [2] }, onPodConditions: [] },
    ]);
    expect(j.spec.backoffLimitPerIndex).toBe(2);
    expect(j.spec.maxFailedIndexes).toBeUndefined();
    expect(j.spec.backoffLimit).toBeUndefined();
    expect(j.spec.podReplacementPolicy).toBe('Failed');
    expect(j.spec.ttlSecondsAfterFinished).toBe(86400);
  });
  test('no ingress to the shards; own ServiceAccount without token', () => {
    expect(find(objects, 'NetworkPolicy').spec).toMatchObject({ policyTypes: ['Ingress'], podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gke-autopilot-embed' } } });
    expect(find(objects, 'NetworkPolicy').spec.ingress ?? []).toEqual([]);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });
});

test('Karpenter: spot selector, GPU toleration, do-not-disrupt, 30 s grace', () => {
  const t = find(batch(karpenter, { accelerator: Accelerator.A10G }), 'Job').spec.template;
  expect(t.spec.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/capacity-type': 'spot' });
  expect(t.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(t.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  expect(t.spec.terminationGracePeriodSeconds).toBe(30);
});

test('Karpenter with on-demand fallback: required spot or on-demand, spot preferred', () => {
  const pod = find(batch(karpenter, { accelerator: Accelerator.A10G, capacityType: CapacityType.SPOT_WITH_FALLBACK }), 'Job').spec.template.spec;
  expect(pod.nodeSelector['karpenter.sh/capacity-type']).toBeUndefined();
  expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['spot', 'on-demand']);
  expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values).toEqual(['spot']);
});

test('GKE Standard: spot node pool toleration and its 15 s grace', () => {
  const pod = find(batch(standard, { accelerator: Accelerator.T4 }), 'Job').spec.template.spec;
  expect(pod.tolerations).toContainEqual({ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
  expect(pod.terminationGracePeriodSeconds).toBe(15);
});

test('on-demand on plain Kubernetes is allowed when asked for explicitly; by default every failure is retried', () => {
  const j = find(batch(Platform.kubernetes(), { capacityType: CapacityType.ON_DEMAND, completions: 3, maxFailedIndexes: 1 }), 'Job');
  expect(j.spec.maxFailedIndexes).toBe(1);
  expect(j.spec.podFailurePolicy.rules).toEqual([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
  expect(j.spec.parallelism).toBe(3);
});

test('escape hatch: the L1 Job is reachable and patches render', () => {
  const chart = chartFor(autopilot);
  const b = new SpotBatchJob(chart, 'embed', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  b.job.addJsonPatch(JsonPatch.add('/spec/suspend', true));
  expect(find(synth(chart, autopilot), 'Job').spec.suspend).toBe(true);
});

const P = 'gke-autopilot/embed';
const bad: [string, Platform, Partial<SpotBatchJobProps>, string][] = [
  ['spot on plain Kubernetes (the default here)', Platform.kubernetes(), {}, '[kubernetes/embed] capacityType="spot" is invalid: Kubernetes (NVIDIA device plugin) has no spot capacity (allowed: on-demand)'],
  ['grace above Autopilot\'s spot cap', autopilot, { terminationGracePeriod: Duration.seconds(60) }, `[${P}] terminationGracePeriod=60s is invalid: spot pods on GKE Autopilot get at most 25s of termination grace: Autopilot accepts the pod but cuts its grace to 25s at preemption (allowed: 1-25s)`],
  ['grace above GKE Standard\'s spot cap', standard, { accelerator: Accelerator.T4, terminationGracePeriod: Duration.seconds(20) }, '[gke-standard/embed] terminationGracePeriod=20s is invalid: spot pods on GKE Standard get at most 15s of termination grace; Spot node pools on GKE 1.35.0-gke.1171000 or later can give up to 120s: configure yours and set Platform.gkeStandard({ spotGracePeriod }) (allowed: 1-15s)'],
  ['parallelism above completions', autopilot, { completions: 4, parallelism: 8 }, `[${P}] parallelism=8 is invalid: must be at most completions (4): more pods than shards would only sit idle`],
  ['zero parallelism', autopilot, { parallelism: 0 }, `[${P}] parallelism=0 is invalid: must be an integer >= 1`],
  ['zero completions', autopilot, { completions: 0 }, `[${P}] completions=0 is invalid: must be an integer from 1 to 100000`],
  ['maxFailedIndexes above completions', autopilot, { completions: 4, maxFailedIndexes: 5 }, `[${P}] maxFailedIndexes=5 is invalid: must be an integer from 0 to 4`],
  ['negative per-shard retries', autopilot, { backoffLimitPerIndex: -1 }, `[${P}] backoffLimitPerIndex=-1 is invalid: must be an integer from 0 to 100`],
  ['fail-fast exit code 0', autopilot, { failFastExitCodes: [0] }, `[${P}] failFastExitCodes=[0] is invalid: must be a list of exit codes from 1 to 255`],
  ['empty checkpoint command', autopilot, { checkpointCommand: [] }, `[${P}] checkpointCommand=[] is invalid: must be a non-empty list of non-empty strings`],
  ['spot fallback on GKE', autopilot, { capacityType: CapacityType.SPOT_WITH_FALLBACK }, `[${P}] capacityType="spot-with-fallback" is invalid: GKE Autopilot cannot fall back from spot to on-demand per pod (allowed: on-demand, spot)`],
  ['name too long for shard hostnames', autopilot, { completions: 100, name: 'a'.repeat(61) }, `[${P}] name="${'a'.repeat(61)}" is invalid: must be a DNS-1123 label of at most 60 characters`],
  ['zero active deadline', autopilot, { activeDeadline: Duration.seconds(0) }, `[${P}] activeDeadline=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
];

describe('bad input', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new SpotBatchJob(chart, 'embed', { platform, accelerator: Accelerator.L4, ...base, ...props } as SpotBatchJobProps), platform);
    expect(msg).toContain(expected);
  });

  test('touching the escape hatch of an invalid job explains why it is missing', () => {
    const chart = chartFor(autopilot);
    const b = new SpotBatchJob(chart, 'embed', { platform: autopilot, accelerator: Accelerator.L4, ...base, completions: 2, parallelism: 3 });
    expect(() => b.job).toThrow('[gke-autopilot/embed] has invalid props, so it emitted no objects: parallelism=3 is invalid');
  });

  test('garbage from JavaScript callers is a validation error, not a TypeError', () => {
    const msg = synthError(chart => new SpotBatchJob(chart, 'embed', { platform: autopilot, image: 'x', accelerator: Accelerator.L4, completions: '4' as any, parallelism: 'all' as any, checkpointCommand: 'flush' as any }), autopilot);
    expect(msg).toContain('completions="4" is invalid');
    expect(msg).toContain('parallelism="all" is invalid');
    expect(msg).toContain('checkpointCommand=<a string, not shown> is invalid: must be a list of strings, not a single string');
  });
});
