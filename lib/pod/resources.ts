import { k8s } from 'cdk8s-plus-28';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _Problems, _quantityMebibytes, _show, _sizeMebibytes } from '../validation';
import { GpuPodProps } from '../workload/gpu-pod-props';

/** What a pod asks for: the sizing props of `GpuPodProps`. @internal */
export type _ResourceInput = Pick<GpuPodProps, 'gpus' | 'cpu' | 'memory' | 'ephemeralStorage' | 'sharedMemory' | 'sharedMemorySize'>;

/** The validated sizes of a pod and its container's requests and limits. @internal */
export interface _Resources {
  /** GPUs per pod (0 when invalid). */
  readonly gpus: number;
  /** Whether the `gpus` prop was a valid count. */
  readonly gpusValid: boolean;
  readonly cpu?: number;
  readonly memoryMebibytes?: number;
  /** Size of the memory-backed /dev/shm, when the pod gets one. */
  readonly sharedMemoryMebibytes?: number;
  readonly requirements: k8s.ResourceRequirements;
}

/**
 * Resources of a GPU pod: GPUs (request == limit), CPU requested without a limit (no throttling of data loaders),
 * memory request == limit, ephemeral storage, and the memory-backed `/dev/shm` that counts against the memory limit.
 * @internal
 */
export function _resources(p: _Problems, input: _ResourceInput,
  o: { defaultGpus: number; minGpus: number; minGpuEphemeralMebibytes: number; share?: GpuShare; gpuFraction?: number; gpuResource?: string },
): _Resources {
  const raw = input.gpus ?? o.defaultGpus;
  const gpusValid = Number.isInteger(raw) && raw >= o.minGpus;
  if (!gpusValid) p.error('gpus', input.gpus, `must be a whole number of GPUs, at least ${o.minGpus}`);
  const gpus = Number.isInteger(raw) && raw >= 0 ? raw : 0;
  // GPU sharing: the CPU and memory defaults are per GPU, so a pod holding a fraction of one gets that fraction of them.
  const perGpu = gpus * (o.gpuFraction ?? 1);
  const cpu = input.cpu ?? (gpus > 0 ? Math.max(0.001, Math.floor(4000 * perGpu) / 1000) : 2);
  const cpuValid = cpu > 0 && Math.round(cpu * 1000) === cpu * 1000;
  if (!cpuValid) p.error('cpu', input.cpu, 'must be a positive number of vCPUs with at most 3 decimals, e.g. 0.5 or 8');
  const memoryMib = input.memory !== undefined ? _sizeMebibytes(p, 'memory', input.memory, 64) : (gpus > 0 ? Math.max(64, Math.floor(16384 * perGpu)) : 4096);
  if (gpusValid && perGpu >= LARGE_DEFAULT_GPUS && (input.cpu === undefined || input.memory === undefined) && cpuValid && memoryMib !== undefined) {
    p.warn(_largeDefaultsWarning(gpus, input.cpu === undefined ? cpu : undefined, input.memory === undefined ? memoryMib : undefined));
  }
  const ephemeralMib = input.ephemeralStorage !== undefined
    ? _sizeMebibytes(p, 'ephemeralStorage', input.ephemeralStorage, gpus > 0 ? o.minGpuEphemeralMebibytes : 1)
    : 10240;
  let shmMib: number | undefined;
  // MPS clients reach the MPS server through the node's /dev/shm (GKE: the host IPC namespace; the NVIDIA device plugin
  // mounts the server's): a /dev/shm of the pod's own would hide it.
  const mps = gpus > 0 && o.share?.strategy === GpuSharingStrategy.MPS;
  if (mps && (input.sharedMemory === true || input.sharedMemorySize !== undefined)) {
    const prop = input.sharedMemory === true ? 'sharedMemory' : 'sharedMemorySize';
    p.raw(`${prop}=${_show(input[prop])} is invalid with gpuShare=${o.share!.toString()}: MPS clients reach the MPS server through the node's /dev/shm, which a /dev/shm of the pod's own would hide (allowed: sharedMemory unset or false, no sharedMemorySize)`);
  }
  if (input.sharedMemory ?? (gpus > 0 && !mps)) {
    shmMib = input.sharedMemorySize !== undefined ? _sizeMebibytes(p, 'sharedMemorySize', input.sharedMemorySize, 64) : (memoryMib ? Math.floor(memoryMib / 2) : undefined);
    if (shmMib !== undefined && memoryMib !== undefined && shmMib >= memoryMib) {
      p.error('sharedMemorySize', input.sharedMemorySize, `must be below memory (${_quantityMebibytes(memoryMib)}): /dev/shm counts against the memory limit`);
    }
  }
  const requests: { [key: string]: k8s.Quantity } = {
    'cpu': k8s.Quantity.fromString(cpuValid ? _cpuQuantity(cpu) : '1'),
    'memory': k8s.Quantity.fromString(_quantityMebibytes(memoryMib ?? 1024)),
    'ephemeral-storage': k8s.Quantity.fromString(_quantityMebibytes(ephemeralMib ?? 10240)),
  };
  const limits: { [key: string]: k8s.Quantity } = { memory: requests.memory };
  if (gpus > 0) {
    const resource = o.gpuResource ?? 'nvidia.com/gpu';
    requests[resource] = k8s.Quantity.fromNumber(gpus);
    limits[resource] = k8s.Quantity.fromNumber(gpus);
  }
  return {
    gpus, gpusValid, cpu: cpuValid ? cpu : undefined, memoryMebibytes: memoryMib, sharedMemoryMebibytes: shmMib,
    requirements: { requests, limits },
  };
}

/**
 * GPUs per pod from which the per-GPU CPU and memory defaults (4 vCPUs, 16Gi) reserve enough (16 vCPUs, 64Gi) to be
 * said: a node must have them free besides its GPUs, and most jobs need less.
 */
const LARGE_DEFAULT_GPUS = 4;

/** What a pod reserves by default when it leaves out cpu or memory (undefined: the prop was given). */
function _largeDefaultsWarning(gpus: number, cpu: number | undefined, memoryMib: number | undefined): string {
  const props = [memoryMib !== undefined ? 'memory' : undefined, cpu !== undefined ? 'cpu' : undefined].filter(x => x !== undefined);
  const perGpu = [
    memoryMib !== undefined ? `${_quantityMebibytes(Math.floor(memoryMib / gpus))} of memory` : undefined,
    cpu !== undefined ? `${_cpuQuantity(cpu / gpus)} vCPUs` : undefined,
  ].filter(x => x !== undefined);
  const total = [memoryMib !== undefined ? _quantityMebibytes(memoryMib) : undefined, cpu !== undefined ? `${_cpuQuantity(cpu)} vCPUs` : undefined]
    .filter(x => x !== undefined);
  return `gpus=${gpus} without ${props.join(' or ')}: the pod reserves the default ${perGpu.join(' and ')} per GPU (${total.join(' and ')}), `
    + `which its node must have free besides the GPUs; set ${props.join(' and ')} to what the pod needs`;
}

/** Renders vCPUs as a Kubernetes quantity. @internal */
export function _cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}
