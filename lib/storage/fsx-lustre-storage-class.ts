import { Construct } from 'constructs';
import { StorageDriver } from '../platform/storage-driver';
import { _checkEnum, _show } from '../validation';
import { MlStorageClass, MlStorageClassProps } from './ml-storage-class';

/** How an FSx for Lustre file system is deployed (`deploymentType`). */
export enum FsxDeploymentType {
  /** Temporary storage, no replication: scratch space and datasets imported from S3. */
  SCRATCH_2 = 'SCRATCH_2',
  /** Persistent storage, replicated in one zone, throughput chosen per TiB: long-lived datasets and checkpoints. */
  PERSISTENT_2 = 'PERSISTENT_2',
}

/** Props of an {@link FsxLustreStorageClass}. */
export interface FsxLustreStorageClassProps extends MlStorageClassProps {
  /** Subnet of the file system (`subnetId`): its zone is where the GPU nodes must be. */
  readonly subnetId: string;
  /** Security groups of the file system (`securityGroupIds`): they must admit Lustre traffic from the nodes. */
  readonly securityGroupIds: string[];
  /**
   * Deployment type.
   * @default FsxDeploymentType.SCRATCH_2
   */
  readonly deploymentType?: FsxDeploymentType;
  /**
   * Throughput per TiB of storage in MB/s (`perUnitStorageThroughput`: 125, 250, 500 or 1000); `PERSISTENT_2` only.
   * @default - 125 with PERSISTENT_2 (FSx requires one; the driver sends it only when set), none with SCRATCH_2
   */
  readonly perUnitStorageThroughput?: number;
  /**
   * S3 location the file system imports (`s3ImportPath`, e.g. `s3://datasets/imagenet`): a dataset in S3, readable as
   * files.
   * @default - an empty file system
   */
  readonly s3ImportPath?: string;
  /**
   * Compress data with LZ4 (`dataCompressionType`).
   * @default false
   */
  readonly dataCompression?: boolean;
}

/**
 * An EKS StorageClass of FSx for Lustre file systems (`fsx.csi.aws.com`), one per claim: high-throughput files many
 * GPU nodes read and write (ReadWriteMany), optionally imported from S3. The driver rejects ReadOnlyMany when it
 * creates a volume: a dataset claim is ReadWriteMany, mounted read-only by the pods. Lustre sizes are 1200 GiB,
 * 2400 GiB or multiples of 2400 GiB; the driver rounds a claim up.
 */
export class FsxLustreStorageClass extends MlStorageClass {
  /** @internal */
  public static readonly _propsType: string = 'FsxLustreStorageClassProps';

  public constructor(scope: Construct, id: string, props: FsxLustreStorageClassProps) {
    super(scope, id, props, StorageDriver.AWS_FSX_LUSTRE);
    props = this._checkedProps;
    const p = this._problems;
    const deployment = props.deploymentType ?? FsxDeploymentType.SCRATCH_2;
    _checkEnum(p, 'deploymentType', props.deploymentType, FsxDeploymentType, 'FsxDeploymentType');
    if (typeof props.subnetId === 'string' && !/^subnet-[0-9a-f]{8,17}$/.test(props.subnetId)) {
      p.error('subnetId', props.subnetId, 'must be a subnet ID, e.g. "subnet-0123456789abcdef0"');
    }
    const groups = props.securityGroupIds;
    if (Array.isArray(groups) && (groups.length === 0 || groups.some(g => typeof g !== 'string' || !/^sg-[0-9a-f]{8,17}$/.test(g)))) {
      p.error('securityGroupIds', groups, 'must be a non-empty list of security group IDs, e.g. ["sg-0123456789abcdef0"]');
    }
    const throughput = props.perUnitStorageThroughput;
    if (throughput !== undefined) {
      if (deployment !== FsxDeploymentType.PERSISTENT_2) {
        p.raw(`perUnitStorageThroughput=${_show(throughput)} is invalid with deploymentType=${_show(deployment)}: only PERSISTENT_2 file systems take a throughput per TiB (allowed: drop it, or deploymentType: FsxDeploymentType.PERSISTENT_2)`);
      } else if (![125, 250, 500, 1000].includes(throughput)) {
        p.error('perUnitStorageThroughput', throughput, 'must be 125, 250, 500 or 1000 (MB/s per TiB, PERSISTENT_2)');
      }
    }
    if (props.s3ImportPath !== undefined && !/^s3:\/\/[a-z0-9][-a-z0-9.]{1,61}[a-z0-9](\/\S*)?$/.test(props.s3ImportPath)) {
      p.error('s3ImportPath', props.s3ImportPath, 'must be an S3 URI, e.g. "s3://datasets/imagenet"');
    }
    this._emit({
      parameters: {
        subnetId: props.subnetId,
        securityGroupIds: Array.isArray(groups) ? groups.join(',') : '',
        deploymentType: deployment,
        ...(deployment === FsxDeploymentType.PERSISTENT_2 ? { perUnitStorageThroughput: String(throughput ?? 125) } : {}),
        ...(props.s3ImportPath !== undefined ? { s3ImportPath: props.s3ImportPath } : {}),
        ...(props.dataCompression ? { dataCompressionType: 'LZ4' } : {}),
      },
    });
  }
}
