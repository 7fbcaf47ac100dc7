import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AccessMode, Accelerator, EbsGp3StorageClass, EfsStorageClass, FsxDeploymentType, FsxLustreStorageClass, GkeDiskType,
  GkeHyperdiskMlStorageClass, GkePersistentDiskStorageClass, GpuTrainingJob, MlStorageClass, Platform, StorageDriver, StorageVolume, VolumeClaim,
} from '../lib';

/**
 * Storage for training data and model weights on each platform: the StorageClasses and claims the guides write by hand,
 * and a training job that mounts a read-only dataset claim.
 */
export function addStorageExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'storage');
  const train = (dataset: VolumeClaim) => new GpuTrainingJob(group, 'resnet', {
    platform,
    name: 'resnet-imagenet',
    image: 'us-docker.pkg.dev/example/ml/resnet:2.1.0',
    command: ['python', '-m', 'train_resnet', '--data', '/data'],
    accelerator: platform.id === 'karpenter' ? Accelerator.A10G : platform.id === 'kubernetes' ? undefined : Accelerator.L4,
    dataset: StorageVolume.fromClaim(dataset),
  });
  switch (platform.id) {
    case 'gke-autopilot': {
      // Model weights many replicas load: Hyperdisk ML, populated once, then read-only by every node.
      const weights = new GkeHyperdiskMlStorageClass(group, 'model-weights', { platform, name: 'model-weights', throughputMiBps: 2400 });
      new VolumeClaim(group, 'llama-weights', {
        platform, name: 'llama-weights', size: Size.gibibytes(100), accessMode: AccessMode.READ_ONLY_MANY, storageClass: weights,
        fromSnapshot: 'llama-3-1-8b-instruct',
      });
      // The GKE guide's imagenet dataset on GKE's own pd-ssd class.
      const premium = MlStorageClass.fromName('premium-rwo', StorageDriver.GKE_PERSISTENT_DISK);
      train(new VolumeClaim(group, 'imagenet', {
        platform, name: 'imagenet', size: Size.gibibytes(200), accessMode: AccessMode.READ_ONLY_MANY, storageClass: premium, fromSnapshot: 'imagenet-2012',
      }));
      break;
    }
    case 'gke-standard': {
      // The mixed-GPU plan's ml-storage class, and the GKE guide's ReadOnlyMany imagenet dataset on it.
      const ml = new GkePersistentDiskStorageClass(group, 'ml-storage', { platform, name: 'ml-storage', diskType: GkeDiskType.PD_SSD, regional: true });
      train(new VolumeClaim(group, 'imagenet', {
        platform, name: 'imagenet', size: Size.gibibytes(200), accessMode: AccessMode.READ_ONLY_MANY, storageClass: ml, fromSnapshot: 'imagenet-2012',
      }));
      new VolumeClaim(group, 'checkpoints', { platform, name: 'resnet-checkpoints', size: Size.gibibytes(100), storageClass: ml });
      break;
    }
    case 'karpenter': {
      new EbsGp3StorageClass(group, 'scratch', { platform, name: 'gp3-scratch', throughputMiBps: 500 });
      new FsxLustreStorageClass(group, 'lustre', {
        platform, name: 'fsx-lustre', subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'],
        deploymentType: FsxDeploymentType.SCRATCH_2, s3ImportPath: 's3://example-datasets/imagenet',
      });
      // EFS has no ReadOnlyMany: a shared dataset is ReadWriteMany, mounted read-only by the training pods.
      const efs = new EfsStorageClass(group, 'shared', { platform, name: 'efs-shared', fileSystemId: 'fs-0123456789abcdef0', basePath: '/datasets' });
      train(new VolumeClaim(group, 'imagenet', {
        platform, name: 'imagenet', size: Size.gibibytes(200), accessMode: AccessMode.READ_WRITE_MANY, storageClass: efs,
      }));
      break;
    }
    default:
      // Plain Kubernetes: the cluster's default StorageClass (no driver known, so access modes are not checked).
      train(new VolumeClaim(group, 'imagenet', { platform, name: 'imagenet', size: Size.gibibytes(200), accessMode: AccessMode.READ_WRITE_ONCE }));
  }
}
