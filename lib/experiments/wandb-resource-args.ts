/**
 * What W&B Launch agents since wandb 0.28.1 refuse in a Kubernetes queue's resource args (the port of
 * `validate_kubernetes_resource_args` in wandb/sdk/launch/utils.py, v0.28.2): a job whose queue config holds any of
 * these fails before it is created. Returns one message per refused field, with its path.
 * @internal
 */
export function _wandbRefusals(args: any): string[] {
  const out: string[] = [];
  const walk = (node: any, at: string) => {
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${at}[${i}]`)); return; }
    if (!node || typeof node !== 'object') return;
    for (const [key, why] of Object.entries(PRESENT)) if (key in node) out.push(`${at}.${key}: ${why}`);
    for (const key of HOST_NAMESPACES) if (truthy(node[key])) out.push(`${at}.${key}: host namespace sharing is not permitted`);
    for (const key of ['serviceAccountName', 'serviceAccount']) if (present(node[key])) out.push(`${at}.${key}: overriding the pod service account is not permitted`);
    if (truthy(node.automountServiceAccountToken)) out.push(`${at}.automountServiceAccountToken: mounting service account tokens is not permitted`);
    if (truthy(node.hostPort)) out.push(`${at}.hostPort: binding host ports is not permitted`);
    if (String(node.mountPropagation ?? '').trim() === 'Bidirectional') out.push(`${at}.mountPropagation: bidirectional mount propagation is not permitted`);
    if (node.annotations && typeof node.annotations === 'object' && !Array.isArray(node.annotations)) {
      for (const [k, v] of Object.entries(node.annotations)) {
        const key = k.toLowerCase();
        if ((key.includes('apparmor') || key.includes('seccomp')) && String(v).toLowerCase().includes('unconfined')) {
          out.push(`${at}.annotations.${k}: unconfined apparmor/seccomp profiles are not permitted`);
        }
      }
    }
    for (const [k, v] of Object.entries(node)) walk(v, `${at}.${k}`);
  };
  walk(args, '');
  return out.map(m => m.replace(/^\./, ''));
}

/** Keys refused wherever they appear, whatever their value. */
const PRESENT: { [key: string]: string } = {
  securityContext: 'the agent manages the pod/container security context and it cannot be overridden',
  hostPath: 'hostPath volumes are not permitted',
  serviceAccountToken: 'projected service account tokens are not permitted',
};
const HOST_NAMESPACES = ['hostPID', 'hostIPC', 'hostNetwork', 'shareProcessNamespace', 'hostUsers'];

function truthy(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['1', 'true', 'yes'].includes(v.trim().toLowerCase());
  return false;
}

function present(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(present);
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  return true;
}

/**
 * The container security context a wandb >= 0.28.1 agent forces on every container of a job
 * (`K8S_RESTRICTED_SECURITY_CONTEXT`).
 * @internal
 */
export function _wandbInjectedSecurityContext(): any {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
}
