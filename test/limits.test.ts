/**
 * Limits the schemas don't express, checked at synth with exact messages: 32-bit fields, Indexed Job parallelism,
 * derived names, names that name Services, namespaces, Knative's reserved ports and env, KServe's blocked env, HPA
 * quantities that round to zero, external-metric selectors, and PromQL regular expressions.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import {
  Accelerator, DdpJob, GpuMetric, GpuMonitoring, GpuPriceTable, GpuTrainingJob, InferenceDeployment, KServeDeploymentMode,
  KServeInferenceService, ModelFormat, Platform, ScalingMetric, SpotBatchJob,
} from '../lib';
import { _promRegexLiteral, _promRegexProblem } from '../lib/validation';
import { synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const base = { platform: autopilot, accelerator: Accelerator.L4, image: 'trainer:1.0' };
const kserve = { platform: autopilot, accelerator: Accelerator.L4, modelFormat: ModelFormat.HUGGINGFACE };
const J = '[test/j]';

const cases: [string, (c: Chart) => void, string][] = [
  ['a TTL beyond the 32-bit ttlSecondsAfterFinished', c => new GpuTrainingJob(c, 'j', { ...base, ttlAfterFinished: Duration.days(30000) }),
    `${J} ttlAfterFinished=30000 days is invalid: must be at most 2147483647s (68 years; Kubernetes stores it in a 32-bit field)`],
  ['a deadline beyond 32 bits', c => new GpuTrainingJob(c, 'j', { ...base, activeDeadline: Duration.days(1e9) }),
    `${J} activeDeadline=1000000000 days is invalid: must be at most 2147483647s (68 years; Kubernetes stores it in a 32-bit field)`],
  ['a size no quantity can write', c => new GpuTrainingJob(c, 'j', { ...base, memory: Size.tebibytes(1e10) }),
    `${J} memory=10485760000000000Mi is invalid: must be at most 9007199254740991Mi`],
  ['more DDP nodes than an Indexed Job runs in parallel', c => new DdpJob(c, 'j', { ...base, module: 'train', nodes: 100001 }),
    `${J} nodes=100001 is invalid: must be an integer from 1 to 100000 (Kubernetes allows an Indexed Job at most 100000 pods in parallel)`],
  ['more shards than an Indexed Job allows', c => new SpotBatchJob(c, 'j', { ...base, completions: 100001 }),
    `${J} completions=100001 is invalid: must be an integer from 1 to 100000`],
  ['a PDB maxUnavailable beyond 32 bits', c => new InferenceDeployment(c, 'j', { ...base, maxUnavailable: 2 ** 31 }),
    `${J} maxUnavailable=2147483648 is invalid: must be an integer from 1 to 2147483647`],
  ['a KServe name whose <name>-predictor is too long', c => new KServeInferenceService(c, 'j', { ...kserve, name: 'a'.repeat(54) }),
    `${J} name="${'a'.repeat(54)}" is invalid: KServe names the predictor ${'a'.repeat(54)}-predictor, which must be at most 63 characters (allowed: at most 53)`],
  ['a KServe name starting with a digit', c => new KServeInferenceService(c, 'j', { ...kserve, name: '1llama' }),
    `${J} name="1llama" is invalid: must start with a letter: KServe requires it of InferenceService names (a DNS-1035 label)`],
  ['a KServe Standard host label <name>-predictor-<namespace> over 63', c => new KServeInferenceService(c, 'j', {
    ...kserve, name: 'llama-3-1-8b-instruct-finetuned', namespace: 'research-team-alpha-inference',
  }), `${J} name="llama-3-1-8b-instruct-finetuned" is invalid in namespace "research-team-alpha-inference": KServe's Standard mode makes the host label llama-3-1-8b-instruct-finetuned-predictor-research-team-alpha-inference (71 characters) of the two, which must be at most 63 (kserve#4807); shorten the name to at most 23 characters`],
  ['a Deployment name that names its Service, starting with a digit', c => new InferenceDeployment(c, 'j', { ...base, name: '7b-server' }),
    `${J} name="7b-server" is invalid: must start with a letter: it also names the Deployment's Service (a DNS-1035 label)`],
  ['the chart\'s namespace', c => new GpuTrainingJob(new Chart(c.node.scope!, 'ns', { namespace: 'ML_Prod' }), 'j', base),
    '[ns/j] namespace="ML_Prod" is invalid: the chart\'s namespace; must be a DNS-1123 label of at most 63 characters'],
  ['a Knative reserved port', c => new KServeInferenceService(c, 'j', { ...base, port: 8012, deploymentMode: KServeDeploymentMode.KNATIVE }),
    `${J} port=8012 is invalid: Knative reserves 8008, 8012, 8013, 8022, 9090, 9091 for its queue-proxy and profiling; use another port, e.g. 8080`],
  ['PORT in Knative mode', c => new KServeInferenceService(c, 'j', { ...base, env: { PORT: '9000' }, deploymentMode: KServeDeploymentMode.KNATIVE }),
    `${J} env["PORT"] is invalid in Knative mode: Knative sets PORT, K_SERVICE, K_CONFIGURATION, K_REVISION itself (PORT is the container's port: 8080)`],
  ['K_REVISION from a Secret in Knative mode', c => new KServeInferenceService(c, 'j', {
    ...base, secretEnv: [{ name: 'K_REVISION', secretName: 's', key: 'k' }], deploymentMode: KServeDeploymentMode.KNATIVE,
  }), `${J} env["K_REVISION"] is invalid in Knative mode: Knative sets PORT, K_SERVICE, K_CONFIGURATION, K_REVISION itself`],
  ['PYTHONPATH on KServe', c => new KServeInferenceService(c, 'j', { ...base, env: { PYTHONPATH: '/app' } }),
    `${J} env["PYTHONPATH"] is invalid: KServe (v0.18 and later) refuses PYTHONPATH in predictor containers`],
  ['an HPA target that rounds to zero', c => new InferenceDeployment(c, 'j', { ...base, scalingMetrics: [ScalingMetric.podMetric(GpuMetric.GPU_UTILIZATION, 0.0001)] }),
    `${J} scalingMetrics[0]=DCGM_FI_DEV_GPU_UTIL 0.0001 is invalid: the target must be at least 0.001 (the HPA's quantity would round it to 0)`],
  ['an external-metric selector key that is no label key', c => new InferenceDeployment(c, 'j', { ...base, scalingMetrics: [ScalingMetric.external('queue', 5, { 'bad key!': 'x' })] }),
    `${J} scalingMetrics[0]=queue 5 is invalid: the selector key "bad key!" must be a label key`],
  ['an external-metric selector value that is no label value', c => new InferenceDeployment(c, 'j', { ...base, scalingMetrics: [ScalingMetric.external('queue', 5, { topic: 'a/b' })] }),
    `${J} scalingMetrics[0]=queue 5 is invalid: the selector value of "topic" must be a label value`],
  ['a metric name that is no path segment', c => new InferenceDeployment(c, 'j', { ...base, scalingMetrics: [ScalingMetric.external('queue/depth', 5)] }),
    `${J} scalingMetrics[0]=queue/depth 5 is invalid: the metric name must be a non-empty path segment: no spaces, '/' or '%'`],
  ['a KServe scale target beyond 32 bits', c => new KServeInferenceService(c, 'j', {
    ...kserve, deploymentMode: KServeDeploymentMode.KNATIVE, scalingMetrics: [ScalingMetric.concurrency(2 ** 31)],
  }), `${J} scalingMetrics[0]=concurrency 2147483648 is invalid: the target must be a whole number of requests from 1 to 2147483647 (KServe's scaleTarget is a 32-bit integer)`],
  ['a monitoring name that names the exporter Service, starting with a digit', c => new GpuMonitoring(c, 'j', { platform: Platform.karpenter(), name: '1gpu' }),
    `${J} name="1gpu" is invalid: must start with a letter: it names the DCGM exporter's Service (a DNS-1035 label)`],
  ['a DCGM model name RE2 cannot compile', c => new GpuMonitoring(c, 'j', {
    platform: Platform.kubernetes(), accelerators: [Accelerator.L40S],
    prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1, spotPerHour: 1, dcgmModelName: 'NVIDIA (?!H100).*' }]),
  }), `${J} prices["L40S"].dcgmModelName="NVIDIA (?!H100).*" is invalid: must be an RE2 regular expression matching the modelName DCGM reports, e.g. "NVIDIA L4": it uses lookaround, an atomic group or a backreference, which Prometheus' RE2 regular expressions do not support`],
  ['a DCGM model name that is no regular expression', c => new GpuMonitoring(c, 'j', {
    platform: Platform.kubernetes(), accelerators: [Accelerator.L40S],
    prices: GpuPriceTable.of([{ accelerator: Accelerator.L40S, onDemandPerHour: 1, spotPerHour: 1, dcgmModelName: 'NVIDIA (L40S' }]),
  }), `${J} prices["L40S"].dcgmModelName="NVIDIA (L40S" is invalid: must be an RE2 regular expression matching the modelName DCGM reports, e.g. "NVIDIA L4": it is not a regular expression`],
];

test.each(cases)('%s', (_name, build, expected) => {
  expect(synthError(build)).toContain(expected);
});

const IMG = `${J} image=`;
const images: [string, string, string | undefined][] = [
  ['an upper-case repository', 'Example/Trainer:1.0', `${IMG}"Example/Trainer:1.0" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it has upper-case letters in the repository "Trainer" (registries refuse them: use lowercase)`],
  ['an upper-case repository on a registry', 'ghcr.io/Org/trainer:1.0', `${IMG}"ghcr.io/Org/trainer:1.0" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it has upper-case letters in the repository "Org/trainer"`],
  ['a bad tag', 'trainer:-1', `${IMG}"trainer:-1" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it has an invalid tag "-1"`],
  ['a bad digest', 'trainer@sha256:abc', `${IMG}"trainer@sha256:abc" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it has an invalid digest "sha256:abc"`],
  ['a path component ending in a separator', 'team/trainer-:1', `${IMG}"team/trainer-:1" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it has an invalid repository path component "trainer-"`],
  ['an empty string', '', `${IMG}"" is invalid: must be a container image reference, e.g. "us-docker.pkg.dev/p/r/trainer:1.0": it must not be empty`],
  ['a registry with a port', 'localhost:5000/team/trainer:1.0', undefined],
  ['an upper-case registry host', 'Registry.Example.com/team/trainer:1.0', undefined],
  ['tag and digest', `nvcr.io/nvidia/pytorch:24.05-py3@sha256:${'a'.repeat(64)}`, undefined],
  ['separators', 'us-docker.pkg.dev/p/r/my__model.v2-x:latest', undefined],
];

test.each(images)('image reference: %s', (_name, image, expected) => {
  if (expected) {
    expect(synthError(c => new GpuTrainingJob(c, 'j', { ...base, image }))).toContain(expected);
  } else {
    const chart = new Chart(Testing.app(), 'test');
    new GpuTrainingJob(chart, 'j', { ...base, image });
    expect(Testing.synth(chart).find(o => o.kind === 'Job').spec.template.spec.containers[0].image).toBe(image);
  }
});

test('a KServe runtimeVersion is an image tag', () => {
  expect(synthError(c => new KServeInferenceService(c, 'j', { ...kserve, runtimeVersion: 'v0.15 latest' })))
    .toContain(`${J} runtimeVersion="v0.15 latest" is invalid: must be an image tag`);
});

test('a name at the limit is accepted', () => {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
  new KServeInferenceService(chart, 'j', { ...kserve, name: 'a'.repeat(53 - 'ml'.length - 1) });
  new SpotBatchJob(chart, 'b', { ...base, completions: 100000, parallelism: 100 });
  expect(Testing.synth(chart).map(o => o.kind)).toContain('InferenceService');
});

test('a literal in a PromQL regex matcher is escaped, and a pattern that is one is checked', () => {
  expect(_promRegexLiteral('NVIDIA A100-SXM4-80GB (MIG 1g.10gb)')).toBe('"NVIDIA A100-SXM4-80GB \\\\(MIG 1g\\\\.10gb\\\\)"');
  expect(_promRegexLiteral('a"b\\c')).toBe('"a\\"b\\\\\\\\c"');
  expect(new RegExp(`^${JSON.parse(_promRegexLiteral('x.y (z)|*'))}$`).test('x.y (z)|*')).toBe(true);
  expect(_promRegexProblem('NVIDIA A100.*80GB')).toBeUndefined();
  expect(_promRegexProblem('(a)\\1')).toMatch(/backreference/);
  expect(_promRegexProblem('a\nb')).toBe('must be one line');
});
