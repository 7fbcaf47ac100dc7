import { Accelerator, AutopilotMaximum, MachineShape } from '../accelerator';
import { GpuSharingStrategy } from '../sharing/gpu-share';
import { GkePlatform } from './gke';
import { _show } from '../validation';
import { GkeAutopilotOptions, GpuRequest, Platform, PodPlacement, _gi, _gpuLimit } from './platform';
import { PrometheusFlavor } from './prometheus-flavor';

/**
 * Capabilities Autopilot lets a container add by default: the container runtime's defaults plus SYS_PTRACE, without
 * NET_RAW ("you can't, by default, run a Pod that enables privileged mode or adds the NET_RAW Linux capability", GKE
 * "Run privileged open source workloads on Autopilot"; older Warden messages listed NET_RAW). Anything else, and
 * `privileged`, is rejected by GKE Warden unless an allowlist admits the workload.
 */
const AUTOPILOT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT', 'SYS_PTRACE']);

/** The most GPUs one GKE machine carries (a2-megagpu-16g): the counts an unchecked accelerator may ask for. */
const MAX_GPUS_PER_MACHINE = 16;

/** Autopilot caps the termination grace of Spot Pods at preemption (GKE "Autopilot Spot Pods"). */
const SPOT_GRACE_SECONDS = 25;
/**
 * GKE Autopilot: GPU pods select `cloud.google.com/gke-accelerator` and request a count Autopilot accepts; GKE adds
 * the GPU tolerations itself and manages drivers and DCGM; Warden rejects privileged pods, host namespaces, hostPath,
 * capabilities beyond its defaults (NET_RAW included), node-pool selectors, GPU init containers and GPU tolerations on
 * pods without GPUs, and CPU or memory above its maximum for the GPU configuration. Spot Pods get at most 25 s of
 * grace at preemption. Sources and dates: docs/platform-facts.md.
 */
export class GkeAutopilotPlatform extends GkePlatform {
  public constructor(options: GkeAutopilotOptions = {}) {
    super({
      id: 'gke-autopilot',
      displayName: 'GKE Autopilot',
      maxSpotGraceSeconds: SPOT_GRACE_SECONDS,
      allowsNodeAgents: false,
      // Autopilot rejects GPU pods asking for less than 512 MiB of ephemeral storage (agones#3411).
      minGpuEphemeralStorageMebibytes: 512,
      managesDcgm: true,
      defaultPrometheus: PrometheusFlavor.GKE_MANAGED,
    }, options);
  }

  /**
   * The counts Autopilot accepts for the model; for an accelerator with a GKE label but no stated counts (P4, P100,
   * V100, which GKE's Autopilot page does not list, or a custom one), the counts its GCE machines carry, else any count a
   * GKE machine carries, with a warning.
   */
  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (!accelerator.gkeLabel) return [];
    if (accelerator.autopilotCounts.length) return [...accelerator.autopilotCounts];
    const shapes = Array.isArray(accelerator.gkeMachines) ? accelerator.gkeMachines : [];
    const machines = [...new Set(shapes.map(m => m?.gpus).filter(g => Number.isInteger(g) && g > 0))].sort((a, b) => a - b);
    if (machines.length) return machines;
    return Array.from({ length: MAX_GPUS_PER_MACHINE }, (_, i) => i + 1);
  }

  /**
   * Time-sharing (GKE 1.29.3-gke.1093000 or later) and MIG partitions, but not MPS: GKE documents MPS for Standard
   * clusters only, and Autopilot rejects the `hostIPC` its clients need.
   */
  public sharingStrategies(accelerator?: Accelerator): GpuSharingStrategy[] {
    return super.sharingStrategies(accelerator).filter(s => s !== GpuSharingStrategy.MPS);
  }

  /** The machine Autopilot runs exactly `gpus` x `accelerator` on. */
  public machineFor(accelerator: Accelerator, gpus: number): MachineShape | undefined {
    return accelerator.gkeMachineFor(gpus);
  }

  /**
   * What Autopilot's rules for the request the library cannot check: the counts of an accelerator without stated
   * counts, and CPU or memory above an estimated (unconfirmed) maximum.
   */
  public requestWarnings(req: GpuRequest): string[] {
    const acc = req.accelerator;
    if (req.gpus === 0 || !acc?.gkeLabel) return [];
    if (!acc.autopilotCounts.length) {
      return [`accelerator=${JSON.stringify(acc.name)} has no Autopilot GPU counts in the library's catalog: it cannot check which counts, CPU and memory GKE Autopilot accepts for ${acc.gkeLabel} (Autopilot's admission decides when the pod is applied)`];
    }
    if (acc.autopilotMaximumFor(req.gpus)) return [];
    const estimate = _estimatedMaximum(acc, req.gpus);
    if (!estimate) return [];
    const basis = `not confirmed; estimated as ${estimate.machineType}'s ${estimate.machine.vcpu} vCPU / ${estimate.machine.memoryGiB}Gi scaled like the one confirmed figure (${estimate.reference})`;
    const out: string[] = [];
    if (req.cpu !== undefined && req.cpu > estimate.vcpu) {
      out.push(`cpu=${req.cpu} may be rejected by GKE Autopilot: its maximum for ${req.gpus} x ${acc.gkeLabel} is about ${estimate.vcpu} vCPU (${basis})`);
    }
    if (req.memoryMebibytes !== undefined && req.memoryMebibytes > estimate.memoryGiB * 1024) {
      out.push(`memory=${_gi(req.memoryMebibytes)} may be rejected by GKE Autopilot: its maximum for ${req.gpus} x ${acc.gkeLabel} is about ${estimate.memoryGiB}Gi (${basis})`);
    }
    return out;
  }

  /** A confirmed Autopilot maximum is an error above it; without one, the machine bounds the pod. @internal */
  public _resourceBound(req: GpuRequest, acc: Accelerator): string[] {
    const max = acc.autopilotMaximumFor(req.gpus);
    if (!max) return super._resourceBound(req, acc);
    const v: string[] = [];
    const what = `${req.gpus} x ${acc.gkeLabel ?? acc.name}`;
    if (req.cpu !== undefined && req.cpu > max.vcpu) {
      v.push(`cpu=${req.cpu} is invalid: GKE Autopilot accepts at most ${max.vcpu} vCPU for a pod with ${what} (allowed: at most ${max.vcpu} for the whole pod)`);
    }
    if (req.memoryMebibytes !== undefined && req.memoryMebibytes > max.memoryGiB * 1024) {
      v.push(`memory=${_gi(req.memoryMebibytes)} is invalid: GKE Autopilot accepts at most ${max.memoryGiB}Gi for a pod with ${what} (allowed: at most ${max.memoryGiB}Gi for the whole pod)`);
    }
    return v;
  }

  /** @internal */
  public _spotGraceAdvice(): string {
    return `: Autopilot accepts the pod but cuts its grace to ${SPOT_GRACE_SECONDS}s at preemption`;
  }

  /**
   * Refused: Autopilot picks the machine for the pod's GPUs itself, and GKE Warden rejects node selectors outside its
   * allowlist, `node.kubernetes.io/instance-type` among them (autogke-node-affinity-selector-limitation, quoted in
   * GoogleCloudPlatform/ai-on-gke#983).
   */
  public instanceTypeProblems(req: GpuRequest): string[] {
    return [`instanceTypes=${_show(req.instanceTypes)} is invalid: GKE Autopilot picks the machine for a pod itself and rejects a node selector on ${Platform.INSTANCE_TYPE_LABEL} (GKE Warden allows only compute-class, machine-family, gke-spot, placement-group, zone and region keys); name machine types in a custom ComputeClass and select that instead, or use GKE Standard`];
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector = this._gkeSelector(req);
    // GPU sharing: Autopilot makes nodes for the sharing or partition selectors a pod asks for (a compute class names
    // its own machines).
    if (req.gpus > 0 && req.computeClass === undefined) Object.assign(nodeSelector, this._shareSelector(req.share));
    // Autopilot adds GPU, Spot and compute-class tolerations itself; adding our own is at best redundant.
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
    // Not in Warden's allowlist of node selector keys (ai-on-gke#983), issue 18.
    if (Platform.INSTANCE_TYPE_LABEL in selector || affinityKeys.includes(Platform.INSTANCE_TYPE_LABEL)) {
      v.push(`selecting ${Platform.INSTANCE_TYPE_LABEL} is rejected by Autopilot`);
    }
    if (_gpuLimit(pod.initContainers) > 0) v.push('GPU init containers are rejected by Autopilot');
    const gpus = _gpuLimit(pod.containers);
    if (gpus > 0) {
      const label = selector[GkePlatform.ACCELERATOR_LABEL];
      if (!label && !selector[GkePlatform.COMPUTE_CLASS_LABEL]) {
        v.push(`a GPU pod must select ${GkePlatform.ACCELERATOR_LABEL} (or a compute class)`);
      } else if (label) {
        // The catalog and custom accelerators with the label: any count one of them allows (Autopilot's stated counts,
        // else the counts its machines carry; a custom one without either is the user's word, any count).
        const known = Accelerator._known().filter(a => a.gkeLabel === label);
        const counts = [...new Set(known.flatMap(a => this.allowedGpuCounts(a)))].sort((a, b) => a - b);
        if (!known.length) {
          v.push(`${GkePlatform.ACCELERATOR_LABEL}=${label} is not an accelerator the library knows on Autopilot (known: ${[...new Set(Accelerator._known().map(a => a.gkeLabel).filter(l => l))].join(', ')}; declare another with Accelerator.custom({ name, gkeLabel }))`);
        } else if (!counts.includes(gpus)) {
          v.push(`${gpus} x ${label} per pod is rejected by Autopilot (allowed: ${counts.join(', ')})`);
        }
      }
    } else {
      for (const t of pod.tolerations ?? []) {
        if (t.key === 'nvidia.com/gpu') v.push('a toleration for nvidia.com/gpu on a pod without GPUs is rejected by Autopilot');
      }
      if (selector[GkePlatform.ACCELERATOR_LABEL]) v.push(`a pod without GPUs must not select ${GkePlatform.ACCELERATOR_LABEL}`);
    }
    v.push(...this._shareViolations(pod));
    if (selector[GkePlatform.SPOT_LABEL] === 'true' && (pod.terminationGracePeriodSeconds ?? 30) > SPOT_GRACE_SECONDS) {
      v.push(`terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds ?? 30} on a Spot pod: Autopilot cuts it to ${SPOT_GRACE_SECONDS} s at preemption, so the pod would not get the grace it asks for`);
    }
    return v;
  }
}

/**
 * Autopilot's maximum for a count without a confirmed figure, estimated from the machine: its vCPU and memory scaled by
 * the one confirmed ratio (11 of a2-highgpu-1g's 12 vCPU, 74 of its 85 GiB), rounded down. Unconfirmed: a warning only.
 */
type _Estimate = AutopilotMaximum & { machineType: string; machine: MachineShape; reference: string };

function _estimatedMaximum(acc: Accelerator, gpus: number): _Estimate | undefined {
  const machine = acc.gkeMachineFor(gpus);
  const confirmed = Accelerator.A100_40GB.autopilotMaximumFor(1);
  const reference = Accelerator.A100_40GB.gkeMachineFor(1);
  if (!machine || !confirmed || !reference) return undefined;
  return {
    gpus,
    vcpu: Math.floor(machine.vcpu * confirmed.vcpu / reference.vcpu),
    memoryGiB: Math.floor(machine.memoryGiB * confirmed.memoryGiB / reference.memoryGiB),
    source: 'estimate',
    machineType: machine.machineType,
    machine,
    reference: `${confirmed.vcpu} of ${reference.vcpu} vCPU, ${confirmed.memoryGiB} of ${reference.memoryGiB} GiB for 1 x ${Accelerator.A100_40GB.gkeLabel}`,
  };
}

Platform._register('gke-autopilot', (options: GkeAutopilotOptions) => new GkeAutopilotPlatform(options));
