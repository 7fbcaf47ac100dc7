import { Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Platform } from '../platform/platform';
import { AccessMode } from '../platform/storage-driver';
import { _Problems, _checkDnsSubdomain, _quantityMebibytes, _sizeMebibytes } from '../validation';

/** Options for a GCS bucket mounted with the GKE GCS FUSE CSI driver. */
export interface GcsBucketOptions {
  /**
   * Extra gcsfuse mount options (comma-separated), appended to `implicit-dirs` and the pod's uid/gid.
   * @default - only `implicit-dirs` and the pod's uid/gid
   */
  readonly mountOptions?: string;
}

/** How a volume is backed. */
export enum StorageVolumeType {
  /** A PersistentVolumeClaim. */
  PERSISTENT_VOLUME_CLAIM = 'pvc',
  /** A Google Cloud Storage bucket (GKE GCS FUSE CSI driver). */
  GCS_BUCKET = 'gcs',
  /** A ConfigMap (e.g. a training script). */
  CONFIG_MAP = 'configMap',
  /** Scratch space that lives as long as the pod. */
  EMPTY_DIR = 'emptyDir',
}

/** A PersistentVolumeClaim a workload mounts (e.g. a `VolumeClaim` of this library). */
export interface IVolumeClaim {
  /** Name of the claim. */
  readonly claimName: string;
  /** The claim's access mode: a ReadOnlyMany claim is mounted read-only only. */
  readonly accessMode: AccessMode;
}

/**
 * Where a workload's data lives: a PVC, a GCS bucket (GKE), a ConfigMap or scratch space.
 * Secrets are never mounted through this class; use secret environment variables.
 */
export class StorageVolume {
  /** A PersistentVolumeClaim that already exists in the namespace. */
  public static fromPersistentVolumeClaim(claimName: string): StorageVolume {
    return new StorageVolume(StorageVolumeType.PERSISTENT_VOLUME_CLAIM, claimName);
  }

  /**
   * A claim of the app (a `VolumeClaim`): its name, and its access mode, which the pod builder checks (a ReadOnlyMany
   * claim mounts only read-only, e.g. as `dataset`).
   */
  public static fromClaim(claim: IVolumeClaim): StorageVolume {
    return new StorageVolume(StorageVolumeType.PERSISTENT_VOLUME_CLAIM, claim?.claimName, undefined, undefined, claim);
  }

  /** A GCS bucket through the GCS FUSE CSI driver (GKE only; the pod's service account needs access). */
  public static fromGcsBucket(bucketName: string, options: GcsBucketOptions = {}): StorageVolume {
    return new StorageVolume(StorageVolumeType.GCS_BUCKET, bucketName, options?.mountOptions);
  }

  /** A ConfigMap, mounted read-only. */
  public static fromConfigMap(name: string): StorageVolume {
    return new StorageVolume(StorageVolumeType.CONFIG_MAP, name);
  }

  /** Scratch space on the node. */
  public static fromEmptyDir(sizeLimit?: Size): StorageVolume {
    return new StorageVolume(StorageVolumeType.EMPTY_DIR, 'scratch', undefined, sizeLimit);
  }

  /** The backing type. */
  public readonly type: StorageVolumeType;
  /** Claim, bucket or ConfigMap name. */
  public readonly source: string;
  /** gcsfuse mount options, if any. */
  public readonly mountOptions?: string;
  /** emptyDir size limit, if any. */
  public readonly sizeLimit?: Size;
  /** The claim of the app this volume mounts (`fromClaim`), if any. */
  public readonly claim?: IVolumeClaim;

  private constructor(type: StorageVolumeType, source: string, mountOptions?: string, sizeLimit?: Size, claim?: IVolumeClaim) {
    this.type = type;
    this.source = source;
    this.mountOptions = mountOptions;
    this.sizeLimit = sizeLimit;
    this.claim = claim;
  }
}

/** A volume mounted into the workload's main container. */
export interface VolumeMount {
  /** The volume. */
  readonly volume: StorageVolume;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /**
   * Mount read-only.
   * @default false (ConfigMaps are always read-only)
   */
  readonly readOnly?: boolean;
}

/** A volume to mount into the main container. @internal */
export interface _VolumeRequest {
  /** Prop named in messages, e.g. `dataset` or `volumes[0]`. */
  readonly prop: string;
  /** Volume name in the pod. */
  readonly name: string;
  readonly volume: StorageVolume;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

/** Rendered volumes, mounts and the pod annotations they need. @internal */
export interface _RenderedVolumes {
  readonly volumes: k8s.Volume[];
  readonly mounts: k8s.VolumeMount[];
  readonly podAnnotations: { [key: string]: string };
}

/**
 * Renders the pod's volumes: `/dev/shm` first, then each requested volume. Buckets are mounted by the platform's
 * driver (GCS FUSE on GKE); a platform without one refuses them.
 * @internal
 */
export function _renderVolumes(p: _Problems, platform: Platform | undefined, uid: number, shmMebibytes: number | undefined,
  requests: _VolumeRequest[]): _RenderedVolumes {
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  const podAnnotations: { [key: string]: string } = {};
  if (shmMebibytes !== undefined) {
    volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(_quantityMebibytes(shmMebibytes)) } });
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
  }
  for (const r of requests) {
    const v = r.volume;
    let readOnly = r.readOnly;
    if (!r.mountPath.startsWith('/') || r.mountPath.includes('..') || r.mountPath === '/dev/shm') {
      p.error(`${r.prop} mount path`, r.mountPath, 'must be an absolute path without \'..\', other than /dev/shm');
    }
    if (mounts.some(m => m.mountPath === r.mountPath)) p.error(`${r.prop} mount path`, r.mountPath, 'is already used by another volume');
    switch (v.type) {
      case StorageVolumeType.PERSISTENT_VOLUME_CLAIM:
        _checkDnsSubdomain(p, `${r.prop} claim name`, v.source);
        if (v.claim?.accessMode === AccessMode.READ_ONLY_MANY && !readOnly) {
          p.raw(`${r.prop}=claim ${JSON.stringify(v.source)} is invalid: the claim is ReadOnlyMany and mounts read-only only (allowed: mount it as dataset, or with readOnly: true; write through a ReadWriteOnce or ReadWriteMany claim)`);
        }
        volumes.push({ name: r.name, persistentVolumeClaim: { claimName: v.source, readOnly: readOnly || undefined } });
        break;
      case StorageVolumeType.GCS_BUCKET: {
        if (!/^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$/.test(v.source)) p.error(`${r.prop} bucket name`, v.source, 'must be a GCS bucket name');
        const bucket = platform?._bucketVolume(r.name, v.source, { readOnly, uid, mountOptions: v.mountOptions });
        if (bucket === undefined) {
          if (platform) p.raw(`${r.prop}=gs://${v.source} is invalid: ${platform.displayName} has no GCS FUSE CSI driver (allowed there: PVC, ConfigMap, emptyDir volumes)`);
          continue;
        }
        Object.assign(podAnnotations, bucket.podAnnotations);
        volumes.push(bucket.volume);
        break;
      }
      case StorageVolumeType.CONFIG_MAP:
        _checkDnsSubdomain(p, `${r.prop} ConfigMap name`, v.source);
        volumes.push({ name: r.name, configMap: { name: v.source } });
        readOnly = true;
        break;
      default: {
        const lim = v.sizeLimit !== undefined ? _sizeMebibytes(p, `${r.prop} size limit`, v.sizeLimit) : undefined;
        volumes.push({ name: r.name, emptyDir: lim ? { sizeLimit: k8s.Quantity.fromString(_quantityMebibytes(lim)) } : {} });
      }
    }
    mounts.push({ name: r.name, mountPath: r.mountPath, readOnly: readOnly || undefined });
  }
  return { volumes, mounts, podAnnotations };
}
