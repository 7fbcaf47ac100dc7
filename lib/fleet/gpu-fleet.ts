import { ApiObject, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator, MachineShape } from '../accelerator';
import { _noNamespace } from '../capacity/_cluster-scoped';
import { ClusterAddon } from '../platform/cluster-addon';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkEnum, _checkProps, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { _Registry } from '../workload/registry';
import { GpuShare, GpuSharingStrategy } from '../sharing/gpu-share';
import { _FlavorInfo, _FleetInfo, _FleetRegistry, _QuotaInfo, _TeamInfo } from './_fleet-registry';
import { ComputeClass } from './compute-class';
import { GpuFlavor } from './gpu-flavor';
import { ILocalQueue } from './local-queue';
import { ITopology, Topology } from './topology';
import { IWorkloadPriorityClass } from './workload-priority-class';

const KUEUE = 'kueue.x-k8s.io/v1beta2';
/** The Kueue controller of ProvisioningRequest admission checks. */
const PROVISIONING_CONTROLLER = 'kueue.x-k8s.io/provisioning-request';
/** Resources every GPU pod of the library requests besides GPUs: Kueue refuses a workload whose ClusterQueue lacks one. */
const NODE_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
/** Ephemeral storage quota per GPU: more than GPU pods use, so that GPUs, not disk, bind first. */
const EPHEMERAL_GIB_PER_GPU = 1024;
/** CPU and memory per GPU when the catalog has no machine for an accelerator (a custom one). */
const FALLBACK_SHARE = { vcpu: 32, memoryGiB: 256 };
/** Name of the flavor of the CPU, memory and ephemeral storage of the fleet's pods (no node labels: any node). */
const NODE_FLAVOR = 'cpu-memory';

/** When a team takes back, by preemption, the quota it lent to other teams of the cohort. */
export enum ReclaimWithinCohort {
  /** Never: lent quota comes back only as borrowers finish. */
  NEVER = 'Never',
  /** By preempting borrowers' workloads of lower priority. */
  LOWER_PRIORITY = 'LowerPriority',
  /** By preempting any borrower's workloads. */
  ANY = 'Any',
}

/** Which workloads of its own ClusterQueue a pending workload may preempt. */
export enum PreemptWithinQueue {
  /** None. */
  NEVER = 'Never',
  /** Those of lower priority. */
  LOWER_PRIORITY = 'LowerPriority',
  /** Those of lower priority, and newer ones of equal priority. */
  LOWER_OR_NEWER_EQUAL_PRIORITY = 'LowerOrNewerEqualPriority',
}

/** A team's GPU quota on one flavor (a Kueue ClusterQueue flavor's `nvidia.com/gpu` quota). */
export interface TeamGpuQuota {
  /** What the GPUs are: a model on a capacity type, or a compute class. */
  readonly flavor: GpuFlavor;
  /** GPUs the team is guaranteed (`nominalQuota`); others may borrow what it does not use. */
  readonly gpus: number;
  /**
   * Most GPUs the team may borrow from the cohort beyond `gpus`.
   * @default - no limit: whatever the other teams of the cohort lend
   */
  readonly borrowingLimit?: number;
  /**
   * Most of its unused GPUs the team lends to the cohort (at most `gpus`).
   * @default - all of its unused GPUs
   */
  readonly lendingLimit?: number;
}

/** A team of a fleet: a namespace, its Kueue ClusterQueue and LocalQueue. */
export interface GpuTeam {
  /** Name of the team's ClusterQueue (and of its LocalQueue, unless `queueName` says otherwise). */
  readonly name: string;
  /** The team's namespace: its workloads join the LocalQueue there, and only that namespace may use the ClusterQueue. */
  readonly namespace: string;
  /** GPU quotas, in the order Kueue tries them (the first flavor with room admits a workload). */
  readonly quotas: TeamGpuQuota[];
  /**
   * Name of the LocalQueue.
   * @default - the team's name
   */
  readonly queueName?: string;
  /**
   * GKE queued provisioning (Dynamic Workload Scheduler): Kueue admits a workload only once GKE has created all its
   * nodes at once, through a ProvisioningRequest (an admission check on the ClusterQueue). Every quota must then be
   * `CapacityType.FLEX_START`, and the GKE node pools need `--flex-start --enable-queued-provisioning` (Standard).
   * @default false
   */
  readonly queuedProvisioning?: boolean;
  /**
   * When the team takes back the quota it lent.
   * @default ReclaimWithinCohort.ANY - lent GPUs come back at once, by preempting the borrowers
   */
  readonly reclaimWithinCohort?: ReclaimWithinCohort;
  /**
   * Which of the team's own workloads a pending one may preempt.
   * @default PreemptWithinQueue.LOWER_PRIORITY
   */
  readonly preemptWithinQueue?: PreemptWithinQueue;
}

/** A Kueue WorkloadPriorityClass of a fleet. */
export interface FleetPriority {
  /** Name (workloads refer to it with `fleet.priority(name)`). */
  readonly name: string;
  /** Priority value: higher goes first and may preempt lower. */
  readonly value: number;
  /**
   * What the class is for.
   * @default - none
   */
  readonly description?: string;
}

/** Props of a {@link GpuFleet}. */
export interface GpuFleetProps {
  /** The platform (cluster): flavors take their node labels and tolerations from it. */
  readonly platform: Platform;
  /** The teams: each gets a ClusterQueue in the fleet's cohort and a LocalQueue in its namespace. */
  readonly teams: GpuTeam[];
  /**
   * Kueue WorkloadPriorityClasses.
   * @default - none: workloads are ordered by their pods' PriorityClass
   */
  readonly priorities?: FleetPriority[];
  /**
   * Name of the cohort the teams' ClusterQueues share quota in.
   * @default - the fleet's name
   */
  readonly cohort?: string;
  /**
   * Name of the fleet: the default cohort, and the prefix of its queued-provisioning objects.
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * The cluster's Kueue Topology: every GPU flavor names it (`topologyName`), so that the workloads of the fleet's
   * queues can ask for topology-aware placement (`topology: TopologyPlacement.required(topology, level)`).
   * @default - no topology-aware scheduling
   */
  readonly topology?: ITopology;
}

/**
 * A cluster's GPU plan as Kueue queues and quotas: teams (namespaces) with GPU quotas per GPU model and capacity type
 * (or GKE compute class), sharing unused quota in one cohort within borrowing and lending limits, with preemption and
 * priorities. It emits `kueue.x-k8s.io/v1beta2` ResourceFlavors (node labels and tolerations from the platform, the
 * ones the workloads' pods select), a ClusterQueue per team, a LocalQueue in each team's namespace,
 * WorkloadPriorityClasses, and on GKE the ProvisioningRequestConfig and AdmissionCheck of queued provisioning.
 *
 * Workloads join with `queue: fleet.queue('team')` (and `workloadPriority: fleet.priority('production')`); at synth
 * each is checked against its team: a flavor for its GPUs and capacity, and a size the team can ever admit. Unlike
 * `GpuQuota` (a hard ResourceQuota: pods over it fail), Kueue holds a workload until it fits and lends idle GPUs.
 * Needs Kueue v0.15 or later (v1beta2), installed in the cluster.
 */
export class GpuFleet extends Construct {
  /** Name of the fleet. */
  public readonly name: string;
  /** Name of the cohort the teams share quota in. */
  public readonly cohort: string;
  /** The platform (cluster). */
  public readonly platform: Platform;
  private readonly _problems: _Problems;
  private readonly _teams: _TeamInfo[] = [];
  private readonly _priorities: { name: string; value: number }[] = [];
  private readonly _objects = new Map<string, ApiObject>();
  private _topologyName?: string;
  private _topologyLevels: string[] = [];

  public constructor(scope: Construct, id: string, props: GpuFleetProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'GpuFleetProps', props, { allowUnknown: new.target !== GpuFleet });
    const platform = this.platform = props.platform;
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    this.cohort = props.cohort ?? this.name;
    _checkDnsLabel(p, 'name', this.name);
    _checkDnsSubdomain(p, 'cohort', this.cohort);
    if (platform) for (const m of platform._optionProblems) p.raw(`platform.${m}`);
    _requireAddon(p, platform, ClusterAddon.KUEUE, 'a GpuFleet (Kueue queues)');

    const priorities = props.priorities ?? [];
    priorities.forEach((pr, i) => {
      _checkDnsSubdomain(p, `priorities[${i}].name`, pr.name);
      if (!Number.isInteger(pr.value) || pr.value < -(2 ** 31) || pr.value > 2 ** 31 - 1) {
        p.error(`priorities[${i}].value`, pr.value, 'must be a 32-bit integer');
      }
      if (pr.description !== undefined && pr.description.length > 2048) p.error(`priorities[${i}].description`, pr.description, 'must be at most 2048 characters');
      if (priorities.findIndex(o => o.name === pr.name) !== i) p.error(`priorities[${i}].name`, pr.name, 'is used twice');
      this._priorities.push({ name: pr.name, value: pr.value });
    });

    const topology = props.topology;
    if (topology instanceof Topology && platform && topology.platform?.cluster !== platform.cluster) {
      p.error('topology', topology.topologyName, `is a Topology of cluster ${_show(topology.platform?.cluster)}, not of the fleet's cluster ${_show(platform.cluster)}`);
    }
    if (topology !== undefined) _checkDnsSubdomain(p, 'topology', topology.topologyName);
    this._topologyName = topology?.topologyName;
    // The fleet's own levels: a placement is checked against these, not against the Topology object it was given.
    this._topologyLevels = Array.isArray(topology?.levels) ? [...topology!.levels] : [];
    const teams = props.teams ?? [];
    if (teams.length === 0) p.error('teams', teams, 'must list at least one team');
    const flavors = new Map<string, { info: _FlavorInfo; tolerations: k8s.Toleration[] }>();
    teams.forEach((team, i) => {
      const t = this.team(p, platform, team, i, flavors);
      if (t) this._teams.push(t);
    });
    this._teams.forEach((t, i) => {
      if (this._teams.findIndex(o => o.clusterQueue === t.clusterQueue) !== i) p.error(`teams[${i}].name`, t.clusterQueue, 'is used twice: ClusterQueue names are unique in a cluster');
      if (this._teams.findIndex(o => o.namespace === t.namespace && o.queueName === t.queueName) !== i) {
        p.error(`teams[${i}].queueName`, t.queueName, `is used twice in namespace ${_show(t.namespace)}`);
      }
    });
    this.warnIndistinguishable(p);
    p.attach(this);
    if (!p.ok) return;

    _FleetRegistry.of(this).fleets.push(this.info());
    this.emit(platform, priorities, flavors);
    _Registry.claimAll(this, platform.cluster);
  }

  /**
   * The LocalQueue of a team, for a workload's `queue` prop (the workload must be in the team's namespace). A name
   * that is no team of the fleet is reported at synth.
   */
  public queue(team: string): ILocalQueue {
    const t = this._teams.find(x => x.clusterQueue === team);
    if (!t) {
      this._problems.raw(`queue(${_show(team)}) is invalid: the fleet has no such team (teams: ${this._teams.map(x => x.clusterQueue).join(', ') || 'none'})`);
      return { localQueueName: String(team) };
    }
    return { localQueueName: t.queueName, namespace: t.namespace };
  }

  /** A WorkloadPriorityClass of the fleet, for a workload's `workloadPriority` prop. An unknown name is reported at synth. */
  public priority(name: string): IWorkloadPriorityClass {
    if (!this._priorities.some(pr => pr.name === name)) {
      this._problems.raw(`priority(${_show(name)}) is invalid: the fleet has no such WorkloadPriorityClass (priorities: ${this._priorities.map(pr => pr.name).join(', ') || 'none'})`);
    }
    return { workloadPriorityClassName: String(name) };
  }

  /** The emitted object of `kind` and `name` (escape hatch), e.g. `fleet.object('ClusterQueue', 'research')`. */
  public object(kind: string, name: string): ApiObject | undefined {
    return this._objects.get(`${kind}/${name}`);
  }

  /** Validates a team and derives its flavors. */
  private team(p: _Problems, platform: Platform | undefined, team: GpuTeam, i: number,
    flavors: Map<string, { info: _FlavorInfo; tolerations: k8s.Toleration[] }>): _TeamInfo | undefined {
    const at = `teams[${i}]`;
    const before = p.messages.length;
    _checkDnsLabel(p, `${at}.name`, team.name);
    _checkDnsLabel(p, `${at}.namespace`, team.namespace);
    _checkDnsLabel(p, `${at}.queueName`, team.queueName);
    _checkEnum(p, `${at}.reclaimWithinCohort`, team.reclaimWithinCohort, ReclaimWithinCohort, 'ReclaimWithinCohort');
    _checkEnum(p, `${at}.preemptWithinQueue`, team.preemptWithinQueue, PreemptWithinQueue, 'PreemptWithinQueue');
    const queued = team.queuedProvisioning === true;
    if (queued && platform && platform._queuedProvisioningClass() === undefined) {
      p.error(`${at}.queuedProvisioning`, true, `${platform.displayName} has no queued provisioning (GKE's Dynamic Workload Scheduler only)`);
    }
    const quotas = team.quotas ?? [];
    if (quotas.length === 0 || quotas.length > 64) p.error(`${at}.quotas`, quotas, 'must list 1 to 64 GPU quotas');
    const out: _QuotaInfo[] = [];
    quotas.forEach((q, j) => {
      const qat = `${at}.quotas[${j}]`;
      const qBefore = p.messages.length;
      if (!Number.isInteger(q.gpus) || q.gpus < 0) p.error(`${qat}.gpus`, q.gpus, 'must be a whole number of GPUs, at least 0');
      if (q.borrowingLimit !== undefined && (!Number.isInteger(q.borrowingLimit) || q.borrowingLimit < 0)) {
        p.error(`${qat}.borrowingLimit`, q.borrowingLimit, 'must be a whole number of GPUs, at least 0');
      }
      if (q.lendingLimit !== undefined && (!Number.isInteger(q.lendingLimit) || q.lendingLimit < 0 || q.lendingLimit > q.gpus)) {
        p.error(`${qat}.lendingLimit`, q.lendingLimit, `must be a whole number of GPUs from 0 to the quota's gpus (${q.gpus})`);
      }
      const flavor = this.flavor(p, platform, q.flavor, `${qat}.flavor`, queued);
      if (queued && flavor && flavor.info.capacityType !== CapacityType.FLEX_START) {
        p.error(`${qat}.flavor`, flavor.info.name, 'queued provisioning makes flex-start nodes: every quota of the team must be GpuFlavor.of(accelerator, CapacityType.FLEX_START)');
      }
        // Kueue's CEL rule: a flavor with a topologyName must name at least one node label.
      if (flavor && flavor.info.topologyName !== undefined && Object.keys(flavor.info.nodeLabels).length === 0) {
        p.error('topology', flavor.info.topologyName, `needs flavors with node labels, and flavor ${flavor.info.name} has none on ${platform?.displayName} (Kueue: at least one nodeLabel is required when topology is set)`);
      }
      if (!flavor || p.messages.length !== qBefore) return;
      if (out.some(o => o.flavor.name === flavor.info.name)) {
        p.error(`${qat}.flavor`, flavor.info.name, 'is listed twice for the team');
        return;
      }
      const known = flavors.get(flavor.info.name);
      if (!known) flavors.set(flavor.info.name, flavor);
      out.push({ flavor: known?.info ?? flavor.info, gpus: q.gpus, borrowingLimit: q.borrowingLimit, lendingLimit: q.lendingLimit });
    });
    if (p.messages.length !== before) return undefined;
    return {
      clusterQueue: team.name, namespace: team.namespace, queueName: team.queueName ?? team.name, quotas: out, queuedProvisioning: queued,
      reclaimWithinCohort: team.reclaimWithinCohort ?? ReclaimWithinCohort.ANY,
      preemptWithinQueue: team.preemptWithinQueue ?? PreemptWithinQueue.LOWER_PRIORITY,
    };
  }

  /** A flavor: its name, and the node labels and tolerations the platform gives the pods that select it. */
  private flavor(p: _Problems, platform: Platform | undefined, flavor: GpuFlavor, at: string, queued: boolean)
    : { info: _FlavorInfo; tolerations: k8s.Toleration[] } | undefined {
    if (!platform || !flavor) return undefined;
    const cc = flavor.computeClass;
    if (cc !== undefined) {
      if (!(cc instanceof ComputeClass)) {
        p.error(`${at}`, cc, 'must be GpuFlavor.ofComputeClass(new ComputeClass(...))');
        return undefined;
      }
      if (cc.platform?.cluster !== platform.cluster) {
        p.error(`${at}`, cc.computeClassName, `is a compute class of cluster ${_show(cc.platform?.cluster)}, not of the fleet's cluster ${_show(platform.cluster)}`);
        return undefined;
      }
    }
    const accelerators = cc ? cc.accelerators : flavor.accelerator ? [flavor.accelerator] : [];
    const acc = accelerators[0];
    if (!(acc instanceof Accelerator)) {
      if (!cc) p.error(`${at}.accelerator`, acc, 'must be an Accelerator, e.g. Accelerator.H100_80GB');
      return undefined;
    }
    // GPU sharing: the flavor's share, else the platform's (a shared GpuNodePool's platform gives its pool's share).
    const share = flavor.share ?? platform._defaultShare;
    const counts = platform.allowedGpuCounts(acc);
    const request = {
      gpus: share.isShared ? 1 : counts[0] ?? 1, accelerator: acc, capacityType: flavor.capacityType, kind: WorkloadKind.TRAINING,
      computeClass: cc?.computeClassName, share,
    };
    const own = new _Problems();
    platform._validateRequest(request, own, {
      accelerator: `${at}.accelerator`, capacityType: `${at}.capacityType`, computeClass: `${at}.computeClass`, gpuShare: `${at}.share`,
    });
    if (!own.ok) {
      p.absorb(own, m => (m.startsWith('gpus=') ? `${at}: ${m}` : m));
      return undefined;
    }
    // The ClusterQueues hold nvidia.com/gpu quota only: a share the platform advertises under a resource of its own (a
    // mixed-strategy MIG slice) would be charged to no flavor.
    const resource = platform.gpuResourceName(request);
    if (resource !== 'nvidia.com/gpu') {
      p.raw(`${at}.share=${share.toString()} is invalid: ${platform.displayName} advertises it as ${resource} (the mixed MIG strategy), and a GpuFleet's ClusterQueues hold nvidia.com/gpu quota only (allowed: a platform with migStrategy: MigStrategy.SINGLE, whose slices are nvidia.com/gpu)`);
      return undefined;
    }
    const placement = platform.schedule(request);
    const slug = acc.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const name = cc ? `class-${cc.computeClassName}` : `${slug}-${flavor.capacityType}${_shareSuffix(share)}${queued ? '-queued' : ''}`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      p.error(`${at}.accelerator`, acc.name, `makes the flavor name ${_show(name)}, which is no DNS label (give the accelerator a name of letters and digits)`);
      return undefined;
    }
    const tolerations = [...placement.tolerations, ...(queued ? platform._queuedProvisioningTolerations() : [])];
    return {
      info: {
        name, accelerators, capacityType: flavor.capacityType, computeClassName: cc?.computeClassName, queued,
        nodeLabels: { ...placement.nodeSelector }, topologyName: this._topologyName, share,
      },
      tolerations,
    };
  }

  /**
   * Kueue matches a pod to a flavor only on the labels the flavor names: two flavors of one team that agree on every
   * label they share cannot be told apart, and Kueue may charge (and place) a workload on the wrong one.
   */
  private warnIndistinguishable(p: _Problems): void {
    this._teams.forEach(team => {
      const fs = team.quotas.map(q => q.flavor);
      fs.forEach((a, i) => fs.slice(i + 1).forEach(b => {
        const shared = Object.keys(a.nodeLabels).filter(k => k in b.nodeLabels);
        if (shared.every(k => a.nodeLabels[k] === b.nodeLabels[k])) {
          p.warn(`teams: flavors ${a.name} and ${b.name} of team ${team.clusterQueue} select the same nodes as far as Kueue can tell (it matches only the labels a flavor names: ${_show(a.nodeLabels)} vs ${_show(b.nodeLabels)}), so Kueue may admit a workload meant for one to the other; give them separate teams`);
        }
      }));
    });
  }

  private info(): _FleetInfo {
    const topology = this._topologyName !== undefined ? { topologyName: this._topologyName, levels: this._topologyLevels } : undefined;
    return { construct: this, cluster: this.platform.cluster, cohort: this.cohort, teams: this._teams, priorities: this._priorities, topology };
  }

  private emit(platform: Platform, priorities: FleetPriority[], flavors: Map<string, { info: _FlavorInfo; tolerations: k8s.Toleration[] }>): void {
    const add = (id: string, kind: string, name: string, body: { [key: string]: any }, namespace?: string) => {
      const obj = new ApiObject(this, id, { apiVersion: KUEUE, kind, metadata: { name, namespace: namespace ?? _noNamespace() }, ...body });
      this._objects.set(`${kind}/${name}`, obj);
      return obj;
    };
    for (const pr of priorities) {
      add(`Priority-${pr.name}`, 'WorkloadPriorityClass', pr.name, { value: pr.value, description: pr.description });
    }
    add('Flavor-cpu-memory', 'ResourceFlavor', NODE_FLAVOR, { spec: {} });
    for (const { info, tolerations } of flavors.values()) {
      add(`Flavor-${info.name}`, 'ResourceFlavor', info.name, {
        spec: {
          nodeLabels: Object.keys(info.nodeLabels).length ? info.nodeLabels : undefined,
          // Kueue's topology-aware scheduling does not see tolerations that admission webhooks add: they are all here.
          tolerations: tolerations.length ? tolerations.map(t => k8s.toJson_Toleration(t)) : undefined,
          topologyName: info.topologyName,
        },
      });
    }
    const queued = this._teams.some(t => t.queuedProvisioning);
    const dws = `${this.name}-dws`;
    if (queued) {
      add('ProvisioningRequestConfig', 'ProvisioningRequestConfig', dws, {
        spec: { provisioningClassName: platform._queuedProvisioningClass(), managedResources: ['nvidia.com/gpu'] },
      });
      add('AdmissionCheck', 'AdmissionCheck', dws, {
        spec: { controllerName: PROVISIONING_CONTROLLER, parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'ProvisioningRequestConfig', name: dws } },
      });
    }
    for (const team of this._teams) {
      add(`ClusterQueue-${team.clusterQueue}`, 'ClusterQueue', team.clusterQueue, {
        spec: {
          cohortName: this.cohort,
          // Only the team's namespace may submit to its ClusterQueue (Kueue's namespaceSelector; nil would match none).
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': team.namespace } },
          preemption: { reclaimWithinCohort: team.reclaimWithinCohort, withinClusterQueue: team.preemptWithinQueue },
          resourceGroups: [
            // CPU, memory and ephemeral storage on any node (Kueue refuses a workload that requests a resource its
            // ClusterQueue does not cover); GPUs per flavor, in the team's order.
            { coveredResources: NODE_RESOURCES, flavors: [{ name: NODE_FLAVOR, resources: this.nodeResources(platform, team) }] },
            {
              coveredResources: ['nvidia.com/gpu'],
              flavors: team.quotas.map(q => ({
                name: q.flavor.name,
                resources: [{ name: 'nvidia.com/gpu', nominalQuota: q.gpus, borrowingLimit: q.borrowingLimit, lendingLimit: q.lendingLimit }],
              })),
            },
          ],
          admissionChecksStrategy: team.queuedProvisioning ? { admissionChecks: [{ name: dws }] } : undefined,
        },
      });
      add(`LocalQueue-${team.namespace}-${team.queueName}`, 'LocalQueue', team.queueName, { spec: { clusterQueue: team.clusterQueue } }, team.namespace);
    }
  }

  /**
   * The CPU, memory and ephemeral storage quota of a team: its GPUs' share of their nodes (per GPU, the vCPU and
   * memory of the largest machine the platform runs the model on, divided by its GPUs), so that GPUs bind first.
   */
  private nodeResources(platform: Platform, team: _TeamInfo): any[] {
    const share = (q: _QuotaInfo) => _perGpuShare(platform, q.flavor.accelerators);
    const total = (gpusOf: (q: _QuotaInfo) => number | undefined) => {
      const parts = team.quotas.map(q => ({ q, gpus: gpusOf(q) }));
      if (parts.some(x => x.gpus === undefined)) return undefined;
      return {
        cpu: parts.reduce((n, x) => n + x.gpus! * share(x.q).vcpu, 0),
        memory: parts.reduce((n, x) => n + x.gpus! * share(x.q).memoryGiB, 0),
        storage: parts.reduce((n, x) => n + x.gpus! * EPHEMERAL_GIB_PER_GPU, 0),
      };
    };
    const nominal = total(q => q.gpus)!;
    const borrowing = total(q => q.borrowingLimit);
    const lending = team.quotas.some(q => q.lendingLimit !== undefined) ? total(q => q.lendingLimit ?? q.gpus) : undefined;
    // Quantities: whole vCPUs as numbers, memory and storage in Gi.
    const q = (n: number, unit: string) => (unit ? `${n}${unit}` : n);
    const row = (name: string, key: 'cpu' | 'memory' | 'storage', unit: string) => ({
      name,
      nominalQuota: q(nominal[key], unit),
      borrowingLimit: borrowing ? q(borrowing[key], unit) : undefined,
      lendingLimit: lending ? q(lending[key], unit) : undefined,
    });
    return [row('cpu', 'cpu', ''), row('memory', 'memory', 'Gi'), row('ephemeral-storage', 'storage', 'Gi')];
  }
}

/** The part of a flavor's name that says its share: none for whole GPUs, `-time-shared-4`, `-mps-4`, `-mig-1g-5gb`. */
function _shareSuffix(share: GpuShare): string {
  switch (share.strategy) {
    case GpuSharingStrategy.TIME_SHARING: return `-time-shared-${share.clientsPerGpu}`;
    case GpuSharingStrategy.MPS: return `-mps-${share.clientsPerGpu}`;
    case GpuSharingStrategy.MIG: return `-mig-${String(share.migProfile?.labelValue).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    default: return '';
  }
}

/**
 * vCPU and memory per GPU of the largest machine a platform runs an accelerator on (the most of several accelerators),
 * rounded up; the catalog's machines when the platform states none; 32 vCPU and 256 GiB for an accelerator without any.
 * @internal
 */
export function _perGpuShare(platform: Platform, accelerators: Accelerator[]): { vcpu: number; memoryGiB: number } {
  let vcpu = 0;
  let memoryGiB = 0;
  for (const acc of accelerators) {
    const counts = platform.allowedGpuCounts(acc);
    const machine: MachineShape | undefined = (counts.length ? platform.machineFor(acc, Math.max(...counts)) : undefined)
      ?? [...acc.gkeMachines, ...acc.awsInstances].filter(m => m && m.gpus > 0).sort((a, b) => b.gpus - a.gpus)[0];
    const share = machine ? { vcpu: machine.vcpu / machine.gpus, memoryGiB: machine.memoryGiB / machine.gpus } : FALLBACK_SHARE;
    vcpu = Math.max(vcpu, Math.ceil(share.vcpu));
    memoryGiB = Math.max(memoryGiB, Math.ceil(share.memoryGiB));
  }
  return { vcpu, memoryGiB };
}
