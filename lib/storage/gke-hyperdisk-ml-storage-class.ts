import { Construct } from 'constructs';
import { StorageDriver } from '../platform/storage-driver';
import { _checkInt } from '../validation';
import { MlStorageClass, MlStorageClassProps } from './ml-storage-class';

/** Props of a {@link GkeHyperdiskMlStorageClass}. */
export interface GkeHyperdiskMlStorageClassProps extends MlStorageClassProps {
  /**
   * Throughput provisioned for each disk, in MiB/s (`provisioned-throughput-on-create`): what many replicas loading the
   * same weights share.
   * @default - Compute Engine's default for the disk size
   */
  readonly throughputMiBps?: number;
  /**
   * Read-ahead of the mounted file system, in KiB (`read_ahead_kb` mount option): large sequential reads of weights and
   * shards.
   * @default 4096 - as GKE's Hyperdisk ML sample
   */
  readonly readAheadKib?: number;
}

/**
 * A GKE StorageClass of Hyperdisk ML volumes (`pd.csi.storage.gke.io`, `type: hyperdisk-ml`): written once by one
 * node (a ReadWriteOnce claim that a Job populates), then read by many nodes at once (ReadOnlyMany, e.g. restored from
 * a snapshot of the populated disk): model weights and datasets that many GPU replicas load. Created in the zone of
 * the first pod, not expandable (as GKE's sample).
 */
export class GkeHyperdiskMlStorageClass extends MlStorageClass {
  /** @internal */
  public static readonly _propsType: string = 'GkeHyperdiskMlStorageClassProps';

  public constructor(scope: Construct, id: string, props: GkeHyperdiskMlStorageClassProps) {
    super(scope, id, props, StorageDriver.GKE_HYPERDISK_ML);
    props = this._checkedProps;
    _checkInt(this._problems, 'throughputMiBps', props.throughputMiBps, 1, 10_000_000);
    _checkInt(this._problems, 'readAheadKib', props.readAheadKib, 0, 1_048_576);
    const throughput = props.throughputMiBps;
    this._emit({
      parameters: { 'type': 'hyperdisk-ml', ...(throughput !== undefined ? { 'provisioned-throughput-on-create': `${throughput}Mi` } : {}) },
      allowVolumeExpansion: false,
      mountOptions: [`read_ahead_kb=${props.readAheadKib ?? 4096}`],
    });
  }
}
