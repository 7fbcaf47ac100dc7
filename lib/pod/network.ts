import { k8s } from 'cdk8s-plus-28';
import { _NetworkPod } from '../platform/network-profile';
import { _Problems } from '../validation';
import { _PodTemplate } from './pod-template';

/**
 * A pod with a network profile's parts: its annotations and labels, the main container's env (an env var the user set
 * keeps the user's value), mounts and extended resources, the profile's volumes and native sidecars. A profile volume
 * or mount path that clashes with the pod's own is an error (`prop` names the profile).
 * @internal
 */
export function _withNetwork(p: _Problems, prop: string, pod: _PodTemplate, parts: _NetworkPod): _PodTemplate {
  const c = pod.container;
  const own = new Set((c.env ?? []).map(e => e.name));
  const env = [...parts.env.filter(e => !own.has(e.name)), ...(c.env ?? [])];
  const volumes = pod.spec.volumes ?? [];
  const mounts = c.volumeMounts ?? [];
  for (const v of parts.volumes) {
    if (volumes.some(o => o.name === v.name)) p.error(`${prop} volume`, v.name, 'clashes with a volume of the pod: rename that volume');
  }
  for (const m of parts.mounts) {
    if (mounts.some(o => o.mountPath === m.mountPath)) p.error(`${prop} mount path`, m.mountPath, 'is also a mount path of the pod: mount that volume elsewhere');
  }
  const requests: { [key: string]: k8s.Quantity } = { ...(c.resources?.requests ?? {}) };
  const limits: { [key: string]: k8s.Quantity } = { ...(c.resources?.limits ?? {}) };
  for (const [name, count] of Object.entries(parts.resources)) {
    requests[name] = k8s.Quantity.fromNumber(count);
    limits[name] = k8s.Quantity.fromNumber(count);
  }
  const container: k8s.Container = {
    ...c,
    env: env.length ? env : undefined,
    volumeMounts: mounts.length + parts.mounts.length ? [...mounts, ...parts.mounts] : undefined,
    resources: { ...c.resources, requests, limits },
  };
  const initContainers = [...(pod.spec.initContainers ?? []), ...parts.sidecars];
  const spec: k8s.PodSpec = {
    ...pod.spec,
    initContainers: initContainers.length ? initContainers : undefined,
    containers: pod.spec.containers.map(x => (x === c ? container : x)),
    volumes: volumes.length + parts.volumes.length ? [...volumes, ...parts.volumes] : undefined,
  };
  return {
    ...pod,
    container,
    spec,
    podAnnotations: { ...pod.podAnnotations, ...parts.podAnnotations },
    podLabels: { ...pod.podLabels, ...parts.podLabels },
  };
}
