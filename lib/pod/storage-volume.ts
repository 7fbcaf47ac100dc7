import { Size } from 'cdk8s';

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

/**
 * Where a workload's data lives: a PVC, a GCS bucket (GKE), a ConfigMap or scratch space.
 * Secrets are never mounted through this class; use secret environment variables.
 */
export class StorageVolume {
  /** A PersistentVolumeClaim that already exists in the namespace. */
  public static fromPersistentVolumeClaim(claimName: string): StorageVolume {
    return new StorageVolume(StorageVolumeType.PERSISTENT_VOLUME_CLAIM, claimName);
  }

  /** A GCS bucket through the GCS FUSE CSI driver (GKE only; the pod's service account needs access). */
  public static fromGcsBucket(bucketName: string, options: GcsBucketOptions = {}): StorageVolume {
    return new StorageVolume(StorageVolumeType.GCS_BUCKET, bucketName, options.mountOptions);
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

  private constructor(type: StorageVolumeType, source: string, mountOptions?: string, sizeLimit?: Size) {
    this.type = type;
    this.source = source;
    this.mountOptions = mountOptions;
    this.sizeLimit = sizeLimit;
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
