import { ApiObject, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { _noNamespace } from '../capacity/_cluster-scoped';
import { Conventions } from '../conventions';
import { Cloud, Platform } from '../platform/platform';
import { StorageDriver } from '../platform/storage-driver';
import { _Problems, _checkDnsSubdomain, _checkEnum, _checkLabels, _checkProps, _ensure, _show } from '../validation';
import { _Registry } from '../workload/registry';

/** A StorageClass that claims refer to: one of this library's, or `MlStorageClass.fromName(...)`. */
export interface IStorageClass {
  /** Name of the StorageClass. */
  readonly storageClassName: string;
  /**
   * The driver behind the class, when known: a claim checks its access mode against it.
   * @default - unknown: access modes are not checked
   */
  readonly driver?: StorageDriver;
  /**
   * The cluster the class belongs to, when known: a claim of another cluster cannot use it.
   * @default - unknown: not checked
   */
  readonly cluster?: string;
}

/** When a volume of the class is provisioned (`StorageClass.volumeBindingMode`). */
export enum VolumeBindingMode {
  /** When the first pod that uses the claim is scheduled, in that pod's zone. */
  WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer',
  /** When the claim is created, in a zone the driver picks. */
  IMMEDIATE = 'Immediate',
}

/** What happens to a volume when its claim is deleted (`StorageClass.reclaimPolicy`). */
export enum ReclaimPolicy {
  /** The volume and its data are deleted. */
  DELETE = 'Delete',
  /** The volume is kept (and billed) until an admin deletes it. */
  RETAIN = 'Retain',
}

/** Props every ML storage class takes. */
export interface MlStorageClassProps {
  /** The platform (cluster) of the class: its cloud must have the class's driver. */
  readonly platform: Platform;
  /**
   * Name of the StorageClass (cluster-scoped).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * What happens to a volume when its claim is deleted.
   * @default ReclaimPolicy.DELETE - the Kubernetes default
   */
  readonly reclaimPolicy?: ReclaimPolicy;
  /**
   * When volumes are provisioned. `IMMEDIATE` is refused for drivers that place each volume in a zone (Persistent
   * Disk, Hyperdisk, EBS): the volume would land in a zone where the pod's GPU nodes may not be.
   * @default VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER
   */
  readonly volumeBindingMode?: VolumeBindingMode;
  /**
   * Extra labels on the StorageClass.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** What a concrete class adds to the StorageClass. @internal */
export interface _StorageClassSpec {
  readonly parameters: { [key: string]: string };
  readonly allowVolumeExpansion?: boolean;
  readonly mountOptions?: string[];
}

/** A StorageClass the cluster already has (e.g. GKE's `premium-rwo`), or one of another app. */
class NamedStorageClass implements IStorageClass {
  public constructor(public readonly storageClassName: string, public readonly driver?: StorageDriver) {}
}

/**
 * The base of the library's StorageClasses for training data, checkpoints and model weights: one concrete class per
 * driver (`GkePersistentDiskStorageClass`, `GkeHyperdiskMlStorageClass`, `EbsGp3StorageClass`, `EfsStorageClass`,
 * `FsxLustreStorageClass`), each with the parameters that matter for ML. A class refuses a platform whose cloud lacks
 * its driver, and `Immediate` binding for zonal volumes. A `VolumeClaim` on it checks its access mode against the
 * driver.
 */
export abstract class MlStorageClass extends Construct implements IStorageClass {
  /**
   * A StorageClass that exists in the cluster, e.g. GKE's `premium-rwo` (pd-ssd). Give its `driver` to have claims
   * check their access mode.
   */
  public static fromName(name: string, driver?: StorageDriver): IStorageClass {
    return new NamedStorageClass(name, driver);
  }

  /** @internal */
  public static readonly _propsType: string = 'MlStorageClassProps';

  /** Name of the StorageClass. */
  public readonly storageClassName: string;
  /** The driver of the class's volumes (always set; optional only as `IStorageClass` declares it). */
  public readonly driver?: StorageDriver;
  /** The platform (cluster) of the class. */
  public readonly platform: Platform;
  /** When volumes are provisioned. */
  public readonly volumeBindingMode: VolumeBindingMode;
  /** The cluster of the class, its platform's (always set; optional only as `IStorageClass` declares it). */
  public readonly cluster?: string;
  /** @internal */
  public readonly _problems = new _Problems();
  /** The props after the runtime type check. @internal */
  public readonly _checkedProps: any;
  private _resource?: k8s.KubeStorageClass;

  protected constructor(scope: Construct, id: string, props: MlStorageClassProps, driver: StorageDriver) {
    super(scope, id);
    const p = this._problems;
    const cls = new.target as unknown as { _propsType: string };
    const given: MlStorageClassProps = this._checkedProps = _checkProps<MlStorageClassProps>(p, cls._propsType, props, {
      allowUnknown: !Object.prototype.hasOwnProperty.call(cls, '_propsType'),
    });
    this.driver = driver;
    this.platform = given.platform;
    this.cluster = given.platform instanceof Platform ? given.platform.cluster : 'default';
    this.storageClassName = given.name ?? Names.toDnsLabel(this, { includeHash: false });
    _checkDnsSubdomain(p, 'name', this.storageClassName);
    _checkLabels(p, 'labels', given.labels);
    if (given.platform) for (const m of given.platform._optionProblems) p.raw(`platform.${m}`);
    const platform = given.platform;
    if (platform instanceof Platform && platform.cloud !== Cloud.ANY && platform.cloud !== driver.cloud) {
      p.raw(`platform=${_show(platform.id)} is invalid: ${driver} is a ${driver.cloud.toUpperCase()} driver, which ${platform.displayName} does not have (allowed: a storage class of its cloud, e.g. ${platform.cloud === Cloud.GCP ? 'GkePersistentDiskStorageClass' : 'EbsGp3StorageClass'})`);
    }
    _checkEnum(p, 'reclaimPolicy', given.reclaimPolicy, ReclaimPolicy, 'ReclaimPolicy');
    const binding = this.volumeBindingMode = given.volumeBindingMode ?? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER;
    _checkEnum(p, 'volumeBindingMode', given.volumeBindingMode, VolumeBindingMode, 'VolumeBindingMode');
    if (binding === VolumeBindingMode.IMMEDIATE && driver.zonal) {
      p.raw(`volumeBindingMode=${_show(binding)} is invalid: ${driver} creates each volume in a zone it picks when the claim is created, which may have no GPU nodes for the pod (allowed: ${VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER}, which creates it in the zone of the first pod)`);
    }
    p.attach(this);
  }

  /** The `storage.k8s.io/v1` StorageClass (escape hatch). */
  public get apiObject(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }

  /**
   * Emits the StorageClass when every prop is valid; called by the concrete class at the end of its constructor.
   * @internal
   */
  public _emit(spec: _StorageClassSpec): void {
    if (!this._problems.ok) return;
    const given: MlStorageClassProps = this._checkedProps;
    this._resource = new k8s.KubeStorageClass(this, 'Resource', {
      metadata: {
        name: this.storageClassName,
        namespace: _noNamespace(),
        labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(given.labels ?? {}) },
      },
      provisioner: this.driver!.provisioner,
      parameters: Object.keys(spec.parameters).length ? { ...spec.parameters } : undefined,
      reclaimPolicy: given.reclaimPolicy ?? ReclaimPolicy.DELETE,
      volumeBindingMode: this.volumeBindingMode,
      allowVolumeExpansion: spec.allowVolumeExpansion,
      mountOptions: spec.mountOptions,
    });
    _Registry.claimAll(this, this.cluster!);
  }
}
