import { Duration, JsonPatch, Size } from 'cdk8s';
import {
  Accelerator, CapacityType, CleanPodPolicy, ClusterAddon, Platform, ReplicaRestartPolicy, TfJob, TfJobProps,
  TfSuccessPolicy,
} from '../lib';
import { _runPolicy } from '../lib/pod/kubeflow';
import { _Problems } from '../lib/validation';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const base = { image: 'tensorflow/tensorflow:2.14.0-gpu' };

function tf(platform: Platform, props: Partial<TfJobProps> = {}) {
  const chart = chartFor(platform);
  new TfJob(chart, 'tf', { platform, accelerator: Accelerator.L4, ...base, ...props } as TfJobProps);
  return synth(chart, platform);
}

describe('the reference lab TFJob: one Chief + three Workers, one GPU each, script from a ConfigMap', () => {
  // What the lab guide applies with kubectl, written with the library.
  const chart = chartFor(standard);
  new TfJob(chart, 'mnist', {
    name: 'mnist',
    platform: standard,
    image: 'tensorflow/tensorflow:2.14.0-gpu',
    accelerator: Accelerator.T4,
    gpus: 1,
    chief: { replicas: 1 },
    workers: { replicas: 3 },
    script: { configMapName: 'tf-mnist-script', fileName: 'train.py' },
  });
  const objects = synth(chart, standard);
  const job = find(objects, 'TFJob');
  const specs = job.spec.tfReplicaSpecs;

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('kubeflow.org/v1 TFJob with Chief x1 and Worker x3', () => {
    expect(job.apiVersion).toBe('kubeflow.org/v1');
    expect(job.metadata).toMatchObject({ name: 'mnist', namespace: 'ml' });
    expect(Object.keys(specs)).toEqual(['Chief', 'Worker']);
    expect(specs.Chief.replicas).toBe(1);
    expect(specs.Worker.replicas).toBe(3);
  });
  test.each(['Chief', 'Worker'])('%s: container tensorflow, the image, one GPU, the script mounted from the ConfigMap', type => {
    const pod = specs[type].template.spec;
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.name).toBe('tensorflow');
    expect(c.image).toBe('tensorflow/tensorflow:2.14.0-gpu');
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(c.resources.requests['nvidia.com/gpu']).toBe(1);
    expect(c.command).toEqual(['python3', '/opt/training/train.py']);
    expect(c.ports).toEqual([{ name: 'tfjob-port', containerPort: 2222, protocol: 'TCP' }]);
    expect(pod.volumes).toContainEqual({ name: 'volume-0', configMap: { name: 'tf-mnist-script' } });
    expect(c.volumeMounts).toContainEqual({ name: 'volume-0', mountPath: '/opt/training', readOnly: true });
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    // Every failure is retried up to backoffLimit (issue 18's retry defaults): OnFailure, restarted in place.
    expect(specs[type].restartPolicy).toBe('OnFailure');
    expect(pod.restartPolicy).toBe('OnFailure');
    expect(specs[type].template.metadata.labels['app.kubernetes.io/instance']).toBe('mnist');
  });
  test('runPolicy defaults: Running pods cleaned, 1 day TTL, 3 retries', () => {
    expect(job.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', backoffLimit: 3, ttlSecondsAfterFinished: 86400 });
  });
  test('NetworkPolicy: only pods of this run, only gRPC 2222', () => {
    const np = find(objects, 'NetworkPolicy');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'mnist' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'mnist' } } }], ports: [{ port: 2222, protocol: 'TCP' }] }],
    });
  });
  test('one ServiceAccount without token for all replicas', () => {
    expect(objects.filter(o => o.kind === 'ServiceAccount')).toHaveLength(1);
    expect(specs.Worker.template.spec.serviceAccountName).toBe('mnist');
    expect(specs.Chief.template.spec.automountServiceAccountToken).toBe(false);
  });
});

describe('parameter servers and evaluator on GKE Autopilot', () => {
  const objects = tf(autopilot, {
    gpus: 2,
    chief: { gpus: 1 },
    workers: { replicas: 4 },
    parameterServers: { replicas: 2, cpu: 4, memory: Size.gibibytes(8) },
    evaluator: { gpus: 0 },
    cleanPodPolicy: CleanPodPolicy.ALL,
    backoffLimit: 5,
    activeDeadline: Duration.hours(6),
    ttlAfterFinished: Duration.hours(2),
    successPolicy: TfSuccessPolicy.ALL_WORKERS,
  });
  const job = find(objects, 'TFJob');
  const specs = job.spec.tfReplicaSpecs;
  const gpusOf = (t: string) => specs[t].template.spec.containers[0].resources.limits['nvidia.com/gpu'];

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('each replica type has its own GPUs and resources', () => {
    expect(Object.keys(specs)).toEqual(['Chief', 'Evaluator', 'PS', 'Worker']);
    expect([gpusOf('Chief'), gpusOf('PS'), gpusOf('Worker'), gpusOf('Evaluator')]).toEqual([1, undefined, 2, undefined]);
    expect(specs.PS.replicas).toBe(2);
    expect(specs.PS.template.spec.containers[0].resources.requests).toEqual({ 'cpu': '4', 'memory': '8Gi', 'ephemeral-storage': '10Gi' });
    expect(specs.Worker.template.spec.containers[0].resources.requests.cpu).toBe('8');
  });
  test('pods without GPUs carry no GPU selector, toleration or /dev/shm', () => {
    for (const t of ['PS', 'Evaluator']) {
      const pod = specs[t].template.spec;
      expect(pod.nodeSelector).toBeUndefined();
      expect(pod.tolerations).toBeUndefined();
      expect(pod.volumes).toBeUndefined();
    }
    expect(specs.Worker.template.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  });
  test('every pod of the run shares the instance label the NetworkPolicy selects', () => {
    for (const t of Object.keys(specs)) expect(specs[t].template.metadata.labels['app.kubernetes.io/instance']).toBe('gke-autopilot-tf');
  });
  test('runPolicy and successPolicy as given', () => {
    expect(job.spec.runPolicy).toEqual({ cleanPodPolicy: 'All', backoffLimit: 5, ttlSecondsAfterFinished: 7200, activeDeadlineSeconds: 21600 });
    expect(job.spec.successPolicy).toBe('AllWorkers');
  });
});

test('defaults: a single worker from the image entrypoint, no successPolicy field', () => {
  const job = find(tf(autopilot, { command: ['python', '-m', 'trainer'] }), 'TFJob');
  expect(Object.keys(job.spec.tfReplicaSpecs)).toEqual(['Worker']);
  expect(job.spec.tfReplicaSpecs.Worker.replicas).toBe(1);
  expect(job.spec.tfReplicaSpecs.Worker.template.spec.containers[0].command).toEqual(['python', '-m', 'trainer']);
  expect(job.spec.successPolicy).toBeUndefined();
  expect(job.spec.tfReplicaSpecs.Worker.template.spec.containers[0].env).toContainEqual({ name: 'PYTHONUNBUFFERED', value: '1' });
});

test('Karpenter spot workers: do-not-disrupt, spot selector; OnFailure restarts in place', () => {
  const job = find(tf(karpenter, { accelerator: Accelerator.A10G, capacityType: CapacityType.SPOT, restartPolicy: ReplicaRestartPolicy.ON_FAILURE }), 'TFJob');
  const w = job.spec.tfReplicaSpecs.Worker;
  expect(w.restartPolicy).toBe('OnFailure');
  expect(w.template.spec.restartPolicy).toBe('OnFailure');
  expect(w.template.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  expect(w.template.spec.nodeSelector['karpenter.sh/capacity-type']).toBe('spot');
});

test('isolateNetwork: false emits no NetworkPolicy', () => {
  expect(tf(autopilot, { isolateNetwork: false }).filter(o => o.kind === 'NetworkPolicy')).toEqual([]);
});

test('escape hatch: the TFJob ApiObject takes JSON patches', () => {
  const chart = chartFor(autopilot);
  const t = new TfJob(chart, 'tf', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  t.apiObject.addJsonPatch(JsonPatch.add('/spec/runPolicy/suspend', true));
  expect(find(synth(chart, autopilot), 'TFJob').spec.runPolicy.suspend).toBe(true);
});

test('escape-hatch patches that break Autopilot rules are reported at synth', () => {
  const msg = synthError(chart => {
    const t = new TfJob(chart, 'tf', { platform: autopilot, accelerator: Accelerator.L4, ...base, parameterServers: {} });
    t.apiObject.addJsonPatch(JsonPatch.add('/spec/tfReplicaSpecs/PS/template/spec/hostNetwork', true));
  }, autopilot);
  expect(msg).toContain('[gke-autopilot/tf] GKE Autopilot admission (spec.tfReplicaSpecs.PS.template): hostNetwork: true is rejected by Autopilot');
});

test('every replica\'s pod template is admission-checked, the Chief\'s too', () => {
  const msg = synthError(chart => {
    const t = new TfJob(chart, 'tf', { platform: autopilot, accelerator: Accelerator.L4, ...base, chief: {} });
    t.apiObject.addJsonPatch(JsonPatch.add('/spec/tfReplicaSpecs/Chief/template/spec/hostPID', true));
  }, autopilot);
  expect(msg).toContain('[gke-autopilot/tf] GKE Autopilot admission (spec.tfReplicaSpecs.Chief.template): hostPID: true is rejected by Autopilot');
  expect(msg).not.toContain('spec.tfReplicaSpecs.Worker.template');
});

test('_runPolicy renders exactly the CRD fields, with construct-chosen defaults', () => {
  const p = new _Problems();
  expect(_runPolicy(p, {}, { cleanPodPolicy: CleanPodPolicy.NONE, backoffLimit: 0, ttlSeconds: 60 }))
    .toEqual({ cleanPodPolicy: 'None', backoffLimit: 0, ttlSecondsAfterFinished: 60, activeDeadlineSeconds: undefined });
  expect(_runPolicy(p, { ttlAfterFinished: Duration.seconds(0) })).toMatchObject({ ttlSecondsAfterFinished: 0 });
  expect(p.ok).toBe(true);
  expect(_runPolicy(p, { backoffLimit: -1 })).toBeUndefined();
  expect(p.messages).toEqual(['backoffLimit=-1 is invalid: must be an integer from 0 to 100']);
});

const P = 'gke-autopilot/tf';
const bad: [string, Platform, Partial<TfJobProps>, string][] = [
  ['no operator installed (no add-ons)', Platform.gkeAutopilot({ addons: [] }), {}, `[${P}] platform.addons=[] is invalid: a TFJob needs the Kubeflow training operator (kubeflow.org/v1), which GKE Autopilot does not list; install it and add ClusterAddon.KUBEFLOW_TRAINING_OPERATOR to the platform's addons, or choose a construct that does not need it`],
  ['no operator installed (other add-ons)', Platform.gkeAutopilot({ addons: [ClusterAddon.JOBSET, ClusterAddon.KUBEFLOW_TRAINER] }), {}, `[${P}] platform.addons=[jobset, kubeflow-trainer] is invalid: a TFJob needs the Kubeflow training operator (kubeflow.org/v1), which GKE Autopilot does not list; install it and add ClusterAddon.KUBEFLOW_TRAINING_OPERATOR to the platform's addons, or choose a construct that does not need it`],
  ['zero workers', autopilot, { workers: { replicas: 0 } }, `[${P}] workers.replicas=0 is invalid: must be an integer from 1 to 1000`],
  ['fractional workers', autopilot, { workers: { replicas: 1.5 } }, `[${P}] workers.replicas=1.5 is invalid: must be an integer from 1 to 1000`],
  ['zero parameter servers', autopilot, { parameterServers: { replicas: 0 } }, `[${P}] parameterServers.replicas=0 is invalid: must be an integer from 1 to 1000`],
  ['two chiefs', autopilot, { chief: { replicas: 2 } }, `[${P}] chief.replicas=2 is invalid: must be 1: a TFJob has exactly one Chief when it has one`],
  ['zero chiefs', autopilot, { chief: { replicas: 0 } }, `[${P}] chief.replicas=0 is invalid: must be 1: a TFJob has exactly one Chief when it has one`],
  ['two evaluators', autopilot, { evaluator: { replicas: 2 } }, `[${P}] evaluator.replicas=2 is invalid: must be 1: a TFJob has exactly one Evaluator when it has one`],
  ['worker GPUs the platform refuses', autopilot, { accelerator: Accelerator.T4, workers: { replicas: 2, gpus: 3 } }, `[${P}] workers.gpus=3 is not accepted by GKE Autopilot for nvidia-tesla-t4 (allowed: 1, 2, 4)`],
  ['job GPUs the platform refuses', autopilot, { accelerator: Accelerator.T4, gpus: 3 }, `[${P}] gpus=3 is not accepted by GKE Autopilot for nvidia-tesla-t4 (allowed: 1, 2, 4)`],
  ['workers without GPUs', autopilot, { workers: { gpus: 0 } }, `[${P}] workers.gpus=0 is invalid: must be a whole number of GPUs, at least 1`],
  ['negative PS GPUs', autopilot, { parameterServers: { gpus: -1 } }, `[${P}] parameterServers.gpus=-1 is invalid: must be a whole number of GPUs, at least 0`],
  ['chief cpu above the machine', autopilot, { accelerator: Accelerator.A100_40GB, chief: { cpu: 12 } }, `[${P}] chief.cpu=12 is invalid: GKE Autopilot accepts at most 11 vCPU for a pod with 1 x nvidia-tesla-a100`],
  ['replica options not an object', autopilot, { workers: 3 as any }, `[${P}] workers=3 is invalid: must be a TfReplicaOptions object { cpu?, gpus?, memory?, replicas? }`],
  ['invalid name', autopilot, { name: 'TF_Job' }, `[${P}] name="TF_Job" is invalid: must be a DNS-1123 label of at most 54 characters`],
  ['name starting with a digit', autopilot, { name: '1st-run' }, `[${P}] name="1st-run" is invalid: must start with a letter: the operator names a Service after every pod (DNS-1035 label)`],
  ['name too long for 100 workers', autopilot, { name: 'a'.repeat(54), workers: { replicas: 100 } }, `[${P}] name="${'a'.repeat(54)}" is invalid: must be a DNS-1123 label of at most 53 characters`],
  ['bad cleanPodPolicy', autopilot, { cleanPodPolicy: 'Always' as any }, `[${P}] cleanPodPolicy="Always" is invalid: must be one of CleanPodPolicy.ALL, CleanPodPolicy.RUNNING, CleanPodPolicy.NONE`],
  ['negative backoffLimit', autopilot, { backoffLimit: -1 }, `[${P}] backoffLimit=-1 is invalid: must be an integer from 0 to 100`],
  ['zero activeDeadline', autopilot, { activeDeadline: Duration.seconds(0) }, `[${P}] activeDeadline=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['ttl not a Duration', autopilot, { ttlAfterFinished: 3600 as any }, `[${P}] ttlAfterFinished=3600 is invalid: must be a Duration, e.g. Duration.minutes(30)`],
  ['bad restartPolicy', autopilot, { restartPolicy: 'Always' as any }, `[${P}] restartPolicy="Always" is invalid: must be one of ReplicaRestartPolicy.EXIT_CODE, ReplicaRestartPolicy.ON_FAILURE, ReplicaRestartPolicy.NEVER`],
  ['bad successPolicy', autopilot, { successPolicy: 'Any' as any }, `[${P}] successPolicy="Any" is invalid: must be one of TfSuccessPolicy.CHIEF_OR_FIRST_WORKER, TfSuccessPolicy.ALL_WORKERS`],
  ['script and command', autopilot, { script: { configMapName: 'tf', fileName: 'train.py' }, command: ['python'] }, `[${P}] command=["python"] is invalid together with script: the script is the command; pass its arguments with args`],
  ['script ConfigMap name', autopilot, { script: { configMapName: 'TF Script', fileName: 'train.py' } }, `[${P}] script.configMapName="TF Script" is invalid: must be a DNS-1123 subdomain`],
  ['script file name', autopilot, { script: { configMapName: 'tf', fileName: 'src/train.py' } }, `[${P}] script.fileName="src/train.py" is invalid: must be a ConfigMap key: letters, digits, '-', '_' and '.'`],
  ['script mount path', autopilot, { script: { configMapName: 'tf', fileName: 'train.py', mountPath: 'opt' } }, `[${P}] script.mountPath="opt" is invalid: must be an absolute directory path without '..', other than /`],
  ['literal secret in env', autopilot, { env: { WANDB_API_KEY: 'abc123secret' } }, `[${P}] env["WANDB_API_KEY"]=<literal value, not shown> is invalid`],
];

describe('bad input: every invalid prop fails at synth with path, prop, value and what is allowed', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new TfJob(chart, 'tf', { platform, accelerator: Accelerator.L4, ...base, ...props } as TfJobProps), platform);
    expect(msg).toContain(expected);
    expect(msg).not.toContain('abc123secret');
  });

  test('a problem shared by every replica type is reported once', () => {
    const msg = synthError(chart => new TfJob(chart, 'tf', { platform: autopilot, accelerator: Accelerator.L4, image: 'bad image', chief: {}, evaluator: {} }), autopilot);
    expect(msg.split('image="bad image" is invalid').length - 1).toBe(1);
  });

  test('touching the escape hatch of an invalid construct explains why it is missing', () => {
    const chart = chartFor(autopilot);
    const t = new TfJob(chart, 'tf', { platform: Platform.gkeAutopilot({ addons: [] }), accelerator: Accelerator.L4, ...base });
    expect(() => t.apiObject).toThrow('[gke-autopilot/tf] has invalid props, so it emitted no objects: platform.addons=[] is invalid');
  });

  test('garbage from JavaScript callers is a validation error, not a TypeError', () => {
    const msg = synthError(chart => new TfJob(chart, 'tf', { platform: 'gke' as any, image: 42 as any, chief: null as any, script: 'train.py' as any }));
    expect(msg).toContain('platform="gke" is invalid: must be a Platform');
    expect(msg).toContain('chief=null is invalid: must be a TfReplicaOptions object');
    expect(msg).toContain('script="train.py" is invalid: must be a ConfigMapScript');
  });

  test('garbage add-ons from JavaScript callers are a validation error of the platform option', () => {
    const msg = synthError(chart => new TfJob(chart, 'tf', { platform: Platform.gkeAutopilot({ addons: 'no' as any }), accelerator: Accelerator.L4, ...base }), autopilot);
    expect(msg).toContain('[gke-autopilot/tf] platform.addons="no" is invalid: must be a list of ClusterAddons, e.g. [ClusterAddon.KUEUE], not a single string');
  });
});

test('the job-level gpus is validated even when every replica overrides it (found by the property-based tests)', () => {
  const platform = Platform.gkeStandard();
  const msg = synthError(chart => new TfJob(chart, 'tf', { platform, accelerator: Accelerator.T4, image: 'tf:2.14', gpus: -1, workers: { replicas: 2, gpus: 1 } }), platform);
  expect(msg).toContain('[gke-standard/tf] gpus=-1 is invalid: must be a whole number of GPUs, at least 0');
});

test('with the training operator listed in the platform\'s add-ons the TFJob synthesizes', () => {
  const platform = Platform.gkeAutopilot({ addons: [ClusterAddon.KUBEFLOW_TRAINING_OPERATOR] });
  expect(find(tf(platform), 'TFJob').apiVersion).toBe('kubeflow.org/v1');
});

test('ReplicaRestartPolicy.EXIT_CODE, when asked: bugs (1-127) fail the job, kills (128-255) are retried; the pods are Never', () => {
  const job = find(tf(Platform.gkeAutopilot(), { restartPolicy: ReplicaRestartPolicy.EXIT_CODE }), 'TFJob');
  expect(job.spec.tfReplicaSpecs.Worker.restartPolicy).toBe('ExitCode');
  expect(job.spec.tfReplicaSpecs.Worker.template.spec.restartPolicy).toBe('Never');
});
