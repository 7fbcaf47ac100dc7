import { Accelerator, MigProfileSpec } from '../accelerator';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _gcsFuseVolume } from './gcs-fuse';
import { _GKE_HTTPS } from './gke-https';
import {
  CapacityType, Cloud, GpuRequest, Platform, PlatformFacts, PlatformOptions, PodPlacement, _BucketVolume, _BucketVolumeOptions, _HttpsExposure,
  _InferenceGatewayFacts, _acceleratorLabelProblems, _gpuLimit, _isSpot,
} from './platform';

/**
 * Most clients GKE lets share one GPU (time-sharing and MPS): `maxSharedClientsPerGPU` "Valid range: 2-48" (ComputeClass
 * module of kcl-lang/modules#358; GKE's device plugin itself only requires more than 0). Secondary source: docs/sharing.md.
 */
const GKE_MAX_SHARED_CLIENTS = 48;

/**
 * What GKE Autopilot and GKE Standard share: GPUs are selected with `cloud.google.com/gke-accelerator`, Spot VMs with
 * `cloud.google.com/gke-spot`; Workload Identity, GCS FUSE and Google-managed certificates exist on both.
 */
export abstract class GkePlatform extends Platform {
  /** GKE node label that selects the GPU model. */
  public static readonly ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';
  /** GKE node label that selects Spot VMs. */
  public static readonly SPOT_LABEL = 'cloud.google.com/gke-spot';
  /** GKE node label that selects a compute class. */
  public static readonly COMPUTE_CLASS_LABEL = 'cloud.google.com/compute-class';
  /**
   * GKE node label of flex-start VMs (Dynamic Workload Scheduler); a pod that selects it waits for flex-start capacity
   * (cluster-toolkit examples/gke-consumption-options/dws-flex-start).
   */
  public static readonly FLEX_START_LABEL = 'cloud.google.com/gke-flex-start';
  /** API version of GKE's ComputeClass (cluster-scoped; custom compute classes need GKE 1.30.3-gke.1451000 or later). */
  public static readonly COMPUTE_CLASS_API_VERSION = 'cloud.google.com/v1';
  /**
   * ProvisioningRequest class of GKE's queued provisioning (flex-start with queued provisioning: all nodes of a
   * workload at once); Kueue's ProvisioningRequestConfig names it.
   */
  public static readonly QUEUED_PROVISIONING_CLASS = 'queued-provisioning.gke.io';
  /** GKE node label of a node pool (Autopilot rejects selecting it). */
  public static readonly NODE_POOL_LABEL = 'cloud.google.com/gke-nodepool';
  /**
   * KServe pod annotation that its pod webhook turns into the `cloud.google.com/gke-accelerator` node selector of a
   * GPU pod (pkg/webhook/admission/pod/accelerator_injector.go); it reaches pods that Knative creates, where a node
   * selector in the InferenceService would be rejected.
   */
  public static readonly KSERVE_ACCELERATOR_ANNOTATION = 'serving.kserve.io/gke-accelerator';
  /** GKE node label: the reserved block a VM is in (one fast network). */
  public static readonly TOPOLOGY_BLOCK_LABEL = 'cloud.google.com/gce-topology-block';
  /** GKE node label: the sub-block (rack) of the block a VM is in. */
  public static readonly TOPOLOGY_SUBBLOCK_LABEL = 'cloud.google.com/gce-topology-subblock';
  /** GKE node label: the physical host of a VM. */
  public static readonly TOPOLOGY_HOST_LABEL = 'cloud.google.com/gce-topology-host';
  /** GKE node label of a shared GPU node pool: `time-sharing` or `mps` (GPU sharing). */
  public static readonly SHARING_STRATEGY_LABEL = 'cloud.google.com/gke-gpu-sharing-strategy';
  /** GKE node label of a shared GPU node pool: most containers per physical GPU. */
  public static readonly MAX_SHARED_CLIENTS_LABEL = 'cloud.google.com/gke-max-shared-clients-per-gpu';
  /** GKE node label of a MIG-partitioned GPU node pool: the partition size, e.g. `1g.5gb`. */
  public static readonly PARTITION_SIZE_LABEL = 'cloud.google.com/gke-gpu-partition-size';

  protected constructor(facts: PlatformFacts, options: PlatformOptions = {}) {
    super({ cloud: Cloud.GCP, supportsSpot: true, supportsFlexStart: true, supportsComputeClasses: true, ...facts }, options);
  }

  /**
   * GKE's placement of a request: a compute class, or the GPU model and the capacity (Spot VMs, flex-start VMs).
   * @internal
   */
  public _gkeSelector(req: GpuRequest): { [key: string]: string } {
    // A compute class's priorities name the GPUs, machine and capacity: the pod selects only the class.
    if (req.computeClass !== undefined) return { [GkePlatform.COMPUTE_CLASS_LABEL]: req.computeClass };
    const nodeSelector: { [key: string]: string } = {};
    if (req.gpus > 0 && req.accelerator?.gkeLabel) nodeSelector[GkePlatform.ACCELERATOR_LABEL] = req.accelerator.gkeLabel;
    if (_isSpot(req.capacityType)) nodeSelector[GkePlatform.SPOT_LABEL] = 'true';
    if (req.capacityType === CapacityType.FLEX_START) nodeSelector[GkePlatform.FLEX_START_LABEL] = 'true';
    return nodeSelector;
  }

  /** @internal */
  public _queuedProvisioningClass(): string | undefined {
    return GkePlatform.QUEUED_PROVISIONING_CLASS;
  }

  /** @internal */
  public _computeClassApiVersion(): string | undefined {
    return GkePlatform.COMPUTE_CLASS_API_VERSION;
  }

  public gpuLabelValue(accelerator: Accelerator): string | undefined {
    return accelerator.gkeLabel;
  }

  /**
   * Block, sub-block, host, node: the labels GKE puts on VMs of reserved (AI Hypercomputer) capacity ("the more label
   * values two VMs share, the closer they are"; GKE docs and Kueue's GKE TAS setup).
   */
  public topologyLevels(): string[] {
    return [GkePlatform.TOPOLOGY_BLOCK_LABEL, GkePlatform.TOPOLOGY_SUBBLOCK_LABEL, GkePlatform.TOPOLOGY_HOST_LABEL, 'kubernetes.io/hostname'];
  }

  /**
   * The base checks, and the GKE label of a custom accelerator is a label value; GKE's device plugin sets an MPS
   * client's memory limit itself.
   */
  public validateRequest(req: GpuRequest): string[] {
    const acc = req.accelerator;
    const labels = req.gpus > 0 && acc instanceof Accelerator ? _acceleratorLabelProblems(acc, [['gkeLabel', acc.gkeLabel]]) : [];
    const share = req.share;
    const mps = share?.strategy === GpuSharingStrategy.MPS && share.mpsMemoryLimit !== undefined
      ? [`gpuShare=${share.toString()} is invalid: GKE's device plugin sets each MPS client's memory limit itself (CUDA_MPS_PINNED_DEVICE_MEM_LIMIT, the GPU's memory divided by the clients) (allowed: GpuShare.mps(${share.clientsPerGpu}) without memoryLimit)`]
      : [];
    return [...labels, ...super.validateRequest(req), ...mps];
  }

  /** Whole GPUs, time-sharing and MPS on every NVIDIA GPU GKE offers (GKE docs), MIG where GKE partitions the model. */
  public sharingStrategies(accelerator?: Accelerator): GpuSharingStrategy[] {
    const mig = accelerator && this.migProfiles(accelerator).length ? [GpuSharingStrategy.MIG] : [];
    return [GpuSharingStrategy.EXCLUSIVE, GpuSharingStrategy.TIME_SHARING, GpuSharingStrategy.MPS, ...mig];
  }

  /** GKE's partition sizes for the model (container-engine-accelerators `partition_gpu.go`). */
  public migProfiles(accelerator: Accelerator): MigProfileSpec[] {
    return accelerator?.gkeLabel && Array.isArray(accelerator.gkeMigProfiles) ? [...accelerator.gkeMigProfiles] : [];
  }

  /** @internal */
  public _maxClientsPerGpu(_strategy: GpuSharingStrategy): number | undefined {
    return GKE_MAX_SHARED_CLIENTS;
  }

  /**
   * Node selectors of a shared GPU pod on GKE: the sharing strategy and clients per GPU of a time-shared or MPS node pool,
   * or the partition size of a MIG node pool; the pod still asks for `nvidia.com/gpu: 1`.
   * @internal
   */
  public _shareSelector(share: GpuShare | undefined): { [key: string]: string } {
    if (share?.strategy === GpuSharingStrategy.TIME_SHARING || share?.strategy === GpuSharingStrategy.MPS) {
      return {
        [GkePlatform.SHARING_STRATEGY_LABEL]: share.strategy === GpuSharingStrategy.MPS ? 'mps' : 'time-sharing',
        [GkePlatform.MAX_SHARED_CLIENTS_LABEL]: String(share.clientsPerGpu),
      };
    }
    if (share?.strategy === GpuSharingStrategy.MIG) return { [GkePlatform.PARTITION_SIZE_LABEL]: String(share.migProfile?.name) };
    return {};
  }

  /**
   * GKE's sharing rules on a rendered pod: a strategy the platform offers with a clients count GKE accepts, both labels
   * together, a partition size GKE cuts the selected GPU into, and one time-shared GPU per container (GKE's device plugin
   * refuses more).
   * @internal
   */
  public _shareViolations(pod: any): string[] {
    const v: string[] = [];
    const selector = pod?.nodeSelector ?? {};
    const strategy = selector[GkePlatform.SHARING_STRATEGY_LABEL];
    const clients = selector[GkePlatform.MAX_SHARED_CLIENTS_LABEL];
    const partition = selector[GkePlatform.PARTITION_SIZE_LABEL];
    const offered = this.sharingStrategies().filter(s => s === GpuSharingStrategy.TIME_SHARING || s === GpuSharingStrategy.MPS) as string[];
    if (strategy !== undefined && !offered.includes(strategy)) {
      v.push(`${GkePlatform.SHARING_STRATEGY_LABEL}=${strategy} is not offered by ${this.displayName} (allowed: ${offered.join(', ')})`);
    }
    if ((strategy === undefined) !== (clients === undefined)) {
      v.push(`${GkePlatform.SHARING_STRATEGY_LABEL} and ${GkePlatform.MAX_SHARED_CLIENTS_LABEL} select a shared node pool together: a pod with one of them only lands on any shared pool of the other setting`);
    }
    if (clients !== undefined && !(/^[0-9]+$/.test(clients) && Number(clients) >= 2 && Number(clients) <= GKE_MAX_SHARED_CLIENTS)) {
      v.push(`${GkePlatform.MAX_SHARED_CLIENTS_LABEL}=${clients} is no clients count GKE accepts (allowed: 2-${GKE_MAX_SHARED_CLIENTS})`);
    }
    if (partition !== undefined) {
      const label = selector[GkePlatform.ACCELERATOR_LABEL];
      const known = Accelerator._known().filter(a => a.gkeLabel === label);
      const sizes = [...new Set(known.flatMap(a => this.migProfiles(a).map(m => m.profile)))];
      if (known.length && !sizes.includes(partition)) {
        v.push(`${GkePlatform.PARTITION_SIZE_LABEL}=${partition} is no partition size of ${label} (allowed: ${sizes.join(', ') || 'none: it has no MIG'})`);
      }
    }
    for (const c of pod?.containers ?? []) {
      const gpus = _gpuLimit([c]);
      if (strategy === 'time-sharing' && gpus > 1) {
        v.push(`container ${c.name} asks for ${gpus} nvidia.com/gpu on a time-sharing node: GKE's device plugin refuses more than 1 there`);
      }
    }
    return v;
  }

  /**
   * In KServe Knative mode the accelerator selector travels as KServe's annotation; GKE tolerates the GPU taint of
   * GPU pods itself (Autopilot, and the ExtendedResourceToleration admission plugin on Standard).
   * @internal
   */
  public _knativePlacement(placement: PodPlacement): PodPlacement {
    const nodeSelector = { ...placement.nodeSelector };
    const podAnnotations = { ...placement.podAnnotations };
    const accelerator = nodeSelector[GkePlatform.ACCELERATOR_LABEL];
    if (accelerator !== undefined) {
      podAnnotations[GkePlatform.KSERVE_ACCELERATOR_ANNOTATION] = accelerator;
      delete nodeSelector[GkePlatform.ACCELERATOR_LABEL];
    }
    const tolerations = placement.tolerations.filter(t => !(t.key === 'nvidia.com/gpu' && t.operator === 'Exists'));
    return { nodeSelector, tolerations, affinity: placement.affinity, podAnnotations };
  }

  /** @internal */
  public _kserveWebhookNodeSelector(podAnnotations: { [key: string]: string } | undefined): { [key: string]: string } {
    const accelerator = podAnnotations?.[GkePlatform.KSERVE_ACCELERATOR_ANNOTATION];
    return accelerator ? { [GkePlatform.ACCELERATOR_LABEL]: accelerator } : {};
  }

  /** @internal */
  public get _bucketScheme(): string | undefined {
    return 'gs';
  }

  /** @internal */
  public _bucketVolume(name: string, bucket: string, opts: _BucketVolumeOptions): _BucketVolume | undefined {
    return _gcsFuseVolume(name, bucket, opts);
  }

  /** @internal */
  public _httpsExposure(): _HttpsExposure | undefined {
    return _GKE_HTTPS;
  }

  /**
   * GKE Inference Gateway: the GKE Gateway controller with its regional external Application Load Balancer class (a
   * proxy-only subnet is needed). Like the upstream inferencepool chart with `provider.name=gke`, routes carry no
   * `timeouts`: the load balancer's backend timeout (a GCPBackendPolicy) governs them.
   * @internal
   */
  public _inferenceGateway(): _InferenceGatewayFacts | undefined {
    return { name: 'the GKE Gateway controller', gatewayClassName: 'gke-l7-regional-external-managed', routeTimeouts: false };
  }
}
