import { Construct } from 'constructs';
import { Accelerator } from '../accelerator';
import { ClusterAddon } from '../platform/cluster-addon';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { GpuShare } from '../sharing/gpu-share';
import { _Problems, _checkDnsSubdomain, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { _FlavorInfo, _FleetRegistry, _QuotaInfo, _TeamInfo, _WorkloadInfo } from './_fleet-registry';
import { _demandOf } from './_demand';
import { IComputeClass } from './compute-class';
import { TopologyPlacement } from './topology';
import { ILocalQueue } from './local-queue';
import { IWorkloadPriorityClass } from './workload-priority-class';
import { _Renders } from '../pod/renders';

/** Kueue's label naming a workload's LocalQueue. @internal */
export const _QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Kueue's label naming a workload's WorkloadPriorityClass. @internal */
export const _PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';
/** Kueue copies every `provreq.kueue.x-k8s.io/<name>` annotation into the ProvisioningRequest's parameters. */
const MAX_RUN_ANNOTATION = 'provreq.kueue.x-k8s.io/maxRunDurationSeconds';
/** Longest a flex-start VM lives (GKE "About flex-start": up to seven days). */
const FLEX_START_MAX_SECONDS = 7 * 24 * 3600;

/**
 * Kinds Kueue v0.19 admits with the queue label on the object, and the integration (framework) that must be enabled
 * in its configuration; `default` says whether Kueue enables it out of the box (config/components/manager/
 * controller_manager_config.yaml @v0.19.2).
 */
const KUEUE_KINDS: { [apiGroupKind: string]: { framework: string; enabledByDefault: boolean } } = {
  'batch/Job': { framework: 'batch/job', enabledByDefault: true },
  'jobset.x-k8s.io/JobSet': { framework: 'jobset.x-k8s.io/jobset', enabledByDefault: true },
  'kubeflow.org/PyTorchJob': { framework: 'kubeflow.org/pytorchjob', enabledByDefault: false },
  'kubeflow.org/TFJob': { framework: 'kubeflow.org/tfjob', enabledByDefault: false },
  'trainer.kubeflow.org/TrainJob': { framework: 'trainer.kubeflow.org/trainjob', enabledByDefault: true },
  'leaderworkerset.x-k8s.io/LeaderWorkerSet': { framework: 'leaderworkerset.x-k8s.io/leaderworkerset', enabledByDefault: true },
  'apps/Deployment': { framework: 'deployment', enabledByDefault: true },
  'apps/StatefulSet': { framework: 'statefulset', enabledByDefault: true },
};

/** The Kueue integration of an object, if Kueue has one. @internal */
export function _kueueIntegration(resource: { apiVersion: string; kind: string }): { framework: string; enabledByDefault: boolean } | undefined {
  const group = resource.apiVersion.includes('/') ? resource.apiVersion.split('/')[0] : '';
  return KUEUE_KINDS[`${group}/${resource.kind}`];
}

/** The fleet props of a workload. @internal */
export interface _FleetProps {
  readonly queue?: ILocalQueue;
  readonly workloadPriority?: IWorkloadPriorityClass;
  readonly computeClass?: IComputeClass;
  readonly accelerator?: Accelerator;
  readonly capacityType?: CapacityType;
  /** The construct's `activeDeadline`, if it has one. */
  readonly activeDeadline?: unknown;
  readonly topology?: TopologyPlacement;
}

/** Checks the fleet props when the workload is constructed (what needs no other construct). @internal */
export function _checkFleetProps(p: _Problems, props: _FleetProps, namespace: string | undefined, platform: Platform | undefined): void {
  const queue = props.queue;
  if (props.workloadPriority !== undefined && queue === undefined) {
    p.error('workloadPriority', props.workloadPriority.workloadPriorityClassName, 'needs a queue: Kueue orders and preempts only the workloads it queues');
  }
  if (props.workloadPriority !== undefined) _checkDnsSubdomain(p, 'workloadPriority', props.workloadPriority.workloadPriorityClassName);
  if (props.computeClass !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.computeClass.computeClassName)) {
    p.error('computeClass', props.computeClass.computeClassName, 'must name a ComputeClass (a DNS label)');
  }
  if (queue === undefined) return;
  const name = queue.localQueueName;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    p.error('queue', name, 'must name a LocalQueue: a DNS label of at most 63 characters (it is a label value)');
  }
  if (queue.namespace !== undefined && namespace !== undefined && queue.namespace !== namespace) {
    p.raw(`queue=${_show(name)} is invalid: the LocalQueue is in namespace ${_show(queue.namespace)} and the workload in ${_show(namespace)}; Kueue admits a workload only through a LocalQueue of its own namespace (allowed: namespace: ${_show(queue.namespace)}, or a queue of ${_show(namespace)})`);
  }
  _requireAddon(p, platform, ClusterAddon.KUEUE, 'a workload with a queue');
}

/**
 * Joins a workload to the fleet once its main object exists: the Kueue labels on that object (where each kind needs
 * them), the queued-provisioning run time, and the registration the app-wide checks and the plan report read. A kind
 * Kueue does not manage is refused.
 * @internal
 */
export function _joinFleet(owner: Construct, p: _Problems, info: Omit<_WorkloadInfo, 'queueName' | 'queueNamespace' | 'priorityName' | 'computeClassName'>,
  props: _FleetProps, deadlineSeconds: number | undefined): void {
  const registry = _FleetRegistry.of(owner);
  const resource = info.resource;
  const queue = props.queue;
  const what = `${info.kind === WorkloadKind.NOTEBOOK ? 'a notebook' : 'a workload'}`;
  if (props.capacityType === CapacityType.FLEX_START && deadlineSeconds !== undefined && deadlineSeconds > FLEX_START_MAX_SECONDS) {
    p.raw(`activeDeadline=${deadlineSeconds}s is invalid: capacityType=${_show(CapacityType.FLEX_START)} nodes live at most 7 days (${FLEX_START_MAX_SECONDS}s), so the node would go before the job ends (allowed: at most ${FLEX_START_MAX_SECONDS}s)`);
  }
  if (queue !== undefined) {
    const integration = _kueueIntegration(resource);
    if (!integration) {
      p.raw(`queue=${_show(queue.localQueueName)} is invalid: Kueue has no integration for ${resource.apiVersion} ${resource.kind}, so ${what} of this kind never waits in a queue (Kueue manages Job, JobSet, PyTorchJob, TFJob, TrainJob, LeaderWorkerSet, Deployment and StatefulSet; serve with InferenceDeployment or VllmDeployment, or use a StatefulSetNotebook, to queue the pods)`);
    } else {
      resource.metadata.addLabel(_QUEUE_LABEL, queue.localQueueName);
      if (props.workloadPriority) resource.metadata.addLabel(_PRIORITY_LABEL, props.workloadPriority.workloadPriorityClassName);
      // Queued provisioning (GKE DWS): the nodes Kueue's ProvisioningRequest creates live as long as the run may.
      const found = registry.teamOf(info.platform.cluster, queue.namespace ?? info.namespace, queue.localQueueName);
      if (found?.team.queuedProvisioning && deadlineSeconds !== undefined) {
        resource.metadata.addAnnotation(MAX_RUN_ANNOTATION, String(deadlineSeconds));
      }
    }
  }
  const t = props.topology;
  const topology = t instanceof TopologyPlacement && typeof t.topology?.topologyName === 'string'
    ? { topologyName: t.topology.topologyName, level: t.level, description: `TopologyPlacement.${t.isRequired ? 'required' : 'preferred'}(${_show(t.topology.topologyName)}, ${_show(t.level)})` }
    : undefined;
  if (topology !== undefined && queue === undefined) {
    p.warn(`topology=${topology.description} has no effect without a queue: Kueue's topology-aware scheduling places only the workloads it admits (give the workload a queue of a GpuFleet whose flavors name the Topology)`);
  }
  const record: _WorkloadInfo = {
    ...info,
    topology,
    queueName: queue?.localQueueName,
    queueNamespace: queue?.namespace ?? info.namespace,
    priorityName: props.workloadPriority?.workloadPriorityClassName,
    computeClassName: props.computeClass?.computeClassName,
  };
  registry.workloads.push(record);
  if (queue !== undefined) _Renders.watch(owner);
  if (queue !== undefined) owner.node.addValidation({ validate: () => (p.ok ? _checkQueued(owner, record) : []) });
}

/** Whether a flavor's nodes give their GPUs the way a workload's pods take them (whole, time-shared 4 ways, ...). */
function sameShare(f: _FlavorInfo, w: _WorkloadInfo): boolean {
  return (f.share ?? GpuShare.EXCLUSIVE).configName === (w.share ?? GpuShare.EXCLUSIVE).configName;
}

/** Whether a flavor is for a workload's GPU model (or compute class) and capacity, whatever its share. */
function gpusFit(f: _FlavorInfo, w: _WorkloadInfo): boolean {
  if (w.computeClassName !== undefined) return f.computeClassName === w.computeClassName;
  if (f.computeClassName !== undefined || !w.accelerator || !f.accelerators.includes(w.accelerator)) return false;
  if (w.capacityType === CapacityType.SPOT_WITH_FALLBACK) return f.capacityType === CapacityType.SPOT || f.capacityType === CapacityType.ON_DEMAND;
  return f.capacityType === w.capacityType;
}

/**
 * Whether a flavor is one a workload's pods can be charged to: its GPU model (or compute class), capacity and share (a
 * time-shared pod's unit is a share, not a whole GPU of a whole-GPU flavor's quota).
 * @internal
 */
export function _flavorFits(f: _FlavorInfo, w: _WorkloadInfo): boolean {
  return gpusFit(f, w) && sameShare(f, w);
}

/** The most GPUs of a flavor a team's ClusterQueue can hold: its nominal quota and what it may borrow in the cohort. */
function reachable(teams: _TeamInfo[], team: _TeamInfo, quota: _QuotaInfo): { gpus: number; borrow: number } {
  const lendable = teams.filter(t => t !== team).flatMap(t => t.quotas.filter(q => q.flavor.name === quota.flavor.name))
    .reduce((n, q) => n + (q.lendingLimit ?? q.gpus), 0);
  const borrow = Math.min(quota.borrowingLimit ?? Infinity, lendable);
  return { gpus: quota.gpus + borrow, borrow };
}

/** @internal */
export function _reachableGpus(teams: _TeamInfo[], team: _TeamInfo, quota: _QuotaInfo): number {
  return reachable(teams, team, quota).gpus;
}

/**
 * The app-wide checks of a queued workload, against the fleets of its cluster: its queue exists, its ClusterQueue has
 * a flavor for its GPUs and capacity, one admission fits the most that ClusterQueue can hold, and its priority exists.
 * A cluster without a `GpuFleet` in the app is not checked (its queues are managed elsewhere).
 */
function _checkQueued(owner: Construct, w: _WorkloadInfo): string[] {
  const registry = _FleetRegistry.of(owner);
  const cluster = w.platform.cluster;
  const fleets = registry.fleetsOf(cluster);
  if (fleets.length === 0 || w.queueName === undefined) return [];
  const out: string[] = [];
  if (w.priorityName !== undefined) {
    const names = fleets.flatMap(f => f.priorities.map(pr => pr.name));
    if (!names.includes(w.priorityName)) {
      out.push(`workloadPriority=${_show(w.priorityName)} is invalid: no GpuFleet of cluster ${_show(cluster)} defines that WorkloadPriorityClass (allowed: ${names.length ? names.join(', ') : 'none defined: add priorities to the fleet'})`);
    }
  }
  const found = registry.teamOf(cluster, w.queueNamespace, w.queueName);
  if (!found) {
    const here = fleets.flatMap(f => f.teams).filter(t => t.namespace === w.queueNamespace).map(t => t.queueName);
    const all = fleets.flatMap(f => f.teams).map(t => `${t.namespace}/${t.queueName}`);
    out.push(`queue=${_show(w.queueName)} is invalid: no GpuFleet of cluster ${_show(cluster)} has that LocalQueue in namespace ${_show(w.queueNamespace)} (${here.length ? `queues there: ${here.join(', ')}` : `the fleet's queues: ${all.join(', ')}`})`);
    return out;
  }
  const { fleet, team } = found;
  const json = _Renders.of(w.resource);
  const demand = _demandOf(w.construct, w.resource, json);
  if (demand.admissionGpus === 0) return out;
  const what = w.computeClassName !== undefined ? `compute class ${w.computeClassName}` : `${w.accelerator?.name ?? 'GPUs'} ${w.capacityType}`;
  // Kueue's quotas are per resource name: a mixed-strategy MIG slice (nvidia.com/mig-1g.5gb) is a resource the fleet's
  // ClusterQueues do not cover, and Kueue never admits a workload that requests one.
  const uncovered = demand.gpuResources.filter(r => r !== 'nvidia.com/gpu');
  if (uncovered.length) {
    out.push(`queue=${_show(w.queueName)} is invalid: the pods request ${uncovered.join(', ')}${w.share?.isShared ? ` (${w.share.toString()} under the mixed MIG strategy)` : ''}, a resource ClusterQueue ${team.clusterQueue} does not cover (a GpuFleet's ClusterQueues hold nvidia.com/gpu quota), so Kueue would never admit the workload (allowed: a platform with migStrategy: MigStrategy.SINGLE, whose slices are nvidia.com/gpu, or no queue)`);
    return out;
  }
  const quotas = team.quotas.filter(q => _flavorFits(q.flavor, w));
  const otherShare = team.quotas.filter(q => gpusFit(q.flavor, w) && !sameShare(q.flavor, w));
  if (quotas.length === 0 && otherShare.length) {
    const mine = (w.share ?? GpuShare.EXCLUSIVE).toString();
    const flavors = otherShare.map(q => `${q.flavor.name} (${(q.flavor.share ?? GpuShare.EXCLUSIVE).toString()})`).join(', ');
    out.push(`queue=${_show(w.queueName)} is invalid: ${w.resource.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name} takes its GPUs as ${mine}, and the flavors of ClusterQueue ${team.clusterQueue} for ${what} give them otherwise: ${flavors}; a flavor's quota counts units of its own share and its node labels pick its nodes, so Kueue would charge the pods to GPUs they do not run on (allowed: a queue whose team has a flavor with share: ${mine})`);
    return out;
  }
  if (quotas.length === 0) {
    const flavors = team.quotas.map(q => q.flavor.name).join(', ');
    out.push(`queue=${_show(w.queueName)} is invalid: ClusterQueue ${team.clusterQueue} has no flavor for ${what} (its flavors: ${flavors}), so Kueue would never admit the workload (allowed: a queue whose team has a quota for ${what})`);
    return out;
  }
  if (w.topology !== undefined && !quotas.some(q => q.flavor.topologyName === w.topology!.topologyName)) {
    out.push(`topology=${w.topology.description} is invalid: the flavors of ClusterQueue ${team.clusterQueue} for ${what} (${quotas.map(q => q.flavor.name).join(', ')}) name ${quotas.some(q => q.flavor.topologyName) ? `Topology ${_show(quotas.find(q => q.flavor.topologyName)!.flavor.topologyName)}` : 'no Topology'}, so Kueue cannot place the workload by it (allowed: give the GpuFleet topology: the same Topology)`);
  } else if (w.topology !== undefined && fleet.topology?.topologyName === w.topology.topologyName
    && !fleet.topology.levels.includes(w.topology.level)) {
    // The placement's own check saw only the levels of the object it was given (e.g. Topology.fromName with other
    // levels): Kueue matches the level against the Topology the flavor names, which is the fleet's.
    out.push(`topology=${w.topology.description} is invalid: Topology ${_show(fleet.topology.topologyName)}, which the flavors of ClusterQueue ${team.clusterQueue} name, has no level ${_show(w.topology.level)}, so Kueue cannot place the workload by it (allowed: ${fleet.topology.levels.join(', ') || 'none: the Topology has no levels'})`);
  }
  const best = quotas.map(q => ({ q, ...reachable(fleet.teams, team, q) })).sort((a, b) => b.gpus - a.gpus)[0];
  if (demand.admissionGpus > best.gpus) {
    const unit = json?.kind === 'Deployment' ? 'one pod' : json?.kind === 'LeaderWorkerSet' ? 'one group' : 'one admission';
    const borrow = best.q.borrowingLimit !== undefined ? `borrowing limit ${best.q.borrowingLimit}` : 'what the cohort can lend';
    out.push(`queue=${_show(w.queueName)} is invalid: ${unit} needs ${demand.admissionGpus} GPUs, more than ClusterQueue ${team.clusterQueue} can ever hold of flavor ${best.q.flavor.name}: nominal ${best.q.gpus} + ${borrow} (${best.borrow}) = ${best.gpus}; Kueue admits a workload whole or not at all (allowed: at most ${best.gpus} GPUs, or a larger quota)`);
  }
  return out;
}
