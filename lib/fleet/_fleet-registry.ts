import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Accelerator } from '../accelerator';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { GpuShare } from '../sharing/gpu-share';

/** A ResourceFlavor of a fleet: what Kueue charges a workload's GPUs to. @internal */
export interface _FlavorInfo {
  /** ResourceFlavor name. */
  readonly name: string;
  /** GPU models of the flavor (several for a compute class with mixed GPUs). */
  readonly accelerators: Accelerator[];
  readonly capacityType: CapacityType;
  /** The compute class the flavor selects, if any. */
  readonly computeClassName?: string;
  /** Whether the flavor is for queued provisioning (its nodes are made by a ProvisioningRequest). */
  readonly queued: boolean;
  /** The flavor's node labels (what Kueue matches the pods' node selectors against). */
  readonly nodeLabels: { [key: string]: string };
  /** The Kueue Topology the flavor names (`topologyName`), for topology-aware scheduling. */
  readonly topologyName?: string;
  /** How the flavor's nodes give their GPUs (its pods' share: a time-shared flavor's quota is in shares). */
  readonly share: GpuShare;
}

/** One GPU quota of a team: a flavor and its limits, in GPUs. @internal */
export interface _QuotaInfo {
  readonly flavor: _FlavorInfo;
  readonly gpus: number;
  readonly borrowingLimit?: number;
  readonly lendingLimit?: number;
}

/** A team of a fleet: its ClusterQueue and LocalQueue. @internal */
export interface _TeamInfo {
  /** ClusterQueue name. */
  readonly clusterQueue: string;
  readonly namespace: string;
  /** LocalQueue name. */
  readonly queueName: string;
  readonly quotas: _QuotaInfo[];
  readonly queuedProvisioning: boolean;
  /** Kueue's `preemption.reclaimWithinCohort`. */
  readonly reclaimWithinCohort: string;
  /** Kueue's `preemption.withinClusterQueue`. */
  readonly preemptWithinQueue: string;
}

/** A fleet, as the app-wide checks and the plan report read it. @internal */
export interface _FleetInfo {
  readonly construct: Construct;
  readonly cluster: string;
  readonly cohort: string;
  readonly teams: _TeamInfo[];
  readonly priorities: { readonly name: string; readonly value: number }[];
  /** The Topology the fleet was given (its GPU flavors name it), with its levels. */
  readonly topology?: { readonly topologyName: string; readonly levels: string[] };
}

/** One priority of a compute class, as the checks and the report read it. @internal */
export interface _ClassPriorityInfo {
  readonly accelerator: Accelerator;
  readonly gpus: number;
  readonly machineType?: string;
  /** `on-demand`, `spot`, `flex-start`, `reservation` or `any-reservation`. */
  readonly capacity: string;
  /** The capacity in words, for the report (e.g. `reservation h100-prod`). */
  readonly description: string;
  readonly maxRunSeconds?: number;
}

/** A compute class of the app. @internal */
export interface _ComputeClassInfo {
  readonly construct: Construct;
  readonly cluster: string;
  readonly name: string;
  readonly priorities: _ClassPriorityInfo[];
}

/** A GPU workload of the app, as the fleet checks and the plan report read it. @internal */
export interface _WorkloadInfo {
  readonly construct: Construct;
  readonly platform: Platform;
  readonly name: string;
  readonly namespace?: string;
  readonly kind: WorkloadKind;
  readonly accelerator?: Accelerator;
  readonly capacityType: CapacityType;
  /** How its pods share their GPUs (the first GPU pod's share; undefined: whole GPUs). */
  readonly share?: GpuShare;
  readonly computeClassName?: string;
  readonly queueName?: string;
  readonly queueNamespace?: string;
  readonly priorityName?: string;
  /** The topology-aware placement the workload asks for: the Topology's name and the level, in words. */
  readonly topology?: { readonly topologyName: string; readonly level: string; readonly description: string };
  /** The main object (its kind decides how Kueue admits it). */
  readonly resource: ApiObject;
}

/**
 * What the fleet constructs and the GPU workloads of one app register, per app: the app-wide checks (a workload
 * against its queue, its compute class) and the plan report read it once at synth, instead of each construct walking
 * the tree.
 * @internal
 */
export class _FleetRegistry {
  public static of(scope: IConstruct): _FleetRegistry {
    const root = scope.node.root;
    let registry = _FleetRegistry.registries.get(root);
    if (!registry) {
      registry = new _FleetRegistry();
      _FleetRegistry.registries.set(root, registry);
    }
    return registry;
  }

  private static readonly registries = new WeakMap<IConstruct, _FleetRegistry>();

  public readonly fleets: _FleetInfo[] = [];
  public readonly computeClasses: _ComputeClassInfo[] = [];
  public readonly workloads: _WorkloadInfo[] = [];

  /** The fleets of a cluster. */
  public fleetsOf(cluster: string): _FleetInfo[] {
    return this.fleets.filter(f => f.cluster === cluster);
  }

  /** The team whose LocalQueue is `name` in `namespace`, in a fleet of `cluster`. */
  public teamOf(cluster: string, namespace: string | undefined, name: string): { fleet: _FleetInfo; team: _TeamInfo } | undefined {
    for (const fleet of this.fleetsOf(cluster)) {
      const team = fleet.teams.find(t => t.queueName === name && (namespace === undefined || t.namespace === namespace));
      if (team) return { fleet, team };
    }
    return undefined;
  }

  /** The compute class `name` of `cluster`, if the app defines it. */
  public computeClassOf(cluster: string, name: string): _ComputeClassInfo | undefined {
    return this.computeClasses.find(c => c.cluster === cluster && c.name === name);
  }

  private constructor() {}
}
