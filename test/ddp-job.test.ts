import { Duration } from 'cdk8s';
import {
  Accelerator, CapacityType, CleanPodPolicy, ClusterAddon, DdpJob, DdpJobProps, DdpJobSet, DdpJobSetProps, Platform, PyTorchJob, PyTorchJobProps,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const base = { image: 'trainer:1.0', module: 'train' };

/** Any of the three multi-node PyTorch constructs. */
type DdpClass = typeof DdpJob | typeof PyTorchJob | typeof DdpJobSet;
type AnyDdpProps = DdpJobProps & PyTorchJobProps & DdpJobSetProps;

/** A DdpJob (or `cls`) with construct id `ddp`, synthesized. */
function ddp(platform: Platform, props: Partial<AnyDdpProps> = {}, cls: DdpClass = DdpJob) {
  const chart = chartFor(platform);
  new cls(chart, 'ddp', { platform, accelerator: Accelerator.L4, gpus: 2, ...base, ...props } as AnyDdpProps);
  return synth(chart, platform);
}
const containerOf = (template: any) => template.spec.containers[0];

describe('DdpJob on GKE Autopilot: Indexed Job + headless Service', () => {
  const objects = ddp(autopilot);
  const job = find(objects, 'Job');
  const svc = find(objects, 'Service');
  const t = job.spec.template;
  const c = containerOf(t);

  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('Indexed, completions = parallelism = nodes, pods in the Service subdomain', () => {
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimit: 4 });
    expect(t.spec.subdomain).toBe('gke-autopilot-ddp');
    expect(t.spec.restartPolicy).toBe('Never');
  });
  test('headless Service selects exactly this run and publishes not-ready addresses', () => {
    expect(svc.metadata.name).toBe(t.spec.subdomain);
    expect(svc.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'app.kubernetes.io/instance': 'gke-autopilot-ddp' } });
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(t.metadata.labels[k]).toBe(v);
  });
  test('torchrun: underscore flags, node rank from the completion index, rank 0 by FQDN in any namespace', () => {
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command[2]).toContain('exec torchrun "$@"');
    expect(c.command[2]).toContain('if [ "${NODE_RANK:-0}" != 0 ]');
    expect(c.args).toEqual(['--nnodes=2', '--nproc_per_node=2', '--node_rank=$(NODE_RANK)', '--master_addr=$(MASTER_ADDR)',
      '--master_port=$(MASTER_PORT)', '--rdzv_conf=timeout=600', '--max_restarts=0', '-m', 'train']);
    expect(c.env).toEqual(expect.arrayContaining([
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: 'metadata.annotations[\'batch.kubernetes.io/job-completion-index\']' } } },
      { name: 'MASTER_ADDR', value: 'gke-autopilot-ddp-0.gke-autopilot-ddp.$(POD_NAMESPACE).svc.cluster.local' },
      { name: 'MASTER_PORT', value: '29500' },
      { name: 'TORCH_NCCL_ASYNC_ERROR_HANDLING', value: '1' },
      { name: 'PROCESS_GROUP_TIMEOUT_SECONDS', value: '600' },
    ]));
    const names = c.env.map((e: any) => e.name);
    expect(names.indexOf('POD_NAMESPACE')).toBeLessThan(names.indexOf('MASTER_ADDR'));
  });
  test('preemption is ignored; no GPU init containers; GPUs, /dev/shm and Autopilot selector on the workers', () => {
    expect(job.spec.podFailurePolicy).toEqual({ rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
    expect(t.spec.initContainers).toBeUndefined();
    expect(c.resources.limits['nvidia.com/gpu']).toBe(2);
    expect(t.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(t.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
  });
  test('NetworkPolicy admits only pods of the same run', () => {
    expect(find(objects, 'NetworkPolicy').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gke-autopilot-ddp' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'gke-autopilot-ddp' } } }] }],
    });
  });
});

test('elastic: c10d rendezvous on node 0, --nnodes=MIN:MAX, no node_rank', () => {
  const c = containerOf(find(ddp(autopilot, { nodes: 4, elastic: { minNodes: 2 } }), 'Job').spec.template);
  expect(c.args).toEqual(['--nnodes=2:4', '--nproc_per_node=2', '--rdzv_backend=c10d', '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)',
    '--rdzv_id=gke-autopilot-ddp', '--rdzv_conf=join_timeout=600', '--max_restarts=3', '-m', 'train']);
});

test('nodes: 1 is one pod running torchrun --standalone, without Service', () => {
  const objects = ddp(autopilot, { nodes: 1, script: 'train.py', module: undefined, args: ['--lr', '1e-4'] });
  const job = find(objects, 'Job');
  expect(objects.filter(o => o.kind === 'Service')).toEqual([]);
  expect(job.spec.completionMode).toBeUndefined();
  expect(containerOf(job.spec.template).command).toEqual(['torchrun']);
  expect(containerOf(job.spec.template).args).toEqual(['--standalone', '--nproc_per_node=2', 'train.py', '--lr', '1e-4']);
});

test('Karpenter: toleration and do-not-disrupt on every worker', () => {
  const t = find(ddp(karpenter, { accelerator: Accelerator.A10G, gpus: 4 }), 'Job').spec.template;
  expect(t.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
  expect(t.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(containerOf(t).args).toContain('--nproc_per_node=4');
});

describe('PyTorchJob', () => {
  const objects = ddp(karpenter, { accelerator: Accelerator.A10G, gpus: 4, nodes: 3, cleanPodPolicy: CleanPodPolicy.NONE }, PyTorchJob);
  const pj = find(objects, 'PyTorchJob');
  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('Master + Worker, container pytorch, nprocPerNode, runPolicy', () => {
    expect(pj.apiVersion).toBe('kubeflow.org/v1');
    expect(pj.spec.nprocPerNode).toBe('4');
    expect(pj.spec.pytorchReplicaSpecs.Master.replicas).toBe(1);
    expect(pj.spec.pytorchReplicaSpecs.Worker.replicas).toBe(2);
    const t = pj.spec.pytorchReplicaSpecs.Worker.template;
    expect(containerOf(t).name).toBe('pytorch');
    expect(containerOf(t).ports).toEqual([{ name: 'pytorchjob-port', containerPort: 23456, protocol: 'TCP' }]);
    expect(containerOf(t).resources.limits['nvidia.com/gpu']).toBe(4);
    expect(t.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    expect(pj.spec.runPolicy).toEqual({ cleanPodPolicy: 'None', backoffLimit: 3, ttlSecondsAfterFinished: 86400 });
    expect(objects.filter(o => o.kind === 'Service')).toEqual([]);
  });
  test('elastic: Worker replicas only, elasticPolicy c10d', () => {
    const e = find(ddp(karpenter, { accelerator: Accelerator.A10G, nodes: 4, elastic: { minNodes: 2, maxRestarts: 5 } }, PyTorchJob), 'PyTorchJob');
    expect(Object.keys(e.spec.pytorchReplicaSpecs)).toEqual(['Worker']);
    expect(e.spec.elasticPolicy).toEqual({ rdzvBackend: 'c10d', minReplicas: 2, maxReplicas: 4, maxRestarts: 5 });
  });
});

describe('DdpJobSet', () => {
  const objects = ddp(autopilot, { capacityType: CapacityType.SPOT, nodes: 3 }, DdpJobSet);
  const js = find(objects, 'JobSet');
  test('whole manifest', () => expect(objects).toMatchSnapshot());
  test('one Indexed replicated Job, DNS hostnames, preemption restarts all without counting', () => {
    expect(js.spec.network).toEqual({ enableDNSHostnames: true, publishNotReadyAddresses: true, subdomain: 'gke-autopilot-ddp' });
    const rj = js.spec.replicatedJobs[0];
    expect(rj).toMatchObject({ name: 'node', replicas: 1, template: { spec: { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0 } } });
    expect(js.spec.failurePolicy).toEqual({ maxRestarts: 3, rules: [{ name: 'restartOnDisruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] }] });
    expect(js.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['node'] });
    expect(rj.template.spec.podFailurePolicy).toEqual({ rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] });
    expect(rj.template.metadata.annotations).toBeUndefined();
    const c = containerOf(rj.template.spec.template);
    // Without fail-fast codes torchrun is exec'ed as it is (its own exit code reaches the pod).
    expect(c.command[2]).toMatch(/\nexec torchrun "\$@"\n$/);
    expect(c.env).toContainEqual({ name: 'MASTER_ADDR', value: 'gke-autopilot-ddp-node-0-0.gke-autopilot-ddp.$(POD_NAMESPACE).svc.cluster.local' });
    expect(rj.template.spec.template.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4', 'cloud.google.com/gke-spot': 'true' });
    expect(objects.filter(o => o.kind === 'Service')).toEqual([]);
  });
});

describe('DdpJobSet failure policy: fail fast on exit codes, restart on disruption, bounded restarts; exclusive topology', () => {
  const objects = ddp(karpenter, { accelerator: Accelerator.A10G, failFastExitCodes: [3, 2, 3], backoffLimit: 5, exclusiveTopology: 'kubernetes.io/hostname' }, DdpJobSet);
  const js = find(objects, 'JobSet');
  const rj = js.spec.replicatedJobs[0];
  const c = containerOf(rj.template.spec.template);
  test('the Job fails on a disruption (rule 0) or a fail-fast exit code of the pytorch container (rule 1)', () => {
    expect(rj.template.spec.backoffLimit).toBe(0);
    expect(rj.template.spec.podFailurePolicy).toEqual({
      rules: [
        { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'pytorch', operator: 'In', values: [2, 3] }, onPodConditions: [] },
      ],
    });
    expect(c.name).toBe('pytorch');
  });
  test('the JobSet fails at once on rule 1\'s message, restarts without counting on the rest of PodFailurePolicy, else counts', () => {
    expect(js.spec.failurePolicy).toEqual({
      maxRestarts: 5,
      rules: [
        {
          name: 'failFastExitCode', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'],
          onJobFailureMessagePatterns: ['^Container pytorch for pod \\S+ failed with exit code [0-9]+ matching FailJob rule at index 1$'],
        },
        { name: 'restartOnDisruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] },
      ],
    });
    // The pattern against the Job controller's messages (pkg/controller/job/pod_failure_policy.go).
    const pattern = new RegExp(js.spec.failurePolicy.rules[0].onJobFailureMessagePatterns[0]);
    expect(pattern.test('Container pytorch for pod ml/karpenter-ddp-node-0-1-x7k2p failed with exit code 3 matching FailJob rule at index 1')).toBe(true);
    expect(pattern.test('Pod ml/karpenter-ddp-node-0-1-x7k2p has condition DisruptionTarget matching FailJob rule at index 0')).toBe(false);
  });
  test('rule names pass JobSet\'s webhook pattern', () => {
    for (const r of js.spec.failurePolicy.rules) expect(r.name).toMatch(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
  });
  test('the first failed worker\'s exit code becomes the container\'s (torchrun alone exits 1)', () => {
    expect(c.command[2]).toContain('except ChildFailedError as e:');
    expect(c.command[2]).not.toContain('exec torchrun "$@"');
    expect(c.command[2]).toContain('if [ "${NODE_RANK:-0}" != 0 ]');
  });
  test('exclusive topology on the replicated Job\'s template', () => {
    expect(rj.template.metadata.annotations).toEqual({ 'alpha.jobset.sigs.k8s.io/exclusive-topology': 'kubernetes.io/hostname' });
  });
});

test('escape hatches: apiObject, job, service', () => {
  const chart = chartFor(autopilot);
  const d = new DdpJob(chart, 'ddp', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  expect(d.job.kind).toBe('Job');
  expect(d.apiObject).toBe(d.job);
  expect(d.service!.kind).toBe('Service');
  const k = new PyTorchJob(chart, 'pj', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  expect(k.apiObject.kind).toBe('PyTorchJob');
  const j = new DdpJobSet(chart, 'js', { platform: autopilot, accelerator: Accelerator.L4, ...base });
  expect(j.apiObject.kind).toBe('JobSet');
});

const P = 'gke-autopilot/ddp';
const noAddons = Platform.gkeAutopilot({ addons: [] });
const addonMissing = (what: string, addon: string, key: string) =>
  `[${P}] platform.addons=[] is invalid: ${what} needs ${addon}, which GKE Autopilot does not list; install it and add ClusterAddon.${key} to the platform's addons, or choose a construct that does not need it`;
const bad: [string, DdpClass, Platform, Partial<AnyDdpProps>, string][] = [
  ['nodes 0', DdpJob, autopilot, { nodes: 0 }, `[${P}] nodes=0 is invalid: must be an integer from 1 to 100000 (Kubernetes allows an Indexed Job at most 100000 pods in parallel)`],
  ['nodes fractional', DdpJob, autopilot, { nodes: 1.5 }, `[${P}] nodes=1.5 is invalid: must be an integer from 1 to 100000 (Kubernetes allows an Indexed Job at most 100000 pods in parallel)`],
  ['GPUs per node not accepted by Autopilot', DdpJob, autopilot, { accelerator: Accelerator.T4, gpus: 3 }, `[${P}] gpus=3 is not accepted by GKE Autopilot for nvidia-tesla-t4 (allowed: 1, 2, 4)`],
  ['elastic min above max', DdpJob, autopilot, { nodes: 2, elastic: { minNodes: 3 } }, `[${P}] elastic.minNodes=3 is invalid: must be at most nodes=2 (the elastic maximum)`],
  ['elastic min 0', DdpJob, autopilot, { elastic: { minNodes: 0 } }, `[${P}] elastic.minNodes=0 is invalid: must be an integer >= 1`],
  ['elastic on one node', DdpJob, autopilot, { nodes: 1, elastic: { minNodes: 1 } }, `[${P}] elastic={"minNodes":1} is invalid: a single-node run (nodes=1) runs torchrun --standalone`],
  ['PyTorchJob without the training operator in the add-ons', PyTorchJob, noAddons, {}, addonMissing('a PyTorchJob', 'the Kubeflow training operator (kubeflow.org/v1)', 'KUBEFLOW_TRAINING_OPERATOR')],
  ['DdpJobSet without the JobSet controller in the add-ons', DdpJobSet, noAddons, {}, addonMissing('a JobSet', 'the JobSet controller (jobset.x-k8s.io/v1alpha2)', 'JOBSET')],
  ['hostname over 63 (DdpJob)', DdpJob, autopilot, { name: 'a'.repeat(62) }, `[${P}] name="${'a'.repeat(62)}" is invalid: derived pod hostnames exceed 63 characters ("${'a'.repeat(62)}-1" has 64); with 2 node(s) DdpJob names may have at most 61`],
  ['hostname over 63 (PyTorchJob)', PyTorchJob, autopilot, { name: 'b'.repeat(55) }, `[${P}] name="${'b'.repeat(55)}" is invalid: derived pod hostnames exceed 63 characters ("${'b'.repeat(55)}-worker-0" has 64); with 2 node(s) PyTorchJob names may have at most 54`],
  ['hostname over 63 with 11 nodes', DdpJob, autopilot, { name: 'c'.repeat(61), nodes: 11 }, `[${P}] name="${'c'.repeat(61)}" is invalid: derived pod hostnames exceed 63 characters ("${'c'.repeat(61)}-10" has 64); with 11 node(s) DdpJob names may have at most 60`],
  ['name starting with a digit', DdpJob, autopilot, { name: '1ddp' }, `[${P}] name="1ddp" is invalid: must start with a letter: it also names the Service(s) of the run`],
  ['no script or module', DdpJob, autopilot, { module: undefined }, `[${P}] script=undefined, module=undefined is invalid: give exactly one of script (e.g. "train.py") and module (e.g. "trainer.main")`],
  ['both script and module', DdpJob, autopilot, { script: 'train.py' }, `[${P}] script="train.py", module="train" is invalid: give exactly one of script`],
  ['bad module', DdpJob, autopilot, { module: 'my trainer' }, `[${P}] module="my trainer" is invalid: must be a dotted Python module name`],
  ['command given', DdpJob, autopilot, { command: ['python'] }, `[${P}] command=["python"] is invalid: DdpJob launches torchrun itself`],
  ['command given (PyTorchJob)', PyTorchJob, autopilot, { command: ['python'] }, `[${P}] command=["python"] is invalid: PyTorchJob launches torchrun itself`],
  ['reserved env', DdpJob, autopilot, { env: { MASTER_ADDR: 'x' } }, `[${P}] env["MASTER_ADDR"]="MASTER_ADDR" is invalid: DdpJob sets MASTER_ADDR itself`],
  ['bad cleanPodPolicy (PyTorchJob)', PyTorchJob, autopilot, { cleanPodPolicy: 'Always' as any }, `[${P}] cleanPodPolicy="Always" is invalid: must be one of CleanPodPolicy.ALL, CleanPodPolicy.RUNNING, CleanPodPolicy.NONE`],
  ['port below 1024', DdpJob, autopilot, { port: 80 }, `[${P}] port=80 is invalid: must be an integer from 1024 to 65535`],
  ['zero rendezvous timeout', DdpJob, autopilot, { rendezvousTimeout: Duration.seconds(0) }, `[${P}] rendezvousTimeout=0 seconds is invalid: must be a whole number of seconds, at least 1s`],
  ['negative backoff', DdpJob, autopilot, { backoffLimit: -1 }, `[${P}] backoffLimit=-1 is invalid: must be an integer from 0 to 100`],
  ['fail-fast exit code 0', DdpJobSet, autopilot, { failFastExitCodes: [0] }, `[${P}] failFastExitCodes=[0] is invalid: must be a list of exit codes from 1 to 255 (0 means success and cannot fail a Job)`],
  ['exclusive topology not a label key', DdpJobSet, autopilot, { exclusiveTopology: 'rack id' }, `[${P}] exclusiveTopology="rack id" is invalid: must be a node label key, e.g. "kubernetes.io/hostname"`],
];

describe('bad input: every invalid prop fails at synth with path, prop, value and what is allowed', () => {
  test.each(bad)('%s', (_name, cls, platform, props, expected) => {
    const msg = synthError(chart => new cls(chart, 'ddp', { platform, accelerator: Accelerator.L4, ...base, ...props } as AnyDdpProps), platform);
    expect(msg).toContain(expected);
  });

  test('a name exactly at the hostname limit is accepted', () => {
    expect(() => ddp(autopilot, { name: 'a'.repeat(61) })).not.toThrow();
  });

  test('with their add-ons listed, PyTorchJob and DdpJobSet synthesize', () => {
    const platform = Platform.gkeAutopilot({ addons: [ClusterAddon.KUBEFLOW_TRAINING_OPERATOR, ClusterAddon.JOBSET] });
    expect(find(ddp(platform, {}, PyTorchJob), 'PyTorchJob').apiVersion).toBe('kubeflow.org/v1');
    expect(find(ddp(platform, {}, DdpJobSet), 'JobSet').apiVersion).toBe('jobset.x-k8s.io/v1alpha2');
  });
});
