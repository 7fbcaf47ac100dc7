import { Accelerator } from '../accelerator';
import { CapacityType, Cloud, Platform, _GpuRequest, _Scheduling, _gpuLimit } from './platform';

/** GKE node label that selects the GPU model. */
export const GKE_ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';
/** GKE node label that selects Spot VMs. */
export const GKE_SPOT_LABEL = 'cloud.google.com/gke-spot';
/**
 * KServe pod annotation that its pod webhook turns into the `cloud.google.com/gke-accelerator` node selector of a GPU
 * pod (pkg/webhook/admission/pod/accelerator_injector.go); it reaches pods that Knative creates, where a node selector
 * in the InferenceService would be rejected.
 */
export const KSERVE_GKE_ACCELERATOR_ANNOTATION = 'serving.kserve.io/gke-accelerator';

/**
 * GKE in KServe Knative mode: the accelerator selector travels as KServe's annotation; GKE tolerates the GPU taint of
 * GPU pods itself (Autopilot, and the ExtendedResourceToleration admission plugin on Standard).
 * @internal
 */
export function _gkeKnativeScheduling(sched: _Scheduling): _Scheduling {
  const nodeSelector = { ...sched.nodeSelector };
  const podAnnotations = { ...sched.podAnnotations };
  const accelerator = nodeSelector[GKE_ACCELERATOR_LABEL];
  if (accelerator !== undefined) {
    podAnnotations[KSERVE_GKE_ACCELERATOR_ANNOTATION] = accelerator;
    delete nodeSelector[GKE_ACCELERATOR_LABEL];
  }
  const tolerations = sched.tolerations.filter(t => !(t.key === 'nvidia.com/gpu' && t.operator === 'Exists'));
  return { nodeSelector, tolerations, affinity: sched.affinity, podAnnotations };
}

/**
 * Capabilities Autopilot lets a container add (the container runtime's defaults plus SYS_PTRACE).
 * Anything else, and `privileged`, is rejected by GKE Warden.
 */
const AUTOPILOT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT', 'SYS_PTRACE']);

/**
 * GKE Autopilot: GPU pods select `cloud.google.com/gke-accelerator` and request a count Autopilot accepts; GKE adds
 * the GPU tolerations itself and manages drivers and DCGM; Warden rejects privileged pods, host namespaces, hostPath,
 * extra capabilities, node-pool selectors, GPU init containers and GPU tolerations on pods without GPUs.
 * Source: GKE "Deploy GPU workloads in Autopilot" and "Autopilot Spot Pods" (see README).
 */
export class GkeAutopilotPlatform extends Platform {
  public readonly id = 'gke-autopilot';
  public readonly displayName = 'GKE Autopilot';
  public readonly cloud = Cloud.GCP;
  public readonly supportsSpot = true;
  public readonly maxSpotGraceSeconds?: number = 25;
  public readonly supportsGcsFuse = true;
  public readonly supportsManagedCertificates = true;
  public readonly allowsNodeAgents = false;
  /** Autopilot rejects GPU pods asking for less than 512 MiB of ephemeral storage (agones#3411). */
  public readonly minGpuEphemeralStorageMebibytes = 512;
  public readonly managesDcgm = true;

  /**
   * GKE's managed DCGM exporter is scraped by a ClusterPodMonitoring that does not honor the exporter's labels, so
   * the workload's namespace/pod/container arrive as `exported_*` (the target's own are GKE's exporter pod).
   * @internal
   */
  public _workloadMetricLabels() {
    return { namespace: 'exported_namespace', pod: 'exported_pod', container: 'exported_container' };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    return accelerator.gkeLabel ? [...accelerator.autopilotCounts] : [];
  }

  /** @internal */
  public _machineFor(accelerator: Accelerator, gpus: number) {
    return accelerator.gkeMachineFor(gpus);
  }

  /** @internal */
  public _knativeScheduling(sched: _Scheduling): _Scheduling {
    return _gkeKnativeScheduling(sched);
  }

  /** @internal */
  public _schedule(req: _GpuRequest): _Scheduling {
    const nodeSelector: { [key: string]: string } = {};
    if (req.gpus > 0 && req.accelerator?.gkeLabel) nodeSelector[GKE_ACCELERATOR_LABEL] = req.accelerator.gkeLabel;
    if (req.capacity !== CapacityType.ON_DEMAND) nodeSelector[GKE_SPOT_LABEL] = 'true';
    // Autopilot adds GPU and Spot tolerations itself; adding our own is at best redundant.
    return { nodeSelector, tolerations: [], podAnnotations: {} };
  }

  public admissionViolations(pod: any, _podAnnotations?: { [key: string]: string }): string[] {
    const v: string[] = [];
    if (!pod || typeof pod !== 'object') return ['not a pod spec'];
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (pod[ns] === true) v.push(`${ns}: true is rejected by Autopilot`);
    }
    for (const vol of pod.volumes ?? []) {
      if (vol.hostPath) v.push(`volume ${vol.name} uses hostPath, which Autopilot rejects`);
    }
    const containers = [...(pod.containers ?? []), ...(pod.initContainers ?? [])];
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      if (sc.privileged === true) v.push(`container ${c.name} is privileged, which Autopilot rejects`);
      for (const cap of sc.capabilities?.add ?? []) {
        if (!AUTOPILOT_CAPABILITIES.has(String(cap).replace(/^CAP_/, ''))) v.push(`container ${c.name} adds capability ${cap}, which Autopilot rejects`);
      }
    }
    const selector = pod.nodeSelector ?? {};
    const affinityKeys: string[] = [];
    for (const term of pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
      for (const e of term.matchExpressions ?? []) affinityKeys.push(e.key);
    }
    if ('cloud.google.com/gke-nodepool' in selector || affinityKeys.includes('cloud.google.com/gke-nodepool')) {
      v.push('selecting cloud.google.com/gke-nodepool is rejected by Autopilot');
    }
    if (_gpuLimit(pod.initContainers) > 0) v.push('GPU init containers are rejected by Autopilot');
    const gpus = _gpuLimit(pod.containers);
    if (gpus > 0) {
      const label = selector[GKE_ACCELERATOR_LABEL];
      if (!label && !selector['cloud.google.com/compute-class']) {
        v.push(`a GPU pod must select ${GKE_ACCELERATOR_LABEL} (or a compute class)`);
      } else if (label) {
        const acc = Accelerator.all().find(a => a.gkeLabel === label);
        if (!acc) v.push(`${GKE_ACCELERATOR_LABEL}=${label} is not an accelerator Autopilot offers`);
        else if (!acc.autopilotCounts.includes(gpus)) v.push(`${gpus} x ${label} per pod is rejected by Autopilot (allowed: ${acc.autopilotCounts.join(', ')})`);
      }
    } else {
      for (const t of pod.tolerations ?? []) {
        if (t.key === 'nvidia.com/gpu') v.push('a toleration for nvidia.com/gpu on a pod without GPUs is rejected by Autopilot');
      }
      if (selector[GKE_ACCELERATOR_LABEL]) v.push(`a pod without GPUs must not select ${GKE_ACCELERATOR_LABEL}`);
    }
    if (selector[GKE_SPOT_LABEL] === 'true' && (pod.terminationGracePeriodSeconds ?? 30) > 25) {
      v.push(`terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds ?? 30} exceeds the 25 s Autopilot gives Spot pods`);
    }
    return v;
  }
}
