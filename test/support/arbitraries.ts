/**
 * fast-check arbitraries for the property-based tests (test/property*.test.ts): props from the VALID space of every
 * construct on every platform, and single mutations that push one prop JUST OUTSIDE it.
 *
 * The valid space is derived from the same public facts the library documents (the accelerator catalog,
 * `platform.allowedGpuCounts`, machine shapes, `supportsSpot`...), staying well inside the bounds (half the machine's
 * vCPU and memory), so a failing valid case is a library bug, not a generator that wandered onto an edge.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Accelerator, AmiAlias, CapacityType, CleanPodPolicy, Cloud, CloudIdentity, ClusterAddon, ConsolidationPolicy,
  DisruptionReason, GpuPriceTable, KServeDeploymentMode, ModelFormat, NodeExpiry, Platform, PriorityClass, ProtocolVersion,
  ReplicaRestartPolicy, ScalingMetric, ServiceType, StorageVolume, TfSuccessPolicy, GpuMetric,
} from '../../lib';
import { _looksSecret } from '../../lib/secrets';
import { chartFor, synth, synthError } from './synth';

/** Fixed seed (override with FC_SEED=<n>) so that every failure reproduces. */
export const SEED = Number(process.env.FC_SEED ?? 8_2024);
/** Runs per property (override with FC_RUNS=<n> for a longer soak). */
export const RUNS = Number(process.env.FC_RUNS ?? 12);

/** The four platforms, freshly made (platforms are immutable, but each test gets its own). */
export function platforms(): Platform[] {
  return [Platform.gkeAutopilot(), Platform.gkeStandard(), Platform.karpenter(), Platform.kubernetes()];
}

/** A platform of the same kind as `platform` whose cluster lists exactly `addons`. */
export function withAddons(platform: Platform, addons: ClusterAddon[]): Platform {
  const make: { [id: string]: (o: { addons: ClusterAddon[] }) => Platform } = {
    'gke-autopilot': o => Platform.gkeAutopilot(o), 'gke-standard': o => Platform.gkeStandard(o), 'karpenter': o => Platform.karpenter(o), 'kubernetes': o => Platform.kubernetes(o),
  };
  return make[platform.id]({ addons });
}

/** Whether the platform mounts GCS buckets (GCS FUSE). */
export const mountsGcs = (platform: Platform) => platform._bucketScheme === 'gs';

// ---------------------------------------------------------------------------------------------------------------
// Small building blocks
// ---------------------------------------------------------------------------------------------------------------

/** A DNS-1123 label of 1..maxLen characters starting with a letter (valid as DNS-1035 too). */
export function dnsLabel(maxLen = 20): fc.Arbitrary<string> {
  const inner = Math.max(0, maxLen - 2);
  return fc.stringMatching(new RegExp(`^[a-z]([-a-z0-9]{0,${inner}}[a-z0-9])?$`)).filter(s => s.length <= maxLen);
}

/** A DNS-1123 subdomain (1-3 labels). */
export const dnsSubdomain = fc.array(dnsLabel(12), { minLength: 1, maxLength: 3 }).map(parts => parts.join('.'));

/** A label value (may be empty). */
const labelValue = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/));
/** Label keys the library does not set itself (prefixed, so they never shadow app.kubernetes.io/*). */
const labelKey = fc.tuple(fc.constantFrom('team.example.com', 'example.org', 'cost'), dnsLabel(15)).map(([p, n]) => `${p}/${n}`);
export const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 3, noNullPrototype: true });

/** Plain env names that do not look secret and cannot collide with env the constructs set. */
const envName = fc.stringMatching(/^APP_[A-Z][A-Z0-9_]{0,12}$/).filter(n => !_looksSecret(n));
const envValue = fc.string({ maxLength: 24 }).filter(v => !v.includes('s3cr3t'));
export const env = fc.dictionary(envName, envValue, { maxKeys: 4, noNullPrototype: true });

/** Env names that look like secrets: a literal value under any of them must be refused. */
export const secretLookingName = fc.constantFrom('HF_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'OPENAI_API_KEY',
  'WANDB_API_KEY', 'GITHUB_TOKEN', 'MY_SECRET', 'S3_SECRET_KEY', 'SERVICE_CREDENTIALS', 'SSH_PRIVATE_KEY');
/** A secret literal: what must never reach a manifest. */
export const secretLiteral = fc.stringMatching(/^[A-Za-z0-9]{10,16}$/).map(s => `s3cr3t-${s}`);

/** Secret references (the only way a secret reaches a pod). */
export const secretEnv = fc.uniqueArray(
  fc.record({ name: secretLookingName, secretName: dnsSubdomain, key: fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/), optional: fc.option(fc.boolean(), { nil: undefined }) }),
  { maxLength: 3, selector: s => s.name },
).map(list => list.map(s => (s.optional === undefined ? { name: s.name, secretName: s.secretName, key: s.key } : s)));

export const seconds = (min: number, max: number) => fc.integer({ min, max }).map(n => Duration.seconds(n));

/** Optional: undefined (the default) about a third of the time. */
function opt<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}

/** Drops undefined values (so spreads do not override defaults with undefined). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// GPUs, CPU and memory within what the platform offers
// ---------------------------------------------------------------------------------------------------------------

export interface GpuShape {
  readonly accelerator?: Accelerator;
  readonly gpus: number;
  /** Upper bounds the generator kept well below (undefined: the platform knows no machine bound). */
  readonly maxCpu?: number;
  readonly maxMemoryGiB?: number;
}

/** Accelerators the platform offers. */
export function offered(platform: Platform): Accelerator[] {
  return Accelerator.all().filter(a => platform.allowedGpuCounts(a).length > 0);
}

/** The machine that bounds `gpus` x `acc` on the platform, if the platform knows one. */
export function machineFor(platform: Platform, acc: Accelerator | undefined, gpus: number) {
  return acc && gpus > 0 ? platform.machineFor(acc, gpus) : undefined;
}

/** An accelerator and a GPU count the platform accepts (gpus 0 allowed when `minGpus` is 0). */
export function gpuShape(platform: Platform, minGpus = 1): fc.Arbitrary<GpuShape> {
  const accs = offered(platform);
  const withGpus = fc.constantFrom(...accs).chain(acc => fc.constantFrom(...platform.allowedGpuCounts(acc)).map(gpus => {
    const m = machineFor(platform, acc, gpus);
    return { accelerator: acc, gpus, maxCpu: m?.vcpu, maxMemoryGiB: m?.memoryGiB };
  }));
  // Plain Kubernetes needs no accelerator at all.
  const noAcc = platform.requiresAccelerator ? withGpus : fc.oneof(withGpus, fc.integer({ min: 1, max: 8 }).map(gpus => ({ gpus } as GpuShape)));
  if (minGpus > 0) return noAcc;
  const noGpus = fc.option(fc.constantFrom(...accs), { nil: undefined }).map(accelerator => ({ accelerator, gpus: 0 }));
  return fc.oneof({ weight: 3, arbitrary: noAcc }, { weight: 1, arbitrary: noGpus });
}

/** Capacity types the platform supports. */
export function capacityTypes(platform: Platform): CapacityType[] {
  return [
    CapacityType.ON_DEMAND,
    ...(platform.supportsSpot ? [CapacityType.SPOT] : []),
    ...(platform.supportsSpotFallback ? [CapacityType.SPOT_WITH_FALLBACK] : []),
  ];
}

/** Volumes the platform can mount (GCS only where GCS FUSE exists), at distinct paths. */
export function volumes(platform: Platform): fc.Arbitrary<any[]> {
  const kinds = [
    dnsSubdomain.map(n => StorageVolume.fromPersistentVolumeClaim(n)),
    dnsSubdomain.map(n => StorageVolume.fromConfigMap(n)),
    fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }).map(g => StorageVolume.fromEmptyDir(g ? Size.gibibytes(g) : undefined)),
    ...(mountsGcs(platform) ? [dnsLabel(20).filter(n => n.length >= 3).map(n => StorageVolume.fromGcsBucket(n))] : []),
  ];
  return fc.array(fc.record({ volume: fc.oneof(...kinds), readOnly: opt(fc.boolean()) }), { maxLength: 2 })
    .map(list => list.map((v, i) => compact({ volume: v.volume, mountPath: `/mnt/extra-${i}`, readOnly: v.readOnly })));
}

function identity(platform: Platform) {
  const gcp = fc.constantFrom('trainer', 'ml-runner', 'batch-sa').map(n => CloudIdentity.gcpServiceAccount(`${n}@proj-123.iam.gserviceaccount.com`));
  const aws = fc.constantFrom('trainer', 'ml-runner').map(n => CloudIdentity.awsIamRole(`arn:aws:iam::123456789012:role/${n}`));
  if (platform.cloud === Cloud.GCP) return gcp;
  if (platform.cloud === Cloud.AWS) return aws;
  return fc.oneof(gcp, aws);
}

/**
 * Shared pod props (GpuPodProps) valid on `platform`: GPUs, resources, env, secret refs, volumes, capacity, grace,
 * identity, labels... `minGpus` is the construct's lowest accepted GPU count.
 */
export function podProps(platform: Platform, opts: { minGpus?: number; noServiceAccount?: boolean } = {}): fc.Arbitrary<any> {
  // Built once per platform (no chain): building arbitraries per generated value is what makes generation slow.
  const rest = fc.record({
    cpuFraction: opt(fc.integer({ min: 1, max: 1000 })),
    quarterCpu: fc.boolean(),
    memFraction: opt(fc.integer({ min: 1, max: 1000 })),
    env: opt(env),
    secretEnv: opt(secretEnv),
    volumes: opt(volumes(platform)),
    dataset: opt(fc.oneof(dnsSubdomain.map(n => StorageVolume.fromPersistentVolumeClaim(n)), ...(mountsGcs(platform) ? [fc.constant(StorageVolume.fromGcsBucket('datasets-bucket'))] : []))),
    checkpoints: opt(dnsSubdomain.map(n => StorageVolume.fromPersistentVolumeClaim(n))),
    capacityType: fc.constantFrom(...capacityTypes(platform)),
    grace: opt(fc.integer({ min: 1, max: 600 })),
    sharedMemory: opt(fc.boolean()),
    ephemeralGiB: opt(fc.integer({ min: 1, max: 200 })),
    identity: opt(identity(platform)),
    serviceAccountName: opts.noServiceAccount ? fc.constant(undefined) : opt(dnsSubdomain),
    priorityClass: opt(fc.constantFrom('gpu-research', 'gpu-production').map(n => PriorityClass.fromName(n))),
    labels: opt(labels),
    runAsRoot: opt(fc.boolean()),
    isolateNetwork: opt(fc.boolean()),
    automountServiceAccountToken: opt(fc.boolean()),
    args: opt(fc.array(fc.stringMatching(/^--[a-z]{1,10}=[a-z0-9]{1,6}$/), { maxLength: 3 })),
  });
  return fc.tuple(gpuShape(platform, opts.minGpus ?? 1), rest).map(([shape, r]) => {
    // CPU and memory well inside the machine bound (at most half of it), or the defaults (4 vCPU / 16 GiB per GPU).
    const cpuTop = Math.max(1, Math.floor((shape.maxCpu ?? 64) / 2));
    const memTop = Math.max(1, Math.min(256, Math.floor((shape.maxMemoryGiB ?? 512) / 2)));
    const cpuWhole = r.cpuFraction === undefined ? undefined : Math.max(1, Math.ceil((r.cpuFraction / 1000) * cpuTop));
    const cpu = cpuWhole !== undefined && r.quarterCpu ? Math.max(0.25, cpuWhole - 0.75) : cpuWhole;
    const memory = r.memFraction === undefined ? undefined : Size.gibibytes(Math.max(1, Math.ceil((r.memFraction / 1000) * memTop)));
    const spot = r.capacityType !== CapacityType.ON_DEMAND;
    const cap = spot ? platform.maxSpotGraceSeconds : undefined;
    const grace = r.grace === undefined ? undefined : Math.min(r.grace, cap ?? r.grace);
    return compact({
      platform,
      accelerator: shape.accelerator,
      gpus: shape.gpus,
      cpu,
      memory,
      env: r.env,
      secretEnv: r.secretEnv,
      volumes: r.volumes,
      dataset: r.dataset,
      checkpoints: r.checkpoints,
      capacityType: r.capacityType,
      terminationGracePeriod: grace === undefined ? undefined : Duration.seconds(grace),
      sharedMemory: r.sharedMemory,
      ephemeralStorage: r.ephemeralGiB === undefined ? undefined : Size.gibibytes(r.ephemeralGiB),
      // An identity annotates the workload's own ServiceAccount: it excludes serviceAccountName.
      identity: r.serviceAccountName === undefined ? r.identity : undefined,
      serviceAccountName: r.serviceAccountName,
      priorityClass: r.priorityClass,
      labels: r.labels,
      runAsRoot: r.runAsRoot,
      isolateNetwork: r.isolateNetwork,
      automountServiceAccountToken: r.automountServiceAccountToken,
      args: r.args,
    });
  });
}

export const image = fc.constantFrom('us-docker.pkg.dev/p/r/trainer:1.0', 'nvcr.io/nvidia/pytorch:24.05-py3', 'ghcr.io/org/app@sha256:' + 'a'.repeat(64));

// ---------------------------------------------------------------------------------------------------------------
// Per construct: valid props
// ---------------------------------------------------------------------------------------------------------------

export function trainingJobProps(platform: Platform) {
  return fc.record({
    pod: podProps(platform),
    image,
    name: opt(dnsLabel(40)),
    backoffLimit: opt(fc.integer({ min: 0, max: 100 })),
    failFastExitCodes: opt(fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 4 })),
    activeDeadline: opt(seconds(1, 30 * 86400)),
    ttlAfterFinished: opt(seconds(0, 30 * 86400)),
  }).map(({ pod, ...rest }) => compact({ ...pod, ...rest }));
}

export function spotBatchJobProps(platform: Platform) {
  return fc.record({
    pod: podProps(platform),
    image,
    completions: fc.integer({ min: 1, max: 200 }),
    parallelismFraction: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    backoffLimitPerIndex: opt(fc.integer({ min: 0, max: 100 })),
    failedFraction: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    failFastExitCodes: opt(fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 4 })),
    checkpointCommand: opt(fc.array(fc.stringMatching(/^[a-z/-]{1,12}$/), { minLength: 1, maxLength: 3 })),
    activeDeadline: opt(seconds(1, 7 * 86400)),
    ttlAfterFinished: opt(seconds(0, 7 * 86400)),
    name: opt(dnsLabel(40)),
  }).map(({ pod, parallelismFraction, failedFraction, ...rest }) => compact({
    ...pod,
    // On platforms without spot the default (SPOT) is invalid: the generator says on-demand explicitly there.
    capacityType: pod.capacityType,
    ...rest,
    parallelism: parallelismFraction === undefined ? undefined : Math.max(1, Math.ceil(parallelismFraction * rest.completions)),
    maxFailedIndexes: failedFraction === undefined ? undefined : Math.floor(failedFraction * rest.completions),
  }));
}

/**
 * Props of the multi-node PyTorch constructs (DistributedTrainingJobProps), plus `elastic` (DdpJob, PyTorchJob) and
 * `cleanPodPolicy` (PyTorchJob) where the construct has them.
 */
function torchProps(platform: Platform, own: { elastic: boolean; cleanPodPolicy: boolean }) {
  return fc.record({
    pod: podProps(platform),
    image,
    nodes: fc.integer({ min: 1, max: 6 }),
    elasticFraction: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    maxRestarts: opt(fc.integer({ min: 0, max: 100 })),
    entry: fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_/]{0,15}\.py$/).map(script => ({ script })),
      fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}(\.[a-z_][a-z0-9_]{0,8}){0,2}$/).map(module => ({ module })),
    ),
    port: opt(fc.integer({ min: 1024, max: 65535 })),
    rendezvousTimeout: opt(seconds(1, 3600)),
    collectiveTimeout: opt(seconds(1, 3600)),
    backoffLimit: opt(fc.integer({ min: 0, max: 100 })),
    activeDeadline: opt(seconds(1, 30 * 86400)),
    ttlAfterFinished: opt(seconds(0, 30 * 86400)),
    cleanPodPolicy: opt(fc.constantFrom(CleanPodPolicy.ALL, CleanPodPolicy.RUNNING, CleanPodPolicy.NONE)),
    clusterDomain: opt(fc.constantFrom('cluster.local', 'corp.internal')),
    name: opt(dnsLabel(30)),
  }).map(({ pod, elasticFraction, maxRestarts, entry, cleanPodPolicy, ...rest }) => compact({
    ...pod,
    ...rest,
    ...entry,
    elastic: own.elastic && elasticFraction !== undefined && rest.nodes >= 2
      ? compact({ minNodes: Math.max(1, Math.ceil(elasticFraction * rest.nodes)), maxRestarts })
      : undefined,
    cleanPodPolicy: own.cleanPodPolicy ? cleanPodPolicy : undefined,
  }));
}

/** DdpJob: an Indexed Job + headless Service, fixed-size or elastic. */
export function ddpJobProps(platform: Platform) {
  return torchProps(platform, { elastic: true, cleanPodPolicy: false });
}

/** PyTorchJob: Kubeflow training operator, fixed-size or elastic, with a clean-pod policy. */
export function pyTorchJobProps(platform: Platform) {
  return torchProps(platform, { elastic: true, cleanPodPolicy: true });
}

/** DdpJobSet: a JobSet, fixed size only. */
export function ddpJobSetProps(platform: Platform) {
  return torchProps(platform, { elastic: false, cleanPodPolicy: false });
}

/** TFJob: per-replica GPU counts the platform accepts, CPU/memory below the smallest machine any replica lands on. */
export function tfJobProps(platform: Platform) {
  const accs = offered(platform);
  // GPU counts are drawn as indexes into the accelerator's allowed counts (index 0 = no GPU where 0 is allowed).
  const pick = opt(fc.nat({ max: 1000 }));
  return fc.tuple(fc.constantFrom(...accs), fc.nat({ max: 1000 }), fc.record({
      pod: podProps(platform),
      image,
      workers: opt(fc.record({ replicas: opt(fc.integer({ min: 1, max: 6 })), gpus: pick })),
      chief: opt(fc.record({ gpus: pick })),
      ps: opt(fc.record({
        replicas: opt(fc.integer({ min: 1, max: 3 })), cpu: opt(fc.integer({ min: 1, max: 4 })), memGiB: opt(fc.integer({ min: 1, max: 16 })),
      })),
      evaluator: opt(fc.record({ gpus: pick })),
      restartPolicy: opt(fc.constantFrom(ReplicaRestartPolicy.EXIT_CODE, ReplicaRestartPolicy.ON_FAILURE, ReplicaRestartPolicy.NEVER)),
      successPolicy: opt(fc.constantFrom(TfSuccessPolicy.CHIEF_OR_FIRST_WORKER, TfSuccessPolicy.ALL_WORKERS)),
      script: opt(fc.record({ configMapName: dnsSubdomain, fileName: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}\.py$/), mountPath: opt(fc.constantFrom('/opt/training', '/scripts')) })),
      cleanPodPolicy: opt(fc.constantFrom(CleanPodPolicy.ALL, CleanPodPolicy.RUNNING, CleanPodPolicy.NONE)),
      backoffLimit: opt(fc.integer({ min: 0, max: 100 })),
      activeDeadline: opt(seconds(1, 30 * 86400)),
      ttlAfterFinished: opt(seconds(0, 30 * 86400)),
      name: opt(dnsLabel(30)),
    })).map(([acc, gpuPick, raw]) => {
      const counts = platform.allowedGpuCounts(acc);
      const withZero = [0, ...counts];
      const r = {
        ...raw,
        gpus: counts[gpuPick % counts.length],
        workers: raw.workers
          ? { ...raw.workers, gpus: raw.workers.gpus === undefined ? undefined : counts[raw.workers.gpus % counts.length] }
          : undefined,
        chief: raw.chief ? { gpus: raw.chief.gpus === undefined ? undefined : withZero[raw.chief.gpus % withZero.length] } : undefined,
        evaluator: raw.evaluator
          ? { gpus: raw.evaluator.gpus === undefined ? undefined : withZero[raw.evaluator.gpus % withZero.length] }
          : undefined,
      };
      const used = [r.gpus, r.workers?.gpus, r.chief?.gpus, r.evaluator?.gpus].filter((g): g is number => g !== undefined && g > 0);
      const machines = used.map(g => machineFor(platform, acc, g)).filter(m => m !== undefined);
      const maxCpu = machines.length ? Math.min(...machines.map(m => m!.vcpu)) : undefined;
      const maxMem = machines.length ? Math.min(...machines.map(m => m!.memoryGiB)) : undefined;
      // The job's cpu/memory are inherited by every GPU replica: bound them by the smallest machine (half of it).
      const cpu = r.pod.cpu !== undefined && maxCpu !== undefined ? Math.min(r.pod.cpu, Math.max(1, Math.floor(maxCpu / 2))) : r.pod.cpu;
      const memGiB = r.pod.memory !== undefined ? r.pod.memory.toGibibytes() : undefined;
      const memory = memGiB !== undefined && maxMem !== undefined
        ? Size.gibibytes(Math.min(memGiB, Math.max(1, Math.floor(maxMem / 2))))
        : r.pod.memory;
      // Defaults are 4 vCPU and 16 GiB per GPU of the job: they fit every catalog machine with at least as many GPUs.
      return compact({
        ...r.pod,
        accelerator: acc,
        gpus: r.gpus,
        cpu,
        memory,
        image: r.image,
        command: undefined,
        workers: r.workers ? compact(r.workers) : undefined,
        chief: r.chief ? compact(r.chief) : undefined,
        parameterServers: r.ps
          ? compact({ replicas: r.ps.replicas, cpu: r.ps.cpu, memory: r.ps.memGiB ? Size.gibibytes(r.ps.memGiB) : undefined })
          : undefined,
        evaluator: r.evaluator ? compact(r.evaluator) : undefined,
        restartPolicy: r.restartPolicy,
        successPolicy: r.successPolicy,
        script: r.script ? compact(r.script) : undefined,
        cleanPodPolicy: r.cleanPodPolicy,
        backoffLimit: r.backoffLimit,
        activeDeadline: r.activeDeadline,
        ttlAfterFinished: r.ttlAfterFinished,
        name: r.name,
      });
    });
}

/** Does a Knative-mode predictor need `knativeFeatureFlags` on this platform? (documented in KServeInferenceServiceProps) */
function knativeNeedsFlags(platform: Platform, p: any): boolean {
  if (p.priorityClass !== undefined) return true;
  const pvc = [p.dataset, p.checkpoints, ...(p.volumes ?? []).map((v: any) => v.volume)].some(v => v?.type === 'pvc');
  if (pvc) return true;
  if (p.capacityType !== CapacityType.ON_DEMAND) return true;
  // GKE moves the accelerator selector into KServe's annotation; elsewhere GPU pods need a selector or toleration.
  return !platform.id.startsWith('gke') && p.gpus > 0;
}

/** InferenceDeployment: a Deployment with its Service, HPA on any metric it supports, PDB and (on GKE) HTTPS. */
export function inferenceDeploymentProps(platform: Platform) {
  return servingProps(platform, ['deployment']);
}

/** KServeInferenceService: Standard or Knative mode, a runtime's model format or a custom container. */
export function kserveInferenceServiceProps(platform: Platform) {
  return servingProps(platform, ['kserve-standard', 'kserve-knative']);
}

function servingProps(platform: Platform, flavours: ('deployment' | 'kserve-standard' | 'kserve-knative')[]) {
  return fc.record({
    pod: podProps(platform, { minGpus: 0 }),
    flavour: fc.constantFrom(...flavours),
    source: fc.constantFrom('builtin', 'custom-format', 'image'),
    format: fc.constantFrom(ModelFormat.HUGGINGFACE, ModelFormat.PYTORCH, ModelFormat.TRITON, ModelFormat.SKLEARN),
    image,
    runtimeVersion: opt(fc.constantFrom('v0.15.0', '2.14')),
    storageScheme: opt(fc.constantFrom('gs', 's3', 'hf', 'https', 'oci', 'pvc')),
    protocolVersion: opt(fc.constantFrom(ProtocolVersion.V1, ProtocolVersion.V2, ProtocolVersion.GRPC_V2)),
    storageSecretName: opt(dnsSubdomain),
    minReplicas: fc.integer({ min: 0, max: 4 }),
    extraReplicas: opt(fc.integer({ min: 0, max: 6 })),
    metricKind: fc.integer({ min: 0, max: 5 }),
    target: fc.integer({ min: 1, max: 100 }),
    port: opt(fc.integer({ min: 1024, max: 8000 })),
    metricsPort: opt(fc.integer({ min: 9100, max: 9200 })),
    probeMetrics: fc.boolean(),
    healthPath: opt(fc.constantFrom('/health', '/v2/health/ready', '/healthz')),
    modelLoadTimeout: opt(seconds(1, 6 * 3600)),
    coldStartTimeout: opt(seconds(1, 7200)),
    serviceType: opt(fc.constantFrom(ServiceType.CLUSTER_IP, ServiceType.LOAD_BALANCER)),
    servicePort: opt(fc.integer({ min: 1, max: 65535 })),
    maxUnavailable: opt(fc.integer({ min: 1, max: 5 })),
    https: fc.boolean(),
    staticIp: fc.boolean(),
    flags: fc.boolean(),
    name: opt(dnsLabel(40)),
  }).map(r => {
    const kserve = r.flavour !== 'deployment';
    const knative = r.flavour === 'kserve-knative';
    const p: any = { ...r.pod };
    // Knative sets the pod's grace itself (at least 30 s), above what GKE gives spot pods (25 s Autopilot, 15 s
    // Standard): the library refuses that combination (an invalid mutation), so valid Knative predictors there run
    // on-demand.
    if (knative && (platform.maxSpotGraceSeconds ?? Infinity) < 30) { p.capacityType = CapacityType.ON_DEMAND; delete p.terminationGracePeriod; }
    const minReplicas = r.minReplicas === 0 && !knative ? 1 : r.minReplicas;
    const metrics = !kserve
      ? [[], [ScalingMetric.cpu(r.target)], [ScalingMetric.memory(r.target), ScalingMetric.gpuUtilization(r.target)],
        [ScalingMetric.podMetric(GpuMetric.GPU_UTILIZATION, r.target * 1.5)], [ScalingMetric.external('pubsub.googleapis.com|subscription|num_undelivered_messages', r.target, { sub: 'req' })], []][r.metricKind]
      // Integer targets only: KServe's scaleTarget is an integer, and the library refuses fractional ones (a mutation).
      : knative
        ? [[], [ScalingMetric.concurrency(r.target)], [ScalingMetric.requestsPerSecond(Math.max(1, Math.round(r.target / 4)))]][r.metricKind % 3]
        : [[], [ScalingMetric.cpu(r.target)], [ScalingMetric.memory(r.target)]][r.metricKind % 3];
    const out: any = {
      ...p,
      name: r.name,
      minReplicas,
      maxReplicas: r.extraReplicas === undefined ? undefined : Math.max(1, minReplicas) + r.extraReplicas,
      scalingMetrics: metrics.length ? metrics : undefined,
      port: r.port,
    };
    if (kserve) {
      out.deploymentMode = knative ? KServeDeploymentMode.KNATIVE : (r.flags ? KServeDeploymentMode.STANDARD : undefined);
      if (r.source === 'image') out.image = r.image;
      else if (r.source === 'builtin') { out.modelFormat = r.format; out.runtimeVersion = r.runtimeVersion; } else { out.modelFormat = ModelFormat.custom('my-format', '1'); out.runtime = 'my-runtime'; }
      if (r.storageScheme) out.storageUri = `${r.storageScheme}://models-${r.target}/llama/v1`;
      out.protocolVersion = r.protocolVersion;
      out.storageSecretName = r.storageSecretName;
      out.coldStartTimeout = r.coldStartTimeout;
      if (knative) {
        out.knativeFeatureFlags = knativeNeedsFlags(platform, p) ? true : (r.flags || undefined);
        // Knative serves one port (the queue-proxy's ports 8012/8013 are outside the generated range).
      } else {
        out.metricsPort = r.metricsPort;
      }
    } else {
      out.image = r.image;
      if (r.storageScheme === 'pvc' || (r.storageScheme === 'gs' && mountsGcs(platform))) out.storageUri = `${r.storageScheme}://models-${r.target}/llama`;
      out.metricsPort = r.metricsPort;
      out.healthPort = r.probeMetrics && r.metricsPort !== undefined ? r.metricsPort : undefined;
      out.healthPath = r.healthPath;
      out.modelLoadTimeout = r.modelLoadTimeout;
      out.serviceType = r.serviceType;
      out.servicePort = r.servicePort;
      out.maxUnavailable = r.maxUnavailable;
      if (r.https && platform._httpsExposure() !== undefined) {
        out.httpsHost = `llm-${r.target}.example.com`;
        if (r.staticIp) out.staticIpName = 'llm-ip';
      }
    }
    return compact(out);
  });
}

/** A price table covering `accs` (for platforms whose built-in table lacks them, e.g. plain Kubernetes). */
function pricesFor(platform: Platform, accs: Accelerator[]): GpuPriceTable | undefined {
  const builtIn = GpuPriceTable.forCloud(platform.cloud);
  if (accs.every(a => builtIn.priceOf(a))) return undefined;
  return GpuPriceTable.of(accs.map((a, i) => ({ accelerator: a, onDemandPerHour: 1 + i, spotPerHour: 0.5 + i / 2 })));
}

export function gpuMonitoringProps(platform: Platform) {
  // H100 80GB and H100 Mega 80GB report the same DCGM model name: only one of them may be listed.
  const accs = offered(platform).filter(a => a !== Accelerator.H100_MEGA_80GB);
  return fc.record({
    name: opt(dnsLabel(30)),
    namespace: opt(dnsLabel(20)),
    deployExporter: opt(fc.boolean()),
    exporterImage: opt(fc.constantFrom('nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-ubuntu22.04')),
    profilingMetrics: opt(fc.boolean()),
    monitoringNamespace: opt(dnsLabel(20)),
    prometheusLabels: opt(fc.dictionary(dnsLabel(10), dnsLabel(10), { minKeys: 1, maxKeys: 2, noNullPrototype: true })),
    scrapeTargets: opt(fc.uniqueArray(fc.record({
      name: dnsLabel(20),
      matchLabels: fc.dictionary(dnsLabel(10), dnsLabel(10), { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
      port: fc.stringMatching(/^[a-z][a-z0-9]{0,13}$/),
      path: opt(fc.constantFrom('/metrics', '/stats/prometheus')),
      interval: opt(seconds(5, 300)),
    }), { maxLength: 2, selector: t => t.name }).map(ts => ts.map(t => compact(t)))),
    accelerators: opt(fc.subarray(accs, { maxLength: 3 })),
    idle: opt(fc.integer({ min: 1, max: 20 })),
    low: opt(fc.integer({ min: 21, max: 100 })),
    memoryUsedPercent: opt(fc.integer({ min: 1, max: 100 })),
    temperatureCelsius: opt(fc.integer({ min: 1, max: 120 })),
    idleFor: opt(seconds(1, 86400)),
    lowUtilizationFor: opt(seconds(1, 86400)),
    pendingFor: opt(seconds(1, 86400)),
    dashboard: opt(fc.boolean()),
    isolateNetwork: opt(fc.boolean()),
  }).map(r => compact({
    platform,
    ...r,
    idle: undefined,
    low: undefined,
    idleUtilizationPercent: r.idle,
    lowUtilizationPercent: r.low,
    // Autopilot runs DCGM itself and forbids node agents: the exporter must stay off there.
    deployExporter: platform.allowsNodeAgents ? r.deployExporter : (r.deployExporter === false ? false : undefined),
    prices: r.accelerators?.length ? pricesFor(platform, r.accelerators) : undefined,
  }));
}

/** GpuNodePool (Karpenter only): accelerator, families and counts from the catalog. */
export function gpuNodePoolProps() {
  const accs = Accelerator.all().filter(a => a.karpenterGpuName && a.awsInstanceFamilies.length);
  return fc.tuple(fc.constantFrom(...accs), fc.record({
    familyMask: opt(fc.integer({ min: 1, max: 3 })),
    countPick: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    extraLimit: fc.integer({ min: 0, max: 64 }),
    capacityType: opt(fc.constantFrom(CapacityType.ON_DEMAND, CapacityType.SPOT, CapacityType.SPOT_WITH_FALLBACK)),
    useRole: fc.boolean(),
    clusterName: opt(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)),
    subnetTags: opt(fc.dictionary(fc.constantFrom('env', 'tier', 'karpenter.sh/discovery'), dnsLabel(10), { minKeys: 1, maxKeys: 2, noNullPrototype: true })),
    ami: opt(fc.constantFrom(AmiAlias.AL2023_LATEST, AmiAlias.BOTTLEROCKET_LATEST, AmiAlias.al2023('v20240625'), AmiAlias.bottlerocket('v1.20.3'))),
    rootGiB: opt(fc.integer({ min: 20, max: 2000 })),
    kms: opt(fc.constantFrom('alias/ebs', 'arn:aws:kms:us-east-1:123456789012:key/abcd')),
    consolidationPolicy: opt(fc.constantFrom(ConsolidationPolicy.WHEN_EMPTY, ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED)),
    consolidateAfter: opt(seconds(0, 7200)),
    budgets: opt(fc.array(fc.record({
      nodes: fc.oneof(fc.integer({ min: 0, max: 20 }).map(String), fc.integer({ min: 0, max: 100 }).map(n => `${n}%`)),
      reasons: opt(fc.subarray([DisruptionReason.UNDERUTILIZED, DisruptionReason.EMPTY, DisruptionReason.DRIFTED], { minLength: 1 })),
      window: opt(fc.record({ schedule: fc.constantFrom('@daily', '0 9 * * 1-5', '@weekly'), minutes: fc.integer({ min: 1, max: 600 }) })),
    }), { maxLength: 3 })),
    expireDays: opt(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 }))),
    tgpMinutes: opt(fc.integer({ min: 1, max: 1440 })),
    taintKey: opt(fc.constantFrom('nvidia.com/gpu', 'gpu', 'example.com/dedicated')),
    nodeLabels: opt(labels),
    tags: opt(fc.dictionary(fc.constantFrom('team', 'cost-center', 'env'), dnsLabel(10), { maxKeys: 3, noNullPrototype: true })),
    weight: opt(fc.integer({ min: 1, max: 100 })),
    name: opt(dnsLabel(40)),
  })).map(([acc, r]) => {
    const all = acc.awsInstanceFamilies.map(f => f.family);
    // A non-empty subset of the accelerator's families, as a bit mask over them.
    const chosen = r.familyMask === undefined ? undefined : all.filter((_f, i) => (r.familyMask! >> i) & 1);
    const families = chosen === undefined ? undefined : (chosen.length ? chosen : [all[0]]);
    const fams = families ?? all;
    const offeredCounts = [...new Set(acc.awsInstanceFamilies.filter(f => fams.includes(f.family)).flatMap(f => f.gpusPerInstance))]
      .sort((a, b) => a - b);
    const gpusPerNode = r.countPick === undefined ? undefined : offeredCounts.slice(0, Math.max(1, Math.ceil(r.countPick * offeredCounts.length)));
    const largest = Math.max(...(gpusPerNode ?? offeredCounts));
    return compact({
      accelerator: acc,
      instanceFamilies: families,
      gpusPerNode,
      gpuLimit: largest + r.extraLimit,
      capacityType: r.capacityType,
      role: r.useRole ? 'KarpenterNodeRole-ml' : undefined,
      instanceProfile: r.useRole ? undefined : 'KarpenterNodeInstanceProfile-ml',
      clusterName: r.clusterName,
      subnetTags: r.clusterName === undefined ? (r.subnetTags ?? { env: 'prod' }) : r.subnetTags,
      securityGroupTags: r.clusterName === undefined ? { 'karpenter.sh/discovery': 'ml' } : undefined,
      amiAlias: r.ami,
      rootVolumeSize: r.rootGiB === undefined ? undefined : Size.gibibytes(r.rootGiB),
      volumeKmsKeyId: r.kms,
      consolidationPolicy: r.consolidationPolicy,
      consolidateAfter: r.consolidateAfter,
      disruptionBudgets: r.budgets?.map(b => compact({
        nodes: b.nodes, reasons: b.reasons, schedule: b.window?.schedule, duration: b.window ? Duration.minutes(b.window.minutes) : undefined,
      })),
      expireAfter: r.expireDays === undefined ? undefined : (r.expireDays === 0 ? NodeExpiry.NEVER : NodeExpiry.after(Duration.days(r.expireDays))),
      terminationGracePeriod: r.tgpMinutes === undefined ? undefined : Duration.minutes(r.tgpMinutes),
      taintKey: r.taintKey,
      nodeLabels: r.nodeLabels,
      tags: r.tags,
      weight: r.weight,
      name: r.name,
    });
  });
}

export const gpuQuotaProps = fc.record({
  gpus: fc.integer({ min: 0, max: 10000 }),
  priorityClasses: opt(fc.uniqueArray(dnsSubdomain, { minLength: 1, maxLength: 3 }).map(names => names.map(n => PriorityClass.fromName(n)))),
  namespace: opt(dnsLabel(20)),
  name: opt(dnsSubdomain),
  labels: opt(labels),
}).map(r => compact(r));

export const gpuPriorityClassesProps = fc.record({
  productionName: opt(dnsSubdomain.filter(n => !n.startsWith('system-'))),
  researchName: opt(dnsSubdomain.filter(n => !n.startsWith('system-'))),
  values: opt(fc.tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }))),
  researchPreempts: opt(fc.boolean()),
}).filter(r => (r.productionName ?? 'gpu-production') !== (r.researchName ?? 'gpu-research'))
  .map(r => {
    const [a, b] = r.values ?? [100000, 1000];
    const [hi, lo] = a === b ? [a, a - 1] : [Math.max(a, b), Math.min(a, b)];
    return compact({
      productionName: r.productionName, researchName: r.researchName,
      productionValue: r.values ? Math.max(hi, -999_999_999) : undefined,
      researchValue: r.values ? Math.max(lo, -1_000_000_000) : undefined,
      researchPreempts: r.researchPreempts,
    });
  });

// ---------------------------------------------------------------------------------------------------------------
// The harness: one valid or invalid case, and the case counts
// ---------------------------------------------------------------------------------------------------------------

/** The construct id every property uses: messages start with `[<platform id>/w]`. */
export const ID = 'w';

export interface Tally { valid: number; invalid: number }
export const tally = new Map<string, Tally>();

function bump(construct: string, platform: string, kind: keyof Tally): void {
  const key = `${construct}@${platform}`;
  const t = tally.get(key) ?? { valid: 0, invalid: 0 };
  t[kind]++;
  tally.set(key, t);
}

export const fcParams = (runs = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs, endOnFailure: false });

/**
 * A valid case: synth (strict schema + platform admission on every pod), synth again in a fresh chart (byte-identical
 * JSON), and no secret literal anywhere in the output. Returns the objects.
 */
export function expectValid(construct: string, platform: Platform, build: (chart: Chart) => void, secrets: string[] = []): any[] {
  const first = chartFor(platform);
  build(first);
  const objects = synth(first, platform);
  const again = chartFor(platform);
  build(again);
  const a = JSON.stringify(objects);
  const b = JSON.stringify(Testing.synth(again));
  if (a !== b) throw new Error(`non-deterministic synth:\n${a}\n---\n${b}`);
  for (const s of secrets) if (a.includes(s)) throw new Error(`secret literal ${s} leaked into the manifest`);
  if (objects.length === 0) throw new Error('a valid case emitted no objects');
  bump(construct, platform.id, 'valid');
  return objects;
}

/**
 * An invalid case: the synth must fail with a validation error (never a TypeError: `synthError` turns one into a
 * failure) that names the construct path and `prop`, and that does not echo any secret literal.
 */
export function expectInvalid(construct: string, platform: Platform, build: (chart: Chart) => void, prop: string, secrets: string[] = [], path = `${platform.id}/${ID}`): string {
  const msg = synthError(build, platform);
  if (!msg.includes('Validation failed')) throw new Error(`not a validation error: ${msg}`);
  const line = msg.split('\n').find(l => l.includes(`[${path}]`) && l.includes(prop));
  if (!line) throw new Error(`expected an error at [${path}] naming ${prop}, got:\n${msg}`);
  for (const s of secrets) if (msg.includes(s)) throw new Error(`secret literal ${s} echoed in the error: ${msg}`);
  bump(construct, platform.id, 'invalid');
  return msg;
}

/** One prop pushed just outside the valid space. */
export interface Mutation<P = any> {
  /** Short description (shown by fast-check on failure). */
  readonly what: string;
  /** Text the error line must contain, e.g. `gpus=` or `env["HF_TOKEN"]`. */
  readonly prop: (props: P, platform: Platform, secret: string) => string;
  /** Whether the mutation is outside the valid space for these props on this platform. */
  readonly applies?: (props: P, platform: Platform) => boolean;
  readonly apply: (props: P, platform: Platform, secret: string) => P;
}

/** A mutation expecting a fixed prop text. */
export function m<P = any>(what: string, prop: string, apply: (props: P, platform: Platform, secret: string) => P,
  applies?: (props: P, platform: Platform) => boolean): Mutation<P> {
  return { what, prop: () => prop, apply, applies };
}

export function summary(): { valid: number; invalid: number; constructs: Set<string>; platforms: Set<string> } {
  let valid = 0;
  let invalid = 0;
  const constructs = new Set<string>();
  const platforms = new Set<string>();
  for (const [key, t] of tally) {
    const [c, p] = key.split('@');
    constructs.add(c);
    platforms.add(p);
    valid += t.valid;
    invalid += t.invalid;
  }
  return { valid, invalid, constructs, platforms };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared mutations and the property pair (valid / invalid) of one construct on one platform
// ---------------------------------------------------------------------------------------------------------------
/** The accelerator's largest catalog machine: anything above it exceeds every machine that carries it. */
const maxVcpu = (a?: Accelerator) => Math.max(0, ...(a?.gkeMachines ?? []).map(x => x.vcpu));
const maxMemGiB = (a?: Accelerator) => Math.max(0, ...(a?.gkeMachines ?? []).map(x => x.memoryGiB));
const onGke = (p: Platform) => p.id.startsWith('gke');
const notOffered = (p: Platform) => Accelerator.all().find(a => p.allowedGpuCounts(a).length === 0);

/** Mutations of the props every GPU pod shares (GpuPodProps), for a construct whose lowest GPU count is `minGpus`. */
export function podMutations(minGpus: number): Mutation[] {
  return [
    ...(minGpus > 0 ? [m('gpus 0', 'gpus=0', p => ({ ...p, gpus: 0 }))] : []),
    m('gpus negative', 'gpus=-1', p => ({ ...p, gpus: -1 })),
    m('gpus fractional', 'gpus=1.5', p => ({ ...p, gpus: 1.5 })),
    {
      what: 'gpus above what the platform accepts',
      prop: (p, pl) => `gpus=${Math.max(...pl.allowedGpuCounts(p.accelerator)) + 1}`,
      applies: p => p.accelerator !== undefined,
      apply: (p, pl) => ({ ...p, gpus: Math.max(...pl.allowedGpuCounts(p.accelerator)) + 1 }),
    },
    m('accelerator the platform does not offer', 'accelerator=', (p, pl) => ({ ...p, accelerator: notOffered(pl), gpus: 1 }), (_p, pl) => notOffered(pl) !== undefined),
    {
      what: 'cpu above the machine',
      prop: p => `cpu=${maxVcpu(p.accelerator) + 1}`,
      applies: (p, pl) => onGke(pl) && p.gpus > 0 && maxVcpu(p.accelerator) > 0,
      apply: p => ({ ...p, cpu: maxVcpu(p.accelerator) + 1 }),
    },
    {
      what: 'memory above the machine',
      prop: () => 'memory=',
      applies: (p, pl) => onGke(pl) && p.gpus > 0 && maxMemGiB(p.accelerator) > 0,
      apply: p => ({ ...p, memory: Size.gibibytes(maxMemGiB(p.accelerator) + 1), sharedMemorySize: undefined }),
    },
    m('cpu 0', 'cpu=0', p => ({ ...p, cpu: 0 })),
    m('cpu with 4 decimals', 'cpu=0.0005', p => ({ ...p, cpu: 0.0005 })),
    m('memory below 64Mi', 'memory=', p => ({ ...p, memory: Size.mebibytes(32) })),
    m('name with uppercase', 'name="Bad_Name"', p => ({ ...p, name: 'Bad_Name' })),
    m('name of 64 characters', 'name=', p => ({ ...p, name: 'a'.repeat(64) })),
    m('namespace with uppercase', 'namespace="ML"', p => ({ ...p, namespace: 'ML' })),
    m('label value with a space', 'labels["team"]', p => ({ ...p, labels: { team: 'ml research' } })),
    {
      what: 'a secret literal in a secret-looking env var',
      prop: p => `env[${JSON.stringify(p.__secretName)}]`,
      apply: (p, _pl, secret) => ({ ...p, env: { ...(p.env ?? {}), [p.__secretName]: secret } }),
    },
    m('env name starting with a digit', 'env["1BAD"]', p => ({ ...p, env: { ...(p.env ?? {}), '1BAD': 'x' } })),
    m('secretEnv with an invalid Secret name', 'secretEnv[0].secretName', p => ({ ...p, secretEnv: [{ name: 'HF_TOKEN', secretName: 'Bad_Secret', key: 'token' }] })),
    m('zero termination grace', 'terminationGracePeriod=', p => ({ ...p, terminationGracePeriod: Duration.seconds(0) })),
    m('fractional termination grace', 'terminationGracePeriod=', p => ({ ...p, terminationGracePeriod: Duration.millis(1500) })),
    m('spot on a platform without spot', 'capacityType="spot"', p => ({ ...p, capacityType: CapacityType.SPOT }), (_p, pl) => !pl.supportsSpot),
    m('spot with fallback where it does not exist', 'capacityType="spot-with-fallback"', p => ({ ...p, capacityType: CapacityType.SPOT_WITH_FALLBACK }), (_p, pl) => !pl.supportsSpotFallback),
    {
      what: 'spot grace above the platform cap',
      prop: () => 'terminationGracePeriod=',
      applies: (_p, pl) => pl.supportsSpot && pl.maxSpotGraceSeconds !== undefined,
      apply: (p, pl) => ({ ...p, capacityType: CapacityType.SPOT, terminationGracePeriod: Duration.seconds(pl.maxSpotGraceSeconds! + 1) }),
    },
    m('GCS bucket without GCS FUSE', 'dataset=gs://', p => ({ ...p, dataset: StorageVolume.fromGcsBucket('my-data') }), (_p, pl) => !mountsGcs(pl)),
    {
      what: 'identity of the other cloud',
      prop: () => 'identity=',
      applies: (_p, pl) => pl.cloud !== Cloud.ANY,
      apply: (p, pl) => ({
        ...p, serviceAccountName: undefined,
        identity: pl.cloud === Cloud.GCP ? CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/x') : CloudIdentity.gcpServiceAccount('trainer@proj-1.iam.gserviceaccount.com'),
      }),
    },
    m('ephemeral storage below 1Mi', 'ephemeralStorage=', p => ({ ...p, ephemeralStorage: Size.kibibytes(512) })),
    m('/dev/shm as large as memory', 'sharedMemorySize=', p => ({ ...p, memory: Size.gibibytes(8), sharedMemory: true, sharedMemorySize: Size.gibibytes(8) })),
    m('priority class not a DNS name', 'priorityClass=', p => ({ ...p, priorityClass: PriorityClass.fromName('Gpu_Research') })),
    m('a system- priority class', 'priorityClass="system-cluster-critical"', p => ({ ...p, priorityClass: PriorityClass.fromName('system-cluster-critical') })),
    m('relative mount path', 'volumes[0] mount path', p => ({ ...p, volumes: [{ volume: StorageVolume.fromEmptyDir(), mountPath: 'scratch' }] })),
    m('serviceAccountName and identity together', 'identity=', (p, pl) => ({
      ...p, serviceAccountName: 'shared',
      identity: pl.cloud === Cloud.AWS ? CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/x') : CloudIdentity.gcpServiceAccount('trainer@proj-1.iam.gserviceaccount.com'),
    })),
  ];
}

/**
 * Runs the valid and the invalid property of one construct on one platform.
 * `build(chart, props)` adds the construct with id `ID`; `mutations` push one prop outside the valid space.
 */
export function properties<P>(construct: string, platform: Platform, arb: fc.Arbitrary<P>, build: (chart: any, props: P) => void,
  mutations: Mutation[], runs = RUNS): void {
  test(`${construct} on ${platform.id}: valid props synthesize schema-valid, admission-clean, deterministic, secret-free`, () => {
    fc.assert(fc.property(arb, secretLiteral, (props, secret) => {
      expectValid(construct, platform, chart => build(chart, props), [secret]);
    }), fcParams(runs));
  });
  test(`${construct} on ${platform.id}: props just outside the valid space fail validation naming the prop`, () => {
    fc.assert(fc.property(arb, fc.nat(), secretLookingName, secretLiteral, (props, which, secretName, secret) => {
      const usable = mutations.filter(mu => !mu.applies || mu.applies(props, platform));
      const mu = usable[which % usable.length];
      const withName: any = { ...props, __secretName: secretName };
      const { __secretName, ...bad } = mu.apply(withName, platform, secret);
      void __secretName;
      expectInvalid(construct, platform, chart => build(chart, bad as P), mu.prop(withName, platform, secret), [secret]);
    }), fcParams(runs * 2));
  });
}


/**
 * Registers the case-count guard and the summary line of one property test file: every (construct, platform) pair in
 * `expected` must keep at least `min` valid and invalid cases. The per-file tallies of one jest run are also merged
 * into one line (`property-based: N cases ...`) by whichever file finishes last.
 */
export function caseCounts(file: string, expected: string[], min = Math.min(6, Math.ceil(RUNS / 2))): void {
  test(`case counts (${file}): every construct on every platform it supports, none silently shrunk`, () => {
    expect([...tally.keys()].sort()).toEqual([...expected].sort());
    for (const [pair, t] of tally) {
      expect({ pair, enough: t.valid >= min && t.invalid >= min }).toEqual({ pair, enough: true });
    }
    const s = summary();
    expect(s.valid + s.invalid).toBeGreaterThanOrEqual(expected.length * min * 3);
  });
  afterAll(() => {
    const s = summary();
    process.stderr.write(`\nproperty-based (${file}): ${s.valid + s.invalid} cases (valid ${s.valid}, invalid ${s.invalid}) across ${s.constructs.size} constructs x ${s.platforms.size} platforms, seed ${SEED}, ${RUNS} runs per property\n`);
    // Merge the files of this jest run (global setup names the run in JEST_SCHEMA_RUN).
    const dir = path.join(__dirname, '..', '..', '.cache', `property-tally.${process.env.JEST_SCHEMA_RUN ?? process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${file}.json`), JSON.stringify([...tally.entries()]));
    const parts = fs.readdirSync(dir).filter(f => f.endsWith('.json'));
    if (!PROPERTY_FILES.every(f => parts.includes(`${f}.json`))) return;
    const all = new Map<string, Tally>();
    for (const f of parts) for (const [k, v] of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as [string, Tally][]) all.set(k, v);
    let valid = 0;
    let invalid = 0;
    for (const v of all.values()) { valid += v.valid; invalid += v.invalid; }
    const constructs = new Set([...all.keys()].map(k => k.split('@')[0]));
    const plats = new Set([...all.keys()].map(k => k.split('@')[1]));
    process.stderr.write(`property-based: ${valid + invalid} cases (valid ${valid}, invalid ${invalid}) across ${constructs.size} constructs x ${plats.size} platforms (${all.size} construct/platform pairs; GpuNodePool is Karpenter-only), seed ${SEED}\n`);
  });
}

/** The property test files whose tallies make up the combined summary line. */
export const PROPERTY_FILES = ['property-workloads', 'property-serving-cluster'];
