// Hostile inputs, written as a user's plain-JavaScript app would be (no types, no library internals): run by
// scripts/package-test.sh against the packed and installed package. Every case builds an App, synthesizes its YAML,
// and must end in either a validation error or YAML that holds: no crash (TypeError, RangeError, any non-validation
// error), no duplicate object, no secret (in the YAML or in the error message), no string kubectl would read as
// another type, no selector that selects nothing. Each accepted case's YAML is written to the output directory for
// scripts/check-manifests.ts (schemas, names, labels). Usage: node hostile-inputs.js <outdir>
'use strict';
const fs = require('fs');
const path = require('path');
const { App, Chart, Duration, JsonPatch, Size } = require('cdk8s');
const lib = require(process.env.GPU_ML_MODULE || 'cdk8s-gpu-ml');
// cdk8s's own copy of the yaml package, to read the YAML back as cdk8s's Yaml.load does (see parseDocs).
const cdk8sYaml = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));

const {
  Accelerator, CapacityType, DdpJob, DdpJobSet, GpuMetric, GpuMonitoring, GpuNodePool, GpuPriceTable, GpuPriorityClasses,
  GpuQuota, GpuTrainingJob, InferenceDeployment, KServeDeploymentMode, KServeInferenceService, ModelFormat, Platform,
  PriorityClass, PyTorchJob, ScalingMetric, SpotBatchJob, StorageVolume, TfJob,
} = lib;

const outdir = process.argv[2] || 'hostile-out';
fs.mkdirSync(outdir, { recursive: true });

// Credential-shaped values (made up): none may reach the YAML or a message.
const SECRETS = {
  hf: 'hf_' + 'Qx7'.repeat(12),
  gh: 'ghp_' + 'Zr4'.repeat(12),
  aws: 'AKIAQWERTYUIOPASDFGH',
  awsSecret: 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
  password: 'Tr0ub4dor-and-3',
  wandb: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c',
  numeric: 987654321987,
};
const secretValues = Object.values(SECRETS).map(String);

const autopilot = () => Platform.gkeAutopilot();
const karpenter = () => Platform.karpenter();
const k8s = () => Platform.kubernetes();
const job = (extra) => Object.assign({ platform: autopilot(), accelerator: Accelerator.L4, image: 'trainer:1.0' }, extra);
const kserve = (extra) => Object.assign({ platform: autopilot(), accelerator: Accelerator.L4, modelFormat: ModelFormat.HUGGINGFACE }, extra);
const GARBAGE = [undefined, null, 'garbage', 42, -1, 0, 1.5, NaN, Infinity, -Infinity, 1e21, 1e9, true, [], [null], {}, { x: 1 },
  () => 1, new Date(0), '', ' ', '0o17', 'A'.repeat(300), Symbol('s')];

const cases = [];
const add = (cls, name, build) => cases.push({ cls, name, build });

// 1. Garbage types: the props object, and every prop of every construct, one at a time.
const constructs = {
  GpuTrainingJob: [GpuTrainingJob, () => job({}), ['platform', 'image', 'accelerator', 'gpus', 'cpu', 'memory', 'ephemeralStorage', 'env', 'secretEnv',
    'command', 'args', 'labels', 'name', 'namespace', 'capacityType', 'terminationGracePeriod', 'priorityClass', 'identity', 'dataset', 'volumes',
    'backoffLimit', 'failFastExitCodes', 'activeDeadline', 'ttlAfterFinished', 'sharedMemorySize', 'serviceAccountName', 'runAsRoot']],
  DdpJob: [DdpJob, () => job({ module: 'train' }), ['nodes', 'script', 'module', 'port', 'elastic', 'rendezvousTimeout', 'clusterDomain', 'gpus', 'args']],
  DdpJobSet: [DdpJobSet, () => job({ module: 'train' }), ['nodes', 'port', 'backoffLimit', 'ttlAfterFinished']],
  PyTorchJob: [PyTorchJob, () => job({ module: 'train' }), ['nodes', 'elastic', 'cleanPodPolicy']],
  TfJob: [TfJob, () => job({}), ['workers', 'chief', 'parameterServers', 'evaluator', 'restartPolicy', 'successPolicy', 'script', 'cleanPodPolicy']],
  SpotBatchJob: [SpotBatchJob, () => job({}), ['completions', 'parallelism', 'backoffLimitPerIndex', 'maxFailedIndexes', 'checkpointCommand']],
  InferenceDeployment: [InferenceDeployment, () => job({}), ['port', 'metricsPort', 'minReplicas', 'maxReplicas', 'scalingMetrics', 'storageUri',
    'healthPath', 'healthPort', 'modelLoadTimeout', 'serviceType', 'servicePort', 'maxUnavailable', 'httpsHost', 'staticIpName']],
  KServeInferenceService: [KServeInferenceService, () => kserve({}), ['modelFormat', 'image', 'runtime', 'runtimeVersion', 'protocolVersion',
    'deploymentMode', 'knativeFeatureFlags', 'storageSecretName', 'coldStartTimeout', 'storageUri', 'scalingMetrics', 'minReplicas']],
  GpuNodePool: [GpuNodePool, () => ({ accelerator: Accelerator.L4, gpuLimit: 8, role: 'r', clusterName: 'c' }), ['accelerator', 'gpuLimit',
    'gpusPerNode', 'instanceFamilies', 'capacityType', 'role', 'subnetTags', 'amiAlias', 'rootVolumeSize', 'disruptionBudgets', 'expireAfter',
    'taintKey', 'nodeLabels', 'tags', 'weight', 'name', 'platform']],
  GpuQuota: [GpuQuota, () => ({ gpus: 4 }), ['gpus', 'priorityClasses', 'namespace', 'name', 'labels', 'platform']],
  GpuPriorityClasses: [GpuPriorityClasses, () => ({}), ['productionName', 'productionValue', 'researchName', 'researchValue', 'researchPreempts']],
  GpuMonitoring: [GpuMonitoring, () => ({ platform: karpenter() }), ['platform', 'name', 'namespace', 'accelerators', 'prices', 'scrapeTargets',
    'idleUtilizationPercent', 'idleFor', 'temperatureCelsius', 'prometheusLabels', 'exporterImage', 'monitoringNamespace']],
};
// The constructs of issues 13 and later: their own props (the props every workload shares are swept above).
const {
  ComputeClass, EbsGp3StorageClass, EfsStorageClass, FsxLustreStorageClass, GkeHyperdiskMlStorageClass, GkePersistentDiskStorageClass, GpuFlavor,
  GpuFleet, GpuPlanReport, GpuShare, GpuSharingConfig, InferenceGateway, JupyterHubGpuProfiles, KServeLlmInferenceService, KubeflowNotebook, LlmModel,
  StatefulSetNotebook, Topology, TorchTrainingRuntime, TrainJob, VllmDeployment, VllmLeaderWorkerSet, VolumeClaim, WandbLaunchAgent, WandbLaunchQueue,
} = lib;
const llm = (extra) => Object.assign({ platform: autopilot(), model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192,
  huggingFaceToken: { secretName: 'hf', key: 'token' } }, extra);
const agent = (extra) => Object.assign({ platform: autopilot(), image: 'wandb/launch-agent:0.28.2', apiKey: { secretName: 'wandb', key: 'api-key' },
  queues: [WandbLaunchQueue.fromName('gpu', 'ml')] }, extra);
const fleet = (extra) => Object.assign({ platform: autopilot(), teams: [{ name: 't', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 4 }] }] }, extra);
const fsx = (extra) => Object.assign({ platform: karpenter(), subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'] }, extra);
const STORAGE = ['labels', 'name', 'platform', 'reclaimPolicy', 'volumeBindingMode'];
const VLLM = ['dtype', 'gpuMemoryUtilization', 'huggingFaceToken', 'maxContextLength', 'model', 'modelLoadTimeout', 'nodes', 'quantization', 'replicas'];
const NOTEBOOK = ['accessNamespaces', 'idleCulling', 'stopped', 'workspacePath', 'workspaceSize', 'workspaceStorageClass', 'name'];
Object.assign(constructs, {
  TrainJob: [TrainJob, () => job({ command: ['torchrun', 'train.py'] }), ['networkProfile', 'nodes', 'runtime', 'name']],
  TorchTrainingRuntime: [TorchTrainingRuntime, () => ({ platform: karpenter() }), ['image', 'maxRestarts', 'name', 'namespace', 'platform']],
  Topology: [Topology, () => ({ platform: karpenter() }), ['levels', 'name', 'platform']],
  VllmDeployment: [VllmDeployment, () => llm({}), [...VLLM, 'autoscaling', 'modelCache', 'name']],
  VllmLeaderWorkerSet: [VllmLeaderWorkerSet, () => llm({ nodes: 2 }), [...VLLM, 'autoscaling', 'modelCache']],
  KServeLlmInferenceService: [KServeLlmInferenceService, () => llm({ huggingFaceToken: { secretName: 'hf', key: 'HF_TOKEN' } }), [...VLLM, 'routing', 'name']],
  InferenceGateway: [InferenceGateway, c => ({ server: new VllmDeployment(c, 'server', llm({})) }), ['endpointPickerImage', 'endpointPickerReplicas',
    'existingGatewayName', 'failOpen', 'gatewayClassName', 'name', 'pathPrefix', 'requestTimeout', 'server']],
  KubeflowNotebook: [KubeflowNotebook, () => job({ image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' }), NOTEBOOK],
  StatefulSetNotebook: [StatefulSetNotebook, () => job({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }), [...NOTEBOOK, 'token']],
  JupyterHubGpuProfiles: [JupyterHubGpuProfiles, () => ({ platform: autopilot(), profiles: [{ displayName: '1 x L4', accelerator: Accelerator.L4 }] }),
    ['platform', 'profiles', 'userPodTolerations']],
  WandbLaunchAgent: [WandbLaunchAgent, () => agent({}), ['apiKey', 'baseUrl', 'entity', 'image', 'isolateNetwork', 'labels', 'maxJobs', 'name', 'namespace',
    'platform', 'queues']],
  WandbLaunchQueue: [WandbLaunchQueue, () => ({ platform: autopilot(), accelerator: Accelerator.L4 }), ['platform', 'accelerator', 'gpus', 'image', 'name', 'env']],
  GpuFleet: [GpuFleet, () => fleet({}), ['cohort', 'name', 'platform', 'priorities', 'teams', 'topology']],
  ComputeClass: [ComputeClass, () => ({ platform: autopilot(), priorities: [{ accelerator: Accelerator.L4, gpus: 1 }] }), ['activeMigration', 'description',
    'name', 'nodePoolAutoCreation', 'platform', 'priorities', 'whenUnsatisfiable']],
  GpuPlanReport: [GpuPlanReport, () => ({ platform: autopilot() }), ['platform', 'prices']],
  GpuSharingConfig: [GpuSharingConfig, () => ({ platform: karpenter(), shares: [GpuShare.timeShared(2)] }), ['labels', 'name', 'namespace', 'platform', 'shares']],
  VolumeClaim: [VolumeClaim, () => ({ platform: karpenter(), size: Size.gibibytes(10) }), ['accessMode', 'fromSnapshot', 'labels', 'name', 'namespace',
    'platform', 'size', 'storageClass', 'volumeName']],
  GkePersistentDiskStorageClass: [GkePersistentDiskStorageClass, () => ({ platform: autopilot() }), [...STORAGE, 'allowVolumeExpansion', 'diskType', 'regional']],
  GkeHyperdiskMlStorageClass: [GkeHyperdiskMlStorageClass, () => ({ platform: autopilot() }), [...STORAGE, 'readAheadKib', 'throughputMiBps']],
  EbsGp3StorageClass: [EbsGp3StorageClass, () => ({ platform: karpenter() }), [...STORAGE, 'allowVolumeExpansion', 'encrypted', 'iops', 'kmsKeyId',
    'throughputMiBps']],
  EfsStorageClass: [EfsStorageClass, () => ({ platform: karpenter(), fileSystemId: 'fs-0123456789abcdef0' }), [...STORAGE, 'basePath', 'directoryPerms',
    'fileSystemId']],
  FsxLustreStorageClass: [FsxLustreStorageClass, () => fsx({}), [...STORAGE, 'dataCompression', 'deploymentType', 'perUnitStorageThroughput',
    's3ImportPath', 'securityGroupIds', 'subnetId']],
});
for (const [cls, [Ctor, valid, props]] of Object.entries(constructs)) {
  for (const whole of [undefined, null, 'props', 42, [], 'valid props in a list']) {
    add(cls, `props=${String(whole)}`, c => new Ctor(c, 'x', whole === 'valid props in a list' ? [valid(c)] : whole));
  }
  for (const prop of props) {
    GARBAGE.forEach((g, i) => add(cls, `${prop}=garbage#${i}`, c => new Ctor(c, 'x', Object.assign(valid(c), { [prop]: g }))));
  }
}

// 2. Typos and unknown props.
add('GpuTrainingJob', 'gpu for gpus', c => new GpuTrainingJob(c, 'x', job({ gpu: 2 })));
add('GpuTrainingJob', 'memroy', c => new GpuTrainingJob(c, 'x', job({ memroy: Size.gibibytes(8) })));
add('GpuTrainingJob', 'Image', c => new GpuTrainingJob(c, 'x', Object.assign(job({}), { Image: 'x:1', image: undefined })));
add('GpuTrainingJob', 'secretEnv typo', c => new GpuTrainingJob(c, 'x', job({ secretEnv: [{ name: 'HF_TOKEN', secret: 'hf', key: 'token' }] })));
add('GpuTrainingJob', 'platform option typo', c => new GpuTrainingJob(c, 'x', job({ platform: Platform.karpenter({ nodepool: 'gpu' }), accelerator: Accelerator.A10G })));
add('TfJob', 'replica typo', c => new TfJob(c, 'x', job({ workers: { replica: 3 } })));
add('GpuMonitoring', 'scrape target typo', c => new GpuMonitoring(c, 'x', { platform: karpenter(), scrapeTargets: [{ name: 'a', matchLabel: { a: 'b' }, port: 'http' }] }));

// 3. Secrets, every route.
const secretEnvCases = {
  'HF_TOKEN literal': { HF_TOKEN: SECRETS.hf }, 'DB_PASS': { DB_PASS: SECRETS.password }, 'DATABASE_URL': { DATABASE_URL: `postgres://app:${SECRETS.password}@db/app` },
  'SENTRY_DSN': { SENTRY_DSN: `https://${SECRETS.wandb}@sentry.io/1` }, 'URL creds': { UPSTREAM: `https://u:${SECRETS.password}@h/x` },
  's3 creds': { DATA: `s3://${SECRETS.aws}:${SECRETS.awsSecret}@bucket/x` }, 'AWS key': { KEY_ID: SECRETS.aws }, 'GitHub token': { REPO: SECRETS.gh },
  'W&B key': { WANDB: SECRETS.wandb }, 'numeric token': { API_KEY: SECRETS.numeric }, 'HF value under neutral name': { MODEL: SECRETS.hf },
};
for (const [name, env] of Object.entries(secretEnvCases)) add('secrets', `env ${name}`, c => new GpuTrainingJob(c, 'x', job({ env })));
const secretArgs = {
  '--hf-token=': ['--hf-token=' + SECRETS.hf], '--token VALUE': ['--token', SECRETS.password], '--api-key in sh -c': ['sh', '-c', `python t.py --api-key ${SECRETS.password}`],
  'WANDB_API_KEY= in sh -c': ['sh', '-c', `WANDB_API_KEY=${SECRETS.wandb} python t.py`], 'token shape': ['--model', SECRETS.gh],
  'export': ['bash', '-c', `export HF_TOKEN="${SECRETS.password}"; python t.py`],
};
for (const [name, args] of Object.entries(secretArgs)) {
  add('secrets', `args ${name}`, c => new GpuTrainingJob(c, 'x', job({ args })));
  add('secrets', `command ${name}`, c => new GpuTrainingJob(c, 'x', job({ command: args })));
}
add('secrets', 'storageUri KServe', c => new KServeInferenceService(c, 'x', { platform: karpenter(), accelerator: Accelerator.A10G, image: 's:1', storageUri: `s3://${SECRETS.aws}:${SECRETS.awsSecret}@m/x` }));
add('secrets', 'storageUri Deployment', c => new InferenceDeployment(c, 'x', job({ storageUri: `https://u:${SECRETS.password}@h/m` })));
add('secrets', 'checkpointCommand', c => new SpotBatchJob(c, 'x', job({ checkpointCommand: ['sh', '-c', `HF_TOKEN=${SECRETS.hf} flush`] })));
add('secrets', 'escape hatch env', c => new GpuTrainingJob(c, 'x', job({})).job.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'DB_PASSWORD', value: SECRETS.password }])));
add('secrets', 'escape hatch annotation', c => new GpuTrainingJob(c, 'x', job({})).job.addJsonPatch(JsonPatch.add('/metadata/annotations', { note: SECRETS.gh })));
add('secrets', 'label value', c => new GpuTrainingJob(c, 'x', job({ labels: { token: SECRETS.hf.slice(0, 40) } })));
add('secrets', 'image with token', c => new GpuTrainingJob(c, 'x', job({ image: `registry/${SECRETS.hf} x` })));
add('secrets', 'typo with secret value', c => new GpuTrainingJob(c, 'x', job({ envs: { HF_TOKEN: SECRETS.hf } })));
add('secrets', 'secretEnv reference (accepted)', c => new GpuTrainingJob(c, 'x', job({ args: ['--hf-token=$(HF_TOKEN)'], secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 'token' }] })));

// The later constructs' credential-carrying props: a literal where a SecretKeyRef is expected, credentials in URLs,
// paths and names, and the files beside the manifests (queue configs, Helm values), which are scanned too.
const hfLiteral = { 'VllmDeployment': VllmDeployment, 'VllmLeaderWorkerSet': VllmLeaderWorkerSet, 'KServeLlmInferenceService': KServeLlmInferenceService };
for (const [cls, Ctor] of Object.entries(hfLiteral)) {
  const nodes = cls === 'VllmLeaderWorkerSet' ? { nodes: 2 } : {};
  add('secrets', `${cls} huggingFaceToken literal`, c => new Ctor(c, 'x', llm(Object.assign({ huggingFaceToken: SECRETS.hf }, nodes))));
  add('secrets', `${cls} huggingFaceToken as secretName`, c => new Ctor(c, 'x', llm(Object.assign({ huggingFaceToken: { secretName: SECRETS.hf, key: 'token' } }, nodes))));
  add('secrets', `${cls} huggingFaceToken as key`, c => new Ctor(c, 'x', llm(Object.assign({ huggingFaceToken: { secretName: 'hf', key: SECRETS.hf } }, nodes))));
  add('secrets', `${cls} HF_TOKEN env`, c => new Ctor(c, 'x', llm(Object.assign({ env: { HF_TOKEN: SECRETS.hf } }, nodes))));
  add('secrets', `${cls} --hf-token arg`, c => new Ctor(c, 'x', llm(Object.assign({ args: ['--hf-token', SECRETS.hf] }, nodes))));
  add('secrets', `${cls} model id with token`, c => new Ctor(c, 'x', llm(Object.assign({ model: LlmModel.huggingFace(`${SECRETS.hf}/x`, { parameters: 1e9 }) }, nodes))));
  add('secrets', `${cls} model URI with credentials`, c => new Ctor(c, 'x', llm(Object.assign({ model: LlmModel.fromStorageUri(`s3://${SECRETS.aws}:${SECRETS.awsSecret}@b/m`, 'm', { parameters: 1e9 }) }, nodes))));
}
add('secrets', 'W&B apiKey literal', c => new WandbLaunchAgent(c, 'x', agent({ apiKey: SECRETS.wandb })));
add('secrets', 'W&B baseUrl with credentials', c => new WandbLaunchAgent(c, 'x', agent({ baseUrl: `https://u:${SECRETS.password}@wandb.example.com` })));
add('secrets', 'W&B queue env WANDB_API_KEY', c => new WandbLaunchQueue(c, 'x', { platform: autopilot(), accelerator: Accelerator.L4, env: { WANDB_API_KEY: SECRETS.wandb } }));
add('secrets', 'W&B queue args token', c => new WandbLaunchQueue(c, 'x', { platform: autopilot(), accelerator: Accelerator.L4, args: ['--token', SECRETS.gh] }));
add('secrets', 'notebook token literal', c => new StatefulSetNotebook(c, 'x', job({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12', token: SECRETS.password })));
add('secrets', 'notebook token arg', c => new StatefulSetNotebook(c, 'x', job({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12', args: [`--ServerApp.token=${SECRETS.password}`] })));
add('secrets', 'notebook JUPYTER_TOKEN env', c => new StatefulSetNotebook(c, 'x', job({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12', env: { JUPYTER_TOKEN: SECRETS.password } })));
add('secrets', 'Kubeflow notebook JUPYTER_TOKEN env', c => new KubeflowNotebook(c, 'x', job({ image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0', env: { JUPYTER_TOKEN: SECRETS.password } })));
add('secrets', 'JupyterHub profile named with a token', c => new JupyterHubGpuProfiles(c, 'x', { platform: autopilot(), profiles: [{ displayName: SECRETS.hf, accelerator: Accelerator.L4 }] }));
add('secrets', 'JupyterHub profile description with a token', c => new JupyterHubGpuProfiles(c, 'x', { platform: autopilot(), profiles: [{ displayName: 'L4', description: `token ${SECRETS.gh}`, accelerator: Accelerator.L4 }] }));
add('secrets', 'TrainJob HF_TOKEN env', c => new TrainJob(c, 'x', job({ command: ['torchrun', 'train.py'], env: { HF_TOKEN: SECRETS.hf } })));
add('secrets', 'TrainJob DATABASE_URL', c => new TrainJob(c, 'x', job({ command: ['torchrun', 'train.py'], env: { DATABASE_URL: `postgres://a:${SECRETS.password}@db/x` } })));
add('secrets', 'TorchTrainingRuntime image with token', c => new TorchTrainingRuntime(c, 'x', { platform: karpenter(), image: `registry/${SECRETS.gh}:1` }));
add('secrets', 'FSx s3ImportPath with credentials', c => new FsxLustreStorageClass(c, 'x', fsx({ s3ImportPath: `s3://${SECRETS.aws}:${SECRETS.awsSecret}@bucket/x` })));
add('secrets', 'EBS kmsKeyId an access key', c => new EbsGp3StorageClass(c, 'x', { platform: karpenter(), kmsKeyId: SECRETS.aws }));
add('secrets', 'EFS basePath with a token', c => new EfsStorageClass(c, 'x', { platform: karpenter(), fileSystemId: 'fs-0123456789abcdef0', basePath: `/${SECRETS.gh}` }));
add('secrets', 'VolumeClaim fromSnapshot a token', c => new VolumeClaim(c, 'x', { platform: karpenter(), size: Size.gibibytes(10), fromSnapshot: SECRETS.gh }));
add('secrets', 'InferenceGateway pathPrefix with a token', c => new InferenceGateway(c, 'x', { server: new VllmDeployment(c, 'server', llm({})), pathPrefix: `/${SECRETS.hf}` }));
add('secrets', 'GpuFleet team named with a token', c => new GpuFleet(c, 'x', fleet({ teams: [{ name: SECRETS.gh, namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 4 }] }] })));
add('secrets', 'ComputeClass description with a token', c => new ComputeClass(c, 'x', { platform: autopilot(), priorities: [{ accelerator: Accelerator.L4, gpus: 1 }], description: SECRETS.hf }));

// 4. Names and duplicates.
for (const name of ['', 'A', 'Upper', '1abc', '-x', 'x-', 'a'.repeat(64), 'a.b', 'a_b', 'ok-name', 'a'.repeat(60)]) {
  add('names', `job name ${JSON.stringify(name.slice(0, 20))}`, c => new GpuTrainingJob(c, 'x', job({ name })));
  add('names', `deployment name ${JSON.stringify(name.slice(0, 20))}`, c => new InferenceDeployment(c, 'x', job({ name })));
  add('names', `kserve name ${JSON.stringify(name.slice(0, 20))}`, c => new KServeInferenceService(c, 'x', kserve({ name })));
  add('names', `ddp name ${JSON.stringify(name.slice(0, 20))}`, c => new DdpJob(c, 'x', job({ module: 't', name, nodes: 16 })));
  add('names', `namespace ${JSON.stringify(name.slice(0, 20))}`, c => new GpuTrainingJob(c, 'x', job({ namespace: name })));
  add('names', `monitoring name ${JSON.stringify(name.slice(0, 20))}`, c => new GpuMonitoring(c, 'x', { platform: karpenter(), name }));
}
// The later constructs' names (and namespaces where they have one).
const named = {
  TrainJob: (c, p) => new TrainJob(c, 'x', job(Object.assign({ command: ['torchrun', 'train.py'] }, p))),
  TorchTrainingRuntime: (c, p) => new TorchTrainingRuntime(c, 'x', Object.assign({ platform: karpenter() }, p)),
  Topology: (c, p) => new Topology(c, 'x', Object.assign({ platform: karpenter() }, p)),
  VllmDeployment: (c, p) => new VllmDeployment(c, 'x', llm(p)),
  VllmLeaderWorkerSet: (c, p) => new VllmLeaderWorkerSet(c, 'x', llm(Object.assign({ nodes: 2 }, p))),
  KServeLlmInferenceService: (c, p) => new KServeLlmInferenceService(c, 'x', llm(p)),
  InferenceGateway: (c, p) => new InferenceGateway(c, 'x', Object.assign({ server: new VllmDeployment(c, 'server', llm({})) }, p)),
  KubeflowNotebook: (c, p) => new KubeflowNotebook(c, 'x', job(Object.assign({ image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' }, p))),
  StatefulSetNotebook: (c, p) => new StatefulSetNotebook(c, 'x', job(Object.assign({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }, p))),
  WandbLaunchAgent: (c, p) => new WandbLaunchAgent(c, 'x', agent(p)),
  WandbLaunchQueue: (c, p) => new WandbLaunchQueue(c, 'x', Object.assign({ platform: autopilot(), accelerator: Accelerator.L4 }, p)),
  GpuFleet: (c, p) => new GpuFleet(c, 'x', fleet(p)),
  ComputeClass: (c, p) => new ComputeClass(c, 'x', Object.assign({ platform: autopilot(), priorities: [{ accelerator: Accelerator.L4, gpus: 1 }] }, p)),
  GpuSharingConfig: (c, p) => new GpuSharingConfig(c, 'x', Object.assign({ platform: karpenter(), shares: [GpuShare.timeShared(2)] }, p)),
  VolumeClaim: (c, p) => new VolumeClaim(c, 'x', Object.assign({ platform: karpenter(), size: Size.gibibytes(10) }, p)),
  GkePersistentDiskStorageClass: (c, p) => new GkePersistentDiskStorageClass(c, 'x', Object.assign({ platform: autopilot() }, p)),
  FsxLustreStorageClass: (c, p) => new FsxLustreStorageClass(c, 'x', fsx(p)),
};
const namespaced = ['TrainJob', 'TorchTrainingRuntime', 'VllmDeployment', 'KServeLlmInferenceService', 'StatefulSetNotebook', 'WandbLaunchAgent', 'GpuSharingConfig', 'VolumeClaim'];
for (const name of ['', 'A', 'Upper', '1abc', '-x', 'x-', 'a'.repeat(64), 'a.b', 'a_b', 'ok-name', 'a'.repeat(60)]) {
  for (const [cls, build] of Object.entries(named)) {
    add('names', `${cls} name ${JSON.stringify(name.slice(0, 20))}`, c => build(c, { name }));
    if (namespaced.includes(cls)) add('names', `${cls} namespace ${JSON.stringify(name.slice(0, 20))}`, c => build(c, { namespace: name }));
  }
}
add('names', 'chart namespace', (c, app) => new GpuTrainingJob(new Chart(app, 'bad-ns', { namespace: 'ML_Prod' }), 'x', job({})));
add('names', 'KServe host label with long namespace', c => new KServeInferenceService(c, 'x', kserve({ name: 'llama-3-1-8b-instruct-finetuned', namespace: 'research-team-alpha-inference' })));
add('duplicates', 'two jobs one name', c => { new GpuTrainingJob(c, 'a', job({ name: 'x' })); new GpuTrainingJob(c, 'b', job({ name: 'x' })); });
add('duplicates', 'job and DDP job one name', c => { new GpuTrainingJob(c, 'a', job({ name: 'x' })); new DdpJob(c, 'b', job({ name: 'x', module: 't', nodes: 1 })); });
add('duplicates', 'ids differing in case', c => { new GpuTrainingJob(c, 'Train', job({})); new GpuTrainingJob(c, 'train', job({})); });
add('duplicates', 'two quotas', c => { new GpuQuota(c, 'a', { gpus: 1, name: 'q' }); new GpuQuota(c, 'b', { gpus: 2, name: 'q' }); });
add('duplicates', 'two monitorings', c => { new GpuMonitoring(c, 'a', { platform: karpenter() }); new GpuMonitoring(c, 'b', { platform: karpenter() }); });
add('duplicates', 'two charts', (c, app) => { new GpuTrainingJob(c, 'a', job({ name: 'x' })); new GpuTrainingJob(new Chart(app, 'other', { namespace: 'ml' }), 'a', job({ name: 'x' })); });
add('duplicates', 'two priority class sets', c => { new GpuPriorityClasses(c, 'a', {}); new GpuPriorityClasses(c, 'b', {}); });

add('duplicates', 'vLLM and InferenceDeployment one name', c => { new VllmDeployment(c, 'a', llm({ name: 'x' })); new InferenceDeployment(c, 'b', job({ name: 'x' })); });
add('duplicates', 'vLLM Deployment and LeaderWorkerSet one name', c => { new VllmDeployment(c, 'a', llm({ name: 'x' })); new VllmLeaderWorkerSet(c, 'b', llm({ name: 'x', nodes: 2 })); });
add('duplicates', 'vLLM and notebook one name', c => { new VllmDeployment(c, 'a', llm({ name: 'x' })); new StatefulSetNotebook(c, 'b', job({ name: 'x', image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' })); });
add('duplicates', 'two notebooks of two kinds', c => {
  new KubeflowNotebook(c, 'a', job({ name: 'x', image: 'ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-cuda-full:v1.11.0' }));
  new StatefulSetNotebook(c, 'b', job({ name: 'x', image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }));
});
add('duplicates', 'KServe and KServe LLM one name', c => { new KServeInferenceService(c, 'a', kserve({ name: 'x' })); new KServeLlmInferenceService(c, 'b', llm({ name: 'x' })); });
add('duplicates', 'TrainJob and GpuTrainingJob one name', c => { new TrainJob(c, 'a', job({ name: 'x', command: ['torchrun', 't.py'] })); new GpuTrainingJob(c, 'b', job({ name: 'x' })); });
add('duplicates', 'TrainJob and DdpJobSet one name', c => { new TrainJob(c, 'a', job({ name: 'x', command: ['torchrun', 't.py'] })); new DdpJobSet(c, 'b', job({ name: 'x', module: 't' })); });
add('duplicates', 'two runtimes', c => { new TorchTrainingRuntime(c, 'a', { platform: karpenter() }); new TorchTrainingRuntime(c, 'b', { platform: karpenter() }); });
add('duplicates', 'two topologies', c => { new Topology(c, 'a', { platform: karpenter() }); new Topology(c, 'b', { platform: karpenter() }); });
add('duplicates', 'two fleets', c => { new GpuFleet(c, 'a', fleet({})); new GpuFleet(c, 'b', fleet({})); });
add('duplicates', 'fleet team twice', c => new GpuFleet(c, 'a', fleet({ teams: [0, 1].map(() => ({ name: 't', namespace: 'ml', quotas: [{ flavor: GpuFlavor.onDemand(Accelerator.L4), gpus: 4 }] })) })));
add('duplicates', 'two compute classes', c => { for (const id of ['a', 'b']) new ComputeClass(c, id, { platform: autopilot(), name: 'x', priorities: [{ accelerator: Accelerator.L4, gpus: 1 }] }); });
add('duplicates', 'storage classes of two kinds', c => { new EbsGp3StorageClass(c, 'a', { platform: karpenter(), name: 'fast' }); new EfsStorageClass(c, 'b', { platform: karpenter(), name: 'fast', fileSystemId: 'fs-0123456789abcdef0' }); });
add('duplicates', 'GKE storage classes of two kinds', c => { new GkePersistentDiskStorageClass(c, 'a', { platform: autopilot(), name: 'x' }); new GkeHyperdiskMlStorageClass(c, 'b', { platform: autopilot(), name: 'x' }); });
add('duplicates', 'two volume claims', c => { for (const id of ['a', 'b']) new VolumeClaim(c, id, { platform: karpenter(), size: Size.gibibytes(1), name: 'x' }); });
// No duplicate in the YAML, but the StatefulSet creates its workspace claim workspace-x-0 at run time and would take the
// user's VolumeClaim of that name: the library claims it like an emitted object and refuses the pair.
add('duplicates', 'volume claim and notebook workspace', c => {
  new StatefulSetNotebook(c, 'a', job({ name: 'x', image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' }));
  new VolumeClaim(c, 'b', { platform: autopilot(), size: Size.gibibytes(1), name: 'workspace-x-0' });
  new VolumeClaim(c, 'c', { platform: autopilot(), size: Size.gibibytes(1), name: 'x-workspace' });
});
add('duplicates', 'two W&B agents', c => { new WandbLaunchAgent(c, 'a', agent({})); new WandbLaunchAgent(c, 'b', agent({})); });
add('duplicates', 'two W&B queues one name', c => { for (const id of ['a', 'b']) new WandbLaunchQueue(c, id, { platform: autopilot(), accelerator: Accelerator.L4, name: 'q' }); });
add('duplicates', 'W&B queue and job one name', c => { new WandbLaunchQueue(c, 'a', { platform: autopilot(), accelerator: Accelerator.L4, name: 'x' }); new GpuTrainingJob(c, 'b', job({ name: 'x' })); });
add('duplicates', 'two sharing configs', c => { for (const id of ['a', 'b']) new GpuSharingConfig(c, id, { platform: karpenter(), shares: [GpuShare.timeShared(2)] }); });
add('duplicates', 'two plan reports', c => { new GpuPlanReport(c, 'a', { platform: autopilot() }); new GpuPlanReport(c, 'b', { platform: autopilot() }); });
add('duplicates', 'two JupyterHub profile sets', c => { for (const id of ['a', 'b']) new JupyterHubGpuProfiles(c, id, { platform: autopilot(), profiles: [{ displayName: 'L4', accelerator: Accelerator.L4 }] }); });
add('duplicates', 'two gateways on one server', c => { const server = new VllmDeployment(c, 's', llm({})); new InferenceGateway(c, 'a', { server }); new InferenceGateway(c, 'b', { server }); });
add('duplicates', 'gateway named as its server', c => { const server = new VllmDeployment(c, 's', llm({ name: 'x' })); new InferenceGateway(c, 'a', { server, name: 'x' }); });

// 5. Limits.
const limits = {
  'ttl 1e6 days': () => job({ ttlAfterFinished: Duration.days(1e6) }), 'deadline 1e9 days': () => job({ activeDeadline: Duration.days(1e9) }),
  'grace 1e9 days': () => job({ terminationGracePeriod: Duration.days(1e9) }), 'memory 1e10 TiB': () => job({ memory: Size.tebibytes(1e10) }),
  'cpu 1e21': () => job({ cpu: 1e21 }), 'cpu 1e-9': () => job({ cpu: 1e-9 }), 'gpus 1e9': () => job({ gpus: 1e9 }),
  'maxGpusPerNode 1e9': () => job({ platform: Platform.kubernetes({ maxGpusPerNode: 1e9 }), accelerator: undefined }),
  'custom accelerator 1e9 GPUs': () => job({ platform: Platform.gkeStandard(), accelerator: Accelerator.custom({ name: 'X', gkeLabel: 'x', autopilotCounts: [1e9] }) }),
  'custom accelerator 1e9 per instance': () => job({ platform: karpenter(), accelerator: Accelerator.custom({ name: 'X', karpenterGpuName: 'x', awsInstanceFamilies: [{ family: 'p', gpusPerInstance: [1e9] }] }) }),
};
for (const [name, props] of Object.entries(limits)) add('limits', name, c => new GpuTrainingJob(c, 'x', props()));
add('limits', 'DDP nodes 1e6', c => new DdpJob(c, 'x', job({ module: 't', nodes: 1e6 })));
add('limits', 'shards 1e6', c => new SpotBatchJob(c, 'x', job({ completions: 1e6 })));
add('limits', 'shards at 100000', c => new SpotBatchJob(c, 'x', job({ completions: 100000, parallelism: 10 })));
add('limits', 'Knative port 8012', c => new KServeInferenceService(c, 'x', job({ port: 8012, deploymentMode: KServeDeploymentMode.KNATIVE })));
add('limits', 'Knative env PORT', c => new KServeInferenceService(c, 'x', job({ env: { PORT: '1' }, deploymentMode: KServeDeploymentMode.KNATIVE })));
add('limits', 'HPA target 1e-9', c => new InferenceDeployment(c, 'x', job({ scalingMetrics: [ScalingMetric.podMetric(GpuMetric.GPU_UTILIZATION, 1e-9)] })));
add('limits', 'external selector garbage', c => new InferenceDeployment(c, 'x', job({ scalingMetrics: [ScalingMetric.external('q', 5, { 'a b': 'c/d' })] })));
add('limits', 'external selector not a map', c => new InferenceDeployment(c, 'x', job({ scalingMetrics: [ScalingMetric.external('q', 5, 'a=b')] })));
add('limits', 'DCGM model regex', c => new GpuMonitoring(c, 'x', { platform: k8s(), accelerators: [Accelerator.L40S], prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1, spotPerHour: 1, dcgmModelName: '(?=x)' }]) }));
add('limits', 'price table garbage', c => new GpuMonitoring(c, 'x', { platform: k8s(), accelerators: [Accelerator.L40S], prices: GpuPriceTable.of(5) }));
add('limits', 'replicas 1e9', c => new TfJob(c, 'x', job({ workers: { replicas: 1e9 } })));
add('limits', 'image upper-case', c => new GpuTrainingJob(c, 'x', job({ image: 'Team/Trainer:1.0' })));

// 6. Factories given garbage, their results used by a construct.
const { AmiAlias, CloudIdentity, ClusterAddon, NodeExpiry } = lib;
for (const [i, g] of GARBAGE.entries()) {
  add('factories', `Accelerator.custom(#${i})`, c => new GpuTrainingJob(c, 'x', job({ accelerator: Accelerator.custom(g) })));
  add('factories', `GpuPriceTable.of(#${i})`, c => new GpuMonitoring(c, 'x', { platform: k8s(), accelerators: [Accelerator.L40S], prices: GpuPriceTable.of(g) }));
  add('factories', `withPrice(#${i})`, c => new GpuMonitoring(c, 'x', { platform: karpenter(), accelerators: [Accelerator.A10G], prices: GpuPriceTable.awsListPrices().withPrice(g) }));
  add('factories', `StorageVolume(#${i})`, c => new GpuTrainingJob(c, 'x', job({ dataset: StorageVolume.fromPersistentVolumeClaim(g), checkpoints: StorageVolume.fromGcsBucket(g, g) })));
  add('factories', `CloudIdentity(#${i})`, c => new GpuTrainingJob(c, 'x', job({ identity: CloudIdentity.gcpServiceAccount(g) })));
  add('factories', `ScalingMetric(#${i})`, c => new InferenceDeployment(c, 'x', job({ scalingMetrics: [ScalingMetric.cpu(g), ScalingMetric.external(g, g, g)] })));
  add('factories', `ModelFormat.custom(#${i})`, c => new KServeInferenceService(c, 'x', kserve({ modelFormat: ModelFormat.custom(g, g), runtime: 'r' })));
  add('factories', `PriorityClass.fromName(#${i})`, c => new GpuTrainingJob(c, 'x', job({ priorityClass: PriorityClass.fromName(g) })));
  add('factories', `NodeExpiry/AmiAlias(#${i})`, c => new GpuNodePool(c, 'x', { accelerator: Accelerator.L4, gpuLimit: 8, role: 'r', clusterName: 'c', expireAfter: NodeExpiry.after(g), amiAlias: AmiAlias.al2023(g) }));
  add('factories', `ClusterAddon.of(#${i})`, c => new DdpJobSet(c, 'x', job({ module: 't', platform: Platform.gkeAutopilot({ addons: [ClusterAddon.of(g, g)] }) })));
  add('factories', `platform options(#${i})`, c => new GpuTrainingJob(c, 'x', job({ platform: Platform.kubernetes(g), accelerator: undefined })));
}

// 7. Selectors.
add('selectors', 'instance label override', c => new InferenceDeployment(c, 'x', job({ labels: { 'app.kubernetes.io/instance': 'argo-app' } })));
add('selectors', 'name label override', c => new InferenceDeployment(c, 'x', job({ labels: { 'app.kubernetes.io/name': 'other' } })));
add('selectors', 'empty taint key', c => new GpuTrainingJob(c, 'x', job({ platform: Platform.karpenter({ gpuTaintKey: '' }), accelerator: Accelerator.A10G })));
add('selectors', 'empty taint key on kubernetes', c => new GpuTrainingJob(c, 'x', job({ platform: Platform.kubernetes({ gpuTaintKey: '' }), accelerator: undefined })));
add('selectors', 'bad node pool option', c => new GpuTrainingJob(c, 'x', job({ platform: Platform.karpenter({ nodePool: 'Not A Pool' }), accelerator: Accelerator.A10G })));
add('selectors', 'scrape target without labels', c => new GpuMonitoring(c, 'x', { platform: karpenter(), scrapeTargets: [{ name: 's', matchLabels: {}, port: 'http' }] }));

// 8. YAML 1.1: strings kubectl (go-yaml v2) would read as numbers, booleans or null.
const yamlStrings = ['0o17', '0O17', '0X1F', '0B101', '0_x1F', '1_000', 'yes', 'on', 'off', 'y', 'n', '~', 'null', '.inf', '1e5', '0x1F', '017', '08'];
add('yaml', 'env values', c => new GpuTrainingJob(c, 'x', job({ env: Object.fromEntries(yamlStrings.map((s, i) => [`V${i}`, s])) })));
add('yaml', 'args', c => new GpuTrainingJob(c, 'x', job({ args: yamlStrings })));
add('yaml', 'labels', c => new GpuTrainingJob(c, 'x', job({ labels: Object.fromEntries(yamlStrings.filter(s => /^[A-Za-z0-9]/.test(s)).map((s, i) => [`l${i}`, s])) })));
add('yaml', 'label keys', c => new GpuTrainingJob(c, 'x', job({ labels: { on: 'x', yes: 'y', '0o17': 'z' } })));

// Run every case.
const failures = [];
let refused = 0;
let accepted = 0;
const byClass = {};
for (const [i, { cls, name, build }] of cases.entries()) {
  const where = `${cls}: ${name}`;
  byClass[cls] = (byClass[cls] || 0) + 1;
  let yaml;
  let built;
  // Files beside the manifests (queue configs, Helm values, reports): written at synth, scanned for secrets below.
  const extras = path.join(outdir, 'unused', 'extras');
  fs.rmSync(extras, { recursive: true, force: true });
  try {
    const app = new App({ outdir: path.join(outdir, 'unused') });
    const chart = new Chart(app, 'c', { namespace: 'ml', disableResourceNameHashes: true });
    built = build(chart, app);
    yaml = app.synthYaml();
  } catch (e) {
    const message = String(e && e.message);
    if (e instanceof TypeError || e instanceof RangeError || !/^Validation failed/.test(message)) {
      failures.push(`${where}: crashed with ${e && e.constructor && e.constructor.name}: ${message.split('\n').slice(0, 3).join(' ')}`);
    }
    for (const s of secretValues) if (message.includes(s)) failures.push(`${where}: the error message shows a secret`);
    refused++;
    continue;
  }
  accepted++;
  for (const s of secretValues) if (yaml.includes(s)) failures.push(`${where}: a secret reached the YAML`);
  for (const f of fs.existsSync(extras) ? fs.readdirSync(extras) : []) {
    const text = fs.readFileSync(path.join(extras, f), 'utf8');
    for (const s of secretValues) if (text.includes(s)) failures.push(`${where}: a secret reached extras/${f}`);
  }
  const docs = parseDocs(yaml);
  const seen = new Set();
  for (const d of docs) {
    const key = `${d.apiVersion}/${d.kind}/${d.metadata && d.metadata.namespace}/${d.metadata && d.metadata.name}`;
    if (seen.has(key)) failures.push(`${where}: duplicate object ${key}`);
    seen.add(key);
  }
  for (const problem of selectorProblems(docs, built instanceof WandbLaunchQueue ? [built.resourceConfig] : [])) failures.push(`${where}: ${problem}`);
  for (const s of yamlStrings) {
    if (new RegExp(`(^|[\\s:-]) ?${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:|$)`, 'm').test(yaml.replace(/"[^"\n]*"|'[^'\n]*'/g, '""'))) {
      if (cls === 'yaml') failures.push(`${where}: ${s} is written unquoted`);
    }
  }
  fs.writeFileSync(path.join(outdir, `case-${String(i).padStart(4, '0')}.yaml`), `# ${where}\n${yaml}`);
}

/**
 * The objects of a YAML stream, parsed back as cdk8s's `Yaml.load` reads a file (YAML 1.1, empty documents dropped),
 * with cdk8s's own copy of the yaml package: `Yaml.load` spawns a node process per file, most of this script's time.
 */
function parseDocs(yaml) {
  return cdk8sYaml.parseAllDocuments(yaml, { version: '1.1' }).map(d => d.toJSON())
    .filter(o => o && typeof o === 'object' && Object.keys(o).length > 0);
}

/** Selectors that select nothing: a workload's own selector, Services, NetworkPolicies, PDBs, HPA targets. */
function selectorProblems(docs, extraTemplates) {
  const out = [];
  const pods = [];
  for (const d of docs) {
    const ns = d.metadata && d.metadata.namespace;
    const visit = (node) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) { node.forEach(visit); return; }
      // Pod templates: template, and a LeaderWorkerSet's leaderTemplate and workerTemplate.
      for (const [k, t] of Object.entries(node)) {
        if (/^(template|\w+Template)$/.test(k) && t && t.metadata && t.metadata.labels) pods.push({ ns, labels: t.metadata.labels });
      }
      for (const v of Object.values(node)) visit(v);
    };
    visit(d.spec);
    if (d.kind === 'InferenceService' && d.spec && d.spec.predictor) pods.push({ ns, labels: d.spec.predictor.labels || {} });
    // The Kubeflow notebook controller gives the pod the Notebook's own labels (its template has no metadata).
    if (d.kind === 'Notebook') pods.push({ ns, labels: (d.metadata && d.metadata.labels) || {} });
  }
  // A W&B Launch queue's runs are Jobs the agent creates from the queue's resource config, not objects of the YAML.
  for (const config of extraTemplates) pods.push({ ns: config.metadata.namespace, labels: config.spec.template.metadata.labels || {} });
  const matches = (sel, ns) => pods.some(p => p.ns === ns && Object.entries(sel).every(([k, v]) => p.labels[k] === v));
  for (const d of docs) {
    const ns = d.metadata && d.metadata.namespace;
    const what = `${d.kind} ${d.metadata && d.metadata.name}`;
    if (d.kind === 'Deployment' || d.kind === 'DaemonSet') {
      const sel = d.spec.selector.matchLabels || {};
      const labels = (d.spec.template.metadata && d.spec.template.metadata.labels) || {};
      if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) out.push(`${what}: its selector does not match its own pod template`);
    }
    if (d.kind === 'Service' && d.spec.selector && !matches(d.spec.selector, ns)) out.push(`${what}: its selector selects no pod`);
    if (d.kind === 'NetworkPolicy' && !matches(d.spec.podSelector.matchLabels || {}, ns)) out.push(`${what}: its podSelector selects no pod`);
    if (d.kind === 'PodDisruptionBudget' && !matches(d.spec.selector.matchLabels || {}, ns)) out.push(`${what}: its selector selects no pod`);
    if (d.kind === 'HorizontalPodAutoscaler' && !docs.some(o => o.kind === d.spec.scaleTargetRef.kind && o.metadata.name === d.spec.scaleTargetRef.name)) {
      out.push(`${what}: its scaleTargetRef names no object`);
    }
    for (const t of (d.spec && d.spec.template && d.spec.template.spec && d.spec.template.spec.tolerations) || []) {
      if (!t.key && t.operator === 'Exists') out.push(`${what}: a toleration with an empty key tolerates every taint`);
    }
  }
  return out;
}

const classes = Object.entries(byClass).map(([k, v]) => `${k} ${v}`).join(', ');
console.log(`hostile-inputs: ${cases.length} cases (${classes}): ${refused} refused with a validation error, ${accepted} synthesized`);
if (failures.length) {
  console.log(`hostile-inputs: ${failures.length} FAILURES:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`hostile-inputs: OK: no crash, no duplicate object, no secret, no misread string, no empty selector; YAML of the accepted cases in ${outdir}`);
