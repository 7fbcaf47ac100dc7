import { k8s } from 'cdk8s-plus-28';
import { Conventions } from '../conventions';
import { CapacityType, GpuRequest, Platform, PodPlacement, WorkloadKind, _isSpot } from '../platform/platform';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _Problems, _checkAcceleratorCounts, _durationSeconds, _imageProblem, _isLabelKey, _show } from '../validation';
import { GpuPodProps } from '../workload/gpu-pod-props';
import { _renderEnv } from './env';
import { _resources } from './resources';
import { _containerSecurityContext, _podSecurityContext } from './security-context';
import { _VolumeRequest, _renderVolumes } from './storage-volume';

/** The props a pod is built from: the shared workload props, with an image when the construct runs one. @internal */
export interface _PodInput extends GpuPodProps {
  readonly image?: string;
}

/** Per-construct options for a pod. @internal */
export interface _PodOptions {
  readonly kind: WorkloadKind;
  /** Name of the main container (Kubeflow needs `pytorch` / `tensorflow`). */
  readonly containerName: string;
  /** Default GPUs when the prop is omitted. */
  readonly defaultGpus?: number;
  /** Lowest accepted `gpus` (0 lets a workload run without GPUs). */
  readonly minGpus?: number;
  /** Env added by the construct (after the user's). */
  readonly extraEnv?: k8s.EnvVar[];
  readonly ports?: k8s.ContainerPort[];
  readonly restartPolicy?: string;
  /** The image may be omitted (the container then has none): KServe predictors whose ServingRuntime supplies it. */
  readonly imageOptional?: boolean;
  /** Lifecycle hooks of the main container (e.g. a checkpoint `preStop` command). */
  readonly lifecycle?: k8s.Lifecycle;
  /** Why the construct cannot run on a shared GPU, if it cannot (GPU sharing): a share is then refused with it. */
  readonly shareRefused?: string;
}

/** A built pod: its main container, its spec and what the workload needs to know about it. @internal */
export interface _PodTemplate {
  /** GPUs per pod (0 when the prop was invalid). */
  readonly gpus: number;
  /** The request the platform placed. */
  readonly request: GpuRequest;
  readonly podAnnotations: { [key: string]: string };
  /** Labels the pod needs beyond the workload's (the Pod Security exception of a network profile or of an MPS pod). */
  readonly podLabels: { [key: string]: string };
  readonly container: k8s.Container;
  readonly spec: k8s.PodSpec;
}

/** Who the pod runs as. @internal */
export interface _PodIdentity {
  readonly serviceAccountName: string;
  readonly priorityClassName?: string;
}

/**
 * Builds a GPU pod from its parts: resources (GPUs, CPU, memory, `/dev/shm`), env (no literal secrets), volumes,
 * security context, and the platform's placement for the GPU request.
 * @internal
 */
export function _buildPod(p: _Problems, props: _PodInput, opts: _PodOptions, identity: _PodIdentity): _PodTemplate {
  const platform: Platform | undefined = props.platform;
  if (props.image !== undefined || !opts.imageOptional) {
    const problem = props.image === undefined ? 'is required' : _imageProblem(props.image);
    if (problem) p.error('image', props.image, `must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it ${problem}`);
  }
  // GPU sharing: the workload's share (a shared NodePool's platform gives its own), the fraction of a GPU it holds (CPU
  // and memory defaults shrink with it), and the resource the platform advertises it under.
  const capacityType = props.capacityType ?? CapacityType.ON_DEMAND;
  const share: GpuShare = props.gpuShare ?? (platform instanceof Platform ? platform._defaultShare : GpuShare.EXCLUSIVE);
  const shareOk = share.isShared && share._problem() === undefined;
  const gpuFraction = shareOk ? share.fractionOf(props.accelerator) ?? 1 : 1;
  const gpuResource = shareOk && platform instanceof Platform
    ? platform.gpuResourceName({ gpus: 1, accelerator: props.accelerator, capacityType, kind: opts.kind, share })
    : 'nvidia.com/gpu';
  if (share.isShared && opts.shareRefused && (props.gpus ?? opts.defaultGpus ?? 1) !== 0) {
    p.raw(`gpuShare=${share.toString()} is invalid: ${opts.shareRefused} (allowed: GpuShare.EXCLUSIVE)`);
  }
  if (!_isLabelKey(gpuResource)) p.raw(`gpuShare=${share.toString()} is invalid: ${platform?.displayName} names its GPU resource ${_show(gpuResource)}, which is no resource name`);
  const res = _resources(p, props, {
    defaultGpus: opts.defaultGpus ?? 1,
    minGpus: opts.minGpus ?? 1,
    minGpuEphemeralMebibytes: platform?.minGpuEphemeralStorageMebibytes ?? 1,
    share, gpuFraction, gpuResource,
  });

  // Capacity and grace
  const spotCap = _isSpot(capacityType) ? platform?.maxSpotGraceSeconds : undefined;
  const grace = props.terminationGracePeriod !== undefined
    ? _durationSeconds(p, 'terminationGracePeriod', props.terminationGracePeriod)
    : Math.min(30, spotCap ?? 30);

  const request: GpuRequest = {
    accelerator: props.accelerator, gpus: res.gpus, capacityType, kind: opts.kind, cpu: res.cpu,
    memoryMebibytes: res.memoryMebibytes, terminationGraceSeconds: grace, instanceTypes: props.instanceTypes, share,
    // Fleet (issue 13): a GKE compute class the pod selects instead of a GPU model and capacity.
    computeClass: props.computeClass?.computeClassName,
  };
  // A custom accelerator's GPU counts bound what platforms enumerate: check them before a platform does.
  const acceleratorOk = props.accelerator === undefined || _checkAcceleratorCounts(p, 'accelerator', props.accelerator);
  if (acceleratorOk && platform && Number.isInteger(props.gpus ?? opts.defaultGpus ?? 1)) platform._validateRequest(request, p);

  // Env and volumes
  const env = _renderEnv(p, props.env, props.secretEnv);
  // An MPS client's own memory limit (the platform refuses one where its device plugin sets it).
  const mpsLimit = shareOk && share.strategy === GpuSharingStrategy.MPS && share.mpsMemoryLimit !== undefined
    ? [{ name: 'CUDA_MPS_PINNED_DEVICE_MEM_LIMIT', value: `0=${Math.floor(share.mpsMemoryLimit.toMebibytes({ rounding: 2 }))}M` }] : [];
  const uid = props.runAsRoot ? 0 : 1000;
  const volumeRequests: _VolumeRequest[] = [];
  const dataEnv: k8s.EnvVar[] = [];
  if (props.dataset !== undefined) {
    const path = props.datasetPath ?? '/data';
    volumeRequests.push({ prop: 'dataset', name: 'dataset', volume: props.dataset, mountPath: path, readOnly: true });
    dataEnv.push({ name: 'DATASET_DIR', value: path });
  }
  if (props.checkpoints !== undefined) {
    const path = props.checkpointPath ?? '/checkpoints';
    volumeRequests.push({ prop: 'checkpoints', name: 'checkpoints', volume: props.checkpoints, mountPath: path, readOnly: false });
    dataEnv.push({ name: 'CHECKPOINT_DIR', value: path });
  }
  for (const [i, m] of (props.volumes ?? []).entries()) {
    volumeRequests.push({ prop: `volumes[${i}]`, name: `volume-${i}`, volume: m.volume, mountPath: m.mountPath, readOnly: m.readOnly ?? false });
  }
  const vols = _renderVolumes(p, platform, uid, res.sharedMemoryMebibytes, volumeRequests);

  // Placement: the only platform-specific part, decided by the platform.
  const placement: PodPlacement = platform && p.ok ? platform.schedule(request) : { nodeSelector: {}, tolerations: [], podAnnotations: {} };
  // Kueue topology-aware placement: a pod-template annotation naming a level of the Topology (issue 15).
  const topology = props.topology?._annotation(p, 'topology', platform) ?? {};

  const container: k8s.Container = {
    name: opts.containerName,
    image: props.image,
    command: props.command,
    args: props.args,
    env: env.length + dataEnv.length + mpsLimit.length + (opts.extraEnv?.length ?? 0)
      ? [...env, ...dataEnv, ...mpsLimit, ...(opts.extraEnv ?? [])] : undefined,
    ports: opts.ports,
    lifecycle: opts.lifecycle,
    resources: res.requirements,
    volumeMounts: vols.mounts.length ? vols.mounts : undefined,
    securityContext: _containerSecurityContext(),
  };
  const spec: k8s.PodSpec = {
    serviceAccountName: identity.serviceAccountName,
    automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    enableServiceLinks: false,
    restartPolicy: opts.restartPolicy,
    terminationGracePeriodSeconds: grace,
    priorityClassName: identity.priorityClassName,
    securityContext: _podSecurityContext(props.runAsRoot === true),
    nodeSelector: Object.keys(placement.nodeSelector).length ? placement.nodeSelector : undefined,
    tolerations: placement.tolerations.length ? placement.tolerations : undefined,
    affinity: placement.affinity,
    hostIpc: placement.hostIpc ? true : undefined,
    containers: [container],
    volumes: vols.volumes.length ? vols.volumes : undefined,
  };
  // The host IPC namespace fails Pod Security "baseline" and "restricted": the pod says why it is an exception.
  const podLabels: { [key: string]: string } = placement.hostIpc ? { [Conventions.PSS_EXCEPTION_LABEL]: 'mps-host-ipc' } : {};
  const podAnnotations = { ...placement.podAnnotations, ...vols.podAnnotations, ...topology };
  return { gpus: res.gpus, request, podAnnotations, podLabels, container, spec };
}
