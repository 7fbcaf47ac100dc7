/**
 * Storage (issue 18 item 1): the StorageClasses and claims the guides write by hand (the mixed-GPU plan's `ml-storage`
 * class, the GKE guide's ReadOnlyMany `imagenet` dataset), strictly schema-valid, with refusals for access modes a
 * driver lacks.
 */
import { Chart, Size } from 'cdk8s';
import {
  AccessMode, EbsGp3StorageClass, EfsStorageClass, FsxDeploymentType, FsxLustreStorageClass, GkeDiskType, GkeHyperdiskMlStorageClass,
  GkePersistentDiskStorageClass, GpuTrainingJob, Accelerator, MlStorageClass, Platform, ReclaimPolicy, StorageDriver, StorageVolume,
  VolumeBindingMode, VolumeClaim,
} from '../lib';
import { chartFor, find, printedWarnings, synth, synthError } from './support/synth';

const standard = Platform.gkeStandard();
const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const image = 'us-docker.pkg.dev/example/ml/trainer:1.0';

const printed = printedWarnings;

test('the mixed-GPU plan\'s ml-storage class: pd-ssd, regional, WaitForFirstConsumer, expansion allowed', () => {
  const chart = chartFor(standard);
  new GkePersistentDiskStorageClass(chart, 'ml-storage', { platform: standard, name: 'ml-storage', diskType: GkeDiskType.PD_SSD, regional: true });
  expect(find(synth(chart, standard), 'StorageClass')).toEqual({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'ml-storage', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu-ml' } },
    provisioner: 'pd.csi.storage.gke.io',
    parameters: { 'type': 'pd-ssd', 'replication-type': 'regional-pd' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  });
});

describe('the GKE guide\'s ReadOnlyMany imagenet dataset, mounted by a training job', () => {
  const chart = chartFor(autopilot);
  const ml = new GkePersistentDiskStorageClass(chart, 'ml-storage', { platform: autopilot, name: 'ml-storage', diskType: GkeDiskType.PD_SSD });
  const imagenet = new VolumeClaim(chart, 'imagenet', {
    platform: autopilot, name: 'imagenet', size: Size.gibibytes(200), accessMode: AccessMode.READ_ONLY_MANY, storageClass: ml,
    fromSnapshot: 'imagenet-2012',
  });
  new GpuTrainingJob(chart, 'resnet', { platform: autopilot, image, accelerator: Accelerator.L4, dataset: StorageVolume.fromClaim(imagenet) });
  const objects = synth(chart, autopilot);

  test('the claim: ReadOnlyMany, 200Gi on ml-storage, restored from a VolumeSnapshot', () => {
    expect(find(objects, 'PersistentVolumeClaim')).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'imagenet', namespace: 'ml', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-gpu-ml' } },
      spec: {
        accessModes: ['ReadOnlyMany'],
        storageClassName: 'ml-storage',
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'imagenet-2012' },
        resources: { requests: { storage: '200Gi' } },
      },
    });
  });
  test('the pod mounts it read-only at /data', () => {
    const pod = find(objects, 'Job').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'dataset', persistentVolumeClaim: { claimName: 'imagenet', readOnly: true } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'dataset', mountPath: '/data', readOnly: true });
  });
  test('claimName, accessMode and toVolume()', () => {
    expect(imagenet.claimName).toBe('imagenet');
    expect(imagenet.accessMode).toBe(AccessMode.READ_ONLY_MANY);
    expect(imagenet.toVolume().claim).toBe(imagenet);
  });
});

test('a ReadOnlyMany claim without a snapshot or a volume warns: it would be an empty disk nothing can write', () => {
  const chart = chartFor(standard);
  new VolumeClaim(chart, 'data', {
    platform: standard, size: Size.gibibytes(100), accessMode: AccessMode.READ_ONLY_MANY, storageClass: MlStorageClass.fromName('premium-rwo', StorageDriver.GKE_PERSISTENT_DISK),
  });
  expect(printed(() => synth(chart, standard))).toEqual([
    '[WARNING] [gke-standard/data] accessMode="ReadOnlyMany" without fromSnapshot or volumeName: a new volume is empty, and a ReadOnlyMany claim cannot write it (restore it from a VolumeSnapshot of a populated volume, bind a volume that holds the data, or pre-bind a PersistentVolume to this claim)',
  ]);
});

test('Hyperdisk ML: throughput, read-ahead, not expandable', () => {
  const chart = chartFor(standard);
  new GkeHyperdiskMlStorageClass(chart, 'weights', { platform: standard, throughputMiBps: 2400 });
  const sc = find(synth(chart, standard), 'StorageClass');
  expect(sc).toMatchObject({
    provisioner: 'pd.csi.storage.gke.io', parameters: { 'type': 'hyperdisk-ml', 'provisioned-throughput-on-create': '2400Mi' },
    allowVolumeExpansion: false, volumeBindingMode: 'WaitForFirstConsumer', mountOptions: ['read_ahead_kb=4096'],
  });
});

test('EKS: gp3 EBS, EFS and FSx for Lustre classes; an EFS dataset claim is ReadWriteMany, mounted read-only', () => {
  const chart = chartFor(karpenter);
  new EbsGp3StorageClass(chart, 'scratch', { platform: karpenter, name: 'scratch', throughputMiBps: 500, iops: 6000 });
  const efs = new EfsStorageClass(chart, 'shared', { platform: karpenter, name: 'shared', fileSystemId: 'fs-0123456789abcdef0', basePath: '/datasets' });
  new FsxLustreStorageClass(chart, 'lustre', {
    platform: karpenter, name: 'lustre', subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'],
    deploymentType: FsxDeploymentType.PERSISTENT_2, s3ImportPath: 's3://datasets/imagenet', dataCompression: true, reclaimPolicy: ReclaimPolicy.RETAIN,
  });
  const claim = new VolumeClaim(chart, 'corpus', { platform: karpenter, size: Size.tebibytes(1), accessMode: AccessMode.READ_WRITE_MANY, storageClass: efs });
  new GpuTrainingJob(chart, 'train', { platform: karpenter, image, accelerator: Accelerator.A10G, dataset: claim.toVolume() });
  const objects = synth(chart, karpenter);
  expect(find(objects, 'StorageClass', 'scratch')).toMatchObject({
    provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true', iops: '6000', throughput: '500' }, allowVolumeExpansion: true,
  });
  expect(find(objects, 'StorageClass', 'shared')).toMatchObject({
    provisioner: 'efs.csi.aws.com', parameters: { provisioningMode: 'efs-ap', fileSystemId: 'fs-0123456789abcdef0', directoryPerms: '700', basePath: '/datasets' },
  });
  expect(find(objects, 'StorageClass', 'lustre')).toMatchObject({
    provisioner: 'fsx.csi.aws.com', reclaimPolicy: 'Retain',
    parameters: {
      subnetId: 'subnet-0123456789abcdef0', securityGroupIds: 'sg-0123456789abcdef0', deploymentType: 'PERSISTENT_2', perUnitStorageThroughput: '125',
      s3ImportPath: 's3://datasets/imagenet', dataCompressionType: 'LZ4',
    },
  });
  expect(find(objects, 'StorageClass', 'lustre').allowVolumeExpansion).toBeUndefined();
  expect(find(objects, 'PersistentVolumeClaim').spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'shared', resources: { requests: { storage: '1024Gi' } } });
  expect(find(objects, 'Job').spec.template.spec.volumes).toContainEqual({ name: 'dataset', persistentVolumeClaim: { claimName: 'karpenter-corpus', readOnly: true } });
});

const pd = () => MlStorageClass.fromName('premium-rwo', StorageDriver.GKE_PERSISTENT_DISK);
const ebs = () => MlStorageClass.fromName('gp3', StorageDriver.AWS_EBS);

test.each<[string, Platform, (chart: Chart) => void, string]>([
  ['EBS has no ReadOnlyMany', karpenter,
    c => new VolumeClaim(c, 'v', { platform: karpenter, size: Size.gibibytes(10), accessMode: AccessMode.READ_ONLY_MANY, storageClass: new EbsGp3StorageClass(c, 'gp3', { platform: karpenter }), volumeName: 'pv' }),
    '[karpenter/v] accessMode="ReadOnlyMany" is invalid: Amazon EBS (ebs.csi.aws.com) the driver attaches a volume to one node at a time and rejects MULTI_NODE_READER_ONLY; for a dataset many pods read use EfsStorageClass or FsxLustreStorageClass with ReadWriteMany, mounted read-only (allowed: ReadWriteOnce, ReadWriteOncePod)'],
  ['EBS has no file-system ReadWriteMany', karpenter,
    c => new VolumeClaim(c, 'v', { platform: karpenter, size: Size.gibibytes(10), accessMode: AccessMode.READ_WRITE_MANY, storageClass: ebs() }),
    '[karpenter/v] accessMode="ReadWriteMany" is invalid: Amazon EBS (ebs.csi.aws.com) the driver multi-attaches only io2 raw block volumes (volumeMode: Block), not file systems (allowed: ReadWriteOnce, ReadWriteOncePod)'],
  ['Persistent Disk has no file-system ReadWriteMany', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), accessMode: AccessMode.READ_WRITE_MANY, storageClass: pd() }),
    '[gke-standard/v] accessMode="ReadWriteMany" is invalid: GKE Persistent Disk (pd.csi.storage.gke.io) the driver gives many writers only raw block volumes (volumeMode: Block, a device, not files); for files many pods write use Filestore (allowed: ReadWriteOnce, ReadWriteOncePod, ReadOnlyMany)'],
  ['Hyperdisk ML has one writer at most', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), accessMode: AccessMode.READ_WRITE_MANY, storageClass: new GkeHyperdiskMlStorageClass(c, 'hd', { platform: standard }) }),
    '[gke-standard/v] accessMode="ReadWriteMany" is invalid: GKE Hyperdisk ML (pd.csi.storage.gke.io) Hyperdisk ML has one writer at most: populate it ReadWriteOnce, then read it ReadOnlyMany (allowed: ReadWriteOnce, ReadWriteOncePod, ReadOnlyMany)'],
  ['EFS has no ReadOnlyMany', karpenter,
    c => new VolumeClaim(c, 'v', {
      platform: karpenter, size: Size.gibibytes(10), accessMode: AccessMode.READ_ONLY_MANY, volumeName: 'pv',
      storageClass: new EfsStorageClass(c, 'efs', { platform: karpenter, fileSystemId: 'fs-0123456789abcdef0' }),
    }),
    '[karpenter/v] accessMode="ReadOnlyMany" is invalid: Amazon EFS (efs.csi.aws.com) the driver\'s node plugin rejects MULTI_NODE_READER_ONLY; use ReadWriteMany and mount the claim read-only (the dataset prop does) (allowed: ReadWriteOnce, ReadWriteOncePod, ReadWriteMany)'],
  ['FSx for Lustre has no ReadOnlyMany', karpenter,
    c => new VolumeClaim(c, 'v', { platform: karpenter, size: Size.gibibytes(1200), accessMode: AccessMode.READ_ONLY_MANY, fromSnapshot: 's', storageClass: MlStorageClass.fromName('fsx', StorageDriver.AWS_FSX_LUSTRE) }),
    '[karpenter/v] accessMode="ReadOnlyMany" is invalid: Amazon FSx for Lustre (fsx.csi.aws.com) the driver rejects MULTI_NODE_READER_ONLY when it creates a volume; use ReadWriteMany and mount the claim read-only (the dataset prop does) (allowed: ReadWriteOnce, ReadWriteOncePod, ReadWriteMany)'],
  ['a GKE class on Karpenter', karpenter,
    c => new GkePersistentDiskStorageClass(c, 'sc', { platform: karpenter }),
    '[karpenter/sc] platform="karpenter" is invalid: GKE Persistent Disk (pd.csi.storage.gke.io) is a GCP driver, which Karpenter (EKS) does not have (allowed: a storage class of its cloud, e.g. EbsGp3StorageClass)'],
  ['an AWS driver named for a claim on GKE', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), storageClass: ebs() }),
    '[gke-standard/v] storageClass="gp3" is invalid: its driver, Amazon EBS (ebs.csi.aws.com), is a AWS driver, which GKE Standard does not have'],
  ['Immediate binding of zonal volumes', standard,
    c => new GkePersistentDiskStorageClass(c, 'sc', { platform: standard, volumeBindingMode: VolumeBindingMode.IMMEDIATE }),
    '[gke-standard/sc] volumeBindingMode="Immediate" is invalid: GKE Persistent Disk (pd.csi.storage.gke.io) creates each volume in a zone it picks when the claim is created, which may have no GPU nodes for the pod (allowed: WaitForFirstConsumer, which creates it in the zone of the first pod)'],
  ['a ReadOnlyMany claim mounted read-write', standard,
    c => {
      const claim = new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), accessMode: AccessMode.READ_ONLY_MANY, storageClass: pd(), volumeName: 'pv' });
      new GpuTrainingJob(c, 'j', { platform: standard, image, accelerator: Accelerator.L4, checkpoints: StorageVolume.fromClaim(claim) });
    },
    '[gke-standard/j] checkpoints=claim "gke-standard-v" is invalid: the claim is ReadOnlyMany and mounts read-only only (allowed: mount it as dataset, or with readOnly: true; write through a ReadWriteOnce or ReadWriteMany claim)'],
  ['a storage class of another cluster', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), storageClass: new GkePersistentDiskStorageClass(c, 'sc', { platform: Platform.gkeStandard({ cluster: 'other' }) }) }),
    '[gke-standard/v] storageClass="gke-standard-sc" is invalid: it belongs to cluster "other", the claim to cluster "default" (allowed: a storage class of the claim\'s cluster)'],
  ['both a snapshot and a volume', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.gibibytes(10), fromSnapshot: 's', volumeName: 'pv' }),
    '[gke-standard/v] fromSnapshot="s" is invalid together with volumeName="pv": a claim binds an existing volume or restores a new one from a snapshot, not both'],
  ['FSx throughput on a scratch file system', karpenter,
    c => new FsxLustreStorageClass(c, 'sc', { platform: karpenter, subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], perUnitStorageThroughput: 250 }),
    '[karpenter/sc] perUnitStorageThroughput=250 is invalid with deploymentType="SCRATCH_2": only PERSISTENT_2 file systems take a throughput per TiB (allowed: drop it, or deploymentType: FsxDeploymentType.PERSISTENT_2)'],
  ['FSx without security groups', karpenter,
    c => new FsxLustreStorageClass(c, 'sc', { platform: karpenter, subnetId: 'subnet-0123456789abcdef0', securityGroupIds: [] }),
    '[karpenter/sc] securityGroupIds=[] is invalid: must be a non-empty list of security group IDs, e.g. ["sg-0123456789abcdef0"]'],
  ['an EFS file system ID that is none', karpenter,
    c => new EfsStorageClass(c, 'sc', { platform: karpenter, fileSystemId: 'my-efs' }),
    '[karpenter/sc] fileSystemId="my-efs" is invalid: must be an EFS file system ID, e.g. "fs-0123456789abcdef0"'],
  ['a KMS key without encryption', karpenter,
    c => new EbsGp3StorageClass(c, 'sc', { platform: karpenter, encrypted: false, kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }),
    '[karpenter/sc] kmsKeyId="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" is invalid: needs encrypted: true (an unencrypted volume has no key)'],
  ['a claim of size 0', standard,
    c => new VolumeClaim(c, 'v', { platform: standard, size: Size.mebibytes(0) }),
    '[gke-standard/v] size=0Mi is invalid: must be at least 1Mi'],
])('refused: %s', (_, platform, build, message) => {
  expect(synthError(build, platform)).toContain(message);
});

test('the driver facts: access modes each driver supports for mounted volumes', () => {
  expect(StorageDriver.GKE_PERSISTENT_DISK.accessModes).toEqual(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany']);
  expect(StorageDriver.AWS_EBS.accessModes).toEqual(['ReadWriteOnce', 'ReadWriteOncePod']);
  expect(StorageDriver.AWS_EFS.accessModes).toEqual(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany']);
  expect(StorageDriver.AWS_FSX_LUSTRE.accessModes).toEqual(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany']);
  expect([StorageDriver.GKE_PERSISTENT_DISK, StorageDriver.GKE_HYPERDISK_ML, StorageDriver.AWS_EBS].every(d => d.zonal)).toBe(true);
  expect([StorageDriver.AWS_EFS, StorageDriver.AWS_FSX_LUSTRE].some(d => d.zonal)).toBe(false);
});

test('two classes of one name in one cluster conflict', () => {
  expect(synthError(c => {
    new GkePersistentDiskStorageClass(c, 'a', { platform: standard, name: 'ml-storage' });
    new GkePersistentDiskStorageClass(c, 'b', { platform: standard, name: 'ml-storage' });
  }, standard)).toContain('StorageClass ml-storage');
});
