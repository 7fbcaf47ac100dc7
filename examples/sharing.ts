import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityType, GpuNodePool, GpuShare, GpuSharingConfig, GpuTrainingJob, InferenceDeployment, MigProfile, Platform,
  ScalingMetric, SpotBatchJob, StorageVolume,
} from '../lib';

/**
 * GPU sharing (docs/sharing.md): on GKE Autopilot a small embeddings endpoint on a time-shared L4; on GKE Standard a
 * fine-tuning job on a MIG slice of an A100 and a scoring batch of MPS clients on a T4; on Karpenter a time-sliced T4
 * pool with a service on it and the device plugin configs its nodes use; on plain Kubernetes the configs for a
 * time-sliced development job.
 */
export function addSharingExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'sharing');
  switch (platform.id) {
    case 'gke-autopilot':
      // Four replicas share one L4: a quarter of its time each, and a quarter of the CPU and memory defaults.
      new InferenceDeployment(group, 'embeddings', {
        platform,
        name: 'embeddings',
        image: 'us-docker.pkg.dev/example/ml/embeddings-server:0.4.2',
        accelerator: Accelerator.L4,
        gpuShare: GpuShare.timeShared(4),
        port: 8080,
        minReplicas: 2,
        maxReplicas: 4,
        scalingMetrics: [ScalingMetric.cpu(70)],
      });
      break;
    case 'gke-standard':
      // A seventh of an A100 40GB: the node pool is created with --accelerator=...,gpu-partition-size=1g.5gb.
      new GpuTrainingJob(group, 'lora-mig', {
        platform,
        name: 'lora-mig',
        image: 'us-docker.pkg.dev/example/ml/lora:2.1.0',
        command: ['python', '-m', 'lora.train', '--model', 'distilbert-base-uncased'],
        accelerator: Accelerator.A100_40GB,
        gpuShare: GpuShare.mig(MigProfile.of('1g.5gb')),
        checkpoints: StorageVolume.fromPersistentVolumeClaim('lora-checkpoints'),
        activeDeadline: Duration.hours(6),
      });
      // Four MPS clients per T4 (node pool: --accelerator=...,gpu-sharing-strategy=mps,max-shared-clients-per-gpu=4).
      new SpotBatchJob(group, 'score-mps', {
        platform,
        name: 'score-mps',
        image: 'us-docker.pkg.dev/example/ml/scorer:2.3.1',
        command: ['python', '-m', 'scorer.batch', '--shard', '$(SHARD_INDEX)'],
        accelerator: Accelerator.T4,
        gpuShare: GpuShare.mps(4),
        capacityType: CapacityType.ON_DEMAND,
        completions: 16,
        parallelism: 4,
        activeDeadline: Duration.hours(2),
      });
      break;
    case 'karpenter': {
      // g4dn.xlarge nodes whose T4 is time-sliced four ways: the NodePool labels them for the device plugin config and
      // taints them so that whole-GPU pods stay off.
      const pool = new GpuNodePool(group, 'gpu-t4-shared', {
        name: 'gpu-t4-shared',
        accelerator: Accelerator.T4,
        gpuShare: GpuShare.timeShared(4),
        gpusPerNode: [1],
        capacityType: CapacityType.ON_DEMAND,
        gpuLimit: 4,
        platform,
        role: 'KarpenterNodeRole-ml-cluster',
        clusterName: 'ml-cluster',
      });
      new InferenceDeployment(group, 'reranker', {
        platform: pool.platform(),
        name: 'reranker',
        image: 'us-docker.pkg.dev/example/ml/reranker:1.2.0',
        accelerator: Accelerator.T4,
        port: 8080,
        maxReplicas: 4,
        scalingMetrics: [ScalingMetric.cpu(70)],
      });
      // The device plugin configs of the shares the cluster uses, and the GPU Operator values that point at them.
      new GpuSharingConfig(group, 'gpu-sharing', { platform, name: 'gpu-sharing' });
      break;
    }
    default:
      // Any GPU the device plugin offers, shared eight ways: label and taint the nodes for the time-slicing-8 config.
      new GpuTrainingJob(group, 'dev-smoke', {
        platform,
        name: 'dev-smoke',
        image: 'us-docker.pkg.dev/example/ml/trainer:1.4.0',
        command: ['python', '-m', 'trainer.smoke_test'],
        gpuShare: GpuShare.timeShared(8),
        activeDeadline: Duration.minutes(30),
      });
      new GpuSharingConfig(group, 'gpu-sharing', { platform, name: 'gpu-sharing' });
  }
}
