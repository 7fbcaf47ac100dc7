import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  Accelerator, CloudIdentity, Conventions, Platform, StorageVolume, WandbLaunchAgent, WandbLaunchAgentProps, WandbLaunchQueue,
  WandbLaunchQueueProps,
} from '../lib';
import { _wandbRefusals } from '../lib/experiments/wandb-resource-args';
import { expectSchemaValid } from './support/schema';
import { find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const AGENT = { image: 'wandb/launch-agent:0.28.2', apiKey: { secretName: 'wandb', key: 'api-key' } };

/** One app with a queue (jobs in ml-launch) and an agent (in ml); returns the manifests and the queue file. */
function launch(platform: Platform, queue: Partial<WandbLaunchQueueProps> = {}, agent: Partial<WandbLaunchAgentProps> = {}) {
  const outdir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'wb-'));
  const app = new App({ outdir });
  const chart = new Chart(app, platform.id, { namespace: 'ml', disableResourceNameHashes: true });
  const q = new WandbLaunchQueue(chart, 'gpu', { platform, namespace: 'ml-launch', accelerator: platform === karpenter ? Accelerator.A10G : Accelerator.L4, ...queue });
  const a = new WandbLaunchAgent(chart, 'agent', { platform, ...AGENT, queues: [q], ...agent });
  const objects = synth(chart, platform);
  app.synth();
  expect(q.configFile).toBe(`extras/${platform.id}.${q.queueName}.launch-queue.json`);
  const config = JSON.parse(fs.readFileSync(path.join(outdir, q.configFile), 'utf8'));
  return { objects, config, queue: q, agent: a };
}

/** Whether RBAC rules allow a request (no wildcards are emitted, so none are evaluated). */
function allows(rules: any[], verb: string, group: string, resource: string, name?: string): boolean {
  return rules.some(r => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb)
    && (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))));
}

describe('the queue\'s resource config (GKE Autopilot)', () => {
  const { config, objects } = launch(autopilot, {
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }], env: { TOKENIZERS_PARALLELISM: 'false' },
    checkpoints: StorageVolume.fromPersistentVolumeClaim('checkpoints'), activeDeadline: Duration.hours(12),
  });
  const pod = config.spec.template.spec;

  test('nothing wandb >= 0.28.1 refuses: no securityContext, no service account, no token mount', () => {
    expect(_wandbRefusals(config)).toEqual([]);
    expect(JSON.stringify(config)).not.toMatch(/securityContext|serviceAccount"|hostPath/);
    expect(pod.automountServiceAccountToken).toBe(false);
  });
  test('a strictly valid batch/v1 Job once the agent names it and sets the image', () => {
    const job = JSON.parse(JSON.stringify(config));
    job.metadata.name = 'run-1';
    job.spec.template.spec.containers[0].image = 'trainer:1';
    expectSchemaValid([job]);
  });
  test('the job namespace is set (W&B would use "default")', () => {
    expect(config.metadata.namespace).toBe('ml-launch');
  });
  test('W&B owns retries: no Job retry, no pod failure policy; deadline and log retention kept', () => {
    expect(config.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 43200, ttlSecondsAfterFinished: 86400 });
    expect(config.spec.podFailurePolicy).toBeUndefined();
    expect(pod.restartPolicy).toBe('Never');
  });
  test('the GPU placed for the platform, /dev/shm, volumes and Secret env; the job brings image, command and args', () => {
    const c = pod.containers[0];
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(c.volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'checkpoints', mountPath: '/checkpoints' }]);
    expect(c.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'huggingface', key: 'token' } } });
    expect(c.image).toBeUndefined();
    expect(c.command).toBeUndefined();
  });
  test('a NetworkPolicy in the job namespace admits nothing to the runs\' pods', () => {
    const np = find(objects, 'NetworkPolicy', 'gke-autopilot-gpu');
    expect(np.metadata.namespace).toBe('ml-launch');
    expect(np.spec).toEqual({ podSelector: { matchLabels: { [Conventions.INSTANCE_LABEL]: 'gke-autopilot-gpu' } }, policyTypes: ['Ingress'], ingress: [] });
    expect(config.spec.template.metadata.labels[Conventions.INSTANCE_LABEL]).toBe('gke-autopilot-gpu');
  });
});

test('Karpenter: do-not-disrupt on the runs\' pods (allowed in queue configs)', () => {
  const { config } = launch(karpenter);
  expect(config.spec.template.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  expect(config.spec.template.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(_wandbRefusals(config)).toEqual([]);
});

describe('the agent', () => {
  const { objects, agent } = launch(autopilot, {}, { entity: 'acme', baseUrl: 'https://wandb.example.com', maxJobs: 4 });
  const role = find(objects, 'Role');
  const deployment = find(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];

  test('nothing cluster-wide: one Role and RoleBinding, in the job namespace, for the agent\'s ServiceAccount', () => {
    expect(objects.filter(o => /^Cluster(Role|RoleBinding)$/.test(o.kind))).toEqual([]);
    expect(role.metadata.namespace).toBe('ml-launch');
    const binding = find(objects, 'RoleBinding');
    expect(binding.metadata.namespace).toBe('ml-launch');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gke-autopilot-agent' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gke-autopilot-agent', namespace: 'ml' }]);
  });

  // Every call of the wandb 0.28.2 agent for a Job queue (wandb/sdk/launch/runner/kubernetes_runner.py, kubernetes_monitor.py).
  const NEEDED: [string, string, string, string, string | undefined][] = [
    ['submit a run', 'create', 'batch', 'jobs', undefined],
    ['watch runs', 'list', 'batch', 'jobs', undefined], ['watch runs (stream)', 'watch', 'batch', 'jobs', undefined],
    ['cancel a run', 'delete', 'batch', 'jobs', undefined],
    ['watch the runs\' pods', 'list', '', 'pods', undefined], ['watch the runs\' pods (stream)', 'watch', '', 'pods', undefined],
    ['read a failed run\'s log', 'get', '', 'pods/log', undefined],
    ['create the API-key Secret', 'create', '', 'secrets', undefined],
    ['read it on a conflict', 'get', '', 'secrets', 'wandb-api-key-gke-autopilot-agent'],
    ['replace it when the key changed', 'delete', '', 'secrets', 'wandb-api-key-gke-autopilot-agent'],
  ];
  test.each(NEEDED)('the Role allows what the agent does: %s', (_what, verb, group, resource, name) => {
    expect(allows(role.rules, verb, group, resource, name)).toBe(true);
  });
  const DENIED: [string, string, string, string, string | undefined][] = [
    ['read another Secret', 'get', '', 'secrets', 'huggingface'],
    ['list Secrets', 'list', '', 'secrets', undefined], ['watch Secrets', 'watch', '', 'secrets', undefined], ['change a Secret', 'update', '', 'secrets', 'wandb-api-key-gke-autopilot-agent'],
    ['create pods directly', 'create', '', 'pods', undefined], ['exec into pods', 'create', '', 'pods/exec', undefined], ['delete pods', 'delete', '', 'pods', undefined],
    ['change a Job', 'patch', 'batch', 'jobs', undefined], ['read a Job', 'get', 'batch', 'jobs', undefined],
    ['read ConfigMaps', 'get', '', 'configmaps', undefined], ['create Deployments', 'create', 'apps', 'deployments', undefined],
    ['create Services', 'create', '', 'services', undefined], ['grant itself more', 'create', 'rbac.authorization.k8s.io', 'rolebindings', undefined],
    ['create service account tokens', 'create', '', 'serviceaccounts/token', undefined],
  ];
  test.each(DENIED)('and nothing more: it cannot %s', (_what, verb, group, resource, name) => {
    expect(allows(role.rules, verb, group, resource, name)).toBe(false);
  });
  test('no wildcards', () => {
    expect(JSON.stringify(role.rules)).not.toContain('*');
  });
  test('the Secret the Role names is the one the agent keeps: WANDB_RELEASE_NAME', () => {
    expect(c.env).toContainEqual({ name: 'WANDB_RELEASE_NAME', value: 'gke-autopilot-agent' });
    expect(agent.runSecretName).toBe('wandb-api-key-gke-autopilot-agent');
  });

  test('a Deployment of one agent, with the API key from the Secret and the token it needs to call the API', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(c.image).toBe('wandb/launch-agent:0.28.2');
    expect(c.env).toContainEqual({ name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: 'wandb', key: 'api-key' } } });
    expect(c.env).toContainEqual({ name: 'WANDB_BASE_URL', value: 'https://wandb.example.com' });
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe('gke-autopilot-agent');
  });
  test('non-root, no privilege escalation, every capability dropped', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });
  test('the launch config: only keys the agent accepts (it forbids others), where the image reads it', () => {
    const cm = find(objects, 'ConfigMap');
    const config = parse(cm.data['launch-config.yaml']);
    expect(config).toEqual({ queues: ['gke-autopilot-gpu'], entity: 'acme', max_jobs: 4, builder: { type: 'noop' } });
    const agentConfigFields = ['queues', 'entity', 'max_jobs', 'max_schedulers', 'secure_mode', 'registry', 'environment', 'builder', 'verbosity', 'stopped_run_timeout'];
    for (const k of Object.keys(config)) expect(agentConfigFields).toContain(k);
    expect(c.volumeMounts).toEqual([{ name: 'config', mountPath: '/home/launch_agent/.config/wandb', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: 'gke-autopilot-agent' } }]);
  });
  test('a new config rolls the pod', () => {
    const other = launch(autopilot, {}, { maxJobs: 2 }).objects;
    const key = 'gpu-ml.cdk8s.io/launch-config-sha256';
    expect(find(other, 'Deployment').spec.template.metadata.annotations[key]).not.toBe(deployment.spec.template.metadata.annotations[key]);
  });
  test('no ingress to the agent', () => {
    expect(find(objects, 'NetworkPolicy', 'gke-autopilot-agent').spec.ingress).toEqual([]);
  });
});

test('queues in two namespaces and one configured elsewhere: a Role in each namespace', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
  const a = new WandbLaunchQueue(chart, 'a', { platform: autopilot, accelerator: Accelerator.L4, namespace: 'team-a' });
  new WandbLaunchAgent(chart, 'agent', { platform: autopilot, ...AGENT, queues: [a, WandbLaunchQueue.fromName('Team B GPUs', 'team-b')] });
  const objects = synth(chart, autopilot);
  expect(objects.filter(o => o.kind === 'Role').map(o => o.metadata.namespace)).toEqual(['team-a', 'team-b']);
  expect(parse(find(objects, 'ConfigMap').data['launch-config.yaml']).queues).toEqual(['c-a', 'Team B GPUs']);
});

test('the port of wandb\'s refusal rules finds what the agent refuses', () => {
  expect(_wandbRefusals({
    spec: { template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/x': 'unconfined' } }, spec: {
      serviceAccountName: 'admin', hostNetwork: 'true', automountServiceAccountToken: 1,
      containers: [{ securityContext: {}, ports: [{ hostPort: 80 }], volumeMounts: [{ mountPropagation: 'Bidirectional' }] }],
      volumes: [{ hostPath: { path: '/' } }, { projected: { sources: [{ serviceAccountToken: {} }] } }],
    } } },
  })).toEqual([
    'spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/x: unconfined apparmor/seccomp profiles are not permitted',
    'spec.template.spec.hostNetwork: host namespace sharing is not permitted',
    'spec.template.spec.serviceAccountName: overriding the pod service account is not permitted',
    'spec.template.spec.automountServiceAccountToken: mounting service account tokens is not permitted',
    'spec.template.spec.containers[0].securityContext: the agent manages the pod/container security context and it cannot be overridden',
    'spec.template.spec.containers[0].ports[0].hostPort: binding host ports is not permitted',
    'spec.template.spec.containers[0].volumeMounts[0].mountPropagation: bidirectional mount propagation is not permitted',
    'spec.template.spec.volumes[0].hostPath: hostPath volumes are not permitted',
    'spec.template.spec.volumes[1].projected.sources[0].serviceAccountToken: projected service account tokens are not permitted',
  ]);
  expect(_wandbRefusals({ spec: { automountServiceAccountToken: false, serviceAccountName: ' ', hostPID: 'no' } })).toEqual([]);
});

const Q = 'gke-autopilot/gpu';
const badQueue: [string, Partial<WandbLaunchQueueProps>, string][] = [
  ['a service account', { serviceAccountName: 'trainer' },
    `[${Q}] serviceAccountName="trainer" is invalid: W&B Launch agents (wandb >= 0.28.1) refuse queue configs that set it; runs use the job namespace's default ServiceAccount`],
  ['a cloud identity', { identity: CloudIdentity.gcpServiceAccount('t@p.iam.gserviceaccount.com') },
    `[${Q}] identity="t@p.iam.gserviceaccount.com" is invalid: needs the pod's ServiceAccount, which W&B Launch agents (wandb >= 0.28.1) refuse queue configs that set it`],
  ['an API token', { automountServiceAccountToken: true }, `[${Q}] automountServiceAccountToken=true is invalid: W&B Launch agents (wandb >= 0.28.1) refuse queue configs that set it`],
  ['root', { runAsRoot: true }, `[${Q}] runAsRoot=true is invalid: needs a securityContext, which W&B Launch agents (wandb >= 0.28.1) refuse`],
  ['a command', { command: ['python', 'train.py'] }, `[${Q}] command=["python","train.py"] is invalid: the W&B job supplies the entrypoint; a queue-level command would replace every job's own`],
  ['args', { args: ['--lr', '1e-4'] }, `[${Q}] args=["--lr","1e-4"] is invalid: the W&B job supplies the arguments`],
  ['a GPU count the platform refuses', { gpus: 3 }, `[${Q}] gpus=3 is not accepted by GKE Autopilot for nvidia-l4 (allowed: 1, 2, 4, 8)`],
  ['a literal secret in env', { env: { WANDB_API_KEY: 'abc' } }, `[${Q}] env["WANDB_API_KEY"]=<literal value, not shown> is invalid: WANDB_API_KEY looks like a secret`],
  ['a bad queue name', { name: 'GPU Queue' }, `[${Q}] name="GPU Queue" is invalid: must be a DNS-1123 label`],
];

describe('bad input', () => {
  test.each(badQueue)('WandbLaunchQueue: %s', (_name, props, expected) => {
    expect(synthError(chart => new WandbLaunchQueue(chart, 'gpu', { platform: autopilot, accelerator: Accelerator.L4, ...props } as WandbLaunchQueueProps), autopilot)).toContain(expected);
  });
  test('WandbLaunchQueue: no namespace anywhere', () => {
    const chart = new Chart(Testing.app(), 'c');
    new WandbLaunchQueue(chart, 'gpu', { platform: autopilot, accelerator: Accelerator.L4 });
    expect(() => Testing.synth(chart)).toThrow('[c/gpu] namespace=undefined is invalid: W&B runs a queue\'s jobs in "default" when its config names no namespace');
  });

  const q = WandbLaunchQueue.fromName('gpu', 'ml');
  const A = 'gke-autopilot/agent';
  const badAgent: [string, any, string][] = [
    ['no API key', { apiKey: undefined }, `[${A}] apiKey=undefined is invalid: required (a SecretKeyRef)`],
    // A literal key where the Secret reference belongs: the message does not show it.
    ['an API key that is no Secret key', { apiKey: 'k-123' }, `[${A}] apiKey=<a string, not shown> is invalid: must be a SecretKeyRef object { key, secretName }`],
    ['an API key in a bad Secret', { apiKey: { secretName: 'W&B', key: 'api key' } }, `[${A}] apiKey.secretName="W&B" is invalid: must be a DNS-1123 subdomain`],
    ['no queues', { queues: [] }, `[${A}] queues=[] is invalid: must be a non-empty list of queues`],
    ['a queue twice', { queues: [q, q] }, `[${A}] queues[1]="gpu" is invalid: is already in the list`],
    ['a queue that is no queue', { queues: ['gpu'] }, `[${A}] queues[0]="gpu" is invalid: must be an IWandbLaunchQueue, e.g. WandbLaunchQueue.fromName(...)`],
    ['a bad job namespace', { queues: [WandbLaunchQueue.fromName('gpu', 'ML')] }, `[${A}] queues[0].jobNamespace="ML" is invalid: must be a DNS-1123 label`],
    ['no image', { image: undefined }, `[${A}] image=undefined is invalid: required (a string)`],
    ['an image with a space', { image: 'wandb/launch-agent 0.28.2' }, `[${A}] image="wandb/launch-agent 0.28.2" is invalid: must be the launch agent image pinned to a wandb release, e.g. "wandb/launch-agent:0.28.2"`],
    ['zero jobs', { maxJobs: 0 }, `[${A}] maxJobs=0 is invalid: must be an integer from 1 to 1000`],
    ['a base URL that is no URL', { baseUrl: 'wandb.example.com' }, `[${A}] baseUrl="wandb.example.com" is invalid: must be an http(s) URL`],
    ['a name too long for the run Secret', { name: 'a'.repeat(50) }, `[${A}] name="${'a'.repeat(50)}" is invalid: must be a DNS-1123 label of at most 49 characters`],
  ];
  test.each(badAgent)('WandbLaunchAgent: %s', (_name, props, expected) => {
    expect(synthError(chart => new WandbLaunchAgent(chart, 'agent', { platform: autopilot, ...AGENT, queues: [q], ...props }), autopilot)).toContain(expected);
  });
  test.each([
    ['wandb/launch-agent:latest', 'is not pinned to a wandb release'],
    ['wandb/launch-agent:0.17.3', 'is an agent before wandb 0.28.1: it neither refuses unsafe queue configs nor sets a restricted security context'],
  ])('WandbLaunchAgent: image %s is a warning (an error in strict mode)', (image, expected) => {
    const app = Testing.app();
    app.node.setContext(Conventions.STRICT_CONTEXT_KEY, true);
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new WandbLaunchAgent(chart, 'agent', { platform: autopilot, ...AGENT, image, queues: [q] });
    expect(() => Testing.synth(chart)).toThrow(`(strict mode) image="${image}" ${expected}`);
  });
  test('WandbLaunchAgent: a pinned 0.28 release passes strict mode', () => {
    const app = Testing.app();
    app.node.setContext(Conventions.STRICT_CONTEXT_KEY, true);
    const chart = new Chart(app, 'c', { namespace: 'ml' });
    new WandbLaunchAgent(chart, 'agent', { platform: autopilot, ...AGENT, queues: [q] });
    expect(Testing.synth(chart).length).toBeGreaterThan(0);
  });
});
