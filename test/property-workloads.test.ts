/**
 * Property-based tests (GitHub issue 8, part 1), training and batch workloads: for every construct on every platform it supports, random
 * props from the VALID space synthesize strictly schema-valid, admission-clean, deterministic, secret-free manifests,
 * and random props pushed JUST OUTSIDE it fail with a validation error naming the construct path and the prop.
 * The generators and the harness are in test/support/arbitraries.ts; the suite is split in two files so that jest
 * runs them in parallel.
 *
 * Reproduce a failure with the seed fast-check prints: `FC_SEED=<seed> npx jest test/property-*.test.ts`.
 * Soak: `FC_RUNS=200 npx jest test/property-*.test.ts`.
 */
import { Duration } from 'cdk8s';
import { ClusterAddon, DdpJob, DdpJobSet, GpuTrainingJob, PyTorchJob, SpotBatchJob, TfJob } from '../lib';
import {
  ID, Mutation, caseCounts, ddpJobProps, ddpJobSetProps, m, platforms, podMutations, properties, pyTorchJobProps, spotBatchJobProps, tfJobProps,
  trainingJobProps, withAddons,
} from './support/arbitraries';

const PLATFORMS = platforms();

describe('GpuTrainingJob', () => {
  const own: Mutation[] = [
    m('backoffLimit -1', 'backoffLimit=-1', p => ({ ...p, backoffLimit: -1 })),
    m('backoffLimit 101', 'backoffLimit=101', p => ({ ...p, backoffLimit: 101 })),
    m('fail-fast exit code 0', 'failFastExitCodes=', p => ({ ...p, failFastExitCodes: [0, 1] })),
    m('fail-fast exit code 256', 'failFastExitCodes=', p => ({ ...p, failFastExitCodes: [256] })),
    m('zero active deadline', 'activeDeadline=', p => ({ ...p, activeDeadline: Duration.seconds(0) })),
    m('fractional TTL', 'ttlAfterFinished=', p => ({ ...p, ttlAfterFinished: Duration.millis(500) })),
    m('image with a space', 'image=', p => ({ ...p, image: 'my image' })),
  ];
  for (const platform of PLATFORMS) {
    properties('GpuTrainingJob', platform, trainingJobProps(platform), (chart, props: any) => new GpuTrainingJob(chart, ID, props), [...podMutations(1), ...own]);
  }
});

describe('SpotBatchJob', () => {
  const own: Mutation[] = [
    m('completions 0', 'completions=0', p => ({ ...p, completions: 0 })),
    m('parallelism above completions', 'parallelism=', p => ({ ...p, parallelism: p.completions + 1 })),
    m('parallelism 0', 'parallelism=0', p => ({ ...p, parallelism: 0 })),
    m('maxFailedIndexes above completions', 'maxFailedIndexes=', p => ({ ...p, maxFailedIndexes: p.completions + 1 })),
    m('backoffLimitPerIndex 101', 'backoffLimitPerIndex=101', p => ({ ...p, backoffLimitPerIndex: 101 })),
    m('empty checkpoint command', 'checkpointCommand=', p => ({ ...p, checkpointCommand: [] })),
    m('zero active deadline', 'activeDeadline=', p => ({ ...p, activeDeadline: Duration.seconds(0) })),
    m('name too long for the shard hostnames', 'name=', p => ({ ...p, completions: 100, parallelism: undefined, maxFailedIndexes: undefined, name: 'a'.repeat(61) })),
    m('the SPOT default on a platform without spot', 'capacityType="spot"', p => ({ ...p, capacityType: undefined }), (_p, pl) => !pl.supportsSpot),
  ];
  for (const platform of PLATFORMS) {
    properties('SpotBatchJob', platform, spotBatchJobProps(platform), (chart, props: any) => new SpotBatchJob(chart, ID, props), [...podMutations(1), ...own]);
  }
});

/** Mutations every multi-node PyTorch construct refuses (DistributedTrainingJobProps). */
const torchMutations: Mutation[] = [
  m('nodes 0', 'nodes=0', p => ({ ...p, nodes: 0, elastic: undefined })),
  m('nodes fractional', 'nodes=1.5', p => ({ ...p, nodes: 1.5, elastic: undefined })),
  m('port below 1024', 'port=80', p => ({ ...p, port: 80 })),
  m('both script and module', 'script=', p => ({ ...p, script: 'train.py', module: 'trainer.main' })),
  m('neither script nor module', 'script=undefined', p => ({ ...p, script: undefined, module: undefined })),
  m('module with a space', 'module=', p => ({ ...p, script: undefined, module: 'my trainer' })),
  m('command given', 'command=', p => ({ ...p, command: ['python'] })),
  m('reserved env', 'env["MASTER_ADDR"]', p => ({ ...p, env: { ...(p.env ?? {}), MASTER_ADDR: 'x' } })),
  m('zero rendezvous timeout', 'rendezvousTimeout=', p => ({ ...p, rendezvousTimeout: Duration.seconds(0) })),
  m('zero collective timeout', 'collectiveTimeout=', p => ({ ...p, collectiveTimeout: Duration.seconds(0) })),
  m('name too long for the pod hostnames', 'name=', p => ({ ...p, name: 'a'.repeat(62) })),
  m('multi-node name starting with a digit', 'name="1ddp"', p => ({ ...p, nodes: Math.max(2, p.nodes), elastic: undefined, name: '1ddp' })),
  m('backoffLimit 101', 'backoffLimit=101', p => ({ ...p, backoffLimit: 101 })),
];
/** Mutations of `elastic` (DdpJob, PyTorchJob). */
const elasticMutations: Mutation[] = [
  m('elastic minimum above nodes', 'elastic.minNodes=', p => ({ ...p, nodes: Math.max(2, p.nodes), elastic: { minNodes: Math.max(2, p.nodes) + 1 } })),
  m('elastic on one node', 'elastic=', p => ({ ...p, nodes: 1, elastic: { minNodes: 1 } })),
];

describe('DdpJob', () => {
  for (const platform of PLATFORMS) {
    properties('DdpJob', platform, ddpJobProps(platform), (chart, props: any) => new DdpJob(chart, ID, props), [...podMutations(1), ...torchMutations, ...elasticMutations]);
  }
});

describe('PyTorchJob', () => {
  const own: Mutation[] = [
    m('unknown clean-pod policy', 'cleanPodPolicy=', p => ({ ...p, cleanPodPolicy: 'Sometimes' })),
    m('PyTorchJob without the training operator in the add-ons', 'platform.addons=[jobset]', (p, pl) => ({ ...p, platform: withAddons(pl, [ClusterAddon.JOBSET]) })),
  ];
  for (const platform of PLATFORMS) {
    properties('PyTorchJob', platform, pyTorchJobProps(platform), (chart, props: any) => new PyTorchJob(chart, ID, props), [...podMutations(1), ...torchMutations, ...elasticMutations, ...own]);
  }
});

describe('DdpJobSet', () => {
  const own: Mutation[] = [
    m('DdpJobSet without the JobSet controller in the add-ons', 'platform.addons=[kubeflow-training-operator]', (p, pl) => ({ ...p, platform: withAddons(pl, [ClusterAddon.KUBEFLOW_TRAINING_OPERATOR]) })),
  ];
  for (const platform of PLATFORMS) {
    properties('DdpJobSet', platform, ddpJobSetProps(platform), (chart, props: any) => new DdpJobSet(chart, ID, props), [...podMutations(1), ...torchMutations, ...own]);
  }
});

describe('TfJob', () => {
  /**
   * The job's `gpus` is only the default of the replicas: a replica with its own `gpus` never reads it (so the
   * job-level value is not validated then). GPU mutations of the job level therefore drop the Worker override.
   */
  const clearReplicaGpus = (mu: Mutation): Mutation => (mu.what.startsWith('gpus')
    ? { ...mu, apply: (p, pl, s) => mu.apply({ ...p, workers: p.workers ? { ...p.workers, gpus: undefined } : undefined }, pl, s) }
    : mu);
  const own: Mutation[] = [
    m('workers.replicas 0', 'workers.replicas=0', p => ({ ...p, workers: { ...(p.workers ?? {}), replicas: 0 } })),
    m('chief.replicas 2', 'chief.replicas=2', p => ({ ...p, chief: { ...(p.chief ?? {}), replicas: 2 } })),
    m('workers.gpus 0', 'workers.gpus=0', p => ({ ...p, workers: { ...(p.workers ?? {}), gpus: 0 } })),
    {
      what: 'evaluator.gpus above what the platform accepts',
      prop: (p, pl) => `evaluator.gpus=${Math.max(...pl.allowedGpuCounts(p.accelerator)) + 1}`,
      apply: (p, pl) => ({ ...p, evaluator: { gpus: Math.max(...pl.allowedGpuCounts(p.accelerator)) + 1 } }),
    },
    m('parameterServers.cpu 0', 'parameterServers.cpu=0', p => ({ ...p, parameterServers: { ...(p.parameterServers ?? {}), cpu: 0 } })),
    m('unknown restart policy', 'restartPolicy="Always"', p => ({ ...p, restartPolicy: 'Always' })),
    m('unknown success policy', 'successPolicy=', p => ({ ...p, successPolicy: 'Sometimes' })),
    m('script and command together', 'command=', p => ({ ...p, script: { configMapName: 'tf', fileName: 'train.py' }, command: ['python'] })),
    m('script file name with a slash', 'script.fileName=', p => ({ ...p, script: { configMapName: 'tf', fileName: 'a/b.py' } })),
    m('TFJob without the training operator in the add-ons', 'platform.addons=[]', (p, pl) => ({ ...p, platform: withAddons(pl, []) })),
    m('unknown clean-pod policy', 'cleanPodPolicy=', p => ({ ...p, cleanPodPolicy: 'Sometimes' })),
    m('name starting with a digit', 'name="1tf"', p => ({ ...p, name: '1tf' })),
    m('fractional TTL', 'ttlAfterFinished=', p => ({ ...p, ttlAfterFinished: Duration.millis(500) })),
  ];
  for (const platform of PLATFORMS) {
    properties('TfJob', platform, tfJobProps(platform), (chart, props: any) => new TfJob(chart, ID, props), [...podMutations(1).map(clearReplicaGpus), ...own]);
  }
});

caseCounts('property-workloads', ['GpuTrainingJob', 'SpotBatchJob', 'DdpJob', 'PyTorchJob', 'DdpJobSet', 'TfJob'].flatMap(c => PLATFORMS.map(p => `${c}@${p.id}`)));
