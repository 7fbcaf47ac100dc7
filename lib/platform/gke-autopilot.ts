import { Accelerator, MachineShape } from '../accelerator';
import { GkePlatform } from './gke';
import { CapacityType, GkeAutopilotOptions, GpuRequest, Platform, PodPlacement, _gpuLimit } from './platform';
import { PrometheusFlavor } from './prometheus-flavor';

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
 * Source: GKE "Deploy GPU workloads in Autopilot" and "Autopilot Spot Pods" (see docs/platform-facts.md).
 */
export class GkeAutopilotPlatform extends GkePlatform {
  public constructor(options: GkeAutopilotOptions = {}) {
    super({
      id: 'gke-autopilot',
      displayName: 'GKE Autopilot',
      maxSpotGraceSeconds: 25,
      allowsNodeAgents: false,
      // Autopilot rejects GPU pods asking for less than 512 MiB of ephemeral storage (agones#3411).
      minGpuEphemeralStorageMebibytes: 512,
      managesDcgm: true,
      defaultPrometheus: PrometheusFlavor.GKE_MANAGED,
    }, options);
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    return accelerator.gkeLabel ? [...accelerator.autopilotCounts] : [];
  }

  public machineFor(accelerator: Accelerator, gpus: number): MachineShape | undefined {
    return accelerator.gkeMachineFor(gpus);
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector: { [key: string]: string } = {};
    if (req.gpus > 0 && req.accelerator?.gkeLabel) nodeSelector[GkePlatform.ACCELERATOR_LABEL] = req.accelerator.gkeLabel;
    if (req.capacityType !== CapacityType.ON_DEMAND) nodeSelector[GkePlatform.SPOT_LABEL] = 'true';
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
    if (GkePlatform.NODE_POOL_LABEL in selector || affinityKeys.includes(GkePlatform.NODE_POOL_LABEL)) {
      v.push(`selecting ${GkePlatform.NODE_POOL_LABEL} is rejected by Autopilot`);
    }
    if (_gpuLimit(pod.initContainers) > 0) v.push('GPU init containers are rejected by Autopilot');
    const gpus = _gpuLimit(pod.containers);
    if (gpus > 0) {
      const label = selector[GkePlatform.ACCELERATOR_LABEL];
      if (!label && !selector[GkePlatform.COMPUTE_CLASS_LABEL]) {
        v.push(`a GPU pod must select ${GkePlatform.ACCELERATOR_LABEL} (or a compute class)`);
      } else if (label) {
        const acc = Accelerator.all().find(a => a.gkeLabel === label);
        if (!acc) v.push(`${GkePlatform.ACCELERATOR_LABEL}=${label} is not an accelerator Autopilot offers`);
        else if (!acc.autopilotCounts.includes(gpus)) v.push(`${gpus} x ${label} per pod is rejected by Autopilot (allowed: ${acc.autopilotCounts.join(', ')})`);
      }
    } else {
      for (const t of pod.tolerations ?? []) {
        if (t.key === 'nvidia.com/gpu') v.push('a toleration for nvidia.com/gpu on a pod without GPUs is rejected by Autopilot');
      }
      if (selector[GkePlatform.ACCELERATOR_LABEL]) v.push(`a pod without GPUs must not select ${GkePlatform.ACCELERATOR_LABEL}`);
    }
    if (selector[GkePlatform.SPOT_LABEL] === 'true' && (pod.terminationGracePeriodSeconds ?? 30) > 25) {
      v.push(`terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds ?? 30} exceeds the 25 s Autopilot gives Spot pods`);
    }
    return v;
  }
}

Platform._register('gke-autopilot', (options: GkeAutopilotOptions) => new GkeAutopilotPlatform(options));
