import { Construct } from 'constructs';
import { StorageDriver } from '../platform/storage-driver';
import { MlStorageClass, MlStorageClassProps } from './ml-storage-class';

/** Props of an {@link EfsStorageClass}. */
export interface EfsStorageClassProps extends MlStorageClassProps {
  /** The EFS file system that holds the volumes (`fileSystemId`, e.g. `fs-0123456789abcdef0`). */
  readonly fileSystemId: string;
  /**
   * Permissions of each volume's directory (`directoryPerms`, octal).
   * @default '700'
   */
  readonly directoryPerms?: string;
  /**
   * Directory of the file system under which the volumes' directories are created (`basePath`).
   * @default - the root of the file system
   */
  readonly basePath?: string;
}

/**
 * An EKS StorageClass of directories on an existing Amazon EFS file system (`efs.csi.aws.com`, one access point per
 * volume): data many nodes read and write (ReadWriteMany), e.g. a shared dataset or experiment outputs. The driver
 * rejects ReadOnlyMany: a dataset claim is ReadWriteMany, mounted read-only by the pods (the `dataset` prop does).
 */
export class EfsStorageClass extends MlStorageClass {
  /** @internal */
  public static readonly _propsType: string = 'EfsStorageClassProps';

  public constructor(scope: Construct, id: string, props: EfsStorageClassProps) {
    super(scope, id, props, StorageDriver.AWS_EFS);
    props = this._checkedProps;
    const p = this._problems;
    if (typeof props.fileSystemId === 'string' && !/^fs-[0-9a-f]{8,40}$/.test(props.fileSystemId)) {
      p.error('fileSystemId', props.fileSystemId, 'must be an EFS file system ID, e.g. "fs-0123456789abcdef0"');
    }
    if (props.directoryPerms !== undefined && !/^[0-7]{3,4}$/.test(props.directoryPerms)) {
      p.error('directoryPerms', props.directoryPerms, 'must be octal permissions, e.g. "700" or "775"');
    }
    if (props.basePath !== undefined && !/^\/[^\s]*$/.test(props.basePath)) p.error('basePath', props.basePath, 'must be an absolute path, e.g. "/datasets"');
    this._emit({
      parameters: {
        provisioningMode: 'efs-ap',
        fileSystemId: props.fileSystemId,
        directoryPerms: props.directoryPerms ?? '700',
        ...(props.basePath !== undefined ? { basePath: props.basePath } : {}),
      },
    });
  }
}
