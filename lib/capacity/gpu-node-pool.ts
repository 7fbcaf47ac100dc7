import { ApiObject, Duration, Names, Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Ec2NodeClass, Ec2NodeClassSpecBlockDeviceMappings, Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
  Ec2NodeClassSpecCapacityReservationSelectorTerms,
} from '../../imports/karpenter-aws-karpenter.k8s.aws';
import {
  NodePool, NodePoolSpecDisruptionBudgets, NodePoolSpecDisruptionBudgetsReasons, NodePoolSpecDisruptionConsolidationPolicy,
  NodePoolSpecLimits, NodePoolSpecTemplateSpecRequirements, NodePoolSpecTemplateSpecRequirementsOperator,
  NodePoolSpecTemplateSpecTaintsEffect,
} from '../../imports/karpenter-karpenter.sh';
import { Accelerator } from '../accelerator';
import { KarpenterPlatform } from '../platform/karpenter';
import { MigStrategy, _nvidiaShareSelector } from '../platform/nvidia-device-plugin';
import { CapacityType, KarpenterOptions, Platform, WorkloadKind, _acceleratorLabelProblems } from '../platform/platform';
import { GpuShare } from '../sharing/gpu-share';
import {
  _Problems, _checkDnsLabel, _checkEnum, _checkInt, _checkLabels, _checkProps, _durationSeconds, _ensure, _isLabelKey, _show, _sizeMebibytes,
} from '../validation';
import { _Registry } from '../workload/registry';
import { _karpenterDuration, _noNamespace } from './_cluster-scoped';
import { _mayHavePods, _placedPodsOf } from './_placed-pods';
import { _Renders } from '../pod/renders';

const GPU_NAME = KarpenterPlatform.GPU_NAME_LABEL;
const GPU_COUNT = KarpenterPlatform.GPU_COUNT_LABEL;
const GPU_MEMORY = KarpenterPlatform.GPU_MEMORY_LABEL;
const FAMILY = KarpenterPlatform.INSTANCE_FAMILY_LABEL;
const CAPACITY = KarpenterPlatform.CAPACITY_TYPE_LABEL;
const NODEPOOL = KarpenterPlatform.NODEPOOL_LABEL;
const DISCOVERY_TAG = 'karpenter.sh/discovery';

/**
 * The AMI of the pool's nodes, as an EC2NodeClass `alias` (`family@version`). Karpenter picks the NVIDIA variant of
 * the family for GPU instances. `latest` follows every release (each one drifts and replaces the nodes); pin a
 * version in production.
 */
export class AmiAlias {
  /** Amazon Linux 2023, newest release. */
  public static readonly AL2023_LATEST = new AmiAlias('al2023', 'latest');
  /** Bottlerocket, newest release. */
  public static readonly BOTTLEROCKET_LATEST = new AmiAlias('bottlerocket', 'latest');

  /** Amazon Linux 2023 pinned to a release, e.g. `v20240625`. */
  public static al2023(version: string): AmiAlias {
    return new AmiAlias('al2023', version);
  }

  /** Bottlerocket pinned to a release, e.g. `v1.20.3`. */
  public static bottlerocket(version: string): AmiAlias {
    return new AmiAlias('bottlerocket', version);
  }

  private constructor(
    /** AMI family of the alias, e.g. `al2023`. */
    public readonly family: string,
    /** Release, or `latest`. */
    public readonly version: string,
  ) {}

  /** The alias as the EC2NodeClass wants it, e.g. `al2023@latest`. */
  public get alias(): string {
    return `${this.family}@${this.version}`;
  }
}

/**
 * Capacity reservations a reserved pool launches into (EC2NodeClass `capacityReservationSelectorTerms`, Karpenter v1.3
 * or later; Capacity Blocks v1.6 or later): On-Demand Capacity Reservations and Capacity Blocks, by ID or by tags. Terms
 * are ORed. Karpenter does not use a reservation it is not told about, an `open` one included.
 */
export class CapacityReservation {
  /** One reservation by its ID, e.g. `cr-0123456789abcdef0`. */
  public static id(id: string): CapacityReservation {
    return new CapacityReservation(id, undefined, undefined);
  }

  /** Every reservation carrying these tags (`'*'` matches any value), optionally only those of one AWS account. */
  public static tagged(tags: { [key: string]: string }, ownerId?: string): CapacityReservation {
    return new CapacityReservation(undefined, tags && typeof tags === 'object' ? { ...tags } : tags, ownerId);
  }

  private constructor(
    /** The reservation ID, when selected by ID. */
    public readonly reservationId?: string,
    /** The tags, when selected by tags. */
    public readonly tags?: { [key: string]: string },
    /** The owning AWS account, when selected by tags. */
    public readonly ownerId?: string,
  ) {}
}

/** When Karpenter removes nodes to save money. */
export enum ConsolidationPolicy {
  /** Only nodes without workload pods: the right choice for GPU training and batch. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Also nodes whose pods fit elsewhere (evicts them; `karpenter.sh/do-not-disrupt` pods block it). */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/** A reason Karpenter disrupts nodes, for disruption budgets. */
export enum DisruptionReason {
  /** Consolidation of underutilized nodes. */
  UNDERUTILIZED = 'Underutilized',
  /** Removal of empty nodes. */
  EMPTY = 'Empty',
  /** Replacement of nodes that no longer match their NodePool or EC2NodeClass (e.g. a new AMI). */
  DRIFTED = 'Drifted',
}

/** A Karpenter disruption budget: how many nodes may be disrupted at once, optionally only in a time window. */
export interface DisruptionBudget {
  /** Nodes at once: a count (`"0"`, `"2"`) or a percentage (`"10%"`). */
  readonly nodes: string;
  /**
   * Reasons the budget applies to.
   * @default - every reason
   */
  readonly reasons?: DisruptionReason[];
  /**
   * Cron schedule (UTC) when the budget starts to apply; needs `duration`.
   * @default - always
   */
  readonly schedule?: string;
  /**
   * How long the budget applies after each `schedule` start (whole minutes).
   * @default - always
   */
  readonly duration?: Duration;
}

/** How long a node lives before Karpenter replaces it (expiration is forceful in Karpenter v1). */
export class NodeExpiry {
  /** Nodes never expire (patch them by drift, e.g. a pinned AMI update). */
  public static readonly NEVER = new NodeExpiry(undefined);

  /** Nodes expire after `duration`. */
  public static after(duration: Duration): NodeExpiry {
    return new NodeExpiry(duration);
  }

  private constructor(
    /** Lifetime of a node; undefined when nodes never expire. */
    public readonly duration?: Duration,
  ) {}
}

/** Props of a {@link GpuNodePool}. */
export interface GpuNodePoolProps {
  /** GPU model of the pool's nodes (`karpenter.k8s.aws/instance-gpu-name`). */
  readonly accelerator: Accelerator;
  /** Most GPUs the pool may hold across all its nodes (`limits: { nvidia.com/gpu }`): the cost ceiling. */
  readonly gpuLimit: number;
  /**
   * GPUs per node the pool may launch (`karpenter.k8s.aws/instance-gpu-count`).
   * @default - every count the accelerator's instance families offer, e.g. [1, 4, 8] for g6
   */
  readonly gpusPerNode?: number[];
  /**
   * Instance families (`karpenter.k8s.aws/instance-family`).
   * @default - the accelerator's families in the catalog, e.g. ['g6'] for L4
   */
  readonly instanceFamilies?: string[];
  /**
   * Capacity the pool launches: `SPOT`, `ON_DEMAND`, or `SPOT_WITH_FALLBACK` for both (each workload then picks
   * with its own `capacityType`), or `RESERVED` for the `capacityReservations` only.
   * @default CapacityType.SPOT_WITH_FALLBACK - spot and on-demand
   */
  readonly capacityType?: CapacityType;
  /**
   * The capacity reservations of a `RESERVED` pool (required there, refused elsewhere). Give reserved, spot and
   * on-demand pools of one GPU `weight`s 100, 50 and 10: Karpenter fills the reservations first, then spot, then
   * on-demand.
   * @default - none
   */
  readonly capacityReservations?: CapacityReservation[];
  /**
   * IAM role of the nodes (Karpenter creates the instance profile). Set exactly one of `role` and `instanceProfile`.
   * @default - none
   */
  readonly role?: string;
  /**
   * Existing IAM instance profile of the nodes, instead of `role`.
   * @default - none
   */
  readonly instanceProfile?: string;
  /**
   * EKS cluster name: subnets and security groups tagged `karpenter.sh/discovery: <clusterName>` are used unless
   * `subnetTags` / `securityGroupTags` say otherwise.
   * @default - none: set `subnetTags` and `securityGroupTags`
   */
  readonly clusterName?: string;
  /**
   * Tags selecting the subnets of the nodes (`'*'` matches any value).
   * @default - { 'karpenter.sh/discovery': clusterName }
   */
  readonly subnetTags?: { [key: string]: string };
  /**
   * Tags selecting the security groups of the nodes.
   * @default - { 'karpenter.sh/discovery': clusterName }
   */
  readonly securityGroupTags?: { [key: string]: string };
  /**
   * AMI of the nodes.
   * @default AmiAlias.AL2023_LATEST
   */
  readonly amiAlias?: AmiAlias;
  /**
   * Size of the volume holding container images and ephemeral storage (gp3, encrypted). GPU images are large.
   * @default Size.gibibytes(100)
   */
  readonly rootVolumeSize?: Size;
  /**
   * KMS key (ID or ARN) encrypting the node volumes.
   * @default - the account's default EBS key
   */
  readonly volumeKmsKeyId?: string;
  /**
   * Which nodes Karpenter consolidates.
   * @default ConsolidationPolicy.WHEN_EMPTY
   */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /**
   * How long a node stays empty (or underutilized) before it is removed; keeps GPU nodes warm between jobs.
   * @default Duration.minutes(5)
   */
  readonly consolidateAfter?: Duration;
  /**
   * Disruption budgets.
   * @default - Karpenter's: 10% of the nodes at once
   */
  readonly disruptionBudgets?: DisruptionBudget[];
  /**
   * Node lifetime. Karpenter v1 drains expired nodes even under `karpenter.sh/do-not-disrupt` pods (after
   * `terminationGracePeriod`), so it must outlast the longest job; the pool checks the active deadline of every job
   * that targets it (`pool.platform()`), and warns about a job without one.
   * @default NodeExpiry.after(Duration.days(30)) - Karpenter's 720h
   */
  readonly expireAfter?: NodeExpiry;
  /**
   * Longest a draining node waits for its pods (including `do-not-disrupt` ones) before it is removed.
   * @default - no limit: a drain waits for running training and batch pods to finish
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Key of the `NoSchedule` taint on the pool's nodes; `pool.platform()` makes workloads tolerate it. The NVIDIA
   * device plugin must tolerate it too.
   * @default 'nvidia.com/gpu'
   */
  readonly taintKey?: string;
  /**
   * Extra labels on the pool's nodes.
   * @default - none
   */
  readonly nodeLabels?: { [key: string]: string };
  /**
   * Share the GPUs of the pool's nodes (GPU sharing, docs/sharing.md): time-slicing or MPS through the NVIDIA device
   * plugin's named config (`nvidia.com/device-plugin.config`, see `GpuSharingConfig`), or MIG through the GPU
   * Operator's MIG manager (`nvidia.com/mig.config`, single strategy). The nodes carry the labels the shared pods select
   * and a `gpu-ml.cdk8s.io/gpu-share` taint that keeps whole-GPU pods off; `pool.platform()` gives its workloads the
   * share. Karpenter does not know the share: it launches a node per GPU the pending pods ask for, and consolidates the
   * nodes that stay empty.
   * @default GpuShare.EXCLUSIVE - whole GPUs
   */
  readonly gpuShare?: GpuShare;
  /**
   * Tags on the EC2 instances and volumes.
   * @default - none (Karpenter adds its own)
   */
  readonly tags?: { [key: string]: string };
  /**
   * Priority among NodePools that fit a pod (1-100, higher first).
   * @default - none
   */
  readonly weight?: number;
  /**
   * Name of the NodePool and its EC2NodeClass (cluster-scoped).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * The Karpenter platform (cluster) of the pool: `pool.platform()` keeps its cluster name and add-ons.
   * @default Platform.karpenter()
   */
  readonly platform?: Platform;
}

/**
 * A Karpenter v1 GPU node pool on EKS: a `karpenter.sh/v1` NodePool and its `karpenter.k8s.aws/v1` EC2NodeClass.
 * Nodes carry one accelerator (instance GPU name, family and count from the catalog), the `nvidia.com/gpu:NoSchedule`
 * taint, a GPU limit, WhenEmpty consolidation and an encrypted gp3 volume. Workloads target it with
 * `platform: pool.platform()`, which selects the pool and tolerates its taint; the pool then checks at synth that
 * those workloads fit it (GPU model and count, capacity type, active deadline against node expiry).
 */
export class GpuNodePool extends Construct {
  /** Name of the NodePool (and of its EC2NodeClass). */
  public readonly name: string;
  /** GPU model of the nodes. */
  public readonly accelerator: Accelerator;
  /** Most GPUs the pool may hold. */
  public readonly gpuLimit: number;
  /** GPUs per node the pool may launch. */
  public readonly gpusPerNode: number[];
  /** Instance families of the nodes. */
  public readonly instanceFamilies: string[];
  /** `karpenter.sh/capacity-type` values the pool launches. */
  public readonly capacityTypes: string[];
  /** Node lifetime in seconds (undefined: nodes never expire). */
  public readonly expireAfterSeconds?: number;
  /** Key of the GPU taint. */
  public readonly taintKey: string;
  /** How the GPUs of the pool's nodes are shared. */
  public readonly gpuShare: GpuShare;
  private readonly _nodePool?: NodePool;
  private readonly _nodeClass?: Ec2NodeClass;
  private readonly _problems: _Problems;
  private readonly _base: KarpenterPlatform;
  private readonly _warned = new Set<string>();

  public constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'GpuNodePoolProps', props, { allowUnknown: new.target !== GpuNodePool });
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    const base = props.platform ?? Platform.karpenter();
    if (!(base instanceof KarpenterPlatform)) {
      p.error('platform', base, 'must be a Karpenter platform, e.g. Platform.karpenter({ cluster: "prod" }): a GpuNodePool is a Karpenter NodePool');
    }
    this._base = base instanceof KarpenterPlatform ? base : new KarpenterPlatform();
    _checkDnsLabel(p, 'name', this.name);
    this.taintKey = props.taintKey ?? 'nvidia.com/gpu';
    if (!_isLabelKey(this.taintKey)) {
      p.error('taintKey', this.taintKey, 'must be a label key: an optional DNS subdomain prefix and \'/\', then a name of at most 63 characters, e.g. nvidia.com/gpu');
    }

    // What the nodes are: accelerator, families, GPUs per node.
    const acc = this.accelerator = props.accelerator;
    const catalog = acc instanceof Accelerator && acc.karpenterGpuName ? acc.awsInstanceFamilies : [];
    if (!(acc instanceof Accelerator)) {
      p.error('accelerator', acc, 'must be an Accelerator, e.g. Accelerator.L4');
    } else if (catalog.length > 0) {
      // A custom accelerator's GPU name and memory become NodePool requirement values.
      for (const m of _acceleratorLabelProblems(acc, [['karpenterGpuName', acc.karpenterGpuName], ['karpenterGpuMemoryMib', acc.karpenterGpuMemoryMib]])) p.raw(m);
    } else {
      const offered = Accelerator.all().filter(a => a.karpenterGpuName && a.awsInstanceFamilies.length).map(a => a.name).join(', ');
      p.error('accelerator', acc.name, `has no AWS instance family in the catalog (allowed: ${offered}, or Accelerator.custom({ karpenterGpuName, awsInstanceFamilies }))`);
    }
    const known = catalog.map(f => f.family);
    let families = known;
    if (props.instanceFamilies !== undefined) {
      const given = props.instanceFamilies;
      if (!Array.isArray(given) || given.length === 0 || given.some(f => typeof f !== 'string')) {
        p.error('instanceFamilies', given, 'must be a non-empty list of instance family names, e.g. ["g6"]');
      } else if (catalog.length) {
        const foreign = given.filter(f => !known.includes(f));
        if (foreign.length) p.error('instanceFamilies', given, `${foreign.join(', ')} ${foreign.length > 1 ? 'do' : 'does'} not carry ${acc.name} (allowed: ${known.join(', ')})`);
        else families = [...new Set(given)];
      }
    }
    this.instanceFamilies = families;
    const chosen = catalog.filter(f => families.includes(f.family));
    const offeredCounts = [...new Set(chosen.flatMap(f => f.gpusPerInstance))].sort((a, b) => a - b);
    let counts = offeredCounts;
    if (props.gpusPerNode !== undefined) {
      const given = props.gpusPerNode;
      if (!Array.isArray(given) || given.length === 0 || given.some(n => !Number.isInteger(n) || n < 1)) {
        p.error('gpusPerNode', given, 'must be a non-empty list of whole GPU counts >= 1, e.g. [1, 4]');
      } else if (chosen.length) {
        const missing = given.filter(n => !offeredCounts.includes(n));
        if (missing.length) {
          const offers = chosen.map(f => `${f.family} offers ${f.gpusPerInstance.join('/')}`).join('; ');
          p.error('gpusPerNode', given, `no ${acc.name} instance family offers ${missing.join(' or ')} GPUs per node (${offers})`);
        } else {
          counts = [...new Set(given)].sort((a, b) => a - b);
        }
      }
    }
    this.gpusPerNode = counts;

    // How much, and which capacity.
    this.gpuLimit = props.gpuLimit;
    const largest = Math.max(0, ...counts);
    if (typeof props.gpuLimit !== 'number' || !Number.isInteger(props.gpuLimit) || props.gpuLimit < 1) {
      p.error('gpuLimit', props.gpuLimit, 'must be a whole number of GPUs >= 1');
    } else if (largest > 0 && props.gpuLimit < largest) {
      p.error('gpuLimit', props.gpuLimit, `is below the ${largest} GPUs of one ${acc.name} node this pool may launch (allowed: at least ${largest}, or restrict gpusPerNode to ${counts.filter(n => n <= props.gpuLimit).join(', ') || 'smaller nodes'})`);
    }
    const capacity = props.capacityType ?? CapacityType.SPOT_WITH_FALLBACK;
    _checkEnum(p, 'capacityType', capacity, CapacityType, 'CapacityType');
    this.capacityTypes = capacity === CapacityType.SPOT_WITH_FALLBACK ? ['spot', 'on-demand'] : [capacity];
    if (capacity === CapacityType.FLEX_START) p.error('capacityType', capacity, 'is GKE\'s (Dynamic Workload Scheduler); a Karpenter pool launches spot, on-demand or reserved capacity');
    // Fleet (issue 13): reserved capacity (ODCRs, Capacity Blocks).
    const reservationTerms = this.reservationTerms(p, capacity, props.capacityReservations);

    // Disruption and lifetime.
    const policy = props.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY;
    _checkEnum(p, 'consolidationPolicy', policy, ConsolidationPolicy, 'ConsolidationPolicy');
    const consolidateAfter = props.consolidateAfter !== undefined ? _durationSeconds(p, 'consolidateAfter', props.consolidateAfter, { allowZero: true }) : 300;
    const budgets = this.budgets(p, props.disruptionBudgets);
    const expiry = props.expireAfter ?? NodeExpiry.after(Duration.days(30));
    if (!(expiry instanceof NodeExpiry)) {
      p.error('expireAfter', expiry, 'must be a NodeExpiry, e.g. NodeExpiry.after(Duration.days(7)) or NodeExpiry.NEVER');
    } else if (expiry.duration !== undefined) {
      this.expireAfterSeconds = _durationSeconds(p, 'expireAfter', expiry.duration);
    }
    const tgp = _durationSeconds(p, 'terminationGracePeriod', props.terminationGracePeriod);
    _checkInt(p, 'weight', props.weight, 1, 100);
    _checkLabels(p, 'nodeLabels', props.nodeLabels);
    for (const key of Object.keys(props.nodeLabels ?? {})) {
      const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
      if (domain.endsWith('karpenter.sh') || domain.endsWith('karpenter.k8s.aws') || key === 'kubernetes.io/hostname') {
        p.error(`nodeLabels[${JSON.stringify(key)}]`, key, 'Karpenter sets the karpenter.sh and karpenter.k8s.aws label domains and kubernetes.io/hostname itself (allowed: your own label keys)');
      }
    }

    // AWS side.
    const hasRole = props.role !== undefined;
    const hasProfile = props.instanceProfile !== undefined;
    if (hasRole === hasProfile) {
      p.raw(`role=${_show(props.role)} and instanceProfile=${_show(props.instanceProfile)} are invalid together: set exactly one (e.g. role: 'KarpenterNodeRole-my-cluster')`);
    }
    for (const [prop, v] of [['role', props.role], ['instanceProfile', props.instanceProfile]] as const) {
      if (v !== undefined && (typeof v !== 'string' || !/^[\w+=,.@-]{1,128}$/.test(v))) p.error(prop, v, 'must be an IAM name: 1-128 letters, digits and +=,.@_-');
    }
    if (props.clusterName !== undefined && (typeof props.clusterName !== 'string' || !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(props.clusterName))) {
      p.error('clusterName', props.clusterName, 'must be an EKS cluster name: 1-100 letters, digits, \'-\' and \'_\', starting with a letter or digit');
    }
    const discovery = typeof props.clusterName === 'string' ? { [DISCOVERY_TAG]: props.clusterName } : undefined;
    const subnetTags = props.subnetTags ?? discovery;
    const sgTags = props.securityGroupTags ?? discovery;
    for (const [prop, tags] of [['subnetTags', subnetTags], ['securityGroupTags', sgTags]] as const) {
      if (tags === undefined) p.error(prop, tags, 'is required unless clusterName is set (then subnets and security groups tagged karpenter.sh/discovery: <clusterName> are used)');
      else _checkTags(p, prop, tags, true);
    }
    if (props.tags !== undefined) {
      _checkTags(p, 'tags', props.tags, false);
      for (const key of Object.keys(props.tags ?? {})) {
        if (key === 'eks:eks-cluster-name' || key.startsWith('kubernetes.io/cluster') || ['karpenter.sh/nodepool', 'karpenter.sh/nodeclaim', 'karpenter.k8s.aws/ec2nodeclass'].includes(key)) {
          p.error(`tags[${JSON.stringify(key)}]`, key, 'is a tag Karpenter or EKS sets itself');
        }
      }
    }
    const ami = props.amiAlias ?? AmiAlias.AL2023_LATEST;
    if (!(ami instanceof AmiAlias)) {
      p.error('amiAlias', ami, 'must be an AmiAlias, e.g. AmiAlias.AL2023_LATEST or AmiAlias.al2023("v20240625")');
    } else if (typeof ami.version !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(ami.version) || ami.alias.length > 30) {
      p.error('amiAlias', ami.alias, 'must be family@version with a version like v20240625 or latest, at most 30 characters');
    }
    const volumeMib = props.rootVolumeSize !== undefined ? _sizeMebibytes(p, 'rootVolumeSize', props.rootVolumeSize, 20 * 1024) : 100 * 1024;
    if (volumeMib !== undefined && (volumeMib % 1024 !== 0 || volumeMib > 59000 * 1024)) {
      p.error('rootVolumeSize', props.rootVolumeSize, 'must be a whole number of GiB from 20 to 59000');
    }
    if (props.volumeKmsKeyId !== undefined && (typeof props.volumeKmsKeyId !== 'string' || props.volumeKmsKeyId.length === 0)) {
      p.error('volumeKmsKeyId', props.volumeKmsKeyId, 'must be a KMS key ID or ARN');
    }

    // GPU sharing: a share Karpenter's nodes can give for this accelerator (the platform's own checks), and node labels
    // that do not fight the ones the share sets.
    const share = this.gpuShare = props.gpuShare ?? GpuShare.EXCLUSIVE;
    const shareLabels = share.isShared && acc instanceof Accelerator ? this.shareLabels(share) : {};
    if (share.isShared && acc instanceof Accelerator && catalog.length) {
      const request = { gpus: 1, accelerator: acc, capacityType: CapacityType.ON_DEMAND, kind: WorkloadKind.SERVING, share };
      for (const m of this._base._shareProblems(request, share)) p.raw(m);
    }
    for (const key of Object.keys(props.nodeLabels ?? {}).filter(k => k in shareLabels)) {
      p.error(`nodeLabels[${JSON.stringify(key)}]`, props.nodeLabels![key], `is set by gpuShare=${share.toString()} (to ${_show(shareLabels[key])}); drop it`);
    }

    // Workloads that target this pool are checked once the whole app exists (before `attach`, whose validation
    // prints the warnings this adds).
    _Renders.watch(this);
    this.node.addValidation({ validate: () => (p.ok ? this.checkWorkloads(p) : []) });
    p.attach(this);
    if (!p.ok) return;

    const requirements: NodePoolSpecTemplateSpecRequirements[] = [
      { key: GPU_NAME, operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [acc.karpenterGpuName!] },
      // One GPU name can cover two models (a100: p4d 40GB, p4de 80GB); the GPU memory tells them apart.
      ...(acc.karpenterGpuMemoryMib !== undefined
        ? [{ key: GPU_MEMORY, operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [String(acc.karpenterGpuMemoryMib)] }]
        : []),
      { key: FAMILY, operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: families },
      { key: GPU_COUNT, operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: counts.map(String) },
      { key: CAPACITY, operator: NodePoolSpecTemplateSpecRequirementsOperator.IN, values: this.capacityTypes },
    ];
    this._nodeClass = new Ec2NodeClass(this, 'NodeClass', {
      metadata: { name: this.name, namespace: _noNamespace() },
      spec: {
        amiSelectorTerms: [{ alias: ami.alias }],
        role: props.role,
        instanceProfile: props.instanceProfile,
        subnetSelectorTerms: [{ tags: { ...subnetTags } }],
        securityGroupSelectorTerms: [{ tags: { ...sgTags } }],
        blockDeviceMappings: _blockDevices(ami, volumeMib!, props.volumeKmsKeyId),
        capacityReservationSelectorTerms: reservationTerms,
        tags: props.tags ? { ...props.tags } : undefined,
      },
    });
    this._nodePool = new NodePool(this, 'Resource', {
      metadata: { name: this.name, namespace: _noNamespace() },
      spec: {
        template: {
          metadata: props.nodeLabels || share.isShared ? { labels: { ...props.nodeLabels, ...shareLabels } } : undefined,
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: this.name },
            requirements,
            taints: [
              { key: this.taintKey, value: 'true', effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE },
              // Whole-GPU pods must not land on shared GPUs: only shared pods tolerate this one.
              ...(share.isShared
                ? [{ key: GpuShare.TAINT_KEY, value: share.configName, effect: NodePoolSpecTemplateSpecTaintsEffect.NO_SCHEDULE }] : []),
            ],
            expireAfter: this.expireAfterSeconds === undefined ? 'Never' : _karpenterDuration(this.expireAfterSeconds),
            terminationGracePeriod: tgp === undefined ? undefined : _karpenterDuration(tgp),
          },
        },
        disruption: {
          consolidationPolicy: policy as unknown as NodePoolSpecDisruptionConsolidationPolicy,
          consolidateAfter: _karpenterDuration(consolidateAfter!),
          budgets,
        },
        limits: { 'nvidia.com/gpu': NodePoolSpecLimits.fromNumber(props.gpuLimit) },
        weight: props.weight,
      },
    });
    _Registry.claimAll(this, this._base.cluster);
  }

  /** The platform for workloads on this pool: selects it (`karpenter.sh/nodepool`) and tolerates its GPU taint. */
  public platform(): Platform {
    const base = this._base;
    const options: KarpenterOptions = {
      cluster: base.cluster, addons: base.addons, prometheus: base.prometheus, nodePool: this.name, gpuTaintKey: this.taintKey,
      gpuShare: this.gpuShare.isShared ? this.gpuShare : undefined,
    };
    return Platform.karpenter(options);
  }

  /**
   * Labels the pool's nodes carry for its share: the device plugin config the node uses (a key of the `GpuSharingConfig`
   * ConfigMap), or the MIG manager's layout. Karpenter must know them at launch to pick this pool for a pod that selects
   * them.
   */
  private shareLabels(share: GpuShare): { [key: string]: string } {
    return _nvidiaShareSelector(share, MigStrategy.SINGLE);
  }

  /** The `karpenter.sh/v1` NodePool (escape hatch). */
  public get nodePool(): ApiObject {
    return _ensure(this, this._nodePool, this._problems);
  }

  /** The `karpenter.k8s.aws/v1` EC2NodeClass (escape hatch). */
  public get nodeClass(): ApiObject {
    return _ensure(this, this._nodeClass, this._problems);
  }

  /**
   * The EC2NodeClass selector terms of the reservations. Each term is checked on its own: the CRD's rule that an `id`
   * stands alone only fails when every term breaks it (`!self.all(...)`).
   */
  private reservationTerms(p: _Problems, capacity: CapacityType, given: CapacityReservation[] | undefined)
    : Ec2NodeClassSpecCapacityReservationSelectorTerms[] | undefined {
    if (capacity !== CapacityType.RESERVED) {
      if (given !== undefined) p.error('capacityReservations', given.map(r => r?.reservationId ?? r?.tags), 'are used only by a pool with capacityType: CapacityType.RESERVED');
      return undefined;
    }
    if (!Array.isArray(given) || given.length === 0 || given.length > 30) {
      p.raw(`capacityType=${_show(capacity)} is invalid without capacityReservations: Karpenter launches reserved capacity only into the reservations a pool selects (allowed: 1 to 30 of CapacityReservation.id('cr-...') or CapacityReservation.tagged({...}))`);
      return undefined;
    }
    return given.map((r, i) => {
      const at = `capacityReservations[${i}]`;
      if (!(r instanceof CapacityReservation)) {
        p.error(at, r, 'must be a CapacityReservation, e.g. CapacityReservation.id(\'cr-0123456789abcdef0\')');
        return {};
      }
      if (r.reservationId !== undefined) {
        if (typeof r.reservationId !== 'string' || !/^cr-[0-9a-z]+$/.test(r.reservationId)) p.error(at, r.reservationId, 'must be a capacity reservation ID like cr-0123456789abcdef0');
        return { id: r.reservationId };
      }
      const tags = r.tags;
      if (!tags || typeof tags !== 'object' || Object.keys(tags).length === 0 || Object.keys(tags).length > 20
        || Object.entries(tags).some(([k, v]) => k === '' || typeof v !== 'string' || v === '')) {
        p.error(at, tags, 'must select by 1 to 20 tags with non-empty keys and values (\'*\' matches any value)');
      }
      if (r.ownerId !== undefined && (typeof r.ownerId !== 'string' || !/^[0-9]{12}$/.test(r.ownerId))) {
        p.error(at, r.ownerId, 'the owner must be a 12-digit AWS account ID');
      }
      return { tags: { ...tags }, ownerId: r.ownerId };
    });
  }

  /** The catalog's instance types this pool may launch: its families, with a GPU count it allows. */
  private launchedTypes(): string[] {
    return this.accelerator.awsInstanceFamilies.filter(f => f && this.instanceFamilies.includes(f.family))
      .flatMap(f => (f.instances ?? []).filter(m => m && this.gpusPerNode.includes(m.gpus)).map(m => m.machineType));
  }

  private budgets(p: _Problems, budgets: DisruptionBudget[] | undefined): NodePoolSpecDisruptionBudgets[] | undefined {
    if (budgets === undefined) return undefined;
    if (!Array.isArray(budgets) || budgets.length > 50) {
      p.error('disruptionBudgets', budgets, 'must be a list of at most 50 budgets');
      return undefined;
    }
    return budgets.map((b, i) => {
      const prop = `disruptionBudgets[${i}]`;
      if (typeof b?.nodes !== 'string' || !/^((100|[0-9]{1,2})%|[0-9]+)$/.test(b.nodes)) {
        p.error(`${prop}.nodes`, b?.nodes, 'must be a node count like "0" or "2", or a percentage like "10%"');
      }
      for (const r of b?.reasons ?? []) {
        if (!Object.values(DisruptionReason).includes(r)) p.error(`${prop}.reasons`, b.reasons, `must list values of ${Object.values(DisruptionReason).join(', ')}`);
      }
      if ((b?.schedule === undefined) !== (b?.duration === undefined)) {
        p.error(`${prop}.schedule`, b?.schedule, 'must be set together with duration (a window: when it starts, how long it lasts)');
      }
      if (b?.schedule !== undefined && (typeof b.schedule !== 'string' || !/^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))$|^(\S+\s+){4}\S+$/.test(b.schedule))) {
        p.error(`${prop}.schedule`, b.schedule, 'must be a 5-field cron expression (UTC) or a macro like @daily');
      }
      const d = _durationSeconds(p, `${prop}.duration`, b?.duration);
      if (d !== undefined && d % 60 !== 0) p.error(`${prop}.duration`, b.duration, 'must be whole minutes');
      return {
        nodes: b?.nodes,
        reasons: b?.reasons?.map(r => r as unknown as NodePoolSpecDisruptionBudgetsReasons),
        schedule: b?.schedule,
        duration: d !== undefined && d % 60 === 0 ? _karpenterDuration(d) : undefined,
      };
    });
  }

  /**
   * Checks every pod of the app that selects this pool (`karpenter.sh/nodepool`, by node selector or required node
   * affinity) against it: read from the rendered objects, so it covers every kind that lands on a pool (Jobs, JobSets,
   * Kubeflow jobs, Deployments, KServe InferenceServices, LeaderWorkerSets, hand-written objects) and every replica,
   * after escape-hatch edits. Errors are returned; a job without a deadline on expiring nodes is a warning.
   */
  private checkWorkloads(p: _Problems): string[] {
    const out: string[] = [];
    for (const c of _Renders.apiObjects(this)) {
      if (!_mayHavePods(c.kind) || c.node.scopes.includes(this)) continue;
      const obj = _Renders.of(c);
      const placed = _Renders.derived(obj, 'placed-pods', () => _placedPodsOf(obj));
      const pods = placed.filter(pod => _requiredValues(pod.spec, NODEPOOL)?.includes(this.name));
      if (pods.length === 0) continue;
      const object = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name} (${c.node.scopes[c.node.scopes.length - 2]?.node.path ?? c.node.path})`;
      const several = placed.length > 1;
      let undated = false;
      for (const pod of pods) {
        const what = several ? `${object} at ${pod.where}` : object;
        const deadline = pod.deadline;
        if (deadline && this.expireAfterSeconds !== undefined && deadline.seconds > this.expireAfterSeconds) {
          out.push(`expireAfter=${_karpenterDuration(this.expireAfterSeconds)} is invalid: ${what} may run for ${_karpenterDuration(deadline.seconds)} (${deadline.field}=${deadline.seconds}) on this NodePool, and Karpenter v1 drains expired nodes even under do-not-disrupt pods (allowed: at least ${_karpenterDuration(deadline.seconds)}, or NodeExpiry.NEVER)`);
        }
        if (!deadline && pod.runsToCompletion && this.expireAfterSeconds !== undefined) undated = true;
        const gpuNames = _requiredValues(pod.spec, GPU_NAME);
        if (gpuNames !== undefined && !gpuNames.includes(this.accelerator.karpenterGpuName!)) {
          out.push(`accelerator=${_show(this.accelerator.name)} is invalid for ${what}: it selects ${GPU_NAME}${gpuNames.length === 1 ? `=${gpuNames[0]}` : ` in [${gpuNames.join(', ')}]`}, which this NodePool never launches (allowed: ${this.accelerator.karpenterGpuName})`);
        }
        const gpuMemories = _requiredValues(pod.spec, GPU_MEMORY);
        const poolMemory = this.accelerator.karpenterGpuMemoryMib;
        if (gpuMemories !== undefined && poolMemory !== undefined && !gpuMemories.includes(String(poolMemory))) {
          const other = Accelerator._known()
            .find(a => gpuNames?.includes(a.karpenterGpuName!) && gpuMemories.includes(String(a.karpenterGpuMemoryMib)));
          out.push(`accelerator=${_show(this.accelerator.name)} is invalid for ${what}: it selects ${GPU_MEMORY}${gpuMemories.length === 1 ? `=${gpuMemories[0]}` : ` in [${gpuMemories.join(', ')}]`}${other ? ` (${other.name})` : ''}, which this NodePool never launches (allowed: ${poolMemory})`);
        }
        const wanted = _requiredValues(pod.spec, CAPACITY);
        if (wanted !== undefined && !wanted.some(t => this.capacityTypes.includes(t))) {
          out.push(`capacityType=${_show(this.capacityTypes.join(','))} is invalid for ${what}: it needs ${CAPACITY} in [${wanted.join(', ')}], which this NodePool never launches`);
        }
        // Instance-type pins (issue 18): every pinned type must be one this pool launches (its families and GPU counts).
        for (const type of _requiredValues(pod.spec, Platform.INSTANCE_TYPE_LABEL) ?? []) {
          const launched = this.launchedTypes();
          if (launched.includes(type)) continue;
          const shape = this.accelerator.awsInstances.find(m => m?.machineType === type);
          const family = this.accelerator.awsInstanceFamilies.find(f => f?.instances?.some(m => m?.machineType === type))?.family;
          const [prop, value] = shape && family && this.instanceFamilies.includes(family) ? ['gpusPerNode', this.gpusPerNode] : ['instanceFamilies', this.instanceFamilies];
          const why = shape ? `a ${type} (${family}, ${shape.gpus} GPU${shape.gpus === 1 ? '' : 's'})` : `${type}, which is not a ${this.accelerator.name} instance type of the catalog`;
          out.push(`${prop}=${_show(value)} is invalid for ${what}: it pins ${Platform.INSTANCE_TYPE_LABEL}=${type}, and this NodePool never launches ${why} (allowed: ${launched.join(', ') || 'none of the catalog\'s types'})`);
        }
        // A shared pool's nodes carry the share taint: a pod that does not tolerate it never schedules there.
        if (this.gpuShare.isShared && !_tolerates(pod.spec, GpuShare.TAINT_KEY, this.gpuShare.configName)) {
          out.push(`gpuShare=${this.gpuShare.toString()} is invalid for ${what}: it selects this NodePool but does not tolerate its taint ${GpuShare.TAINT_KEY}=${this.gpuShare.configName}:NoSchedule, so it never schedules (give it gpuShare: ${this.gpuShare.toString()}, or use pool.platform())`);
        }
        const gpus = _podGpus(pod.spec);
        if (gpus > Math.max(0, ...this.gpusPerNode)) {
          out.push(`gpusPerNode=${_show(this.gpusPerNode)} is invalid for ${what}: its pods request ${gpus} GPUs, more than one node of this NodePool carries (allowed: include ${this.accelerator.awsInstanceFamilies.flatMap(f => f.gpusPerInstance).filter(n => n >= gpus).sort((a, b) => a - b)[0] ?? 'a larger count'})`);
        }
      }
      if (undated) {
        const warning = `expireAfter=${_karpenterDuration(this.expireAfterSeconds!)}: ${object} runs to completion on this NodePool without an active deadline, so it may outlive a node, and Karpenter v1 drains expired nodes even under do-not-disrupt pods (give it an activeDeadline of at most ${_karpenterDuration(this.expireAfterSeconds!)}, or use NodeExpiry.NEVER)`;
        if (!this._warned.has(warning)) {
          this._warned.add(warning);
          p.warn(warning);
        }
      }
    }
    return [...new Set(out)];
  }
}

function _checkTags(p: _Problems, prop: string, tags: { [key: string]: string }, selector: boolean): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    p.error(prop, tags, 'must be a map of tag keys to values');
    return;
  }
  const entries = Object.entries(tags);
  if (selector && (entries.length === 0 || entries.length > 20)) p.error(prop, tags, 'must hold 1 to 20 tags');
  for (const [k, v] of entries) {
    if (k === '' || typeof v !== 'string' || (selector && v === '')) p.error(`${prop}[${JSON.stringify(k)}]`, v, 'tag keys and values must be non-empty strings');
  }
}

/** Block devices for the AMI family: the volume that holds the kubelet root dir (images, ephemeral storage). */
function _blockDevices(ami: AmiAlias, mib: number, kmsKeyId?: string): Ec2NodeClassSpecBlockDeviceMappings[] {
  const ebs = (gib: number) => ({
    volumeSize: `${gib}Gi`, volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3, encrypted: true,
    deleteOnTermination: true, kmsKeyId,
  });
  if (ami.family === 'bottlerocket') {
    // Bottlerocket: a small OS volume, and a data volume for images and the kubelet.
    return [
      { deviceName: '/dev/xvda', ebs: ebs(4) },
      { deviceName: '/dev/xvdb', rootVolume: true, ebs: ebs(mib / 1024) },
    ];
  }
  return [{ deviceName: '/dev/xvda', rootVolume: true, ebs: ebs(mib / 1024) }];
}

/**
 * The values of node label `key` a pod accepts, if it restricts them: its node selector, or required node affinity
 * whose every term has an `In` on the key (terms are ORed, so one term without it leaves the key free).
 */
function _requiredValues(pod: any, key: string): string[] | undefined {
  const sel = pod?.nodeSelector?.[key];
  if (typeof sel === 'string') return [sel];
  const terms: any[] = pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  const values: string[] = [];
  for (const t of terms) {
    const e = (t?.matchExpressions ?? []).find((x: any) => x?.key === key && x.operator === 'In' && Array.isArray(x.values));
    if (!e) return undefined;
    values.push(...e.values);
  }
  return [...new Set(values)];
}

/** GPUs a pod holds on its node: its containers' together, or its largest init container's, whichever is more. */
function _podGpus(pod: any): number {
  const gpusOf = (c: any) => Number(c?.resources?.limits?.['nvidia.com/gpu'] ?? c?.resources?.requests?.['nvidia.com/gpu'] ?? 0) || 0;
  const containers = (pod?.containers ?? []).reduce((sum: number, c: any) => sum + gpusOf(c), 0);
  return Math.max(containers, ...(pod?.initContainers ?? []).map(gpusOf));
}

/** Whether a pod tolerates a `NoSchedule` taint `key=value`. */
function _tolerates(pod: any, key: string, value: string): boolean {
  const tolerations: any[] = Array.isArray(pod?.tolerations) ? pod.tolerations : [];
  return tolerations.some(t => (t?.effect === undefined || t.effect === 'NoSchedule')
    && ((t?.operator === 'Exists' && (t.key === undefined || t.key === '' || t.key === key)) || (t?.key === key && (t.operator ?? 'Equal') === 'Equal' && t.value === value)));
}
