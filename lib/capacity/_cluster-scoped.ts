import { Lazy } from 'cdk8s';
import { Platform } from '../platform/platform';

/**
 * The `metadata.namespace` of a cluster-scoped object (NodePool, EC2NodeClass, PriorityClass): cdk8s gives every
 * ApiObject its chart's namespace unless one is set, so this sets a value that renders as nothing.
 * @internal
 */
export function _noNamespace(): string {
  return Lazy.any({ produce: () => undefined }) as unknown as string;
}

/** Renders whole seconds the way Karpenter's duration fields want them (`720h`, `5m`, `1h30m`, `90s` -> `1m30s`). @internal */
export function _karpenterDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out || '0s';
}

/** The cluster a construct's objects belong to (for app-wide name conflicts). @internal */
export function _clusterOf(platform: Platform | undefined): string {
  return platform instanceof Platform ? platform.cluster : 'default';
}
