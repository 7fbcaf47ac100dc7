import { k8s } from 'cdk8s-plus-28';
import { _Problems, _quantityMebibytes, _sizeMebibytes } from '../validation';
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
  o: { defaultGpus: number; minGpus: number; minGpuEphemeralMebibytes: number }): _Resources {
  const raw = input.gpus ?? o.defaultGpus;
  const gpusValid = Number.isInteger(raw) && raw >= o.minGpus;
  if (!gpusValid) p.error('gpus', input.gpus, `must be a whole number of GPUs, at least ${o.minGpus}`);
  const gpus = Number.isInteger(raw) && raw >= 0 ? raw : 0;
  const cpu = input.cpu ?? (gpus > 0 ? 4 * gpus : 2);
  const cpuValid = cpu > 0 && Math.round(cpu * 1000) === cpu * 1000;
  if (!cpuValid) p.error('cpu', input.cpu, 'must be a positive number of vCPUs with at most 3 decimals, e.g. 0.5 or 8');
  const memoryMib = input.memory !== undefined ? _sizeMebibytes(p, 'memory', input.memory, 64) : (gpus > 0 ? 16384 * gpus : 4096);
  const ephemeralMib = input.ephemeralStorage !== undefined
    ? _sizeMebibytes(p, 'ephemeralStorage', input.ephemeralStorage, gpus > 0 ? o.minGpuEphemeralMebibytes : 1)
    : 10240;
  let shmMib: number | undefined;
  if (input.sharedMemory ?? gpus > 0) {
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
    requests['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
    limits['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
  }
  return {
    gpus, gpusValid, cpu: cpuValid ? cpu : undefined, memoryMebibytes: memoryMib, sharedMemoryMebibytes: shmMib,
    requirements: { requests, limits },
  };
}

/** Renders vCPUs as a Kubernetes quantity. @internal */
export function _cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}
