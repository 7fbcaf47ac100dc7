/**
 * The Pod Security Standards "restricted" profile (Kubernetes v1.28+ policy, as the PodSecurity admission controller
 * enforces it: https://kubernetes.io/docs/concepts/security/pod-security-standards/), checked on a pod spec (find the
 * pods with `podsOf` in ./pods).
 *
 * Restricted = every Baseline control + the Restricted controls. Each violation names its control.
 */

/** Volume types the restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
/** Safe sysctls (baseline): the v1.0 set, ip_local_reserved_ports (policy v1.27), the TCP keepalive/fin ones (v1.29), tcp_rmem/wmem (v1.32). */
export const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
/** SELinux types the baseline allows (container_engine_t since policy v1.31). */
export const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
/** The only capability the restricted profile lets a container add. */
export const RESTRICTED_ADD_CAPS = ['NET_BIND_SERVICE'];

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Every Restricted violation of one pod spec (empty: the pod passes). `annotations` are the pod template's. */
export function restrictedViolations(pod: any, annotations: { [key: string]: string } = {}): string[] {
  const v: string[] = [];
  if (!pod || typeof pod !== 'object') return ['not a pod spec'];
  const psc = pod.securityContext ?? {};
  const containers: { kind: string; c: any }[] = [
    ...(pod.containers ?? []).map((c: any) => ({ kind: 'container', c })),
    ...(pod.initContainers ?? []).map((c: any) => ({ kind: 'initContainer', c })),
    ...(pod.ephemeralContainers ?? []).map((c: any) => ({ kind: 'ephemeralContainer', c })),
  ];
  const name = (x: { kind: string; c: any }) => `${x.kind} ${x.c?.name}`;

  // --- Baseline ---
  if (psc.windowsOptions?.hostProcess === true) v.push('HostProcess: pod securityContext.windowsOptions.hostProcess is true');
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[ns] === true) v.push(`Host Namespaces: ${ns} is true`);
  for (const vol of pod.volumes ?? []) {
    if (vol.hostPath) v.push(`HostPath Volumes: volume ${vol.name} is a hostPath (${vol.hostPath.path})`);
  }
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.includes(s.name)) v.push(`Sysctls: ${s.name} is not a safe sysctl`);
  const seLinux = (where: string, o: any) => {
    if (!o) return;
    if (!SELINUX_TYPES.includes(o.type ?? '')) v.push(`SELinux: ${where} seLinuxOptions.type ${o.type} is not allowed`);
    if (o.user) v.push(`SELinux: ${where} sets seLinuxOptions.user`);
    if (o.role) v.push(`SELinux: ${where} sets seLinuxOptions.role`);
  };
  seLinux('pod', psc.seLinuxOptions);
  const appArmor = (where: string, p: any) => {
    if (p && p.type !== undefined && !['RuntimeDefault', 'Localhost'].includes(p.type)) v.push(`AppArmor: ${where} appArmorProfile.type ${p.type}`);
  };
  appArmor('pod', psc.appArmorProfile);
  for (const [k, val] of Object.entries(annotations ?? {})) {
    if (k.startsWith(APPARMOR_ANNOTATION) && val !== 'runtime/default' && !String(val).startsWith('localhost/')) v.push(`AppArmor: annotation ${k}=${val}`);
  }
  // Baseline seccomp (Unconfined forbidden) is covered by the stricter restricted rule below.

  for (const x of containers) {
    const sc = x.c?.securityContext ?? {};
    if (sc.windowsOptions?.hostProcess === true) v.push(`HostProcess: ${name(x)} windowsOptions.hostProcess is true`);
    if (sc.privileged === true) v.push(`Privileged Containers: ${name(x)} is privileged`);
    for (const p of x.c?.ports ?? []) if (p.hostPort !== undefined && p.hostPort !== 0) v.push(`Host Ports: ${name(x)} uses hostPort ${p.hostPort}`);
    seLinux(name(x), sc.seLinuxOptions);
    appArmor(name(x), sc.appArmorProfile);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') v.push(`/proc Mount Type: ${name(x)} procMount ${sc.procMount}`);
  }

  // --- Restricted ---
  for (const vol of pod.volumes ?? []) {
    const types = Object.keys(vol).filter(k => k !== 'name');
    for (const t of types) if (t !== 'hostPath' /* reported above */ && !RESTRICTED_VOLUME_TYPES.includes(t)) v.push(`Volume Types: volume ${vol.name} is ${t}`);
  }
  if (psc.runAsNonRoot === false) v.push('Running as Non-root: pod runAsNonRoot is false');
  if (psc.runAsUser === 0) v.push('Running as Non-root user: pod runAsUser is 0');
  const podSeccomp = psc.seccompProfile?.type;
  if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) v.push(`Seccomp: pod seccompProfile.type ${podSeccomp}`);
  for (const x of containers) {
    const sc = x.c?.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) v.push(`Privilege Escalation: ${name(x)} allowPrivilegeEscalation is ${sc.allowPrivilegeEscalation ?? 'unset'}, must be false`);
    if (sc.runAsNonRoot === false) v.push(`Running as Non-root: ${name(x)} runAsNonRoot is false`);
    else if (sc.runAsNonRoot !== true && psc.runAsNonRoot !== true) v.push(`Running as Non-root: neither the pod nor ${name(x)} sets runAsNonRoot: true`);
    if (sc.runAsUser === 0) v.push(`Running as Non-root user: ${name(x)} runAsUser is 0`);
    const t = sc.seccompProfile?.type;
    if (t !== undefined && !['RuntimeDefault', 'Localhost'].includes(t)) v.push(`Seccomp: ${name(x)} seccompProfile.type ${t}`);
    else if (t === undefined && podSeccomp === undefined) v.push(`Seccomp: neither the pod nor ${name(x)} sets seccompProfile RuntimeDefault or Localhost`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) v.push(`Capabilities: ${name(x)} does not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (!RESTRICTED_ADD_CAPS.includes(String(cap).replace(/^CAP_/, ''))) v.push(`Capabilities: ${name(x)} adds ${cap}`);
    }
  }
  return v;
}

