import { Accelerator } from '../accelerator';
import { GKE_ACCELERATOR_LABEL, GKE_SPOT_LABEL, _gkeKnativeScheduling } from './gke-autopilot';
import { CapacityType, Cloud, Platform, _GpuRequest, _Scheduling, _requireNodeLabel } from './platform';

/**
 * GKE Standard with GPU node pools: GPU nodes carry the `nvidia.com/gpu=present:NoSchedule` taint and the
 * `cloud.google.com/gke-accelerator` label; Spot node pools carry `cloud.google.com/gke-spot=true`.
 * Spot VMs get a 30 s notice of which pods get about 15 s (graceful node shutdown), hence the 15 s cap.
 */
export class GkeStandardPlatform extends Platform {
  public readonly id = 'gke-standard';
  public readonly displayName = 'GKE Standard';
  public readonly cloud = Cloud.GCP;
  public readonly supportsSpot = true;
  public readonly maxSpotGraceSeconds?: number = 15;
  public readonly supportsGcsFuse = true;
  public readonly supportsManagedCertificates = true;

  /** @internal */
  public _gpuNodeAgentScheduling() {
    return { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], affinity: _requireNodeLabel(GKE_ACCELERATOR_LABEL) };
  }

  /**
   * GKE's device plugin names GPUs by device name, not UUID (dcgm-exporter#342), and GKE installs the driver
   * libraries under /home/kubernetes/bin/nvidia (gpu-monitoring-tools#96).
   * @internal
   */
  public _dcgmExporterNeeds() {
    return {
      args: ['--kubernetes-gpu-id-type', 'device-name'],
      env: [{ name: 'LD_LIBRARY_PATH', value: '/usr/local/nvidia/lib64' }],
      hostPaths: [{ name: 'nvidia-install-dir', hostPath: '/home/kubernetes/bin/nvidia', mountPath: '/usr/local/nvidia' }],
    };
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    if (!accelerator.gkeLabel) return [];
    return Array.from({ length: accelerator.maxGpusPerGkeMachine }, (_, i) => i + 1);
  }

  /** @internal */
  public _machineFor(accelerator: Accelerator, gpus: number) {
    // The smallest known machine with at least `gpus` GPUs bounds the pod.
    return accelerator.gkeMachines.filter(m => m.gpus >= gpus).sort((a, b) => a.gpus - b.gpus)[0];
  }

  /** @internal */
  public _knativeScheduling(sched: _Scheduling): _Scheduling {
    return _gkeKnativeScheduling(sched);
  }

  /** @internal */
  public _schedule(req: _GpuRequest): _Scheduling {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations = [];
    if (req.gpus > 0 && req.accelerator?.gkeLabel) {
      nodeSelector[GKE_ACCELERATOR_LABEL] = req.accelerator.gkeLabel;
      tolerations.push({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    }
    if (req.capacity !== CapacityType.ON_DEMAND) {
      nodeSelector[GKE_SPOT_LABEL] = 'true';
      tolerations.push({ key: GKE_SPOT_LABEL, operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    }
    return { nodeSelector, tolerations, podAnnotations: {} };
  }
}
