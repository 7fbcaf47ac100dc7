/**
 * Property-based tests (GitHub issue 8, part 1), serving, monitoring and capacity: for every construct on every platform it supports, random
 * props from the VALID space synthesize strictly schema-valid, admission-clean, deterministic, secret-free manifests,
 * and random props pushed JUST OUTSIDE it fail with a validation error naming the construct path and the prop.
 * The generators and the harness are in test/support/arbitraries.ts; the suite is split in two files so that jest
 * runs them in parallel.
 *
 * Reproduce a failure with the seed fast-check prints: `FC_SEED=<seed> npx jest test/property-*.test.ts`.
 * Soak: `FC_RUNS=200 npx jest test/property-*.test.ts`.
 */
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Accelerator, CapacityType, ClusterAddon, GpuMonitoring, GpuNodePool, GpuPriorityClasses, GpuQuota, GpuTrainingJob, InferenceDeployment,
  KServeDeploymentMode, KServeInferenceService, ModelFormat, NodeExpiry, Platform, PriorityClass, ScalingMetric,
} from '../lib';
import {
  ID, Mutation, RUNS, caseCounts, expectInvalid, expectValid, fcParams, gpuMonitoringProps, gpuNodePoolProps,
  gpuPriorityClassesProps, gpuQuotaProps, inferenceDeploymentProps, kserveInferenceServiceProps, m, platforms, podMutations, properties,
  withAddons,
} from './support/arbitraries';

const PLATFORMS = platforms();

/** Mutations every model-serving construct refuses (InferenceEndpointProps). */
const endpointMutations: Mutation[] = [
  m('minReplicas above maxReplicas', 'minReplicas=', p => ({ ...p, minReplicas: 3, maxReplicas: 2 })),
  m('maxReplicas 1001', 'maxReplicas=1001', p => ({ ...p, maxReplicas: 1001 })),
  m('port 0', 'port=0', p => ({ ...p, port: 0 })),
  m('port 70000', 'port=70000', p => ({ ...p, port: 70000 })),
  m('storageUri scheme nobody loads', 'storageUri=', p => ({ ...p, storageUri: 'ftp://host/model' })),
];

describe('InferenceDeployment', () => {
  const own: Mutation[] = [
    m('minReplicas 0', 'minReplicas=0', p => ({ ...p, minReplicas: 0, maxReplicas: undefined })),
    m('metricsPort equal to port', 'metricsPort=', p => ({ ...p, port: 9000, metricsPort: 9000, healthPort: undefined })),
    m('target utilization 101', 'scalingMetrics[0]=', p => ({ ...p, scalingMetrics: [ScalingMetric.cpu(101)] })),
    m('a scaling metric only KServe Knative mode has', 'scalingMetrics[0]=', p => ({ ...p, scalingMetrics: [ScalingMetric.concurrency(4)] })),
    m('probe port the container does not expose', 'healthPort=', p => ({ ...p, healthPort: 1, port: 8080, metricsPort: undefined })),
    m('health path without a leading slash', 'healthPath=', p => ({ ...p, healthPath: 'health' })),
    m('staticIpName without httpsHost', 'staticIpName=', p => ({ ...p, httpsHost: undefined, staticIpName: 'ip' })),
    m('httpsHost without a managed-certificate exposure', 'httpsHost=', p => ({ ...p, httpsHost: 'llm.example.com' }), (_p, pl) => pl._httpsExposure() === undefined),
    m('zero model load timeout', 'modelLoadTimeout=', p => ({ ...p, modelLoadTimeout: Duration.seconds(0) })),
    m('no image', 'image=undefined', p => ({ ...p, image: undefined })),
  ];
  for (const platform of PLATFORMS) {
    properties('InferenceDeployment', platform, inferenceDeploymentProps(platform), (chart, props: any) => new InferenceDeployment(chart, ID, props),
      [...podMutations(0), ...endpointMutations, ...own]);
  }
});

describe('KServeInferenceService', () => {
  const knative = (p: any) => p.deploymentMode === KServeDeploymentMode.KNATIVE;
  const own: Mutation[] = [
    m('minReplicas 0 without Knative', 'minReplicas=0', p => ({ ...p, minReplicas: 0, maxReplicas: undefined }), p => !knative(p)),
    m('metricsPort equal to port', 'metricsPort=', p => ({ ...p, port: 9000, metricsPort: 9000 }), p => !knative(p)),
    m('target utilization 101', 'scalingMetrics[0]=', p => ({ ...p, scalingMetrics: [knative(p) ? ScalingMetric.concurrency(-1) : ScalingMetric.cpu(101)] })),
    m('fractional requests-per-second target on KServe', 'scalingMetrics[0]=', p => ({ ...p, scalingMetrics: [ScalingMetric.requestsPerSecond(0.25)] }), knative),
    m('Knative predictor on spot where spot grace is capped below 30 s', 'capacityType=', p => ({ ...p, capacityType: CapacityType.SPOT, knativeFeatureFlags: true, terminationGracePeriod: undefined }), (p, pl) => knative(p) && (pl.maxSpotGraceSeconds ?? 99) < 30),
    m('custom model format without runtime', 'modelFormat=', p => ({ ...p, image: undefined, modelFormat: ModelFormat.custom('x'), runtime: undefined, runtimeVersion: undefined })),
    m('KServe missing from the platform\'s add-ons', 'platform.addons=[knative-serving]', (p, pl) => ({ ...p, platform: withAddons(pl, [ClusterAddon.KNATIVE_SERVING]) })),
    m('Knative mode without Knative Serving in the add-ons', 'platform.addons=[kserve]', (p, pl) => ({ ...p, platform: withAddons(pl, [ClusterAddon.KSERVE]) }), knative),
  ];
  for (const platform of PLATFORMS) {
    properties('KServeInferenceService', platform, kserveInferenceServiceProps(platform), (chart, props: any) => new KServeInferenceService(chart, ID, props),
      [...podMutations(0), ...endpointMutations, ...own]);
  }
});

describe('GpuMonitoring', () => {
  const own: Mutation[] = [
    m('idle utilization 0', 'idleUtilizationPercent=0', p => ({ ...p, idleUtilizationPercent: 0 })),
    m('low utilization 101', 'lowUtilizationPercent=101', p => ({ ...p, lowUtilizationPercent: 101 })),
    m('idle threshold above low threshold', 'idleUtilizationPercent=50', p => ({ ...p, idleUtilizationPercent: 50, lowUtilizationPercent: 40 })),
    m('memory threshold 0', 'memoryUsedPercent=0', p => ({ ...p, memoryUsedPercent: 0 })),
    m('temperature 121', 'temperatureCelsius=121', p => ({ ...p, temperatureCelsius: 121 })),
    m('zero idleFor', 'idleFor=', p => ({ ...p, idleFor: Duration.seconds(0) })),
    m('zero pendingFor', 'pendingFor=', p => ({ ...p, pendingFor: Duration.seconds(0) })),
    m('name of 41 characters', 'name=', p => ({ ...p, name: 'a'.repeat(41) })),
    m('monitoring namespace with uppercase', 'monitoringNamespace="Mon"', p => ({ ...p, monitoringNamespace: 'Mon' })),
    m('exporter where node agents are forbidden', 'deployExporter=true', p => ({ ...p, deployExporter: true }), (_p, pl) => !pl.allowsNodeAgents),
    m('scrape port not a port name', 'scrapeTargets[0].port=', p => ({ ...p, scrapeTargets: [{ name: 'app', matchLabels: { app: 'x' }, port: 'Metrics_Port' }] })),
    m('accelerator without a price', 'accelerators[0]=', p => ({ ...p, prices: undefined, accelerators: [Accelerator.custom({ name: 'Mystery', gpuProduct: 'X' })] })),
    m('exporter image with a space', 'exporterImage=', p => ({ ...p, exporterImage: 'dcgm exporter' })),
  ];
  for (const platform of PLATFORMS) {
    properties('GpuMonitoring', platform, gpuMonitoringProps(platform), (chart, props: any) => new GpuMonitoring(chart, ID, props), own);
  }
});

describe('GpuNodePool (Karpenter only: it is a karpenter.sh/v1 NodePool)', () => {
  const karpenter = Platform.karpenter();
  const own: Mutation[] = [
    m('gpuLimit 0', 'gpuLimit=0', p => ({ ...p, gpuLimit: 0 })),
    {
      what: 'gpuLimit below one node',
      prop: p => `gpuLimit=${Math.max(...(p.gpusPerNode ?? p.accelerator.awsInstanceFamilies.filter((f: any) => !p.instanceFamilies || p.instanceFamilies.includes(f.family)).flatMap((f: any) => f.gpusPerInstance))) - 1}`,
      applies: p => Math.max(...(p.gpusPerNode ?? p.accelerator.awsInstanceFamilies.flatMap((f: any) => f.gpusPerInstance))) > 1,
      apply: p => ({
        ...p,
        gpuLimit: Math.max(...(p.gpusPerNode ?? p.accelerator.awsInstanceFamilies
          .filter((f: any) => !p.instanceFamilies || p.instanceFamilies.includes(f.family)).flatMap((f: any) => f.gpusPerInstance))) - 1,
      }),
    },
    m('gpusPerNode no family offers', 'gpusPerNode=[3]', p => ({ ...p, gpusPerNode: [3] })),
    m('a family that does not carry the GPU', 'instanceFamilies=', p => ({ ...p, instanceFamilies: ['m5'] })),
    m('accelerator without an AWS family', 'accelerator=', p => ({ ...p, accelerator: Accelerator.H100_MEGA_80GB, instanceFamilies: undefined, gpusPerNode: undefined })),
    m('weight 0', 'weight=0', p => ({ ...p, weight: 0 })),
    m('weight 101', 'weight=101', p => ({ ...p, weight: 101 })),
    m('name with uppercase', 'name="GPU"', p => ({ ...p, name: 'GPU' })),
    m('role and instance profile', 'role=', p => ({ ...p, role: 'r', instanceProfile: 'p' })),
    m('neither role nor instance profile', 'role=undefined', p => ({ ...p, role: undefined, instanceProfile: undefined })),
    m('root volume 10 GiB', 'rootVolumeSize=', p => ({ ...p, rootVolumeSize: Size.gibibytes(10) })),
    m('expiry of zero', 'expireAfter=', p => ({ ...p, expireAfter: NodeExpiry.after(Duration.seconds(0)) })),
    m('budget nodes not a count', 'disruptionBudgets[0].nodes=', p => ({ ...p, disruptionBudgets: [{ nodes: 'ten' }] })),
    m('taint key with two slashes', 'taintKey=', p => ({ ...p, taintKey: 'a/b/c' })),
    m('Karpenter-owned node label', 'nodeLabels[', p => ({ ...p, nodeLabels: { 'karpenter.sh/capacity-type': 'spot' } })),
    m('EKS-owned tag', 'tags[', p => ({ ...p, tags: { 'kubernetes.io/cluster/ml': 'owned' } })),
    m('consolidateAfter fractional', 'consolidateAfter=', p => ({ ...p, consolidateAfter: Duration.millis(1500) })),
  ];
  properties('GpuNodePool', karpenter, gpuNodePoolProps(), (chart, props: any) => new GpuNodePool(chart, ID, props), own, RUNS * 2);

  /** A pool and a job that targets it (`pool.platform()`) and fits it. */
  const withJob = gpuNodePoolProps().chain(pool => {
    const counts = pool.gpusPerNode ?? [...new Set(pool.accelerator.awsInstanceFamilies
      .filter((f: any) => !pool.instanceFamilies || pool.instanceFamilies.includes(f.family)).flatMap((f: any) => f.gpusPerInstance))];
    const caps = pool.capacityType === CapacityType.SPOT ? [CapacityType.SPOT]
      : pool.capacityType === CapacityType.ON_DEMAND ? [CapacityType.ON_DEMAND]
        : [CapacityType.ON_DEMAND, CapacityType.SPOT, CapacityType.SPOT_WITH_FALLBACK];
    const expireSeconds = pool.expireAfter === undefined ? 30 * 86400 : pool.expireAfter.duration?.toSeconds();
    return fc.record({
      pool: fc.constant(pool),
      gpus: fc.constantFrom(...counts),
      capacityType: fc.constantFrom(...caps),
      deadline: fc.option(fc.integer({ min: 1, max: expireSeconds ?? 90 * 86400 }), { nil: undefined }),
    });
  });
  test('GpuNodePool on karpenter: a job on pool.platform() that fits the pool synthesizes (whole-app check passes)', () => {
    fc.assert(fc.property(withJob, c => {
      expectValid('GpuNodePool', karpenter, chart => {
        const pool = new GpuNodePool(chart, ID, c.pool as any);
        new GpuTrainingJob(chart, 'job', { platform: pool.platform(), image: 'trainer:1', accelerator: c.pool.accelerator, gpus: c.gpus, capacityType: c.capacityType, activeDeadline: c.deadline ? Duration.seconds(c.deadline) : undefined });
      });
    }), fcParams());
  });
  test('GpuNodePool on karpenter: a job that outlives the node expiry is reported on the pool', () => {
    const arb = withJob.filter(c => c.pool.expireAfter !== NodeExpiry.NEVER);
    fc.assert(fc.property(arb, c => {
      const expire = c.pool.expireAfter?.duration?.toSeconds() ?? 30 * 86400;
      expectInvalid('GpuNodePool', karpenter, chart => {
        const pool = new GpuNodePool(chart, ID, c.pool as any);
        new GpuTrainingJob(chart, 'job', { platform: pool.platform(), image: 'trainer:1', accelerator: c.pool.accelerator, gpus: c.gpus, capacityType: c.capacityType, activeDeadline: Duration.seconds(expire + 1) });
      }, 'expireAfter=');
    }), fcParams());
  });
});

describe('GpuQuota and GpuPriorityClasses (platform-independent: run in every platform\'s chart)', () => {
  const quotaBad: Mutation[] = [
    m('gpus -1', 'gpus=-1', p => ({ ...p, gpus: -1 })),
    m('gpus fractional', 'gpus=1.5', p => ({ ...p, gpus: 1.5 })),
    m('empty priority class list', 'priorityClasses=', p => ({ ...p, priorityClasses: [] })),
    m('priority class not a DNS name', 'priorityClasses[0]=', p => ({ ...p, priorityClasses: [PriorityClass.fromName('Gpu_Research')] })),
    m('name with uppercase', 'name="Bad_Name"', p => ({ ...p, name: 'Bad_Name' })),
    m('namespace with uppercase', 'namespace="NS"', p => ({ ...p, namespace: 'NS' })),
  ];
  const classesBad: Mutation[] = [
    m('research at or above production', 'researchValue=', p => ({ ...p, productionValue: 1000, researchValue: 1000 })),
    m('system- prefix', 'productionName="system-gpu"', p => ({ ...p, productionName: 'system-gpu' })),
    m('same names', 'researchName=', p => ({ ...p, productionName: 'gpu', researchName: 'gpu' })),
    m('production value above the user maximum', 'productionValue=2000000000', p => ({ ...p, productionValue: 2_000_000_000 })),
    m('fractional research value', 'researchValue=1.5', p => ({ ...p, researchValue: 1.5 })),
  ];
  for (const platform of PLATFORMS) {
    properties('GpuQuota', platform, gpuQuotaProps, (chart, props: any) => new GpuQuota(chart, ID, props), quotaBad, Math.ceil(RUNS / 2));
    properties('GpuPriorityClasses', platform, gpuPriorityClassesProps, (chart, props: any) => new GpuPriorityClasses(chart, ID, props), classesBad, Math.ceil(RUNS / 2));
  }
});

caseCounts('property-serving-cluster', [
  ...['InferenceDeployment', 'KServeInferenceService', 'GpuMonitoring', 'GpuQuota', 'GpuPriorityClasses'].flatMap(c => PLATFORMS.map(p => `${c}@${p.id}`)),
  'GpuNodePool@karpenter',
]);
