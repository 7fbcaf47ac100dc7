import { ApiObject, Chart, Names, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { Cloud, Platform } from '../platform/platform';
import { AccessMode } from '../platform/storage-driver';
import { IVolumeClaim, StorageVolume } from '../pod/storage-volume';
import {
  _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkEnum, _checkLabels, _checkProps, _ensure, _quantityMebibytes, _show, _sizeMebibytes,
} from '../validation';
import { _Registry } from '../workload/registry';
import { IStorageClass } from './ml-storage-class';

/** Props of a {@link VolumeClaim}. */
export interface VolumeClaimProps {
  /** The platform (cluster) of the claim. */
  readonly platform: Platform;
  /** Size of the volume (`resources.requests.storage`). */
  readonly size: Size;
  /**
   * How nodes and pods may mount the volume; checked against the driver of `storageClass` when it is known.
   * @default AccessMode.READ_WRITE_ONCE
   */
  readonly accessMode?: AccessMode;
  /**
   * The StorageClass: one of the library's (`GkePersistentDiskStorageClass`...) or `MlStorageClass.fromName(...)`.
   * @default - the cluster's default StorageClass (access modes are not checked)
   */
  readonly storageClass?: IStorageClass;
  /**
   * Name of a VolumeSnapshot in the namespace to restore the volume from (`dataSource`): how a ReadOnlyMany dataset or
   * model volume gets its data.
   * @default - an empty volume
   */
  readonly fromSnapshot?: string;
  /**
   * Name of an existing PersistentVolume to bind to (`volumeName`), e.g. a disk that holds a dataset already.
   * @default - a volume is provisioned (or bound by its own claimRef)
   */
  readonly volumeName?: string;
  /**
   * Name of the claim.
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * Namespace of the claim: the namespace of the workloads that mount it.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Extra labels on the claim.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A PersistentVolumeClaim for training data, checkpoints or model weights: a size, an access mode and a storage class,
 * the access mode checked against the class's driver (EBS has no ReadOnlyMany, PD no file-system ReadWriteMany...).
 * Workloads mount it with `StorageVolume.fromClaim(claim)`, e.g. as their read-only `dataset`; a ReadOnlyMany claim
 * mounts only read-only. A ReadOnlyMany claim without a snapshot or volume to start from would be an empty disk that
 * nothing can write: that is a warning.
 */
export class VolumeClaim extends Construct implements IVolumeClaim {
  /** Name of the claim. */
  public readonly claimName: string;
  /** The access mode. */
  public readonly accessMode: AccessMode;
  /** Namespace of the claim. */
  public readonly namespace?: string;
  private readonly _claim?: k8s.KubePersistentVolumeClaim;
  private readonly _problems: _Problems;

  public constructor(scope: Construct, id: string, props: VolumeClaimProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'VolumeClaimProps', props, { allowUnknown: new.target !== VolumeClaim });
    const platform = props.platform;
    if (platform) for (const m of platform._optionProblems) p.raw(`platform.${m}`);
    this.claimName = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    _checkDnsSubdomain(p, 'name', this.claimName);
    _checkDnsLabel(p, 'namespace', props.namespace);
    _checkLabels(p, 'labels', props.labels);
    const mode = this.accessMode = props.accessMode ?? AccessMode.READ_WRITE_ONCE;
    const modeOk = _checkEnum(p, 'accessMode', props.accessMode, AccessMode, 'AccessMode');
    const mebibytes = _sizeMebibytes(p, 'size', props.size);
    const sc = props.storageClass;
    const driver = sc?.driver;
    if (modeOk && driver) {
      const refusal = driver.accessModeProblem(mode);
      if (refusal) p.raw(`accessMode=${_show(mode)} is invalid: ${driver} ${refusal} (allowed: ${driver.accessModes.join(', ')})`);
    }
    if (driver && platform instanceof Platform && platform.cloud !== Cloud.ANY && driver.cloud !== platform.cloud) {
      p.raw(`storageClass=${_show(sc!.storageClassName)} is invalid: its driver, ${driver}, is a ${driver.cloud.toUpperCase()} driver, which ${platform.displayName} does not have`);
    }
    if (sc?.cluster !== undefined && platform instanceof Platform && sc.cluster !== platform.cluster) {
      p.raw(`storageClass=${_show(sc.storageClassName)} is invalid: it belongs to cluster ${_show(sc.cluster)}, the claim to cluster ${_show(platform.cluster)} (allowed: a storage class of the claim's cluster)`);
    }
    if (sc !== undefined && typeof sc.storageClassName === 'string') _checkDnsSubdomain(p, 'storageClass', sc.storageClassName);
    if (props.fromSnapshot !== undefined) _checkDnsSubdomain(p, 'fromSnapshot', props.fromSnapshot);
    if (props.volumeName !== undefined) _checkDnsSubdomain(p, 'volumeName', props.volumeName);
    if (props.fromSnapshot !== undefined && props.volumeName !== undefined) {
      p.raw(`fromSnapshot=${_show(props.fromSnapshot)} is invalid together with volumeName=${_show(props.volumeName)}: a claim binds an existing volume or restores a new one from a snapshot, not both`);
    }
    if (mode === AccessMode.READ_ONLY_MANY && props.fromSnapshot === undefined && props.volumeName === undefined) {
      p.warn(`accessMode=${_show(mode)} without fromSnapshot or volumeName: a new volume is empty, and a ReadOnlyMany claim cannot write it (restore it from a VolumeSnapshot of a populated volume, bind a volume that holds the data, or pre-bind a PersistentVolume to this claim)`);
    }
    p.attach(this);
    if (!p.ok) return;

    this._claim = new k8s.KubePersistentVolumeClaim(this, 'Resource', {
      metadata: {
        name: this.claimName,
        namespace: this.namespace,
        labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(props.labels ?? {}) },
      },
      spec: {
        accessModes: [mode],
        storageClassName: sc?.storageClassName,
        volumeName: props.volumeName,
        dataSource: props.fromSnapshot !== undefined ? { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: props.fromSnapshot } : undefined,
        resources: { requests: { storage: k8s.Quantity.fromString(_quantityMebibytes(mebibytes!)) } },
      },
    });
    _Registry.claimAll(this, platform.cluster);
  }

  /** The volume for a workload's `dataset`, `checkpoints` or `volumes` (`StorageVolume.fromClaim(this)`). */
  public toVolume(): StorageVolume {
    return StorageVolume.fromClaim(this);
  }

  /** The `v1` PersistentVolumeClaim (escape hatch). */
  public get apiObject(): ApiObject {
    return _ensure(this, this._claim, this._problems);
  }
}
