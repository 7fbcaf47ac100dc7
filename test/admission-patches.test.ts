/**
 * Every pod template is admission-checked after escape-hatch patches (issue 12 item 4): each Kubeflow replica type
 * (a TFJob's Chief and PS, a Master added by patch, a PyTorchJob's Master) and every JobSet replicated job, the
 * second included, not only the first or the Worker; a KServe transformer or explainer added next to the
 * predictor. The checks read the rendered object when the app is validated.
 */
import { JsonPatch, Size } from 'cdk8s';
import { Accelerator, DdpJobSet, KServeInferenceService, ModelFormat, Platform, PyTorchJob, TfJob } from '../lib';
import { synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const ddp = { image: 'trainer:1.0', module: 'train', nodes: 2, accelerator: Accelerator.L4 };
const tf = { image: 'tensorflow/tensorflow:2.14.0-gpu', accelerator: Accelerator.L4 };
const A = 'GKE Autopilot admission';

/** A replica spec added by patch: a CPU pod that asks for the host network. */
const hostNetworkReplica = {
  replicas: 1,
  restartPolicy: 'Never',
  template: { spec: { hostNetwork: true, containers: [{ name: 'tensorflow', image: 'tensorflow/tensorflow:2.14.0' }] } },
};

test('TFJob Chief patched', () => {
  const msg = synthError(chart => {
    const t = new TfJob(chart, 'tf', { platform: autopilot, ...tf, chief: {}, workers: { replicas: 2 } });
    t.apiObject.addJsonPatch(JsonPatch.add('/spec/tfReplicaSpecs/Chief/template/spec/hostNetwork', true));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/tf] ${A} (spec.tfReplicaSpecs.Chief.template): hostNetwork: true is rejected by Autopilot`);
  expect(msg).not.toContain('spec.tfReplicaSpecs.Worker.template');
});

test('TFJob PS patched (a CPU replica: its own rules, e.g. no GPU toleration)', () => {
  const msg = synthError(chart => {
    const t = new TfJob(chart, 'tf', { platform: autopilot, ...tf, parameterServers: { replicas: 2 }, workers: { replicas: 2 } });
    t.apiObject.addJsonPatch(JsonPatch.add('/spec/tfReplicaSpecs/PS/template/spec/tolerations', [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/tf] ${A} (spec.tfReplicaSpecs.PS.template): a toleration for nvidia.com/gpu on a pod without GPUs is rejected by Autopilot`);
  expect(msg).not.toContain('spec.tfReplicaSpecs.Worker.template');
});

test('TFJob Master added by patch', () => {
  const msg = synthError(chart => {
    const t = new TfJob(chart, 'tf', { platform: autopilot, ...tf, workers: { replicas: 2 } });
    t.apiObject.addJsonPatch(JsonPatch.add('/spec/tfReplicaSpecs/Master', hostNetworkReplica));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/tf] ${A} (spec.tfReplicaSpecs.Master.template): hostNetwork: true is rejected by Autopilot`);
});

test('PyTorchJob Master patched', () => {
  const msg = synthError(chart => {
    const j = new PyTorchJob(chart, 'pj', { platform: autopilot, ...ddp });
    j.apiObject.addJsonPatch(JsonPatch.add('/spec/pytorchReplicaSpecs/Master/template/spec/hostPID', true));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/pj] ${A} (spec.pytorchReplicaSpecs.Master.template): hostPID: true is rejected by Autopilot`);
  expect(msg).not.toContain('spec.pytorchReplicaSpecs.Worker.template');
});

test('JobSet: a second replicated job added by patch', () => {
  const msg = synthError(chart => {
    const j = new DdpJobSet(chart, 'js', { platform: autopilot, ...ddp });
    j.apiObject.addJsonPatch(JsonPatch.add('/spec/replicatedJobs/1', {
      name: 'evaluator', replicas: 1,
      template: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'eval', image: 'eval:1', securityContext: { privileged: true } }] } } } },
    }));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/js] ${A} (spec.replicatedJobs[1].template.spec.template): container eval is privileged, which Autopilot rejects`);
  expect(msg).not.toContain('spec.replicatedJobs[0].template.spec.template)');
});

test('JobSet: the second replicated job patched (GPUs Autopilot does not offer per pod)', () => {
  const msg = synthError(chart => {
    const j = new DdpJobSet(chart, 'js', { platform: autopilot, ...ddp });
    const second = JSON.parse(JSON.stringify(j.apiObject.toJson().spec.replicatedJobs[0]));
    second.name = 'workers-b';
    for (const c of second.template.spec.template.spec.containers) c.resources.limits['nvidia.com/gpu'] = 3;
    j.apiObject.addJsonPatch(JsonPatch.add('/spec/replicatedJobs/1', second));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/js] ${A} (spec.replicatedJobs[1].template.spec.template): 3 x nvidia-l4 per pod is rejected by Autopilot (allowed: 1, 2, 4, 8)`);
  expect(msg).not.toContain('spec.replicatedJobs[0].template.spec.template)');
});

test('KServe: a transformer added by patch is checked like the predictor', () => {
  const msg = synthError(chart => {
    const k = new KServeInferenceService(chart, 'ep', {
      platform: autopilot, name: 'ep', modelFormat: ModelFormat.HUGGINGFACE, storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
      accelerator: Accelerator.L4, memory: Size.gibibytes(32),
    });
    k.apiObject.addJsonPatch(JsonPatch.add('/spec/transformer', { containers: [{ name: 'tokenizer', image: 'tok:1', securityContext: { privileged: true } }] }));
  }, autopilot);
  expect(msg).toContain(`[gke-autopilot/ep] ${A} (spec.transformer): container tokenizer is privileged, which Autopilot rejects`);
  expect(msg).not.toContain('(spec.predictor)');
});
