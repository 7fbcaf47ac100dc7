import { Construct } from 'constructs';
import { StorageDriver } from '../platform/storage-driver';
import { _checkInt } from '../validation';
import { MlStorageClass, MlStorageClassProps } from './ml-storage-class';

/** Props of an {@link EbsGp3StorageClass}. */
export interface EbsGp3StorageClassProps extends MlStorageClassProps {
  /**
   * IOPS of each volume (`iops`; gp3 gives 3000 without charge, the driver caps a value above the type's maximum).
   * @default - 3000, gp3's baseline
   */
  readonly iops?: number;
  /**
   * Throughput of each volume in MiB/s (`throughput`).
   * @default - 125, gp3's baseline
   */
  readonly throughputMiBps?: number;
  /**
   * Encrypt the volumes (`encrypted`).
   * @default true
   */
  readonly encrypted?: boolean;
  /**
   * ARN of the KMS key that encrypts the volumes (`kmsKeyId`); needs `encrypted`.
   * @default - the account's `aws/ebs` key
   */
  readonly kmsKeyId?: string;
  /**
   * Let claims grow (`allowVolumeExpansion`).
   * @default true
   */
  readonly allowVolumeExpansion?: boolean;
}

/**
 * An EKS StorageClass of encrypted gp3 EBS volumes (`ebs.csi.aws.com`), created in the zone of the first pod
 * (`WaitForFirstConsumer`, as the driver recommends), expandable: a checkpoint or scratch volume of one node. EBS
 * attaches a volume to one node at a time, so ReadOnlyMany and ReadWriteMany claims are refused (use `EfsStorageClass`
 * or `FsxLustreStorageClass` for data many pods share).
 */
export class EbsGp3StorageClass extends MlStorageClass {
  /** @internal */
  public static readonly _propsType: string = 'EbsGp3StorageClassProps';

  public constructor(scope: Construct, id: string, props: EbsGp3StorageClassProps) {
    super(scope, id, props, StorageDriver.AWS_EBS);
    props = this._checkedProps;
    const p = this._problems;
    _checkInt(p, 'iops', props.iops, 3000, 80000);
    _checkInt(p, 'throughputMiBps', props.throughputMiBps, 125, 2000);
    const encrypted = props.encrypted ?? true;
    if (props.kmsKeyId !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(props.kmsKeyId)) {
      p.error('kmsKeyId', props.kmsKeyId, 'must be the full ARN of a KMS key, e.g. "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"');
    }
    if (props.kmsKeyId !== undefined && !encrypted) p.error('kmsKeyId', props.kmsKeyId, 'needs encrypted: true (an unencrypted volume has no key)');
    this._emit({
      parameters: {
        'type': 'gp3',
        'encrypted': String(encrypted),
        ...(props.kmsKeyId !== undefined ? { kmsKeyId: props.kmsKeyId } : {}),
        ...(props.iops !== undefined ? { iops: String(props.iops) } : {}),
        ...(props.throughputMiBps !== undefined ? { throughput: String(props.throughputMiBps) } : {}),
      },
      allowVolumeExpansion: props.allowVolumeExpansion ?? true,
    });
  }
}
