import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, CloudIdentity, Platform, PriorityClass, SpotBatchJob, StorageVolume } from '../lib';

/**
 * SpotBatchJob on each platform that has spot capacity: embedding a corpus in 16 shards, 4 at a time, with a
 * checkpoint flushed on preemption. Plain Kubernetes has no spot capacity, so it gets none.
 */
export function addBatchExamples(scope: Construct, platform: Platform): void {
  if (!platform.supportsSpot) return;
  const common = {
    platform,
    image: 'us-docker.pkg.dev/example/ml/embedder:2.3.0',
    command: ['python', '-m', 'embed', '--corpus', '/data/corpus', '--out', '/checkpoints/embeddings'],
    completions: 16,
    parallelism: 4,
    checkpoints: StorageVolume.fromPersistentVolumeClaim('embeddings'),
    checkpointCommand: ['python', '-m', 'embed.flush'],
    activeDeadline: Duration.hours(8),
    // The class GpuPriorityClasses creates in the capacity examples (see examples/capacity.ts).
    priorityClass: PriorityClass.fromName('gpu-research'),
  };
  switch (platform.id) {
    case 'gke-autopilot':
      new SpotBatchJob(scope, 'embed-corpus', {
        ...common,
        accelerator: Accelerator.L4,
        cpu: 8,
        memory: Size.gibibytes(32),
        dataset: StorageVolume.fromGcsBucket('example-corpus'),
        identity: CloudIdentity.gcpServiceAccount('embedder@example-project.iam.gserviceaccount.com'),
      });
      break;
    case 'gke-standard':
      new SpotBatchJob(scope, 'embed-corpus', { ...common, accelerator: Accelerator.T4, dataset: StorageVolume.fromPersistentVolumeClaim('corpus') });
      break;
    default:
      new SpotBatchJob(scope, 'embed-corpus', {
        ...common,
        accelerator: Accelerator.A10G,
        dataset: StorageVolume.fromPersistentVolumeClaim('corpus'),
        identity: CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/ml-embedder'),
      });
  }
}
