import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';

/**
 * How the NVIDIA device plugin advertises MIG slices (GPU Operator ClusterPolicy `mig.strategy`, the plugin's
 * `--mig-strategy`).
 */
export enum MigStrategy {
  /** Every GPU of a node is cut into one profile and each slice is advertised as `nvidia.com/gpu`. */
  SINGLE = 'single',
  /** Each profile is its own resource, e.g. `nvidia.com/mig-1g.10gb`; a node may mix profiles. */
  MIXED = 'mixed',
}

/**
 * Node labels of the NVIDIA device plugin, its GPU feature discovery and the GPU Operator's MIG manager that GPU sharing
 * uses on Karpenter and plain Kubernetes (NVIDIA/k8s-device-plugin v0.20.0, gpu-operator v26.x; docs/sharing.md).
 */
export class NvidiaDevicePlugin {
  /** Node label naming the device plugin config (a key of its ConfigMap) that a node uses. */
  public static readonly CONFIG_LABEL = 'nvidia.com/device-plugin.config';
  /** Node label of GPU feature discovery: `none`, `time-slicing` or `mps`. */
  public static readonly SHARING_STRATEGY_LABEL = 'nvidia.com/gpu.sharing-strategy';
  /** Node label of GPU feature discovery: clients (replicas) per GPU of a shared node. */
  public static readonly REPLICAS_LABEL = 'nvidia.com/gpu.replicas';
  /** Node label the MIG manager reads: the MIG layout of the node's GPUs, e.g. `all-1g.10gb`. */
  public static readonly MIG_CONFIG_LABEL = 'nvidia.com/mig.config';
  /** The GPU resource of the device plugin. */
  public static readonly GPU_RESOURCE = 'nvidia.com/gpu';
  /** Most MPS clients per GPU (the plugin's MPS daemon allows 48 on compute capability 7.5 and later, every catalog GPU). */
  public static readonly MAX_MPS_CLIENTS = 48;

  private constructor() {}
}

/**
 * Node selectors that land a shared pod on nodes configured for its share: time-slicing and MPS by the device plugin
 * config the node uses (`nvidia.com/device-plugin.config`, set by the cluster owner or a shared GpuNodePool before the
 * plugin starts, so Karpenter knows it at launch), MIG (single strategy) by the MIG manager's layout label. Nothing for
 * the mixed strategy, whose resource name says the profile.
 * @internal
 */
export function _nvidiaShareSelector(share: GpuShare, migStrategy: MigStrategy | undefined): { [key: string]: string } {
  switch (share.strategy) {
    case GpuSharingStrategy.TIME_SHARING:
    case GpuSharingStrategy.MPS:
      return { [NvidiaDevicePlugin.CONFIG_LABEL]: share.configName };
    case GpuSharingStrategy.MIG:
      return migStrategy === MigStrategy.MIXED ? {} : { [NvidiaDevicePlugin.MIG_CONFIG_LABEL]: share.configName };
    default:
      return {};
  }
}

/**
 * The `nvidia.com/gpu.product` value GPU feature discovery gives a node of `product` configured for `share`: `-SHARED`
 * appended on time-sliced and MPS nodes, `-MIG-<profile>` under the single MIG strategy (GFD drops the characters a
 * label value cannot hold: `1g.10gb+me` becomes `1g.10gbme`).
 * @internal
 */
export function _nvidiaSharedProduct(product: string, share: GpuShare, migStrategy: MigStrategy | undefined): string {
  if (share.strategy === GpuSharingStrategy.TIME_SHARING || share.strategy === GpuSharingStrategy.MPS) return `${product}-SHARED`;
  if (share.strategy === GpuSharingStrategy.MIG && migStrategy !== MigStrategy.MIXED) return `${product}-MIG-${String(share.migProfile?.name).replace(/[^A-Za-z0-9-_.]/g, '')}`;
  return product;
}

/**
 * The NVIDIA device plugin's sharing rules on a rendered pod: a container on a node of one of the library's time-slicing
 * or MPS configs gets at most one shared GPU (`failRequestsGreaterThanOne`, which those configs set and MPS forces; more
 * fails the pod with `UnexpectedAdmissionError`).
 * @internal
 */
export function _nvidiaShareViolations(pod: any): string[] {
  const config = pod?.nodeSelector?.[NvidiaDevicePlugin.CONFIG_LABEL];
  const strategy = typeof config === 'string' ? /^(time-slicing|mps)-[0-9]+$/.exec(config)?.[1] : undefined;
  if (strategy === undefined) return [];
  const v: string[] = [];
  for (const c of pod?.containers ?? []) {
    const raw = c?.resources?.limits?.[NvidiaDevicePlugin.GPU_RESOURCE] ?? c?.resources?.requests?.[NvidiaDevicePlugin.GPU_RESOURCE];
    const gpus = Number(typeof raw === 'object' && raw !== null && 'value' in raw ? raw.value : raw ?? 0);
    if (gpus > 1) {
      v.push(`container ${c.name} asks for ${gpus} ${NvidiaDevicePlugin.GPU_RESOURCE} on a ${strategy} node (${NvidiaDevicePlugin.CONFIG_LABEL}=${config}): the device plugin fails a request for more than 1 shared GPU (UnexpectedAdmissionError)`);
    }
  }
  return v;
}

/** The MIG resources (`nvidia.com/mig-*`, the mixed strategy) a pod's containers ask for. @internal */
export function _migResourcesOf(pod: any): string[] {
  const names = new Set<string>();
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const key of Object.keys({ ...c?.resources?.limits, ...c?.resources?.requests })) if (key.startsWith('nvidia.com/mig-')) names.add(key);
  }
  return [...names];
}
