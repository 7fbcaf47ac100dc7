import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityType, GpuNodePool, GpuPriorityClasses, GpuQuota, NodeExpiry, Platform, SpotBatchJob,
  StorageVolume,
} from '../lib';

/**
 * GPU capacity: priority classes and a namespace GPU budget on every platform; on Karpenter also a T4 NodePool with
 * its EC2NodeClass, and a spot sweep that targets it (`pool.platform()`).
 */
export function addCapacityExamples(scope: Construct, platform: Platform): void {
  const priorities = new GpuPriorityClasses(scope, 'gpu-priorities', { platform });
  new GpuQuota(scope, 'gpu-quota', { platform, gpus: 16 });
  new GpuQuota(scope, 'research-gpu-quota', { platform, gpus: 8, priorityClasses: [priorities.researchClass] });
  if (platform.id !== 'karpenter') return;

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
