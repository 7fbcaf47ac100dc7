import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityType, DdpJobSet, GpuNodePool, NetworkProfile, Platform, StorageVolume, TorchTrainingRuntime, TrainJob,
  TrainJobProps,
} from '../lib';

/**
 * Gang training at scale (issue 15): a Kubeflow Trainer v2 TrainJob on every platform (on the upstream
 * `torch-distributed` runtime, or on plain Kubernetes on the runtime the chart emits); and on Karpenter a two-node H100
 * DdpJobSet on EFA with fail-fast exit codes, on an H100 NodePool of its own (EFA workloads keep to their own pool).
 * Topology-aware placement needs a queue: it is in the fleet plan (examples/fleet.ts).
 * test/rendezvous.test.ts runs that JobSet's torchrun for real, with its EFA env.
 */
export function addTrainerExamples(scope: Construct, platform: Platform): void {
  const common = {
    platform,
    name: 'trainjob',
    image: 'us-docker.pkg.dev/example/ml/llm-pretrain:2.3.0',
    command: ['torchrun', '-m', 'pretrain'],
    args: ['--epochs', '3', '--output', '/checkpoints'],
    env: { TOKENIZERS_PARALLELISM: 'false' },
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
    checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'),
    activeDeadline: Duration.hours(24),
    nodes: 2,
  };
  // Each node's CPU and memory (the GPUs are 4 a node where the platform sets them).
  const host = { cpu: 16, memory: Size.gibibytes(64) };
  let size: Partial<TrainJobProps>;
  switch (platform.id) {
    case 'gke-autopilot':
      size = { accelerator: Accelerator.L4, gpus: 4, ...host };
      break;
    case 'gke-standard':
      size = { accelerator: Accelerator.T4, gpus: 4, ...host };
      break;
    case 'karpenter':
      size = { accelerator: Accelerator.A10G, gpus: 4, ...host, networkProfile: NetworkProfile.efa() };
      addH100Pretraining(scope, platform);
      break;
    default:
      // A plain cluster without Trainer's default runtimes: the chart emits the torch runtime.
      size = { gpus: 2, runtime: new TorchTrainingRuntime(scope, 'torch-runtime', { platform }) };
  }
  new TrainJob(scope, 'trainjob', { ...common, ...size });
}

/** Two p5.48xlarge nodes of 8 H100 on EFA, with a fail-fast exit code. */
function addH100Pretraining(scope: Construct, platform: Platform): void {
  const pool = new GpuNodePool(scope, 'gpu-h100', {
    name: 'gpu-h100', platform, accelerator: Accelerator.H100_80GB, gpusPerNode: [8], gpuLimit: 16, capacityType: CapacityType.ON_DEMAND,
    role: 'KarpenterNodeRole-ml-cluster', clusterName: 'ml-cluster',
  });
  new DdpJobSet(scope, 'pretrain-h100', {
    platform: pool.platform(),
    name: 'pretrain-h100',
    image: 'us-docker.pkg.dev/example/ml/llm-pretrain:2.3.0',
    module: 'pretrain',
    args: ['--config', 'configs/8b.yaml', '--output', '/checkpoints'],
    accelerator: Accelerator.H100_80GB,
    gpus: 8,
    cpu: 32,
    memory: Size.gibibytes(128),
    nodes: 2,
    networkProfile: NetworkProfile.efa(),
    // The training script exits 3 on a bad config or dataset: fail at once instead of restarting the group.
    failFastExitCodes: [3],
    checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'),
    activeDeadline: Duration.hours(48),
  });
}
