/**
 * Pod Security Standards "restricted" (GitHub issue 8, part 2): every pod the example app writes to dist/ passes the
 * restricted profile, except pods that carry the `gpu-ml.cdk8s.io/pss-exception` label, and the only such exceptions
 * are the DCGM exporter DaemonSet (hostPath pod-resources socket, root) and GKE's MPS clients (host IPC namespace, where
 * the node's MPS server is: GPU sharing). The checker itself is in test/support/pss.ts;
 * the negative tests below prove it catches each control.
 */
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Conventions, DdpJob, DdpJobSet, GpuTrainingJob, InferenceDeployment, KServeDeploymentMode, KServeInferenceService, ModelFormat, Platform,
  PyTorchJob, SpotBatchJob, TfJob,
} from '../lib';
import {
  SEED, ddpJobProps, ddpJobSetProps, inferenceDeploymentProps, kserveInferenceServiceProps, pyTorchJobProps, spotBatchJobProps, tfJobProps,
  trainingJobProps,
} from './support/arbitraries';
import { FoundPod, podSpecsOf, podsOf } from './support/pods';
import { restrictedViolations } from './support/pss';
import { chartFor } from './support/synth';
import { distFiles, distObjects } from './support/dist';

const files = distFiles();
const objects: { file: string; obj: any }[] = files.flatMap(file => distObjects(file).map(obj => ({ file, obj })));
const pods: (FoundPod & { file: string; kind: string; name: string })[] = objects.flatMap(({ file, obj }) =>
  podsOf(obj).map(p => ({ ...p, file, kind: obj.kind, name: obj.metadata?.name })));

/** The only pods allowed to break the restricted profile, by the value of their exception label. */
const EXCEPTIONS = ['dcgm-exporter', 'mps-host-ipc'];

describe('every pod in dist/ against Pod Security "restricted"', () => {
  test('dist/ has pods of every workload kind the library emits (the finder is not blind)', () => {
    expect(files.length).toBe(4);
    const kinds = new Set(pods.map(p => p.kind));
    for (const k of ['Job', 'Deployment', 'DaemonSet', 'TFJob', 'PyTorchJob', 'JobSet', 'InferenceService']) expect(kinds).toContain(k);
  });

  test('every pod passes, except those labelled with an exception; the exception list is exactly the DCGM exporter and MPS', () => {
    const failing = pods.map(p => ({ where: `${p.file}: ${p.where}`, label: p.labels[Conventions.PSS_EXCEPTION_LABEL], violations: restrictedViolations(p.spec, p.annotations) }))
      .filter(p => p.violations.length > 0);
    // Every violation belongs to a pod carrying the exception label...
    expect(failing.filter(p => p.label === undefined)).toEqual([]);
    // ...and the labels in use are exactly the known exceptions.
    expect([...new Set(pods.map(p => p.labels[Conventions.PSS_EXCEPTION_LABEL]).filter(Boolean))].sort()).toEqual(EXCEPTIONS);
  });

  test('GKE MPS clients break only Host Namespaces (hostIPC), on GKE Standard only', () => {
    const mps = pods.filter(p => p.labels[Conventions.PSS_EXCEPTION_LABEL] === 'mps-host-ipc');
    expect(mps.length).toBeGreaterThan(0);
    for (const p of mps) {
      expect({ file: p.file, selector: p.spec.nodeSelector['cloud.google.com/gke-gpu-sharing-strategy'] }).toEqual({ file: 'gke-standard.k8s.yaml', selector: 'mps' });
      expect(restrictedViolations(p.spec, p.annotations)).toEqual(['Host Namespaces: hostIPC is true']);
    }
  });

  test('the other exception is the DCGM exporter DaemonSet only, and it really needs it (hostPath + root), nothing more', () => {
    const excepted = pods.filter(p => p.labels[Conventions.PSS_EXCEPTION_LABEL] !== undefined && p.labels[Conventions.PSS_EXCEPTION_LABEL] !== 'mps-host-ipc');
    expect(excepted.length).toBeGreaterThan(0);
    for (const p of excepted) {
      expect({ kind: p.kind, name: p.name }).toEqual({ kind: 'DaemonSet', name: expect.stringMatching(/-dcgm-exporter$/) });
      const controls = new Set(restrictedViolations(p.spec, p.annotations).map(v => v.split(':')[0]));
      // A stale exception (a pod that would pass) must be removed; a new kind of violation must be reviewed. The
      // exporter adds SYS_ADMIN only with profilingMetrics (DCGM_FI_PROF_*).
      const profiling = p.spec.containers.some((c: any) => c.securityContext?.capabilities?.add?.includes('SYS_ADMIN'));
      expect([...controls].sort()).toEqual([...(profiling ? ['Capabilities'] : []), 'HostPath Volumes', 'Running as Non-root', 'Running as Non-root user']);
    }
    // GKE Autopilot runs the managed DCGM exporter: no exception at all there.
    expect(excepted.map(p => p.file)).not.toContain('gke-autopilot.k8s.yaml');
  });

  test('the KServe predictors are found, including model-format ones that podSpecsOf cannot see', () => {
    const isvcs = objects.filter(o => o.obj.kind === 'InferenceService');
    expect(isvcs.length).toBeGreaterThan(0);
    const found = pods.filter(p => p.kind === 'InferenceService');
    expect(found.length).toBe(isvcs.length);
    // podSpecsOf (test/support/pods.ts) finds a predictor only when it has `containers` (a custom container); a
    // predictor with `model` (a KServe runtime) is invisible to it, so the restricted check uses podsOf.
    const modelFormat = isvcs.filter(o => o.obj.spec.predictor.model);
    expect(modelFormat.length).toBeGreaterThan(0);
    for (const o of modelFormat) expect(podSpecsOf(o.obj)).toEqual([]);
  });

  test('KServe Knative predictors: no pod-level securityContext (Knative refuses it), the container one satisfies restricted', () => {
    const knative = pods.filter(p => p.kserve?.knative);
    expect(knative.length).toBeGreaterThan(0);
    for (const p of knative) {
      expect({ where: p.where, podSecurityContext: p.spec.securityContext }).toEqual({ where: p.where, podSecurityContext: undefined });
      for (const c of p.spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
        expect(c.securityContext.privileged).toBeUndefined();
      }
      expect(restrictedViolations(p.spec, p.annotations)).toEqual([]);
    }
  });

  test('every Namespace in dist/ enforces the restricted profile, except the DCGM exporter\'s own, which holds nothing else', () => {
    for (const { file, obj } of objects.filter(o => o.obj.kind === 'Namespace')) {
      const name = obj.metadata.name;
      const enforce = obj.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      const inside = objects.filter(o => o.file === file && o.obj.metadata?.namespace === name).flatMap(o => podsOf(o.obj));
      if (enforce === 'privileged') {
        // Privileged only where the exporter needs it (root, hostPath), and nothing else runs there.
        expect(inside.length).toBeGreaterThan(0);
        expect({ file, name, exceptions: [...new Set(inside.map(p => p.labels[Conventions.PSS_EXCEPTION_LABEL]))] }).toEqual({ file, name, exceptions: ['dcgm-exporter'] });
      } else {
        expect({ file, name, enforce }).toEqual({ file, name, enforce: 'restricted' });
      }
    }
  });

  test('the only Namespaces the library creates are the DCGM exporter\'s (the chart namespace is the user\'s)', () => {
    // GpuMonitoring emits its default exporter namespace; GKE Autopilot runs no exporter of ours.
    expect(objects.filter(o => o.obj.kind === 'Namespace').map(o => `${o.file}: ${o.obj.metadata.name}`))
      .toEqual(['gke-standard.k8s.yaml: gpu-monitoring', 'karpenter.k8s.yaml: gpu-monitoring', 'kubernetes.k8s.yaml: gpu-monitoring']);
  });
});

describe('random valid props make restricted-clean pods (runAsRoot left false)', () => {
  const platforms = [Platform.gkeAutopilot(), Platform.karpenter()];
  const cases: [string, (p: Platform) => fc.Arbitrary<any>, (chart: any, props: any) => void][] = [
    ['GpuTrainingJob', trainingJobProps, (c, p) => new GpuTrainingJob(c, 'w', p)],
    ['SpotBatchJob', spotBatchJobProps, (c, p) => new SpotBatchJob(c, 'w', p)],
    ['DdpJob', ddpJobProps, (c, p) => new DdpJob(c, 'w', p)],
    ['PyTorchJob', pyTorchJobProps, (c, p) => new PyTorchJob(c, 'w', p)],
    ['DdpJobSet', ddpJobSetProps, (c, p) => new DdpJobSet(c, 'w', p)],
    ['TfJob', tfJobProps, (c, p) => new TfJob(c, 'w', p)],
    ['InferenceDeployment', inferenceDeploymentProps, (c, p) => new InferenceDeployment(c, 'w', p)],
    ['KServeInferenceService', kserveInferenceServiceProps, (c, p) => new KServeInferenceService(c, 'w', p)],
  ];
  for (const platform of platforms) {
    test.each(cases)(`%s on ${platform.id}`, (_name, arb, build) => {
      fc.assert(fc.property(arb(platform), props => {
        const chart = chartFor(platform);
        build(chart, { ...props, runAsRoot: undefined });
        const found = Testing.synth(chart).flatMap(o => podsOf(o));
        if (found.length === 0) throw new Error('no pod found');
        for (const p of found) {
          const v = restrictedViolations(p.spec, p.annotations);
          if (v.length) throw new Error(`${p.where}: ${v.join('; ')}`);
        }
      }), { seed: SEED, numRuns: 8 });
    });
  }

  test('runAsRoot: true is the documented opt-out and fails the profile (the checker sees it)', () => {
    const platform = Platform.kubernetes();
    const chart = chartFor(platform);
    new GpuTrainingJob(chart, 'w', { platform, image: 'trainer:1', runAsRoot: true });
    const [p] = Testing.synth(chart).flatMap(o => podsOf(o));
    expect(restrictedViolations(p.spec)).toEqual(['Running as Non-root: neither the pod nor container trainer sets runAsNonRoot: true']);
  });

  test('a KServe Knative model-format predictor passes through its container securityContext', () => {
    const platform = Platform.gkeAutopilot();
    const chart = chartFor(platform);
    new KServeInferenceService(chart, 'w', { platform, deploymentMode: KServeDeploymentMode.KNATIVE, modelFormat: ModelFormat.HUGGINGFACE, gpus: 0 });
    const [p] = Testing.synth(chart).flatMap(o => podsOf(o));
    expect(p.kserve).toEqual({ knative: true, podSecurityContext: false });
    expect(restrictedViolations(p.spec, p.annotations)).toEqual([]);
  });
});

describe('the checker catches each restricted control (negative tests)', () => {
  const good = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    volumes: [{ name: 'v', emptyDir: {} }],
  });
  const c0 = (pod: any) => pod.containers[0].securityContext;

  test('a minimal hardened pod passes; NET_BIND_SERVICE, Localhost seccomp, safe sysctls and allowed SELinux types are allowed', () => {
    expect(restrictedViolations(good())).toEqual([]);
    const pod: any = good();
    c0(pod).capabilities.add = ['NET_BIND_SERVICE'];
    pod.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
    pod.securityContext.sysctls = [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }];
    pod.securityContext.seLinuxOptions = { type: 'container_t', level: 's0:c1,c2' };
    pod.volumes.push(...RESTRICTED_VOLUMES);
    expect(restrictedViolations(pod, { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' })).toEqual([]);
    // Container-level settings alone are enough when the pod sets nothing.
    const containerOnly: any = good();
    containerOnly.securityContext = {};
    Object.assign(c0(containerOnly), { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(restrictedViolations(containerOnly)).toEqual([]);
  });

  const cases: [string, (pod: any) => void, string, { [k: string]: string }][] = [
    ['privileged container', p => { c0(p).privileged = true; }, 'Privileged Containers: container app is privileged', {}],
    ['hostNetwork', p => { p.hostNetwork = true; }, 'Host Namespaces: hostNetwork is true', {}],
    ['hostPID', p => { p.hostPID = true; }, 'Host Namespaces: hostPID is true', {}],
    ['hostIPC', p => { p.hostIPC = true; }, 'Host Namespaces: hostIPC is true', {}],
    ['hostPath volume', p => { p.volumes.push({ name: 'h', hostPath: { path: '/var' } }); }, 'HostPath Volumes: volume h is a hostPath (/var)', {}],
    ['nfs volume', p => { p.volumes.push({ name: 'n', nfs: { server: 's', path: '/' } }); }, 'Volume Types: volume n is nfs', {}],
    ['gitRepo volume', p => { p.volumes.push({ name: 'g', gitRepo: { repository: 'r' } }); }, 'Volume Types: volume g is gitRepo', {}],
    ['hostPort', p => { p.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]; }, 'Host Ports: container app uses hostPort 80', {}],
    ['allowPrivilegeEscalation unset', p => { delete c0(p).allowPrivilegeEscalation; }, 'Privilege Escalation: container app allowPrivilegeEscalation is unset, must be false', {}],
    ['allowPrivilegeEscalation true on an init container', p => { p.initContainers = [{ name: 'init', image: 'x', securityContext: { ...c0(p), allowPrivilegeEscalation: true } }]; }, 'Privilege Escalation: initContainer init allowPrivilegeEscalation is true, must be false', {}],
    ['ephemeral container without hardening', p => { p.ephemeralContainers = [{ name: 'debug', image: 'x', securityContext: { capabilities: { drop: ['ALL'] } } }]; }, 'Privilege Escalation: ephemeralContainer debug allowPrivilegeEscalation is unset, must be false', {}],
    ['runAsNonRoot missing everywhere', p => { delete p.securityContext.runAsNonRoot; }, 'Running as Non-root: neither the pod nor container app sets runAsNonRoot: true', {}],
    ['container runAsNonRoot false overrides the pod', p => { c0(p).runAsNonRoot = false; }, 'Running as Non-root: container app runAsNonRoot is false', {}],
    ['pod runAsUser 0', p => { p.securityContext.runAsUser = 0; }, 'Running as Non-root user: pod runAsUser is 0', {}],
    ['container runAsUser 0', p => { c0(p).runAsUser = 0; }, 'Running as Non-root user: container app runAsUser is 0', {}],
    ['seccomp missing everywhere', p => { delete p.securityContext.seccompProfile; }, 'Seccomp: neither the pod nor container app sets seccompProfile RuntimeDefault or Localhost', {}],
    ['pod seccomp Unconfined', p => { p.securityContext.seccompProfile = { type: 'Unconfined' }; }, 'Seccomp: pod seccompProfile.type Unconfined', {}],
    ['container seccomp Unconfined', p => { c0(p).seccompProfile = { type: 'Unconfined' }; }, 'Seccomp: container app seccompProfile.type Unconfined', {}],
    ['capabilities not dropping ALL', p => { c0(p).capabilities = { drop: ['NET_RAW'] }; }, 'Capabilities: container app does not drop ALL', {}],
    ['adding SYS_ADMIN', p => { c0(p).capabilities.add = ['SYS_ADMIN']; }, 'Capabilities: container app adds SYS_ADMIN', {}],
    ['adding NET_RAW (baseline allows it, restricted does not)', p => { c0(p).capabilities.add = ['NET_RAW']; }, 'Capabilities: container app adds NET_RAW', {}],
    ['unsafe sysctl', p => { p.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }]; }, 'Sysctls: kernel.msgmax is not a safe sysctl', {}],
    ['procMount Unmasked', p => { c0(p).procMount = 'Unmasked'; }, '/proc Mount Type: container app procMount Unmasked', {}],
    ['AppArmor unconfined (field)', p => { c0(p).appArmorProfile = { type: 'Unconfined' }; }, 'AppArmor: container app appArmorProfile.type Unconfined', {}],
    ['AppArmor unconfined (annotation)', () => undefined, 'AppArmor: annotation container.apparmor.security.beta.kubernetes.io/app=unconfined', { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }],
    ['SELinux custom type', p => { p.securityContext.seLinuxOptions = { type: 'spc_t' }; }, 'SELinux: pod seLinuxOptions.type spc_t is not allowed', {}],
    ['SELinux user', p => { c0(p).seLinuxOptions = { user: 'system_u' }; }, 'SELinux: container app sets seLinuxOptions.user', {}],
    ['SELinux role', p => { c0(p).seLinuxOptions = { role: 'system_r' }; }, 'SELinux: container app sets seLinuxOptions.role', {}],
    ['Windows HostProcess', p => { c0(p).windowsOptions = { hostProcess: true }; }, 'HostProcess: container app windowsOptions.hostProcess is true', {}],
  ];
  test.each(cases)('%s', (_name, mutate, expected, annotations) => {
    const pod = good();
    mutate(pod);
    expect(restrictedViolations(pod, annotations)).toEqual([expected]);
  });
});

/** One volume of every type the restricted profile allows. */
const RESTRICTED_VOLUMES = [
  { name: 'cm', configMap: { name: 'c' } },
  { name: 'csi', csi: { driver: 'gcsfuse.csi.storage.gke.io' } },
  { name: 'dapi', downwardAPI: { items: [] } },
  { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: {} } } },
  { name: 'pvc', persistentVolumeClaim: { claimName: 'p' } },
  { name: 'proj', projected: { sources: [] } },
  { name: 'sec', secret: { secretName: 's' } },
];
