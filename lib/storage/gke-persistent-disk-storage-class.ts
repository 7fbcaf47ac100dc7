import { Construct } from 'constructs';
import { StorageDriver } from '../platform/storage-driver';
import { _checkEnum } from '../validation';
import { MlStorageClass, MlStorageClassProps } from './ml-storage-class';

/** A Compute Engine Persistent Disk type (`type` parameter of the PD CSI driver). */
export enum GkeDiskType {
  /** SSD persistent disk: the most IOPS and throughput per GiB; GKE's `premium-rwo` class. */
  PD_SSD = 'pd-ssd',
  /** Balanced persistent disk: SSD at a lower price and speed; GKE's `standard-rwo` class. */
  PD_BALANCED = 'pd-balanced',
}

/** Props of a {@link GkePersistentDiskStorageClass}. */
export interface GkePersistentDiskStorageClassProps extends MlStorageClassProps {
  /**
   * The disk type.
   * @default GkeDiskType.PD_BALANCED - GKE's default (`standard-rwo`)
   */
  readonly diskType?: GkeDiskType;
  /**
   * Replicate each disk synchronously in two zones of the region (`replication-type: regional-pd`): a checkpoint or
   * dataset outlives a zone outage, and GPU pods in either zone can mount it.
   * @default false - a zonal disk
   */
  readonly regional?: boolean;
  /**
   * Let claims grow (`allowVolumeExpansion`).
   * @default true
   */
  readonly allowVolumeExpansion?: boolean;
}

/**
 * A GKE StorageClass of Compute Engine Persistent Disks (`pd.csi.storage.gke.io`, always enabled on Autopilot):
 * `pd-ssd` or `pd-balanced`, zonal or regional, created in the zone of the first pod (`WaitForFirstConsumer`), with
 * expansion allowed. One node writes (ReadWriteOnce), or many read (ReadOnlyMany, a dataset restored from a snapshot);
 * the driver offers many writers only as raw block devices, so ReadWriteMany claims are refused.
 */
export class GkePersistentDiskStorageClass extends MlStorageClass {
  /** @internal */
  public static readonly _propsType: string = 'GkePersistentDiskStorageClassProps';

  /** The disk type. */
  public readonly diskType: GkeDiskType;
  /** Whether disks are regional. */
  public readonly regional: boolean;

  public constructor(scope: Construct, id: string, props: GkePersistentDiskStorageClassProps) {
    super(scope, id, props, StorageDriver.GKE_PERSISTENT_DISK);
    props = this._checkedProps;
    this.diskType = props.diskType ?? GkeDiskType.PD_BALANCED;
    this.regional = props.regional ?? false;
    _checkEnum(this._problems, 'diskType', props.diskType, GkeDiskType, 'GkeDiskType');
    this._emit({
      parameters: { 'type': this.diskType, ...(this.regional ? { 'replication-type': 'regional-pd' } : {}) },
      allowVolumeExpansion: props.allowVolumeExpansion ?? true,
    });
  }
}
