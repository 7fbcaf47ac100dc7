import { Duration, JsonPatch, Size } from 'cdk8s';
import { Accelerator, CapacityType, CloudIdentity, GpuTrainingJob, GpuTrainingJobProps, Platform, StorageVolume } from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const base = { image: 'trainer:1.0' };

function job(platform: Platform, props: Partial<GpuTrainingJobProps> = {}) {
  const chart = chartFor(platform);
  new GpuTrainingJob(chart, 'train', { platform, accelerator: Accelerator.L4, ...base, ...props } as GpuTrainingJobProps);
  return synth(chart, platform);
}

describe('GpuTrainingJob on GKE Autopilot', () => {
  const objects = job(autopilot, { gpus: 2, cpu: 8, memory: Size.gibibytes(32) });
  const j = find(objects, 'Job');
  const pod = j.spec.template.spec;
  const c = pod.containers[0];

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('selects the accelerator and requests GPUs with request == limit', () => {
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(c.resources.requests['nvidia.com/gpu']).toBe(2);
    expect(c.resources.requests.cpu).toBe('8');
    expect(c.resources.limits.memory).toBe('32Gi');
    expect(pod.tolerations).toBeUndefined();
  });
  test('mounts /dev/shm as memory sized half the memory', () => {
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
    expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });
  test('secure by default', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });
  test('pod failure policy: preemption ignored, every other failure retried, restartPolicy Never', () => {
    expect(pod.restartPolicy).toBe('Never');
    expect(j.spec.podFailurePolicy.rules).toEqual([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
    expect(j.spec.backoffLimit).toBe(2);
    expect(j.spec.ttlSecondsAfterFinished).toBe(86400);
  });
});

test('Karpenter: toleration, gpu-name selector, on-demand, do-not-disrupt', () => {
  const pod = find(job(karpenter, { accelerator: Accelerator.A10G }), 'Job').spec.template;
  expect(pod.spec.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/capacity-type': 'on-demand' });
  expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
});

test('Karpenter spot with fallback prefers spot and allows on-demand', () => {
  const pod = find(job(karpenter, { accelerator: Accelerator.A10G, capacityType: CapacityType.SPOT_WITH_FALLBACK }), 'Job').spec.template.spec;
  expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(['spot', 'on-demand']);
  expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values).toEqual(['spot']);
});

test('Autopilot spot: gke-spot selector and grace capped at 25 s by default', () => {
  const pod = find(job(autopilot, { capacityType: CapacityType.SPOT }), 'Job').spec.template.spec;
  expect(pod.nodeSelector['cloud.google.com/gke-spot']).toBe('true');
  expect(pod.terminationGracePeriodSeconds).toBe(25);
});

test('GKE Standard tolerates the GPU taint', () => {
  const pod = find(job(Platform.gkeStandard(), { accelerator: Accelerator.T4, gpus: 4 }), 'Job').spec.template.spec;
  expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
});

test('identity: Workload Identity annotation on its own ServiceAccount; GCS bucket via GCS FUSE', () => {
  const objects = job(autopilot, {
    identity: CloudIdentity.gcpServiceAccount('trainer@proj-1.iam.gserviceaccount.com'),
    dataset: StorageVolume.fromGcsBucket('my-data'),
    checkpoints: StorageVolume.fromPersistentVolumeClaim('ckpt'),
  });
  expect(find(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'trainer@proj-1.iam.gserviceaccount.com' });
  const t = find(objects, 'Job').spec.template;
  expect(t.metadata.annotations['gke-gcsfuse/volumes']).toBe('true');
  expect(t.spec.volumes).toContainEqual({ name: 'dataset', csi: { driver: 'gcsfuse.csi.storage.gke.io', readOnly: true, volumeAttributes: { bucketName: 'my-data', mountOptions: 'implicit-dirs,uid=1000,gid=1000' } } });
  expect(t.spec.containers[0].volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
  expect(t.spec.containers[0].env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
});

test('an existing ServiceAccount is used as is and none is created', () => {
  const objects = job(autopilot, { serviceAccountName: 'shared-trainer' });
  expect(objects.filter(o => o.kind === 'ServiceAccount')).toEqual([]);
  expect(find(objects, 'Job').spec.template.spec.serviceAccountName).toBe('shared-trainer');
});

test('runAsRoot is an explicit opt-out', () => {
  const pod = find(job(autopilot, { runAsRoot: true }), 'Job').spec.template.spec;
  expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
});

test('escape hatch: the L1 Job is reachable and patches render', () => {
  const chart = chartFor(autopilot);
  const t = new GpuTrainingJob(chart, 'train', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  t.job.addJsonPatch(JsonPatch.add('/spec/completions', 1));
  expect(find(synth(chart, autopilot), 'Job').spec.completions).toBe(1);
});

test('escape-hatch patches that break Autopilot rules are reported at synth', () => {
  const msg = synthError(chart => {
    const t = new GpuTrainingJob(chart, 'train', { platform: autopilot, accelerator: Accelerator.L4, ...base });
    t.job.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
  }, autopilot);
  expect(msg).toContain('[gke-autopilot/train] GKE Autopilot admission (spec.template): hostNetwork: true is rejected by Autopilot');
});

const P = 'gke-autopilot/train';
const bad: [string, Platform, Partial<GpuTrainingJobProps>, string][] = [
  ['gpus 3 x T4 on Autopilot', autopilot, { accelerator: Accelerator.T4, gpus: 3 }, `[${P}] gpus=3 is not accepted by GKE Autopilot for nvidia-tesla-t4 (allowed: 1, 2, 4)`],
  ['gpus 0', autopilot, { gpus: 0 }, `[${P}] gpus=0 is invalid: must be a whole number of GPUs, at least 1`],
  ['gpus negative', autopilot, { gpus: -2 }, `[${P}] gpus=-2 is invalid: must be a whole number of GPUs, at least 1`],
  ['gpus fractional', autopilot, { gpus: 1.5 }, `[${P}] gpus=1.5 is invalid: must be a whole number of GPUs, at least 1`],
  ['AWS-only accelerator on GKE', autopilot, { accelerator: Accelerator.A10G }, `[${P}] accelerator="A10G" is invalid: GKE Autopilot does not offer it (offered: T4, L4, A100 40GB, A100 80GB, H100 80GB, H100 Mega 80GB, H200 141GB, B200, RTX PRO 6000, P4, P100, V100)`],
  ['GKE-only accelerator on Karpenter', karpenter, { accelerator: Accelerator.H100_MEGA_80GB, gpus: 8 }, '[karpenter/train] accelerator="H100 Mega 80GB" is invalid: Karpenter (EKS) does not offer it (offered: T4, L4, A100 40GB, A100 80GB, H100 80GB, H200 141GB, B200, A10G, L40S)'],
  ['no accelerator on Autopilot', autopilot, { accelerator: undefined }, `[${P}] accelerator=undefined is invalid: GKE Autopilot needs an accelerator for a GPU pod (e.g. Accelerator.L4)`],
  ['cpu above the machine', autopilot, { accelerator: Accelerator.A100_40GB, cpu: 12 }, `[${P}] cpu=12 is invalid: GKE Autopilot accepts at most 11 vCPU for a pod with 1 x nvidia-tesla-a100 (allowed: at most 11 for the whole pod)`],
  ['memory above the machine', autopilot, { accelerator: Accelerator.A100_40GB, memory: Size.gibibytes(80) }, `[${P}] memory=80Gi is invalid: GKE Autopilot accepts at most 74Gi for a pod with 1 x nvidia-tesla-a100 (allowed: at most 74Gi for the whole pod)`],
  ['cpu zero', autopilot, { cpu: 0 }, `[${P}] cpu=0 is invalid: must be a positive number of vCPUs with at most 3 decimals, e.g. 0.5 or 8`],
  ['invalid name', autopilot, { name: 'Train_Job' }, `[${P}] name="Train_Job" is invalid: must be a DNS-1123 label of at most 63 characters`],
  ['invalid label value', autopilot, { labels: { team: 'ml research' } }, `[${P}] labels["team"]="ml research" is invalid: label values are strings of at most 63 characters`],
  ['zero active deadline', autopilot, { activeDeadline: Duration.seconds(0) }, `[${P}] activeDeadline=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['zero grace', autopilot, { terminationGracePeriod: Duration.seconds(0) }, `[${P}] terminationGracePeriod=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['literal secret in env', autopilot, { env: { HF_TOKEN: 'hf_abc123' } }, `[${P}] env["HF_TOKEN"]=<literal value, not shown> is invalid: HF_TOKEN looks like a secret; keep it in a Secret: secretEnv: [{ name: 'HF_TOKEN'`],
  ['literal password in env', autopilot, { env: { DB_PASSWORD: 'hunter2' } }, `[${P}] env["DB_PASSWORD"]=<literal value, not shown> is invalid: DB_PASSWORD looks like a secret`],
  ['spot grace over the Autopilot cap', autopilot, { capacityType: CapacityType.SPOT, terminationGracePeriod: Duration.seconds(60) }, `[${P}] terminationGracePeriod=60s is invalid: spot pods on GKE Autopilot get at most 25s of termination grace: Autopilot accepts the pod but cuts its grace to 25s at preemption (allowed: 1-25s)`],
  ['spot on plain Kubernetes', Platform.kubernetes(), { capacityType: CapacityType.SPOT }, '[kubernetes/train] capacityType="spot" is invalid: Kubernetes (NVIDIA device plugin) has no spot capacity (allowed: on-demand)'],
  ['spot fallback on GKE', autopilot, { capacityType: CapacityType.SPOT_WITH_FALLBACK }, `[${P}] capacityType="spot-with-fallback" is invalid: GKE Autopilot cannot fall back from spot to on-demand per pod (allowed: on-demand, spot)`],
  ['GCS bucket on Karpenter', karpenter, { accelerator: Accelerator.A10G, dataset: StorageVolume.fromGcsBucket('data') }, '[karpenter/train] dataset=gs://data is invalid: Karpenter (EKS) has no GCS FUSE CSI driver (allowed there: PVC, ConfigMap, emptyDir volumes)'],
  ['AWS identity on GKE', autopilot, { identity: CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/x') }, `[${P}] identity="arn:aws:iam::123456789012:role/x" is invalid: an AWS identity does not work on GKE Autopilot (allowed: CloudIdentity.gcpServiceAccount)`],
  ['malformed GSA', autopilot, { identity: CloudIdentity.gcpServiceAccount('trainer') }, `[${P}] identity="trainer" is invalid: must be a Google service account e-mail, NAME@PROJECT.iam.gserviceaccount.com`],
  ['fail-fast exit code 0', autopilot, { failFastExitCodes: [0, 1] }, `[${P}] failFastExitCodes=[0,1] is invalid: must be a list of exit codes from 1 to 255`],
  ['negative backoff', autopilot, { backoffLimit: -1 }, `[${P}] backoffLimit=-1 is invalid: must be an integer from 0 to 100`],
  ['shm as large as memory', autopilot, { memory: Size.gibibytes(16), sharedMemorySize: Size.gibibytes(16) }, `[${P}] sharedMemorySize=16384Mi is invalid: must be below memory (16Gi): /dev/shm counts against the memory limit`],
  ['image with spaces', autopilot, { image: 'my image' }, `[${P}] image="my image" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it must not contain spaces`],
  // Selector safety and platform options validated like props (issue 12 item 3).
  ['the library\'s selector label', autopilot, { labels: { 'app.kubernetes.io/instance': 'argo-app' } }, `[${P}] labels["app.kubernetes.io/instance"]="argo-app" is invalid: is the library's own selector label (its Service, NetworkPolicy and controllers select the pods with it); use another label key`],
  ['empty taint key on Karpenter', Platform.karpenter({ gpuTaintKey: '' }), {}, '[karpenter/train] platform.gpuTaintKey="" is invalid: must be a taint key such as nvidia.com/gpu (an empty key would tolerate every taint)'],
  ['empty taint key on plain Kubernetes', Platform.kubernetes({ gpuTaintKey: '' }), {}, '[kubernetes/train] platform.gpuTaintKey="" is invalid: must be a taint key such as nvidia.com/gpu (an empty key would tolerate every taint)'],
  ['NodePool name with a space', Platform.karpenter({ nodePool: 'GPU Pool' }), {}, '[karpenter/train] platform.nodePool="GPU Pool" is invalid: must be the name of a NodePool (a DNS label)'],
  ['ephemeral storage under Autopilot\'s GPU minimum', autopilot, { ephemeralStorage: Size.mebibytes(256) }, `[${P}] ephemeralStorage=256Mi is invalid: must be at least 512Mi`],
];

describe('bad input: every invalid prop fails at synth with path, prop, value and what is allowed', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new GpuTrainingJob(chart, 'train', { platform, accelerator: Accelerator.L4, ...base, ...props } as GpuTrainingJobProps), platform);
    expect(msg).toContain(expected);
    expect(msg).not.toContain('hf_abc123');
    expect(msg).not.toContain('hunter2');
  });

  test('all problems are reported at once, across constructs', () => {
    const msg = synthError(chart => {
      new GpuTrainingJob(chart, 'a', { platform: autopilot, ...base, accelerator: Accelerator.T4, gpus: 3, cpu: -1 });
      new GpuTrainingJob(chart, 'b', { platform: autopilot, ...base, accelerator: Accelerator.L4, name: 'BAD' });
    }, autopilot);
    expect(msg).toContain('[gke-autopilot/a] gpus=3');
    expect(msg).toContain('[gke-autopilot/a] cpu=-1');
    expect(msg).toContain('[gke-autopilot/b] name="BAD"');
  });

  test('touching the escape hatch of an invalid construct explains why it is missing', () => {
    const chart = chartFor(autopilot);
    const t = new GpuTrainingJob(chart, 'train', { platform: autopilot, ...base, accelerator: Accelerator.T4, gpus: 3 });
    expect(() => t.job).toThrow('[gke-autopilot/train] has invalid props, so it emitted no objects: gpus=3 is not accepted');
  });

  test('garbage from JavaScript callers is a validation error, not a TypeError', () => {
    const msg = synthError(chart => new GpuTrainingJob(chart, 'train', { platform: 'gke' as any, image: 42 as any, gpus: '2' as any, memory: '16Gi' as any, env: { A: 1 as any } }));
    expect(msg).toContain('platform="gke" is invalid: must be a Platform');
    expect(msg).toContain('image=42 is invalid');
    expect(msg).toContain('gpus="2" is invalid');
    expect(msg).toContain('memory="16Gi" is invalid: must be a Size, e.g. Size.gibibytes(16)');
  });
});
