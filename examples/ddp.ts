import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, CapacityType, DdpJob, DdpJobProps, DdpJobSet, Platform, PyTorchJob, StorageVolume } from '../lib';

/**
 * Multi-node PyTorch DDP on each platform: a DdpJob (Indexed Job, no operator) everywhere, a Kubeflow PyTorchJob where
 * the training operator is commonly installed (not Autopilot), and a DdpJobSet on spot capacity on GKE Autopilot.
 * test/rendezvous.test.ts runs the torchrun command of the kubernetes chart's `ddp` Job for real.
 */
export function addDdpExamples(scope: Construct, platform: Platform): void {
  const common = {
    platform,
    image: 'us-docker.pkg.dev/example/ml/llm-pretrain:2.3.0',
    module: 'finetune',
    args: ['--epochs', '3', '--output', '/checkpoints'],
    env: { TOKENIZERS_PARALLELISM: 'false' },
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
    checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'),
    activeDeadline: Duration.hours(24),
  };
  let size: Partial<DdpJobProps>;
  switch (platform.id) {
    case 'gke-autopilot': size = { accelerator: Accelerator.L4, gpus: 2 }; break;
    // 4 GPUs a node: the CPU and memory it reserves are said, not left to the per-GPU defaults.
    case 'gke-standard': size = { accelerator: Accelerator.T4, gpus: 4, cpu: 16, memory: Size.gibibytes(64) }; break;
    case 'karpenter': size = { accelerator: Accelerator.A10G, gpus: 4, cpu: 16, memory: Size.gibibytes(64) }; break;
    default: size = { gpus: 2 };
  }
  new DdpJob(scope, 'ddp', { ...common, ...size, nodes: 2 });
  if (platform.id === 'gke-autopilot') {
    new DdpJobSet(scope, 'ddp-jobset', { ...common, ...size, nodes: 2, capacityType: CapacityType.SPOT });
  } else {
    new PyTorchJob(scope, 'ddp-pytorchjob', { ...common, ...size, nodes: 2 });
  }
}
