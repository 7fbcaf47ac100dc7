import { ApiObject, Duration, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { Accelerator, MachineShape } from '../accelerator';
import { Platform } from '../platform/platform';
import { _Problems, _checkEnum, _checkProps, _durationSeconds, _ensure, _show } from '../validation';
import { _Registry } from '../workload/registry';
import { _noNamespace } from '../capacity/_cluster-scoped';
import { _ClassPriorityInfo, _FleetRegistry } from './_fleet-registry';
import { _Renders } from '../pod/renders';

/** Longest a flex-start VM lives (GKE "About flex-start": up to seven days). */
const FLEX_START_MAX_SECONDS = 7 * 24 * 3600;

/** A GCE machine type whose name ends in its GPU count (`a3-highgpu-8g`): the catalog lists every one of them. */
const GPU_COUNT_IN_NAME = /^[a-z][a-z0-9]*-[a-z0-9]+-(\d+)g$/;

/** A GKE compute class that pods select (`computeClass` prop of a workload). */
export interface IComputeClass {
  /** Name of the ComputeClass (the value of the compute-class node selector of its pods). */
  readonly computeClassName: string;
}

/** What GKE does when no priority of a compute class can be satisfied. */
export enum WhenUnsatisfiable {
  /** Pods stay pending until a priority can be satisfied (GKE's default; right for GPUs). */
  DO_NOT_SCALE_UP = 'DoNotScaleUp',
  /** GKE creates nodes of its default machine family anyway (no GPUs: GPU pods still wait). */
  SCALE_UP_ANYWAY = 'ScaleUpAnyway',
}

/** The capacity a priority of a compute class asks for: a reservation, flex-start, Spot or on-demand VMs. */
export class ComputeClassCapacity {
  /** On-demand VMs. */
  public static readonly ON_DEMAND = new ComputeClassCapacity('on-demand', 'on-demand');
  /** Spot VMs (preemptible; Spot pods get little termination grace). */
  public static readonly SPOT = new ComputeClassCapacity('spot', 'spot');
  /** Flex-start VMs (Dynamic Workload Scheduler): provisioned when capacity frees up, deleted after at most 7 days. */
  public static readonly FLEX_START = new ComputeClassCapacity('flex-start', 'flex-start');
  /** Any matching reservation of the project, falling back to on-demand VMs (`affinity: AnyBestEffort`). */
  public static readonly ANY_RESERVATION = new ComputeClassCapacity('any-reservation', 'any reservation, else on-demand');

  /**
   * Specific reservations, no fallback (`affinity: Specific`); `project` names the project of a shared reservation.
   */
  public static reservations(names: string[], project?: string): ComputeClassCapacity {
    const list = Array.isArray(names) ? [...names] : names;
    return new ComputeClassCapacity('reservation', `reservation ${Array.isArray(list) ? list.join(', ') : _show(list)}${project ? ` (project ${project})` : ''}`, list, project);
  }

  private constructor(
    /** `on-demand`, `spot`, `flex-start`, `reservation` or `any-reservation`. */
    public readonly kind: string,
    /** The capacity in words, e.g. `reservation h100-prod`. */
    public readonly description: string,
    /** Names of the specific reservations, if any. */
    public readonly reservationNames?: string[],
    /** Project of the specific reservations, if not the cluster's. */
    public readonly reservationProject?: string,
  ) {}
}

/** One priority of a compute class: a GPU machine and its capacity. GKE tries the priorities in order. */
export interface ComputeClassPriority {
  /** GPU model of the priority's nodes. */
  readonly accelerator: Accelerator;
  /** GPUs per node. */
  readonly gpus: number;
  /**
   * GCE machine type; it must carry `gpus` x `accelerator`.
   * @default - the catalog's machine for `gpus` x `accelerator` (e.g. a3-highgpu-8g for 8 H100), or none when the GPU
   * attaches to general-purpose machines (T4 on N1)
   */
  readonly machineType?: string;
  /**
   * Capacity of the priority.
   * @default ComputeClassCapacity.ON_DEMAND
   */
  readonly capacity?: ComputeClassCapacity;
  /**
   * Longest the priority's nodes exist (`maxRunDurationSeconds`); flex-start nodes live at most 7 days.
   * @default - no limit (flex-start: GKE's 7 days)
   */
  readonly maxRunDuration?: Duration;
}

/** Props of a {@link ComputeClass}. */
export interface ComputeClassProps {
  /** The GKE platform (Autopilot or Standard) whose cluster gets the class. */
  readonly platform: Platform;
  /** The capacity ladder: GPU machines and capacities, in the order GKE tries them. */
  readonly priorities: ComputeClassPriority[];
  /**
   * What GKE does when no priority can be satisfied.
   * @default WhenUnsatisfiable.DO_NOT_SCALE_UP
   */
  readonly whenUnsatisfiable?: WhenUnsatisfiable;
  /**
   * Move workloads back to a higher priority when its capacity becomes available (`activeMigration.optimizeRulePriority`):
   * GKE evicts the pods from lower-priority nodes. Right for serving behind several replicas; a training pod would be
   * restarted.
   * @default false
   */
  readonly activeMigration?: boolean;
  /**
   * Let GKE create node pools for the priorities (`nodePoolAutoCreation`); on Autopilot GKE always does.
   * @default true
   */
  readonly nodePoolAutoCreation?: boolean;
  /**
   * Description shown with the class.
   * @default - none
   */
  readonly description?: string;
  /**
   * Name of the ComputeClass (cluster-scoped; pods select it with `cloud.google.com/compute-class`).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
}

/**
 * A GKE custom compute class (`cloud.google.com/v1` ComputeClass): an ordered capacity ladder for GPU nodes, e.g. a
 * specific reservation, then flex-start, then Spot, then on-demand VMs. Workloads select it with their `computeClass`
 * prop (`cloud.google.com/compute-class`); their pods then name no GPU model or capacity of their own. Each priority's
 * GPU model, count and machine type are checked against the catalog (a machine type that does not carry the GPUs is
 * refused with the machine types that do), and every workload that selects the class must fit each priority's nodes.
 * GKE Autopilot and Standard (1.30.3-gke.1451000 or later).
 */
export class ComputeClass extends Construct implements IComputeClass {
  /** A compute class the app does not define (the string escape hatch): its priorities are not checked. */
  public static fromName(name: string): IComputeClass {
    return { computeClassName: name };
  }

  /** Name of the ComputeClass. */
  public readonly computeClassName: string;
  /** The platform (cluster) of the class. */
  public readonly platform: Platform;
  private readonly _resource?: ApiObject;
  private readonly _problems: _Problems;
  private readonly _priorities: _ClassPriorityInfo[] = [];

  public constructor(scope: Construct, id: string, props: ComputeClassProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'ComputeClassProps', props, { allowUnknown: new.target !== ComputeClass });
    this.platform = props.platform;
    this.computeClassName = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    // The name is a node label value (`cloud.google.com/compute-class: <name>`).
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.computeClassName) || this.computeClassName.length > 63) {
      p.error('name', this.computeClassName, 'must be a DNS label of at most 63 characters: pods select the class by it as a node label value');
    }
    const apiVersion = props.platform?._computeClassApiVersion();
    if (props.platform && apiVersion === undefined) {
      p.error('platform', props.platform.displayName, 'has no compute classes: ComputeClass is a GKE kind (allowed: Platform.gkeAutopilot(), Platform.gkeStandard())');
    }
    _checkEnum(p, 'whenUnsatisfiable', props.whenUnsatisfiable, WhenUnsatisfiable, 'WhenUnsatisfiable');
    const priorities = props.priorities ?? [];
    if (priorities.length === 0 || priorities.length > 1000) {
      p.error('priorities', priorities, 'must list 1 to 1000 priorities, in the order GKE tries them');
    }
    const rendered = priorities.map((pr, i) => this.priority(p, props.platform, pr, i));
    p.attach(this);
    // Pods that select the class must fit every priority's nodes (read once the whole app exists).
    _Renders.watch(this);
    this.node.addValidation({ validate: () => (p.ok ? this.checkWorkloads() : []) });
    if (!p.ok || apiVersion === undefined) return;

    this._resource = new ApiObject(this, 'Resource', {
      apiVersion,
      kind: 'ComputeClass',
      metadata: { name: this.computeClassName, namespace: _noNamespace() },
      spec: {
        description: props.description,
        priorities: rendered,
        nodePoolAutoCreation: { enabled: props.nodePoolAutoCreation ?? true },
        activeMigration: props.activeMigration ? { optimizeRulePriority: true } : undefined,
        whenUnsatisfiable: props.whenUnsatisfiable ?? WhenUnsatisfiable.DO_NOT_SCALE_UP,
      },
    });
    _FleetRegistry.of(this).computeClasses.push({
      construct: this, cluster: props.platform.cluster, name: this.computeClassName, priorities: this._priorities,
    });
    _Registry.claimAll(this, props.platform.cluster);
  }

  /** The ComputeClass object (escape hatch). */
  public get apiObject(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }

  /** The GPU models of the class's priorities, in order, without repeats. */
  public get accelerators(): Accelerator[] {
    return [...new Set(this._priorities.map(pr => pr.accelerator))];
  }

  /** Checks one priority against the catalog and returns it as the ComputeClass wants it. */
  private priority(p: _Problems, platform: Platform | undefined, pr: ComputeClassPriority, i: number): any {
    const at = `priorities[${i}]`;
    const before = p.messages.length;
    const acc = pr.accelerator;
    const capacity = pr.capacity ?? ComputeClassCapacity.ON_DEMAND;
    if (!acc?.gkeLabel) {
      const offered = Accelerator.all().filter(a => a.gkeLabel).map(a => a.name).join(', ');
      p.error(`${at}.accelerator`, acc?.name, `is not offered on GKE (offered: ${offered})`);
      return undefined;
    }
    const machines = acc.gkeMachines.filter(m => m && typeof m.machineType === 'string' && Number.isInteger(m.gpus));
    const named = machines.filter(m => /^[a-z][a-z0-9-]*$/.test(m.machineType));
    const list = (ms: MachineShape[]) => ms.map(m => `${m.machineType} (${m.gpus})`).join(', ');
    let machineType = pr.machineType;
    if (!Number.isInteger(pr.gpus) || pr.gpus < 1) {
      p.error(`${at}.gpus`, pr.gpus, 'must be a whole number of GPUs per node, at least 1');
    } else if (machineType !== undefined) {
      this.checkMachineType(p, at, acc, pr.gpus, machineType, named);
    } else if (named.length) {
      // A GPU that comes in fixed machine shapes: the one machine type for the count.
      machineType = named.find(m => m.gpus === pr.gpus)?.machineType;
      if (!machineType) p.error(`${at}.gpus`, pr.gpus, `no ${acc.name} machine type carries ${pr.gpus} GPUs (machine types: ${list(named)})`);
    } else {
      // A GPU that attaches to general-purpose machines (T4 on N1): the counts the platform offers.
      const counts = platform ? platform.allowedGpuCounts(acc) : [];
      if (counts.length && !counts.includes(pr.gpus)) p.error(`${at}.gpus`, pr.gpus, `${platform!.displayName} offers ${acc.gkeLabel} nodes with ${counts.join(', ')} GPUs`);
    }
    const seconds = pr.maxRunDuration !== undefined
      ? _durationSeconds(p, `${at}.maxRunDuration`, pr.maxRunDuration, capacity.kind === 'flex-start' ? { max: FLEX_START_MAX_SECONDS } : {})
      : undefined;
    if (capacity.kind === 'reservation') {
      const names = capacity.reservationNames;
      if (!Array.isArray(names) || names.length === 0 || names.some(n => typeof n !== 'string' || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n))) {
        p.error(`${at}.capacity`, names, 'ComputeClassCapacity.reservations needs at least one reservation name (a GCE resource name: lowercase letters, digits and \'-\', at most 63 characters)');
      }
      const project = capacity.reservationProject;
      if (project !== undefined && (typeof project !== 'string' || !/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(project))) {
        p.error(`${at}.capacity`, project, 'the reservation project must be a Google Cloud project ID (6-30 lowercase letters, digits and \'-\')');
      }
    }
    if (p.messages.length !== before) return undefined;
    this._priorities.push({
      accelerator: acc, gpus: pr.gpus, machineType, capacity: capacity.kind, description: capacity.description, maxRunSeconds: seconds,
    });
    return {
      machineType,
      gpu: { type: acc.gkeLabel, count: pr.gpus },
      spot: capacity.kind === 'spot' ? true : undefined,
      flexStart: capacity.kind === 'flex-start' ? { enabled: true } : undefined,
      reservations: capacity.kind === 'reservation'
        ? { affinity: 'Specific', specific: capacity.reservationNames!.map(name => ({ name, project: capacity.reservationProject })) }
        : capacity.kind === 'any-reservation' ? { affinity: 'AnyBestEffort' } : undefined,
      maxRunDurationSeconds: seconds,
    };
  }

  /**
   * A machine type must carry the priority's GPUs: the catalog knows every GCE machine type whose name ends in its GPU
   * count (A2, A3, A4), and which GPU each machine family carries.
   */
  private checkMachineType(p: _Problems, at: string, acc: Accelerator, gpus: number, machineType: string, named: MachineShape[]): void {
    const fits = named.filter(m => m.gpus === gpus).map(m => m.machineType);
    const fitting = fits.length ? `machine types for ${gpus} x ${acc.name}: ${fits.join(', ')}`
      : `no machine type carries ${gpus} x ${acc.name}; ${acc.name} machine types: ${named.map(m => `${m.machineType} (${m.gpus})`).join(', ') || 'none in the catalog'}`;
    if (typeof machineType !== 'string' || !/^[a-z][a-z0-9-]{0,99}$/.test(machineType)) {
      p.error(`${at}.machineType`, machineType, `must be a GCE machine type name (${fitting})`);
      return;
    }
    const own = named.find(m => m.machineType === machineType);
    if (own) {
      if (own.gpus !== gpus) {
        p.raw(`${at}.gpus=${gpus} is invalid: machineType ${machineType} carries ${own.gpus} x ${acc.name}, and a node's GPUs come with its machine type (allowed: ${own.gpus}, or the ${fitting})`);
      }
      return;
    }
    const other = Accelerator._known().find(a => a !== acc && a.gkeMachines.some(m => m?.machineType === machineType));
    if (other) {
      p.error(`${at}.machineType`, machineType, `carries ${other.name}, not ${acc.name} (${fitting})`);
      return;
    }
    const family = (t: string) => t.split('-').slice(0, -1).join('-');
    const ownFamilies = new Set(named.map(m => family(m.machineType)));
    const otherFamily = Accelerator._known().find(a => a !== acc && a.gkeMachines.some(m => m && /^[a-z][a-z0-9-]*$/.test(m.machineType) && family(m.machineType) === family(machineType)));
    if (otherFamily && !ownFamilies.has(family(machineType))) {
      p.error(`${at}.machineType`, machineType, `is a ${family(machineType)} machine, which carries ${otherFamily.name}, not ${acc.name} (${fitting})`);
      return;
    }
    if (GPU_COUNT_IN_NAME.test(machineType) && ownFamilies.has(family(machineType))) {
      p.error(`${at}.machineType`, machineType, `does not exist: no ${family(machineType)} machine carries ${GPU_COUNT_IN_NAME.exec(machineType)![1]} GPUs (${fitting})`);
    }
    // Anything else (a G2 size the catalog does not list, an N1 machine for T4) is GKE's to check.
  }

  /**
   * Every GPU workload of the app that selects this class (same cluster): its pods must fit each priority's nodes, and
   * its accelerator must be one the class offers (prices and checks assume it).
   */
  private checkWorkloads(): string[] {
    const registry = _FleetRegistry.of(this);
    const out: string[] = [];
    const maxGpus = Math.min(...this._priorities.map(pr => pr.gpus));
    for (const w of registry.workloads) {
      if (w.computeClassName !== this.computeClassName || w.platform.cluster !== this.platform.cluster) continue;
      const what = `${w.resource.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name} (${w.construct.node.path})`;
      if (w.accelerator && !this._priorities.some(pr => pr.accelerator === w.accelerator)) {
        out.push(`priorities=${_show(this._priorities.map(pr => `${pr.gpus} x ${pr.accelerator.name}`).join(', '))} is invalid for ${what}: it asks for ${w.accelerator.name}, which no priority offers (allowed: add a ${w.accelerator.name} priority, or give the workload one of the class's accelerators)`);
      }
      const gpus = _podGpusOf(w.resource);
      if (gpus > maxGpus) {
        const small = this._priorities.filter(pr => pr.gpus < gpus).map(pr => `${pr.gpus} x ${pr.accelerator.name}${pr.machineType ? ` (${pr.machineType})` : ''}`);
        out.push(`priorities=${_show(small.join(', '))} is invalid for ${what}: its pods request ${gpus} GPUs, more than these priorities' nodes carry, so the class would create nodes they cannot use (allowed: at least ${gpus} GPUs per node in every priority)`);
      }
    }
    return out;
  }
}

/** The most GPUs one pod of a rendered object requests. @internal */
export function _podGpusOf(resource: ApiObject): number {
  let most = 0;
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (Array.isArray(node.containers)) {
      const sum = node.containers.reduce((n: number, c: any) => n + (Number(c?.resources?.limits?.['nvidia.com/gpu'] ?? 0) || 0), 0);
      most = Math.max(most, sum);
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(_Renders.of(resource)?.spec);
  return most;
}
