import { Cloud } from './platform';

/** How many nodes and pods may mount a volume, and how (`PersistentVolumeClaim.spec.accessModes`). */
export enum AccessMode {
  /** Read-write by the pods of one node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-write by one pod (Kubernetes 1.29+; a CSI driver with single-node writers serves it). */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  /** Read-only by pods of many nodes: a dataset or model weights many replicas read. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by pods of many nodes (a shared file system). */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** What a kind of volume does with one access mode: undefined when supported, else why not. */
interface _ModeRule {
  readonly mode: AccessMode;
  readonly refusal?: string;
}

/**
 * A CSI driver and the kind of volume it provisions, as the storage classes and claims of the library see it: its
 * provisioner, cloud, the access modes it supports for mounted (file-system) volumes, and whether a volume lives in one
 * zone. Sources (drivers' code at the commits in /work/research): gcp-compute-persistent-disk-csi-driver
 * (`controller.go`, `utils.go`), aws-ebs-csi-driver (`controller.go`, multi-attach.md), aws-efs-csi-driver
 * (`node.go`), aws-fsx-csi-driver (`controller.go`). ReadWriteOncePod needs no driver support beyond single-node
 * writers (KEP-2485 maps it to SINGLE_NODE_WRITER).
 */
export class StorageDriver {
  /**
   * GKE Compute Engine Persistent Disk (`pd-ssd`, `pd-balanced`): one writer node, or many read-only nodes (a disk
   * attached read-only to many VMs). Multi-writer only as raw block volumes. Zonal, or two zones when regional.
   */
  public static readonly GKE_PERSISTENT_DISK = new StorageDriver('GKE Persistent Disk', 'pd.csi.storage.gke.io', Cloud.GCP, true, [
    { mode: AccessMode.READ_WRITE_ONCE },
    { mode: AccessMode.READ_WRITE_ONCE_POD },
    { mode: AccessMode.READ_ONLY_MANY },
    {
      mode: AccessMode.READ_WRITE_MANY,
      refusal: 'the driver gives many writers only raw block volumes (volumeMode: Block, a device, not files); for files many pods write use Filestore',
    },
  ]);

  /**
   * GKE Hyperdisk ML: written once by one node, then read by up to thousands of nodes (the only disk type whose access
   * mode the driver switches to read-only-many). Zonal. For model weights and datasets that many replicas load.
   */
  public static readonly GKE_HYPERDISK_ML = new StorageDriver('GKE Hyperdisk ML', 'pd.csi.storage.gke.io', Cloud.GCP, true, [
    { mode: AccessMode.READ_WRITE_ONCE },
    { mode: AccessMode.READ_WRITE_ONCE_POD },
    { mode: AccessMode.READ_ONLY_MANY },
    { mode: AccessMode.READ_WRITE_MANY, refusal: 'Hyperdisk ML has one writer at most: populate it ReadWriteOnce, then read it ReadOnlyMany' },
  ]);

  /** Amazon EBS: one node at a time (multi-attach only for io2 raw block volumes). Zonal. */
  public static readonly AWS_EBS = new StorageDriver('Amazon EBS', 'ebs.csi.aws.com', Cloud.AWS, true, [
    { mode: AccessMode.READ_WRITE_ONCE },
    { mode: AccessMode.READ_WRITE_ONCE_POD },
    {
      mode: AccessMode.READ_ONLY_MANY,
      refusal: 'the driver attaches a volume to one node at a time and rejects MULTI_NODE_READER_ONLY; for a dataset many pods read use EfsStorageClass or FsxLustreStorageClass with ReadWriteMany, mounted read-only',
    },
    { mode: AccessMode.READ_WRITE_MANY, refusal: 'the driver multi-attaches only io2 raw block volumes (volumeMode: Block), not file systems' },
  ]);

  /** Amazon EFS (NFS): many nodes read and write; regional. */
  public static readonly AWS_EFS = new StorageDriver('Amazon EFS', 'efs.csi.aws.com', Cloud.AWS, false, [
    { mode: AccessMode.READ_WRITE_ONCE },
    { mode: AccessMode.READ_WRITE_ONCE_POD },
    {
      mode: AccessMode.READ_ONLY_MANY,
      refusal: 'the driver\'s node plugin rejects MULTI_NODE_READER_ONLY; use ReadWriteMany and mount the claim read-only (the dataset prop does)',
    },
    { mode: AccessMode.READ_WRITE_MANY },
  ]);

  /**
   * Amazon FSx for Lustre: many nodes read and write at high throughput. The file system lives in the zone of the
   * class's subnet, not in one chosen at provisioning: the GPU nodes must be in that zone.
   */
  public static readonly AWS_FSX_LUSTRE = new StorageDriver('Amazon FSx for Lustre', 'fsx.csi.aws.com', Cloud.AWS, false, [
    { mode: AccessMode.READ_WRITE_ONCE },
    { mode: AccessMode.READ_WRITE_ONCE_POD },
    {
      mode: AccessMode.READ_ONLY_MANY,
      refusal: 'the driver rejects MULTI_NODE_READER_ONLY when it creates a volume; use ReadWriteMany and mount the claim read-only (the dataset prop does)',
    },
    { mode: AccessMode.READ_WRITE_MANY },
  ]);

  /** Human name, e.g. `Amazon EBS`. */
  public readonly name: string;
  /** The CSI driver's provisioner name, e.g. `ebs.csi.aws.com`. */
  public readonly provisioner: string;
  /** The cloud whose clusters have the driver. */
  public readonly cloud: Cloud;
  /**
   * Whether the driver creates each volume in a zone (or two, regional) chosen at provisioning: its storage class must
   * wait for the first consumer, or the volume lands in a zone where the pod's GPU nodes may not be.
   */
  public readonly zonal: boolean;
  private readonly rules: _ModeRule[];

  private constructor(name: string, provisioner: string, cloud: Cloud, zonal: boolean, rules: _ModeRule[]) {
    this.name = name;
    this.provisioner = provisioner;
    this.cloud = cloud;
    this.zonal = zonal;
    this.rules = rules;
  }

  /** The access modes the driver supports for mounted volumes. */
  public get accessModes(): AccessMode[] {
    return this.rules.filter(r => r.refusal === undefined).map(r => r.mode);
  }

  /** Why the driver does not support `mode` for a mounted volume, or undefined when it does. */
  public accessModeProblem(mode: AccessMode): string | undefined {
    return this.rules.find(r => r.mode === mode)?.refusal;
  }

  /** `name (provisioner)`, for messages. */
  public toString(): string {
    return `${this.name} (${this.provisioner})`;
  }
}
