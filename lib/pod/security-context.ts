import { k8s } from 'cdk8s-plus-28';

/**
 * The container security context every pod of the library gets: no privilege escalation, every capability dropped
 * (then only `addCapabilities` added back), never privileged.
 * @internal
 */
export function _containerSecurityContext(addCapabilities: string[] = []): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: addCapabilities.length ? { drop: ['ALL'], add: addCapabilities } : { drop: ['ALL'] },
    privileged: false,
  };
}

/**
 * The pod security context: RuntimeDefault seccomp always; uid/gid 1000 and `runAsNonRoot` unless the image must run
 * as root.
 * @internal
 */
export function _podSecurityContext(runAsRoot: boolean): k8s.PodSecurityContext {
  return runAsRoot
    ? { seccompProfile: { type: 'RuntimeDefault' } }
    : { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
}
