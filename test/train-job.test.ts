/**
 * Kubeflow Trainer v2 (issue 15 item 1): TrainJob with runtimeRef, numNodes, resourcesPerNode, image/command/env and
 * the platform's scheduling as a runtime patch; the torch runtime based on the upstream one; validation against what
 * the runtime provides; the pods Trainer will create admission-checked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration, JsonPatch } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, ClusterAddon, GkePlatform, LocalQueue, NetworkProfile, Platform, PriorityClass, StorageVolume, Topology, TopologyPlacement,
  TorchTrainingRuntime,
  TrainJob, TrainJobProps, TrainingRuntime, TrainingRuntimeKind,
} from '../lib';
import { _trainJobPods } from '../lib/training/_trainer-pods';
import { expectCelRulesHold } from './support/cel';
import { podsOf } from './support/pods';
import { SHARED_DIR } from './support/schema';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const base = { command: ['torchrun', 'train.py'] };

function trainJob(platform: Platform, props: Partial<TrainJobProps> = {}, withRuntime = false): any[] {
  const chart = chartFor(platform);
  const runtime = withRuntime ? new TorchTrainingRuntime(chart, 'runtime', { platform }) : undefined;
  new TrainJob(chart, 'train', { platform, accelerator: Accelerator.L4, gpus: 2, ...base, runtime, ...props } as TrainJobProps);
  return synth(chart, platform);
}
const patchPod = (tj: any) => tj.spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template;

describe('TrainJob on GKE Autopilot, on the upstream torch-distributed runtime', () => {
  const objects = trainJob(autopilot, { nodes: 3, env: { EPOCHS: '3' }, secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 'token' }] });
  const tj = find(objects, 'TrainJob');
  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('runtimeRef, numNodes, per-node GPUs, image from the runtime, command and env in spec.trainer', () => {
    expect(tj.apiVersion).toBe('trainer.kubeflow.org/v1alpha1');
    expect(tj.spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' });
    expect(tj.spec.trainer).toMatchObject({ numNodes: 3, command: ['torchrun', 'train.py'] });
    expect(tj.spec.trainer.image).toBeUndefined();
    expect(tj.spec.trainer.resourcesPerNode).toEqual({
      requests: { 'cpu': '8', 'memory': '32Gi', 'ephemeral-storage': '10Gi', 'nvidia.com/gpu': 2 },
      limits: { 'memory': '32Gi', 'nvidia.com/gpu': 2 },
    });
    expect(tj.spec.trainer.env).toEqual([
      { name: 'EPOCHS', value: '3' }, { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
    ]);
    expect(tj.spec.suspend).toBeUndefined();
  });
  test('the platform\'s scheduling, security, volumes and labels go to one runtime patch of the node job', () => {
    expect(tj.spec.runtimePatches).toHaveLength(1);
    expect(tj.spec.runtimePatches[0].manager).toBe('gpu-ml.cdk8s.io/platform');
    const jobs = tj.spec.runtimePatches[0].trainingRuntimeSpec.template.spec.replicatedJobs;
    expect(jobs.map((j: any) => j.name)).toEqual(['node']);
    const pod = patchPod(tj);
    expect(pod.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.spec.serviceAccountName).toBe('gke-autopilot-train');
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.spec.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } }]);
    expect(pod.metadata.labels['app.kubernetes.io/instance']).toBe('gke-autopilot-train');
    // A ContainerPatch: only mounts and security context; `node`'s env may not come from a patch (Trainer's webhook).
    expect(pod.spec.containers).toEqual([{
      name: 'node', volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false },
    }]);
  });
  test('the pods Trainer will create: the runtime\'s container with the trainer fields and the patch', () => {
    const [pod] = podsOf(tj);
    expect(pod.spec.containers).toHaveLength(1);
    const c = pod.spec.containers[0];
    expect(c).toMatchObject({ name: 'node', image: TrainingRuntime.TORCH_DISTRIBUTED_IMAGE, command: ['torchrun', 'train.py'] });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(pod.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.labels['app.kubernetes.io/instance']).toBe('gke-autopilot-train');
  });
  test('a NetworkPolicy admits the run\'s own pods (ranks) and selects them by the patched pod label', () => {
    const np = find(objects, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'gke-autopilot-train' });
  });
  test('CEL rules of the TrainJob CRD hold', () => expect(expectCelRulesHold(objects)).toBeGreaterThan(0));
});

describe('TorchTrainingRuntime: the upstream torch runtime, with JobSet failure policy', () => {
  const objects = trainJob(standard, { accelerator: Accelerator.H100_80GB, gpus: 8, image: 'us-docker.pkg.dev/p/r/train:1.0' }, true);
  const rt = find(objects, 'ClusterTrainingRuntime');
  const upstream = parse(fs.readFileSync(path.join(SHARED_DIR, 'crds', 'examples', 'kubeflow-trainer', 'torch_distributed.yaml'), 'utf8'));
  test('the upstream runtime\'s name, labels, mlPolicy, replicated job, ancestor label, container and image', () => {
    expect(rt.metadata.name).toBe(upstream.metadata.name);
    expect(rt.metadata.namespace).toBeUndefined();
    expect(rt.metadata.labels).toMatchObject(upstream.metadata.labels);
    expect(rt.spec.mlPolicy).toEqual(upstream.spec.mlPolicy);
    const [mine] = rt.spec.template.spec.replicatedJobs;
    const [theirs] = upstream.spec.template.spec.replicatedJobs;
    expect(mine.name).toBe(theirs.name);
    expect(mine.template.metadata).toEqual(theirs.template.metadata);
    expect(mine.template.spec.template.spec.containers).toEqual(theirs.template.spec.template.spec.containers);
  });
  test('added: disruptions restart the group without counting, other failures up to maxRestarts; restartPolicy Never', () => {
    expect(rt.spec.template.spec.failurePolicy).toEqual({
      maxRestarts: 3, rules: [{ name: 'restartOnDisruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] }],
    });
    const job = rt.spec.template.spec.replicatedJobs[0].template.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
    expect(job.template.spec.restartPolicy).toBe('Never');
  });
  test('the TrainJob names it, and its pods are the runtime\'s with the TrainJob\'s image', () => {
    const tj = find(objects, 'TrainJob');
    expect(tj.spec.runtimeRef.name).toBe('torch-distributed');
    const [pod] = podsOf(tj, { objects });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.containers[0].image).toBe('us-docker.pkg.dev/p/r/train:1.0');
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
  test('CEL rules hold (mlPolicy: one framework)', () => expect(expectCelRulesHold(objects)).toBeGreaterThan(2));
  test('a namespaced TrainingRuntime for the TrainJob\'s namespace', () => {
    const chart = chartFor(standard);
    const runtime = new TorchTrainingRuntime(chart, 'rt', { platform: standard, name: 'torch-ml', namespace: 'ml', maxRestarts: 1 });
    new TrainJob(chart, 'train', { platform: standard, accelerator: Accelerator.L4, ...base, runtime });
    const o = synth(chart, standard);
    expect(find(o, 'TrainingRuntime').metadata).toMatchObject({ name: 'torch-ml', namespace: 'ml' });
    expect(find(o, 'TrainJob').spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'TrainingRuntime', name: 'torch-ml' });
  });
});

describe('what else a TrainJob carries', () => {
  test('a queue puts Kueue\'s label on the TrainJob only (not on its pods), and no suspend that would fight Kueue in GitOps', () => {
    const tj = find(trainJob(autopilot, { queue: LocalQueue.fromName('team-a') }), 'TrainJob');
    expect(tj.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(tj.spec.suspend).toBeUndefined();
    expect(JSON.stringify(tj.spec.runtimePatches)).not.toContain('kueue.x-k8s.io/queue-name');
  });
  test('activeDeadline, checkpoints (volume, mount, env) and a topology level on the pods', () => {
    const chart = chartFor(standard);
    const topology = new Topology(chart, 'topology', { platform: standard });
    new TrainJob(chart, 'train', {
      platform: standard, ...base, accelerator: Accelerator.L4, activeDeadline: Duration.hours(2), checkpoints: StorageVolume.fromPersistentVolumeClaim('ckpt'),
      topology: TopologyPlacement.required(topology, GkePlatform.TOPOLOGY_SUBBLOCK_LABEL),
    });
    const tj = find(synth(chart, standard), 'TrainJob');
    expect(tj.spec.activeDeadlineSeconds).toBe(7200);
    expect(tj.spec.trainer.env).toContainEqual({ name: 'CHECKPOINT_DIR', value: '/checkpoints' });
    expect(patchPod(tj).spec.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'ckpt' } });
    expect(patchPod(tj).spec.containers[0].volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
    expect(patchPod(tj).metadata.annotations).toEqual({ 'kueue.x-k8s.io/podset-required-topology': 'cloud.google.com/gce-topology-subblock' });
  });
  test('EFA on Karpenter: interfaces in resourcesPerNode, libfabric env in spec.trainer', () => {
    const tj = find(trainJob(karpenter, { accelerator: Accelerator.H100_80GB, gpus: 8, networkProfile: NetworkProfile.efa() }), 'TrainJob');
    expect(tj.spec.trainer.resourcesPerNode.limits['vpc.amazonaws.com/efa']).toBe(32);
    expect(tj.spec.trainer.env).toContainEqual({ name: 'FI_PROVIDER', value: 'efa' });
    expect(patchPod(tj).metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  });
  test('GPUDirect RDMA on GKE Standard: the command runs after gIB\'s NCCL env is sourced; annotations and host paths in the patch', () => {
    const tj = find(trainJob(standard, { accelerator: Accelerator.B200, gpus: 8, args: ['--epochs', '3'], networkProfile: NetworkProfile.gpuDirectRdma() }), 'TrainJob');
    expect(tj.spec.trainer.command).toEqual(['/bin/sh', '-c', '. /usr/local/gib/scripts/set_nccl_env.sh\nexec "$@"\n', 'sh', 'torchrun', 'train.py']);
    expect(tj.spec.trainer.args).toEqual(['--epochs', '3']);
    const pod = patchPod(tj);
    expect(pod.metadata.annotations['networking.gke.io/default-interface']).toBe('eth0');
    expect(pod.spec.volumes.map((v: any) => v.name)).toEqual(['dshm', 'rdma-nvidia', 'rdma-gib']);
    expect(pod.spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/dev/shm', '/usr/local/nvidia', '/usr/local/gib']);
  });
  test('a TrainingRuntime by name', () => {
    const tj = find(trainJob(autopilot, { runtime: TrainingRuntime.fromName('torch-a3', TrainingRuntimeKind.NAMESPACED), image: 'train:1.0' }), 'TrainJob');
    expect(tj.spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'TrainingRuntime', name: 'torch-a3' });
  });
});

describe('the pods Trainer will create are admission-checked, escape-hatch edits included', () => {
  test('a hostPath volume patched into the runtime patch is refused by GKE Autopilot\'s rules', () => {
    const msg = synthError(chart => {
      const tj = new TrainJob(chart, 'train', { platform: autopilot, accelerator: Accelerator.L4, ...base });
      tj.apiObject.addJsonPatch(JsonPatch.add('/spec/runtimePatches/0/trainingRuntimeSpec/template/spec/replicatedJobs/0/template/spec/template/spec/volumes/-',
        { name: 'host', hostPath: { path: '/var/lib' } }));
    }, autopilot);
    expect(msg).toContain('[gke-autopilot/train] GKE Autopilot admission (spec.runtimeRef(torch-distributed).replicatedJobs[node] with spec.trainer and spec.runtimePatches): volume host uses hostPath, which Autopilot rejects');
  });
  test('GPUs set through spec.trainer without the accelerator selector (patch removed) are refused', () => {
    const msg = synthError(chart => {
      const tj = new TrainJob(chart, 'train', { platform: autopilot, accelerator: Accelerator.L4, ...base });
      tj.apiObject.addJsonPatch(JsonPatch.remove('/spec/runtimePatches/0/trainingRuntimeSpec/template/spec/replicatedJobs/0/template/spec/template/spec/nodeSelector'));
    }, autopilot);
    expect(msg).toContain('a GPU pod must select cloud.google.com/gke-accelerator (or a compute class)');
  });
  test('the merge follows Trainer\'s: containers and volumes by name, mounts by path, env upserted, tolerations replaced', () => {
    const runtime = {
      spec: {
        template: {
          spec: {
            replicatedJobs: [{
              name: 'node',
              template: {
                metadata: { labels: { 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' } },
                spec: {
                  template: {
                    metadata: { annotations: { a: '1' } },
                    spec: {
                      tolerations: [{ key: 'x', operator: 'Exists' }], nodeSelector: { pool: 'gpu' }, volumes: [{ name: 'v', emptyDir: {} }],
                      containers: [{ name: 'node', image: 'rt:1', env: [{ name: 'A', value: 'rt' }, { name: 'B', value: 'rt' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] },
                        { name: 'side', image: 's:1' }],
                    },
                  },
                },
              },
            }],
          },
        },
      },
    };
    const tj = {
      spec: {
        runtimeRef: { name: 'custom' },
        trainer: { env: [{ name: 'B', value: 'tj' }, { name: 'C', value: 'tj' }], resourcesPerNode: { limits: { 'nvidia.com/gpu': 8 } } },
        runtimePatches: [{
          manager: 'x.io/y',
          trainingRuntimeSpec: {
            template: {
              spec: {
                replicatedJobs: [{
                  name: 'node',
                  template: {
                    spec: {
                      template: {
                        metadata: { annotations: { b: '2' } },
                        spec: {
                          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], nodeSelector: { gpu: 'h100' }, volumes: [{ name: 'w', emptyDir: {} }],
                          containers: [{ name: 'node', volumeMounts: [{ name: 'w', mountPath: '/w' }] }],
                        },
                      },
                    },
                  },
                }],
              },
            },
          },
        }],
      },
    };
    const [pod] = _trainJobPods(tj, runtime);
    expect(pod.annotations).toEqual({ a: '1', b: '2' });
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
    expect(pod.spec.nodeSelector).toEqual({ pool: 'gpu', gpu: 'h100' });
    expect(pod.spec.volumes.map((v: any) => v.name)).toEqual(['v', 'w']);
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['node', 'side']);
    const node = pod.spec.containers[0];
    expect(node.image).toBe('rt:1');
    expect(node.env).toEqual([{ name: 'A', value: 'rt' }, { name: 'B', value: 'tj' }, { name: 'C', value: 'tj' }]);
    expect(node.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/v', '/w']);
    expect(node.resources).toEqual({ requests: {}, limits: { 'nvidia.com/gpu': 8 } });
  });
});

const P = '[gke-autopilot/train]';
const bad: [string, Platform, Partial<TrainJobProps>, string][] = [
  ['torchrun\'s env, which the torch runtime sets', autopilot, { env: { PET_NNODES: '4' } },
    `${P} env["PET_NNODES"] is invalid: the torch runtime sets PET_NNODES itself and Trainer's webhook refuses a TrainJob that sets it (reserved: PET_NNODES, PET_NPROC_PER_NODE, PET_NODE_RANK, PET_MASTER_ADDR, PET_MASTER_PORT); give torchrun's options in command or args, the node count with nodes`],
  ['the same from a Secret', autopilot, { secretEnv: [{ name: 'PET_MASTER_ADDR', secretName: 's', key: 'k' }] },
    `${P} env["PET_MASTER_ADDR"] is invalid: the torch runtime sets PET_MASTER_ADDR itself`],
  ['a priority class (runtime patches carry none)', autopilot, { priorityClass: PriorityClass.fromName('gpu-research') },
    `${P} priorityClass="gpu-research" is invalid: a TrainJob cannot give its pods a priorityClassName (runtime patches do not carry one): set it in the runtime's pod template, or give the TrainJob a Kueue priority`],
  ['GPUDirect-TCPXO (its sidecar must be in the runtime)', standard, { accelerator: Accelerator.H100_MEGA_80GB, gpus: 8, networkProfile: NetworkProfile.gpuDirectTcpxo() },
    '[gke-standard/train] networkProfile=NetworkProfile.gpuDirectTcpxo() is invalid on a TrainJob: its tcpxo-daemon sidecar must be in the runtime, and runtime patches can only change containers the runtime has (allowed: NetworkProfile.gpuDirectRdma(), NetworkProfile.efa(); or DdpJobSet for GPUDirect-TCPXO)'],
  ['GPUDirect RDMA without a command', standard, { accelerator: Accelerator.B200, gpus: 8, command: undefined, networkProfile: NetworkProfile.gpuDirectRdma() },
    '[gke-standard/train] command=undefined is invalid with networkProfile=NetworkProfile.gpuDirectRdma(): the profile\'s NCCL env is sourced before the command starts (. /usr/local/gib/scripts/set_nccl_env.sh), so the TrainJob must give its command, e.g. ["torchrun", "train.py"]'],
  ['EFA on GKE', autopilot, { networkProfile: NetworkProfile.efa() }, `${P} networkProfile=NetworkProfile.efa() is invalid: EFA is an AWS network and GKE Autopilot is not on AWS`],
  ['no nodes', autopilot, { nodes: 0 }, `${P} nodes=0 is invalid: must be an integer from 1 to 100000`],
  ['a name too long for the pods\' hostnames', autopilot, { name: 'a'.repeat(56) },
    `${P} name="${'a'.repeat(56)}" is invalid: derived pod hostnames exceed 63 characters ("${'a'.repeat(56)}-node-0-1" has 65); with 2 node(s) TrainJob names may have at most 54`],
  ['a name starting with a digit', autopilot, { name: '1train' }, `${P} name="1train" is invalid: must start with a letter: a TrainJob's name is an RFC 1035 label (its CRD's rule)`],
  ['Kubeflow Trainer not among the add-ons', Platform.gkeAutopilot({ addons: [ClusterAddon.JOBSET] }), {},
    `${P} platform.addons=[jobset] is invalid: a TrainJob needs Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1), which GKE Autopilot does not list`],
  ['a namespaced runtime of another namespace', autopilot, { runtime: { runtimeName: 'torch', runtimeKind: TrainingRuntimeKind.NAMESPACED, runtimeNamespace: 'other' } },
    `${P} runtime="torch" is invalid: it is a TrainingRuntime of namespace "other" and the TrainJob is in "ml"; a TrainJob can only use a TrainingRuntime of its own namespace (or a ClusterTrainingRuntime)`],
  ['a zero deadline', autopilot, { activeDeadline: Duration.seconds(0) }, `${P} activeDeadline=0 seconds is invalid`],
];

describe('bad input: exact messages', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new TrainJob(chart, 'train', { platform, accelerator: Accelerator.L4, gpus: 2, ...base, ...props } as TrainJobProps), platform);
    expect(msg).toContain(expected);
  });
  test('a runtime of another cluster', () => {
    const msg = synthError(chart => {
      const runtime = new TorchTrainingRuntime(chart, 'rt', { platform: Platform.gkeAutopilot({ cluster: 'other' }) });
      new TrainJob(chart, 'train', { platform: autopilot, accelerator: Accelerator.L4, ...base, runtime });
    }, autopilot);
    expect(msg).toContain(`${P} runtime="torch-distributed" is invalid: it belongs to cluster "other" and the TrainJob to cluster "default"`);
  });
  test('runtime props', () => {
    const msg = synthError(chart => new TorchTrainingRuntime(chart, 'rt', { platform: autopilot, image: 'py torch', maxRestarts: -1, namespace: 'ML' }), autopilot);
    expect(msg).toContain('[gke-autopilot/rt] image="py torch" is invalid: must be a container image reference, e.g. "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime": it must not contain spaces');
    expect(msg).toContain('[gke-autopilot/rt] maxRestarts=-1 is invalid: must be an integer from 0 to 100');
    expect(msg).toContain('[gke-autopilot/rt] namespace="ML" is invalid');
  });
});
