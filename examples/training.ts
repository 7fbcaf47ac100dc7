import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, CloudIdentity, GpuTrainingJob, Platform, StorageVolume } from '../lib';

/** GpuTrainingJob on each platform: what a user writes for one fine-tuning run. */
export function addTrainingExamples(scope: Construct, platform: Platform): void {
  const common = {
    platform,
    image: 'us-docker.pkg.dev/example/ml/llm-finetune:1.4.2',
    command: ['python', '-m', 'finetune'],
    args: ['--epochs', '3', '--output', '/checkpoints'],
    env: { TOKENIZERS_PARALLELISM: 'false' },
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
    checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'),
    activeDeadline: Duration.hours(12),
  };
  switch (platform.id) {
    case 'gke-autopilot':
      new GpuTrainingJob(scope, 'finetune', {
        ...common,
        accelerator: Accelerator.L4,
        gpus: 2,
        cpu: 16,
        memory: Size.gibibytes(64),
        dataset: StorageVolume.fromGcsBucket('example-training-data'),
        identity: CloudIdentity.gcpServiceAccount('trainer@example-project.iam.gserviceaccount.com'),
      });
      break;
    case 'gke-standard':
      new GpuTrainingJob(scope, 'finetune', { ...common, accelerator: Accelerator.T4, gpus: 4, cpu: 32, memory: Size.gibibytes(96) });
      break;
    case 'karpenter':
      new GpuTrainingJob(scope, 'finetune', {
        ...common,
        accelerator: Accelerator.A10G,
        dataset: StorageVolume.fromPersistentVolumeClaim('datasets'),
        identity: CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/ml-trainer'),
        // Every failure is retried up to backoffLimit, but a usage error (argparse exits with 2) never heals.
        failFastExitCodes: [2],
      });
      break;
    default:
      new GpuTrainingJob(scope, 'finetune', { ...common, dataset: StorageVolume.fromPersistentVolumeClaim('datasets') });
  }
}
