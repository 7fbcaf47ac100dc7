/**
 * Secrets never reach the YAML: literal secrets in env (by name or by shape), in command lines, in storage URIs, in
 * values the library derives and in escape-hatch patches are refused, and no message shows the value.
 */
import { JsonPatch } from 'cdk8s';
import {
  Accelerator, ComputeClass, EfsStorageClass, FsxLustreStorageClass, GpuTrainingJob, GpuTrainingJobProps, InferenceDeployment, InferenceGateway,
  JupyterHubGpuProfiles, KServeInferenceService, LlmModel, Platform, SpotBatchJob, VllmDeployment, WandbLaunchAgent, WandbLaunchQueue,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const base = { platform: autopilot, accelerator: Accelerator.L4, image: 'trainer:1.0' };
// Credential-shaped test values (made up, not real keys).
const HF = `hf_${'Ab1'.repeat(12)}`;
const GH = `ghp_${'x9Y'.repeat(12)}`;
const AWS = 'AKIAIOSFODNN7EXAMPLE';
const HEX = 'f'.repeat(8) + '0123456789abcdef0123456789abcdef';
const J = '[test/j]';
const use = (name: string) => `keep it in a Secret: secretEnv: [{ name: '${name}', secretName: ..., key: ... }], and refer to it as $(${name})`;

const refused: [string, Partial<GpuTrainingJobProps>, string, string][] = [
  ['a *_PASS name', { env: { DB_PASS: 'hunter2' } }, `${J} env["DB_PASS"]=<literal value, not shown> is invalid: DB_PASS looks like a secret; ${use('DB_PASS')}`, 'hunter2'],
  ['a *_PASSWORD name', { env: { REDIS_PASSWORD: 'hunter2' } }, `${J} env["REDIS_PASSWORD"]=<literal value, not shown> is invalid: REDIS_PASSWORD looks like a secret; ${use('REDIS_PASSWORD')}`, 'hunter2'],
  ['DATABASE_URL with credentials', { env: { DATABASE_URL: 'postgres://app:hunter2@db:5432/app' } },
    `${J} env["DATABASE_URL"]=<literal value, not shown> is invalid: DATABASE_URL holds credentials; ${use('DATABASE_URL')}`, 'hunter2'],
  ['a *_DSN with a key', { env: { SENTRY_DSN: 'https://k3y@o1.ingest.sentry.io/1' } },
    `${J} env["SENTRY_DSN"]=<literal value, not shown> is invalid: SENTRY_DSN holds credentials; ${use('SENTRY_DSN')}`, 'k3y'],
  ['URL credentials under any name', { env: { UPSTREAM: 'https://user:hunter2@example.com/x' } },
    `${J} env["UPSTREAM"]=<literal value, not shown> is invalid: it contains credentials in a URL; ${use('UPSTREAM')}`, 'hunter2'],
  ['s3://KEY:SECRET@bucket', { env: { DATA: `s3://${AWS}:wJalrXUtnFEMIK7MDENG@bucket/x` } },
    `${J} env["DATA"]=<literal value, not shown> is invalid: it contains an AWS access key; ${use('DATA')}`, 'wJalrXUtnFEMIK7MDENG'],
  ['an AWS access key shape', { env: { KEY_ID: AWS } }, `${J} env["KEY_ID"]=<literal value, not shown> is invalid: it contains an AWS access key; ${use('KEY_ID')}`, AWS],
  ['a temporary AWS key shape', { env: { ID: 'ASIAY34FZKBOKMUTVV7A' } }, `${J} env["ID"]=<literal value, not shown> is invalid: it contains an AWS access key; ${use('ID')}`, 'ASIAY34FZKBOKMUTVV7A'],
  ['a Hugging Face token shape', { env: { MODEL_AUTH: HF } }, `${J} env["MODEL_AUTH"]=<literal value, not shown> is invalid: it contains a Hugging Face token; ${use('MODEL_AUTH')}`, HF],
  ['a GitHub token shape', { env: { REPO: GH } }, `${J} env["REPO"]=<literal value, not shown> is invalid: it contains a GitHub token; ${use('REPO')}`, GH],
  ['a W&B key shape (40 hex)', { env: { WANDB: HEX } }, `${J} env["WANDB"]=<literal value, not shown> is invalid: it contains a 40-hex API key (the shape of a W&B key); ${use('WANDB')}`, HEX],
  ['--flag=secret', { args: ['--hf-token=abc123'] }, `${J} args[0]=<not shown> is invalid: --hf-token= takes a literal secret; ${use('HF_TOKEN')}`, 'abc123'],
  ['--flag secret', { args: ['--epochs', '3', '--token', 'abc123'] }, `${J} args[3]=<not shown> is invalid: --token takes a literal secret; ${use('TOKEN')}`, 'abc123'],
  ['--api-key in a shell line', { command: ['sh', '-c', 'python train.py --api-key abc123'] },
    `${J} command[2]=<not shown> is invalid: --api-key takes a literal secret; ${use('API_KEY')}`, 'abc123'],
  ['NAME=secret in a shell line', { command: ['sh', '-c', 'WANDB_API_KEY=abc123 python train.py'] },
    `${J} command[2]=<not shown> is invalid: WANDB_API_KEY= takes a literal secret; ${use('WANDB_API_KEY')}`, 'abc123'],
  ['export NAME=secret', { command: ['bash', '-c', 'export HF_TOKEN="abc123"; python train.py'] },
    `${J} command[2]=<not shown> is invalid: HF_TOKEN= takes a literal secret; ${use('HF_TOKEN')}`, 'abc123'],
  ['a token shape in args', { args: ['--model', 'llama', HF] }, `${J} args[2]=<not shown> is invalid: it contains a Hugging Face token; ${use('SECRET')}`, HF],
  ['a numeric token is not shown either', { env: { API_KEY: 12345678 as any } }, `${J} env["API_KEY"]=<a number, not shown> is invalid: must be a string`, '12345678'],
];

test.each(refused)('refused: %s', (_name, props, expected, secret) => {
  const msg = synthError(chart => new GpuTrainingJob(chart, 'j', { ...base, ...props }));
  expect(msg).toContain(expected);
  expect(msg).not.toContain(secret);
});

const accepted: [string, Partial<GpuTrainingJobProps>][] = [
  ['a reference to a secretEnv variable', { args: ['--hf-token=$(HF_TOKEN)'], secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 'token' }] }],
  ['a shell reference', { command: ['sh', '-c', 'python train.py --token "$HF_TOKEN"'], secretEnv: [{ name: 'HF_TOKEN', secretName: 'hf', key: 'token' }] }],
  ['a connection URL whose password is a reference', { env: { DATABASE_URL: 'postgres://app:$(DB_PASSWORD)@db:5432/app' } }],
  ['a connection URL without credentials', { env: { DATABASE_URL: 'postgres://db:5432/app' } }],
  ['a secret-looking name pointing at a mounted file', { env: { GOOGLE_APPLICATION_CREDENTIALS: '/var/secrets/google/key.json', DB_PASSWORD_FILE: '/run/secrets/db' } }],
  ['a git commit id under a revision name', { env: { GIT_SHA: HEX }, args: ['--revision', HEX] }],
  ['token counts', { args: ['--max-tokens', '512', '--token-budget', '4096', '--tokenizer', 'bpe'] }],
  ['an empty secret-looking value', { env: { HF_TOKEN: '' } }],
];

test.each(accepted)('accepted: %s', (_name, props) => {
  const chart = chartFor(autopilot);
  new GpuTrainingJob(chart, 'j', { ...base, ...props });
  expect(find(synth(chart, autopilot), 'Job').kind).toBe('Job');
});

test.each([
  ['KServe storageUri (and the STORAGE_URI env it derives)', (c: any) => new KServeInferenceService(c, 'j', {
    platform: karpenter, accelerator: Accelerator.A10G, image: 'server:1.0', storageUri: `s3://${AWS}:wJalrXUtnFEMIK7MDENG@models/llama`,
  }), `${J} storageUri=<not shown> is invalid: it contains an AWS access key; give the storage credentials with a cloud identity (identity) or, on KServe, a Secret (storageSecretName)`],
  ['InferenceDeployment storageUri', (c: any) => new InferenceDeployment(c, 'j', {
    platform: autopilot, accelerator: Accelerator.L4, image: 'server:1.0', storageUri: 'https://user:wJalrXUtnFEMIK7MDENG@host/model',
  }), `${J} storageUri=<not shown> is invalid: it contains credentials in a URL; give the storage credentials with a cloud identity (identity) or, on KServe, a Secret (storageSecretName)`],
  ['a preStop checkpoint command', (c: any) => new SpotBatchJob(c, 'j', {
    platform: autopilot, accelerator: Accelerator.L4, image: 'x:1', checkpointCommand: ['sh', '-c', 'HF_TOKEN=wJalrXUtnFEMIK7MDENG flush'],
  }), `${J} checkpointCommand[2]=<not shown> is invalid: HF_TOKEN= takes a literal secret; ${use('HF_TOKEN')}`],
  ['an env var added by an escape-hatch patch', (c: any) => new GpuTrainingJob(c, 'j', base).job.addJsonPatch(
    JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'HF_TOKEN', value: 'wJalrXUtnFEMIK7MDENG' }])),
  `${J} Job test-j spec.template.spec.containers[0].env[0] (HF_TOKEN)=<not shown> is invalid: HF_TOKEN looks like a secret; ${use('HF_TOKEN')}`],
  ['a token in an annotation added by an escape-hatch patch', (c: any) => new GpuTrainingJob(c, 'j', base).job.addJsonPatch(
    JsonPatch.add('/metadata/annotations', { note: `wJalrXUtnFEMIK7MDENG ${HF}` })),
  `${J} Job test-j metadata.annotations.note=<not shown> is invalid: it contains a Hugging Face token; keep credentials in Secrets (secretEnv)`],
])('refused: %s', (_name, build, expected) => {
  const msg = synthError(build);
  expect(msg).toContain(expected);
  expect(msg).not.toContain('wJalrXUtnFEMIK7MDENG');
  expect(msg).not.toContain(AWS);
});

test('every message is scrubbed of credential shapes, whatever the message', () => {
  // A bad image reference that embeds a token: the message about the image shows no token.
  const msg = synthError(chart => new GpuTrainingJob(chart, 'j', { ...base, image: `registry/${HF} x` }));
  expect(msg).toContain('image="registry/<a Hugging Face token, not shown> x" is invalid');
  expect(msg).not.toContain(HF);
});

test('a URL whose user is an AWS key hides its secret too (hostile inputs: FSx s3ImportPath)', () => {
  const msg = synthError(chart => new FsxLustreStorageClass(chart, 's', {
    platform: karpenter, subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'],
    s3ImportPath: `s3://${AWS}:wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY@bucket/x`,
  }), karpenter);
  expect(msg).toContain('s3ImportPath="s3://<credentials, not shown>@bucket/x" is invalid: must be an S3 URI');
  expect(msg).not.toContain('wJalrXUtnFEMIK7MDENG');
});

test('a value under a secret-looking key is not shown in any message, whatever the prop', () => {
  const msg = synthError(chart => new GpuTrainingJob(chart, 'j', { ...base, labels: { 'api-token': 'not a label value!' } }));
  expect(msg).toContain('[test/j] labels["api-token"]=<not shown> is invalid: label values are strings');
  expect(msg).not.toContain('not a label value!');
});

// Found by the hostile inputs: the safety net covered a workload's main object only; it now covers every object of every
// construct, and the files beside the manifests.
test.each<[string, Platform, (c: any) => void, string]>([
  ['a ComputeClass description', autopilot, c => new ComputeClass(c, 'x', { platform: autopilot, priorities: [{ accelerator: Accelerator.L4, gpus: 1 }], description: HF }),
    '[gke-autopilot/x] ComputeClass gke-autopilot-x spec.description=<not shown> is invalid: it contains a Hugging Face token; keep credentials in Secrets (secretEnv)'],
  ['an EFS basePath', karpenter, c => new EfsStorageClass(c, 'x', { platform: karpenter, fileSystemId: 'fs-0123456789abcdef0', basePath: `/${GH}` }),
    '[karpenter/x] StorageClass karpenter-x parameters.basePath=<not shown> is invalid: it contains a GitHub token; keep credentials in Secrets (secretEnv)'],
  ['a W&B baseUrl with credentials', autopilot, c => new WandbLaunchAgent(c, 'x', {
    platform: autopilot, image: 'wandb/launch-agent:0.28.2', apiKey: { secretName: 'wandb', key: 'api-key' }, queues: [WandbLaunchQueue.fromName('gpu', 'ml')],
    baseUrl: 'https://u:hunter2@wandb.example.com',
  }), '[gke-autopilot/x] Deployment gke-autopilot-x spec.template.spec.containers[0].env[1] (WANDB_BASE_URL)=<not shown> is invalid: it contains credentials in a URL'],
  ['a gateway pathPrefix', autopilot, c => new InferenceGateway(c, 'x', {
    server: new VllmDeployment(c, 's', { platform: autopilot, model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192 }),
    pathPrefix: `/${HF}`,
  }), '[gke-autopilot/x] HTTPRoute gke-autopilot-s spec.rules[0].matches[0].path.value=<not shown> is invalid: it contains a Hugging Face token'],
  ['a JupyterHub profile description (a values file)', autopilot, c => new JupyterHubGpuProfiles(c, 'x', {
    platform: autopilot, profiles: [{ displayName: 'L4', description: `token ${GH}`, accelerator: Accelerator.L4 }],
  }), '[gke-autopilot/x] output file extras/gke-autopilot.jupyterhub-values.yml would contain a GitHub token; keep credentials in Secrets'],
])('a credential in %s is refused, not written', (_name, platform, build, expected) => {
  const msg = synthError(build, platform);
  expect(msg).toContain(expected);
  expect(msg).not.toContain(HF);
  expect(msg).not.toContain(GH);
  expect(msg).not.toContain('hunter2');
});
