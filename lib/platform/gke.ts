import { Accelerator } from '../accelerator';
import { _gcsFuseVolume } from './gcs-fuse';
import { _GKE_HTTPS } from './gke-https';
import {
  CapacityType, Cloud, GpuRequest, Platform, PlatformFacts, PlatformOptions, PodPlacement, _BucketVolume, _BucketVolumeOptions, _HttpsExposure,
  _InferenceGatewayFacts, _acceleratorLabelProblems, _isSpot,
} from './platform';

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

  /** The base checks, and the GKE label of a custom accelerator is a label value. */
  public validateRequest(req: GpuRequest): string[] {
    const acc = req.accelerator;
    const labels = req.gpus > 0 && acc instanceof Accelerator ? _acceleratorLabelProblems(acc, [['gkeLabel', acc.gkeLabel]]) : [];
    return [...labels, ...super.validateRequest(req)];
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
