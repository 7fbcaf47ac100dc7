import { Duration, JsonPatch, Size } from 'cdk8s';
import {
  Accelerator, CapacityType, ClusterAddon, IdleCulling, KubeflowNotebook, KubeflowNotebookProps, Platform, StatefulSetNotebook,
  StatefulSetNotebookProps, StorageVolume, VolumeClaim,
} from '../lib';
import { restrictedViolations } from './support/pss';
import { podsOf } from './support/pods';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const KUBEFLOW_IMAGE = 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0';
const STACKS_IMAGE = 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12';

function kubeflow(platform: Platform, props: Partial<KubeflowNotebookProps> = {}) {
  const chart = chartFor(platform);
  new KubeflowNotebook(chart, 'lab', { platform, accelerator: Accelerator.L4, image: KUBEFLOW_IMAGE, ...props } as KubeflowNotebookProps);
  return synth(chart, platform);
}

function statefulSet(platform: Platform, props: Partial<StatefulSetNotebookProps> = {}) {
  const chart = chartFor(platform);
  new StatefulSetNotebook(chart, 'lab', { platform, image: STACKS_IMAGE, ...props } as StatefulSetNotebookProps);
  return synth(chart, platform);
}

describe('KubeflowNotebook on GKE Autopilot', () => {
  const objects = kubeflow(autopilot, { memory: Size.gibibytes(32), workspaceSize: Size.gibibytes(50), workspaceStorageClass: 'premium-rwo' });
  const nb = find(objects, 'Notebook');
  const pod = nb.spec.template.spec;
  const c = pod.containers[0];

  test('a kubeflow.org/v1 Notebook whose first container is named after it, with an image (the controller\'s rules)', () => {
    expect(nb.apiVersion).toBe('kubeflow.org/v1');
    expect(nb.metadata.name).toBe('gke-autopilot-lab');
    expect(pod.containers).toHaveLength(1);
    expect(c.name).toBe(nb.metadata.name);
    expect(c.image).toBe(KUBEFLOW_IMAGE);
    expect(c.ports).toEqual([{ name: 'notebook-port', containerPort: 8888, protocol: 'TCP' }]);
  });
  test('the GPU, placed the Autopilot way, with /dev/shm', () => {
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(c.resources.requests['nvidia.com/gpu']).toBe(1);
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(pod.tolerations).toBeUndefined();
    expect(c.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });
  test('the workspace claim is emitted and mounted at the home directory', () => {
    const pvc = find(objects, 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe('gke-autopilot-lab-workspace');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'premium-rwo', resources: { requests: { storage: '50Gi' } } });
    expect(pod.volumes).toContainEqual({ name: 'workspace', persistentVolumeClaim: { claimName: 'gke-autopilot-lab-workspace' } });
    expect(c.volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/home/jovyan' });
  });
  test('non-root (uid 1000, the image\'s group, fsGroup 100), own ServiceAccount without token, Pod Security restricted', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.serviceAccountName).toBe('gke-autopilot-lab');
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(restrictedViolations(pod)).toEqual([]);
  });
  test('the NetworkPolicy admits only the Istio gateway and the notebook controller (culler) to Jupyter\'s port', () => {
    expect(find(objects, 'NetworkPolicy').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gke-autopilot-lab' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubeflow' } } },
        ],
        ports: [{ port: 8888, protocol: 'TCP' }],
      }],
    });
    // The controller copies the Notebook's labels to the pod: the policy's selector finds it.
    expect(nb.metadata.labels['app.kubernetes.io/instance']).toBe('gke-autopilot-lab');
  });
  test('running unless stopped: no stop annotation', () => {
    expect(nb.metadata.annotations).toBeUndefined();
  });
  test('whole manifest', () => expect(objects).toMatchSnapshot());
});

test('stopped: the controller\'s stop annotation (it checks only its presence)', () => {
  const nb = find(kubeflow(autopilot, { stopped: true }), 'Notebook');
  expect(nb.metadata.annotations).toEqual({ 'kubeflow-resource-stopped': 'true' });
});

test('Karpenter: GPU selector, toleration, on-demand, and do-not-disrupt on the Notebook (the controller copies it to the pod)', () => {
  const nb = find(kubeflow(karpenter, { accelerator: Accelerator.A10G }), 'Notebook');
  expect(nb.spec.template.spec.nodeSelector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/capacity-type': 'on-demand' });
  expect(nb.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(nb.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  expect(nb.spec.template.metadata).toBeUndefined();
});

test('a CPU-only notebook: no GPU, no GPU placement, no /dev/shm', () => {
  const pod = find(kubeflow(autopilot, { gpus: 0, accelerator: undefined }), 'Notebook').spec.template.spec;
  expect(pod.containers[0].resources.limits).toEqual({ memory: '4Gi' });
  expect(pod.nodeSelector).toBeUndefined();
  expect(pod.volumes).toEqual([
    { name: 'jupyter-config', configMap: { name: 'gke-autopilot-lab-jupyter-config' } },
    { name: 'workspace', persistentVolumeClaim: { claimName: 'gke-autopilot-lab-workspace' } },
  ]);
});

test('admission checks see the pod as the controller makes it (escape-hatch edits included)', () => {
  const chart = chartFor(autopilot);
  const nb = new KubeflowNotebook(chart, 'lab', { platform: autopilot, accelerator: Accelerator.L4, image: KUBEFLOW_IMAGE });
  nb.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
  expect(() => synth(chart, autopilot)).toThrow('GKE Autopilot admission (spec.template): hostNetwork: true is rejected by Autopilot');
});

describe('StatefulSetNotebook on plain Kubernetes', () => {
  const objects = statefulSet(kubernetes, { token: { secretName: 'lab-token', key: 'token' }, accessNamespaces: ['ingress-nginx'] });
  const sts = find(objects, 'StatefulSet');
  const pod = sts.spec.template.spec;
  const c = pod.containers[0];

  test('one replica, the workspace as a claim template kept when the StatefulSet goes', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe('kubernetes-lab');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('workspace');
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(c.volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/home/jovyan' });
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['dshm', 'jupyter-config']);
  });
  test('the token comes from the Secret as JUPYTER_TOKEN', () => {
    expect(c.env).toEqual([
      { name: 'JUPYTER_CONFIG_PATH', value: '/etc/gpu-ml/jupyter' },
      { name: 'JUPYTER_TOKEN', valueFrom: { secretKeyRef: { name: 'lab-token', key: 'token' } } },
    ]);
  });
  test('the GPU with the device plugin\'s toleration; any GPU model when none is named', () => {
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
  test('a ClusterIP Service on port 80 to Jupyter', () => {
    expect(find(objects, 'Service').spec).toEqual({
      type: 'ClusterIP', selector: { 'app.kubernetes.io/instance': 'kubernetes-lab' },
      ports: [{ name: 'http', port: 80, targetPort: 'notebook-port', protocol: 'TCP' }],
    });
  });
  test('only the listed namespaces reach Jupyter', () => {
    expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ port: 8888, protocol: 'TCP' }],
    }]);
  });
  test('Pod Security restricted', () => {
    for (const p of podsOf(sts)) expect(restrictedViolations(p.spec, p.annotations)).toEqual([]);
  });
});

test('StatefulSetNotebook: nothing reaches it by default; stopped means no replica', () => {
  const objects = statefulSet(autopilot, { accelerator: Accelerator.L4, stopped: true });
  expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([]);
  expect(find(objects, 'StatefulSet').spec.replicas).toBe(0);
});

test('references instead of literals are accepted: $(JUPYTER_TOKEN) in args, an empty token behind Kubeflow', () => {
  const sts = find(statefulSet(kubernetes, { command: ['start-notebook.py'], args: ['--IdentityProvider.token=$(JUPYTER_TOKEN)'], secretEnv: [{ name: 'JUPYTER_TOKEN', secretName: 't', key: 'k' }] }), 'StatefulSet');
  expect(sts.spec.template.spec.containers[0].args).toEqual(['--IdentityProvider.token=$(JUPYTER_TOKEN)']);
  const nb = find(kubeflow(autopilot, { command: ['jupyter', 'lab'], args: ['--ServerApp.token=', '--ServerApp.base_url=$(NB_PREFIX)'] }), 'Notebook');
  expect(nb.spec.template.spec.containers[0].command).toEqual(['jupyter', 'lab']);
});

test('escape hatches: the workspace claim, the StatefulSet and its Service', () => {
  const chart = chartFor(kubernetes);
  const nb = new KubeflowNotebook(chart, 'a', { platform: kubernetes, image: KUBEFLOW_IMAGE });
  const sts = new StatefulSetNotebook(chart, 'b', { platform: kubernetes, image: STACKS_IMAGE });
  expect(nb.workspaceClaim.name).toBe('kubernetes-a-workspace');
  expect(sts.statefulSet.kind).toBe('StatefulSet');
  expect(sts.service.name).toBe('kubernetes-b');
  expect(nb.apiObject.kind).toBe('Notebook');
});

describe('idle culling: the Jupyter server\'s kernel culler, as a config file both variants\' images read', () => {
  const serverConfig = (objects: any[]) => JSON.parse(find(objects, 'ConfigMap').data['jupyter_server_config.json']);
  const podOf = (objects: any[]) => {
    const nb = objects.find(o => o.kind === 'Notebook');
    return (nb ?? find(objects, 'StatefulSet')).spec.template.spec;
  };
  const variants: [string, (props: any) => any[]][] = [
    ['KubeflowNotebook', props => kubeflow(autopilot, props)],
    ['StatefulSetNotebook', props => statefulSet(kubernetes, props)],
  ];
  describe.each(variants)('%s', (name, build) => {
    const objects = build({});
    const pod = podOf(objects);
    const c = pod.containers[0];
    const cm = find(objects, 'ConfigMap');
    test('by default idle kernels without a connected browser are culled after an hour, checked every 5 minutes; busy ones never', () => {
      expect(serverConfig(objects)).toEqual({
        MappingKernelManager: { cull_idle_timeout: 3600, cull_interval: 300, cull_connected: false, cull_busy: false },
      });
    });
    test('the config is a ConfigMap of its own, mounted read-only and named in JUPYTER_CONFIG_PATH; the image starts Jupyter as it does', () => {
      expect(cm.metadata.name).toBe(`${name === 'KubeflowNotebook' ? 'gke-autopilot' : 'kubernetes'}-lab-jupyter-config`);
      expect(Object.keys(cm.data)).toEqual(['jupyter_server_config.json']);
      expect(pod.volumes).toContainEqual({ name: 'jupyter-config', configMap: { name: cm.metadata.name } });
      expect(c.volumeMounts).toContainEqual({ name: 'jupyter-config', mountPath: '/etc/gpu-ml/jupyter', readOnly: true });
      expect(c.env).toContainEqual({ name: 'JUPYTER_CONFIG_PATH', value: '/etc/gpu-ml/jupyter' });
      // Kubeflow's images take no options (their s6 service has a fixed command line); the other image keeps its CMD.
      expect(c.command).toBeUndefined();
      expect(c.args).toBeUndefined();
    });
    test('after(30 minutes) of connected kernels too, checked every minute', () => {
      const custom = build({ idleCulling: IdleCulling.after(Duration.minutes(30), { cullConnected: true, interval: Duration.minutes(1) }) });
      expect(serverConfig(custom)).toEqual({
        MappingKernelManager: { cull_idle_timeout: 1800, cull_interval: 60, cull_connected: true, cull_busy: false },
      });
    });
    test('NEVER writes a timeout of 0 (Jupyter: never), above any config file of the image', () => {
      expect(serverConfig(build({ idleCulling: IdleCulling.NEVER }))).toEqual({ MappingKernelManager: { cull_idle_timeout: 0 } });
    });
    test('a JUPYTER_CONFIG_PATH of the user\'s own keeps its directories first', () => {
      const env = podOf(build({ env: { JUPYTER_CONFIG_PATH: '/opt/team/jupyter' } })).containers[0].env;
      expect(env.filter((e: any) => e.name === 'JUPYTER_CONFIG_PATH')).toEqual([{ name: 'JUPYTER_CONFIG_PATH', value: '/opt/team/jupyter:/etc/gpu-ml/jupyter' }]);
    });
  });
  test('the ConfigMap is reachable as an escape hatch; the setting is readable', () => {
    const chart = chartFor(kubernetes);
    const nb = new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, idleCulling: IdleCulling.after(Duration.hours(2)) });
    expect(nb.jupyterConfig.name).toBe('kubernetes-lab-jupyter-config');
    expect(nb.idleCulling.timeout?.toSeconds()).toBe(7200);
    expect(IdleCulling.NEVER.timeout).toBeUndefined();
  });
});

const K = 'gke-autopilot/lab';
const badKubeflow: [string, Platform, Partial<KubeflowNotebookProps>, string][] = [
  ['a literal token in args', autopilot, { args: ['--ServerApp.token=s3cret'] },
    `[${K}] args[0]=<literal value, not shown> is invalid: --ServerApp.token carries a literal secret, which would sit in the manifest and in every pod description; keep it in a Secret (Kubeflow authenticates at its gateway; an image that wants a token reads JUPYTER_TOKEN from secretEnv) or reference an env var, e.g. --ServerApp.token=$(JUPYTER_TOKEN)`],
  ['a literal password in a shell script', autopilot, { command: ['sh', '-c', 'jupyter lab --NotebookApp.password=sha1:abc:def --no-browser'] },
    `[${K}] command[2]=<literal value, not shown> is invalid: --NotebookApp.password carries a literal secret`],
  ['a token as the next argument', autopilot, { args: ['--IdentityProvider.token', 'abc'] },
    `[${K}] args[0]=<literal value, not shown> is invalid: --IdentityProvider.token carries a literal secret`],
  ['a hashed password', autopilot, { args: ['--PasswordIdentityProvider.hashed_password=argon2:xyz'] },
    `[${K}] args[0]=<literal value, not shown> is invalid: --PasswordIdentityProvider.hashed_password carries a literal secret`],
  ['a literal token in env', autopilot, { env: { JUPYTER_TOKEN: 'abc' } },
    `[${K}] env["JUPYTER_TOKEN"]=<literal value, not shown> is invalid: JUPYTER_TOKEN looks like a secret; keep it in a Secret: secretEnv: [{ name: 'JUPYTER_TOKEN', secretName: ..., key: ... }], and refer to it as $(JUPYTER_TOKEN)`],
  ['a literal password in env', autopilot, { env: { JUPYTER_PASSWORD: 'abc' } },
    `[${K}] env["JUPYTER_PASSWORD"]=<literal value, not shown> is invalid: JUPYTER_PASSWORD looks like a secret`],
  ['a GPU count the platform refuses', autopilot, { gpus: 3 },
    `[${K}] gpus=3 is not accepted by GKE Autopilot for nvidia-l4 (allowed: 1, 2, 4, 8)`],
  ['no Kubeflow in the cluster', Platform.gkeAutopilot({ addons: [ClusterAddon.KUEUE] }), {},
    `[${K}] platform.addons=[kueue] is invalid: a Kubeflow Notebook needs the Kubeflow notebook controller (kubeflow.org/v1 Notebook), which GKE Autopilot does not list; install it and add ClusterAddon.KUBEFLOW_NOTEBOOKS to the platform's addons`],
  ['a relative workspace path', autopilot, { workspacePath: 'work' },
    `[${K}] workspacePath="work" is invalid: must be an absolute path without '..', other than / and /dev/shm`],
  ['the workspace on the dataset\'s path', autopilot, { dataset: StorageVolume.fromPersistentVolumeClaim('data'), datasetPath: '/home/jovyan' },
    `[${K}] workspacePath="/home/jovyan" is invalid: is already the mount path of another volume (dataset, checkpoints or volumes)`],
  ['a tiny workspace', autopilot, { workspaceSize: Size.mebibytes(100) }, `[${K}] workspaceSize=100Mi is invalid: must be at least 1024Mi`],
  ['a bad storage class', autopilot, { workspaceStorageClass: 'Fast SSD' }, `[${K}] workspaceStorageClass="Fast SSD" is invalid: must be a DNS-1123 subdomain`],
  ['a bad access namespace', autopilot, { accessNamespaces: ['Istio'] }, `[${K}] accessNamespaces[0]="Istio" is invalid: must be a DNS-1123 label`],
  ['a name too long for the StatefulSet\'s revision label', autopilot, { name: 'n'.repeat(53) },
    `[${K}] name="${'n'.repeat(53)}" is invalid: must be at most 52 characters: the StatefulSet's pods carry the label controller-revision-hash=<name>-<hash>, which must fit in 63`],
  ['spot fallback on GKE', autopilot, { capacityType: CapacityType.SPOT_WITH_FALLBACK },
    `[${K}] capacityType="spot-with-fallback" is invalid: GKE Autopilot cannot fall back from spot to on-demand per pod`],
  ['an idle-culling timeout under a minute', autopilot, { idleCulling: IdleCulling.after(Duration.seconds(30)) },
    `[${K}] idleCulling.timeout=30 seconds is invalid: must be at least 60s: a shorter timeout culls the kernel of someone reading the output of a cell (use IdleCulling.NEVER to keep kernels)`],
  ['an idle-culling timeout of a fraction of a second', autopilot, { idleCulling: IdleCulling.after(Duration.millis(90500)) },
    `[${K}] idleCulling.timeout=1 minute 30 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['an idle-culling interval longer than the timeout', autopilot, { idleCulling: IdleCulling.after(Duration.minutes(2), { interval: Duration.minutes(10) }) },
    `[${K}] idleCulling.interval=10 minutes is invalid: must be at most the timeout (2 minutes): the server would look for idle kernels less often than they become idle`],
  ['the default interval longer than a short timeout', autopilot, { idleCulling: IdleCulling.after(Duration.minutes(2)) },
    `[${K}] idleCulling.interval=5 minutes is invalid: must be at most the timeout (2 minutes)`],
  ['an idle-culling interval of 0', autopilot, { idleCulling: IdleCulling.after(Duration.hours(1), { interval: Duration.seconds(0) }) },
    `[${K}] idleCulling.interval=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['JUPYTER_CONFIG_PATH from a Secret', autopilot, { secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 't' }, { name: 'JUPYTER_CONFIG_PATH', secretName: 'c', key: 'p' }] },
    `[${K}] secretEnv[1].name="JUPYTER_CONFIG_PATH" is invalid: is set by the notebook to /etc/gpu-ml/jupyter, its Jupyter config (idleCulling) (allowed: JUPYTER_CONFIG_PATH in env, to which the notebook adds its directory)`],
];

const S = 'kubernetes/lab';
const badStatefulSet: [string, Partial<StatefulSetNotebookProps>, string][] = [
  // Found by the hostile inputs: the Service named after it would be refused.
  ['a name starting with a digit', { name: '0o17' },
    `[${S}] name="0o17" is invalid: must start with a letter: it also names the notebook's Service (a DNS-1035 label)`],
  ['an empty token (authentication off)', { command: ['start-notebook.py'], args: ['--IdentityProvider.token=\'\''] },
    `[${S}] args[0]="--IdentityProvider.token=" is invalid: an empty token turns Jupyter's authentication off, and anyone who reaches the Service gets a shell`],
  ['a Kubeflow image, whose start script turns authentication off', { image: KUBEFLOW_IMAGE },
    `[${S}] image="${KUBEFLOW_IMAGE}" is invalid: Kubeflow notebook-server images turn Jupyter's authentication off (their start script passes --ServerApp.token=""), so this notebook would be open to anyone who reaches it; use KubeflowNotebook`],
  ['a Kubeflow image from Docker Hub', { image: 'kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.2' },
    `[${S}] image="kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.2" is invalid: Kubeflow notebook-server images turn Jupyter's authentication off`],
  ['the token twice', { token: { secretName: 'a', key: 'b' }, secretEnv: [{ name: 'JUPYTER_TOKEN', secretName: 'c', key: 'd' }] },
    `[${S}] token=<not shown> is invalid: and secretEnv both set JUPYTER_TOKEN; keep one`],
  ['a token that is no Secret key', { token: { secretName: 'Lab Token', key: 'to ken' } },
    `[${S}] token.secretName="Lab Token" is invalid: must be a DNS-1123 subdomain`],
  ['a literal token in args', { args: ['--ServerApp.token=abc'] },
    `[${S}] args[0]=<literal value, not shown> is invalid: --ServerApp.token carries a literal secret, which would sit in the manifest and in every pod description; keep it in a Secret (token: { secretName, key } sets JUPYTER_TOKEN from it)`],
  ['an idle-culling timeout under a minute', { idleCulling: IdleCulling.after(Duration.seconds(59)) },
    `[${S}] idleCulling.timeout=59 seconds is invalid: must be at least 60s`],
  ['an idle-culling option of the wrong type', { idleCulling: IdleCulling.after(Duration.hours(1), { cullConnected: 'yes' as any }) },
    `[${S}] idleCulling.cullConnected="yes" is invalid: must be true or false`],
  ['an idle-culling interval that is no Duration', { idleCulling: IdleCulling.after(Duration.hours(1), { interval: 60 as any }) },
    `[${S}] idleCulling.interval=60 is invalid: must be a Duration, e.g. Duration.minutes(30)`],
  ['idle culling as a string', { idleCulling: 'never' as any },
    `[${S}] idleCulling="never" is invalid: must be an IdleCulling, e.g. IdleCulling.NEVER`],
  ['a timeout that is no Duration', { idleCulling: IdleCulling.after('1h' as any) },
    `[${S}] idleCulling.timeout="1h" is invalid: must be a Duration, e.g. Duration.minutes(30)`],
];

describe('bad input', () => {
  test.each(badKubeflow)('KubeflowNotebook: %s', (_name, platform, props, expected) => {
    const msg = synthError(chart => new KubeflowNotebook(chart, 'lab', { platform, accelerator: Accelerator.L4, image: KUBEFLOW_IMAGE, ...props } as KubeflowNotebookProps), platform);
    expect(msg).toContain(expected);
  });
  test.each(badStatefulSet)('StatefulSetNotebook: %s', (_name, props, expected) => {
    const msg = synthError(chart => new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, ...props } as StatefulSetNotebookProps), kubernetes);
    expect(msg).toContain(expected);
  });
  test('a secret value never appears in a message', () => {
    const msg = synthError(chart => new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, args: ['--ServerApp.token=hunter2'], env: { JUPYTER_TOKEN: 'hunter3' } }), kubernetes);
    expect(msg).not.toMatch(/hunter/);
  });
  test('garbage props are reported, not thrown', () => {
    const msg = synthError(chart => new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, token: 'abc' as any, stopped: 'yes' as any, accessNamespaces: 'ml' as any }), kubernetes);
    // The runtime type check, each once; a literal where the token's Secret reference belongs is not shown.
    expect(msg.split('\n').slice(1)).toEqual([
      `  [${S}] accessNamespaces=<a string, not shown> is invalid: must be a list of strings, not a single string`,
      `  [${S}] stopped="yes" is invalid: must be true or false`,
      `  [${S}] token=<a string, not shown> is invalid: must be a SecretKeyRef object { key, secretName }`,
    ]);
    const shapes = synthError(chart => new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, secretEnv: 'x' as any, volumes: 'y' as any, env: 'z' as any }), kubernetes);
    expect(shapes.split('\n').slice(1)).toEqual([
      `  [${S}] env=<a string, not shown> is invalid: must be a map of keys to strings`,
      `  [${S}] secretEnv="x" is invalid: must be a list of SecretEnvVars, not a single string`,
      `  [${S}] volumes="y" is invalid: must be a list of VolumeMounts, not a single string`,
    ]);
    expect(synthError(chart => new KubeflowNotebook(chart, 'lab', null as any), kubernetes).split('\n').slice(1))
      .toEqual(['  [kubernetes/lab] props=null is invalid: must be an object of KubeflowNotebookProps (required: platform, image)']);
  });
});

test('a VolumeClaim named like the workspace claim a StatefulSetNotebook\'s StatefulSet creates is a conflict, both ways', () => {
  const msg = synthError(chart => {
    new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, name: 'x' });
    new VolumeClaim(chart, 'data', { platform: kubernetes, size: Size.gibibytes(10), name: 'workspace-x-0' });
  }, kubernetes);
  expect(msg).toContain('[kubernetes/lab] name="x" is invalid: its StatefulSet creates the PersistentVolumeClaim ml/workspace-x-0 for the workspace, which [kubernetes/data] also emits in cluster "default"; the notebook would take it over (give one of them another name)');
  expect(msg).toContain('[kubernetes/data] name="workspace-x-0" is invalid: PersistentVolumeClaim ml/workspace-x-0 is also emitted by [kubernetes/lab] in cluster "default"');
  // Another name is no conflict.
  const chart = chartFor(kubernetes);
  new StatefulSetNotebook(chart, 'lab', { platform: kubernetes, image: STACKS_IMAGE, name: 'x' });
  new VolumeClaim(chart, 'data', { platform: kubernetes, size: Size.gibibytes(10), name: 'workspace-y-0' });
  expect(synth(chart, kubernetes).filter(o => o.kind === 'PersistentVolumeClaim').map(o => o.metadata.name)).toEqual(['workspace-y-0']);
});
