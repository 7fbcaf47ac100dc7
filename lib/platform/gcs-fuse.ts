import { _BucketVolume, _BucketVolumeOptions } from './platform';

/** The GKE GCS FUSE CSI driver. */
const DRIVER = 'gcsfuse.csi.storage.gke.io';
/** Pod annotation that makes GKE inject the gcsfuse sidecar. */
const SIDECAR_ANNOTATION = 'gke-gcsfuse/volumes';

/**
 * A Cloud Storage bucket mounted with the GKE GCS FUSE CSI driver (an ephemeral CSI volume plus the pod annotation
 * that injects the gcsfuse sidecar). Files are owned by the pod's uid/gid so a non-root pod can read them.
 * @internal
 */
export function _gcsFuseVolume(name: string, bucket: string, o: _BucketVolumeOptions): _BucketVolume {
  const ownership = o.uid ? [`uid=${o.uid}`, `gid=${o.uid}`] : [];
  return {
    podAnnotations: { [SIDECAR_ANNOTATION]: 'true' },
    volume: {
      name,
      csi: {
        driver: DRIVER,
        readOnly: o.readOnly || undefined,
        volumeAttributes: { bucketName: bucket, mountOptions: ['implicit-dirs', ...ownership, ...(o.mountOptions ? [o.mountOptions] : [])].join(',') },
      },
    },
  };
}
