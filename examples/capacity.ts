import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityType, GpuNodePool, GpuPriorityClasses, GpuQuota, NodeExpiry, Platform, SpotBatchJob,
  StorageVolume,
} from '../lib';

/**
 * GPU capacity: priority classes and a namespace GPU budget on every platform; on Karpenter also the NodePools (with
 * their EC2NodeClasses) that launch the GPUs the chart's workloads select: A10G for the training, batch and serving
 * examples, and a T4 pool with a spot sweep that targets it (`pool.platform()`). The LLM examples add the pools of
 * their servers (examples/llm.ts).
 */
export function addCapacityExamples(scope: Construct, platform: Platform): void {
  const priorities = new GpuPriorityClasses(scope, 'gpu-priorities', { platform });
  new GpuQuota(scope, 'gpu-quota', { platform, gpus: 16 });
  new GpuQuota(scope, 'research-gpu-quota', { platform, gpus: 8, priorityClasses: [priorities.researchClass] });
  if (platform.id !== 'karpenter') return;

  // The A10G workloads of the other examples use the default platform: Karpenter picks this pool by its requirements.
  new GpuNodePool(scope, 'gpu-a10g', {
    name: 'gpu-a10g',
    accelerator: Accelerator.A10G,
    capacityType: CapacityType.SPOT_WITH_FALLBACK,
    gpuLimit: 32,
    platform,
    role: 'KarpenterNodeRole-ml-cluster',
    clusterName: 'ml-cluster',
  });
  const pool = new GpuNodePool(scope, 'gpu-t4', {
    name: 'gpu-t4',
    accelerator: Accelerator.T4,
    capacityType: CapacityType.SPOT_WITH_FALLBACK,
    gpuLimit: 16,
    platform,
    role: 'KarpenterNodeRole-ml-cluster',
    clusterName: 'ml-cluster',
    expireAfter: NodeExpiry.after(Duration.days(7)),
  });
  new SpotBatchJob(scope, 'hparam-sweep', {
    platform: pool.platform(),
    image: 'us-docker.pkg.dev/example/ml/sweep:0.9.1',
    command: ['python', '-m', 'sweep', '--trial', '$(SHARD_INDEX)'],
    accelerator: Accelerator.T4,
    completions: 12,
    parallelism: 4,
    maxFailedIndexes: 3,
    checkpoints: StorageVolume.fromPersistentVolumeClaim('sweeps'),
    activeDeadline: Duration.days(2),
    priorityClass: priorities.researchClass,
  });
}
