import { Accelerator, MachineShape } from '../accelerator';
import { GkePlatform } from './gke';
import {
  CapacityType, DcgmExporterNeeds, GkeStandardOptions, GpuRequest, NodeAgentPlacement, Platform, PodPlacement,
  _requireNodeLabel,
} from './platform';

/**
 * GKE Standard with GPU node pools: GPU nodes carry the `nvidia.com/gpu=present:NoSchedule` taint and the
 * `cloud.google.com/gke-accelerator` label; Spot node pools carry `cloud.google.com/gke-spot=true`.
 * Spot VMs get a 30 s notice of which pods get about 15 s (graceful node shutdown), hence the 15 s cap.
 */
export class GkeStandardPlatform extends GkePlatform {
  public constructor(options: GkeStandardOptions = {}) {
    super({ id: 'gke-standard', displayName: 'GKE Standard', maxSpotGraceSeconds: 15 }, options);
  }

  public nodeAgentPlacement(): NodeAgentPlacement {
    return { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], affinity: _requireNodeLabel(GkePlatform.ACCELERATOR_LABEL) };
  }

  /**
   * GKE's device plugin names GPUs by device name, not UUID (dcgm-exporter#342), and GKE installs the driver
   * libraries under /home/kubernetes/bin/nvidia (gpu-monitoring-tools#96).
   */
  public dcgmExporterNeeds(): DcgmExporterNeeds {
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

  public machineFor(accelerator: Accelerator, gpus: number): MachineShape | undefined {
    // The smallest known machine with at least `gpus` GPUs bounds the pod.
    return accelerator.gkeMachines.filter(m => m.gpus >= gpus).sort((a, b) => a.gpus - b.gpus)[0];
  }

  public schedule(req: GpuRequest): PodPlacement {
    const nodeSelector: { [key: string]: string } = {};
    const tolerations = [];
    if (req.gpus > 0 && req.accelerator?.gkeLabel) {
      nodeSelector[GkePlatform.ACCELERATOR_LABEL] = req.accelerator.gkeLabel;
      tolerations.push({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    }
    if (req.capacityType !== CapacityType.ON_DEMAND) {
      nodeSelector[GkePlatform.SPOT_LABEL] = 'true';
      tolerations.push({ key: GkePlatform.SPOT_LABEL, operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    }
    return { nodeSelector, tolerations, podAnnotations: {} };
  }
}

Platform._register('gke-standard', (options: GkeStandardOptions) => new GkeStandardPlatform(options));
