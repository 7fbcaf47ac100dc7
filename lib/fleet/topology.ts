import { ApiObject, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { _noNamespace } from '../capacity/_cluster-scoped';
import { Conventions } from '../conventions';
import { ClusterAddon } from '../platform/cluster-addon';
import { Platform } from '../platform/platform';
import { _Problems, _checkDnsSubdomain, _checkProps, _ensure, _isLabelKey, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { _Registry } from '../workload/registry';

const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
const HOSTNAME = 'kubernetes.io/hostname';
/** Kueue's Topology CRD: 1 to 16 levels. */
const MAX_LEVELS = 16;

/** A Kueue `Topology`: the levels (node labels) of a cluster's network topology, widest first. */
export interface ITopology {
  /** Name of the Topology object (what a ResourceFlavor's `topologyName` names). */
  readonly topologyName: string;
  /** Its levels: node label keys, from the widest domain to the narrowest. */
  readonly levels: string[];
}

/** Props of a {@link Topology}. */
export interface TopologyProps {
  /** The platform (cluster) the Topology describes; its levels are the default. */
  readonly platform: Platform;
  /**
   * The node labels of the levels, from the widest domain to the narrowest; `kubernetes.io/hostname`, if present, must
   * be the last (Kueue: taints are only respected when it is the lowest level).
   * @default - the platform's `topologyLevels()` (GKE: block, sub-block, host, node; Karpenter: the EC2 network node
   * layers 1-3, node)
   */
  readonly levels?: string[];
  /**
   * Name of the Topology (cluster-scoped).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
}

/**
 * A Kueue `Topology` (`kueue.x-k8s.io/v1beta2`, cluster-scoped) with the platform's network topology levels, for
 * topology-aware scheduling: a ResourceFlavor names it in `topologyName`, and a workload asks for its pods to share a
 * domain of one level with `topology: TopologyPlacement.required(topology, level)` (or `preferred`). Needs Kueue.
 */
export class Topology extends Construct implements ITopology {
  /** A Topology that exists in the cluster, with its levels (the string escape hatch). */
  public static fromName(name: string, levels: string[]): ITopology {
    return { topologyName: name, levels: [...(Array.isArray(levels) ? levels : [])] };
  }

  /** Name of the Topology object. */
  public readonly topologyName: string;
  /** Its levels, widest first. */
  public readonly levels: string[];
  /** The platform (cluster) it belongs to. */
  public readonly platform: Platform;
  private readonly _resource?: ApiObject;
  private readonly _problems = new _Problems();

  public constructor(scope: Construct, id: string, props: TopologyProps) {
    super(scope, id);
    const p = this._problems;
    props = _checkProps(p, 'TopologyProps', props, { allowUnknown: new.target !== Topology });
    this.platform = props.platform;
    this.topologyName = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    _checkDnsSubdomain(p, 'name', this.topologyName);
    const platform = props.platform;
    if (platform instanceof Platform) for (const m of platform._optionProblems) p.raw(`platform.${m}`);
    _requireAddon(p, platform, ClusterAddon.KUEUE, 'a Kueue Topology');
    const levels = props.levels ?? (platform instanceof Platform ? platform.topologyLevels() : []);
    this.levels = [...levels];
    _checkLevels(p, props.levels === undefined && platform instanceof Platform ? platform : undefined, levels);
    p.attach(this);
    if (!p.ok) return;
    this._resource = new ApiObject(this, 'Resource', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'Topology',
      metadata: {
        name: this.topologyName,
        namespace: _noNamespace(),
        labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY },
      },
      spec: { levels: levels.map(nodeLabel => ({ nodeLabel })) },
    });
    _Registry.claimAll(this, platform.cluster);
  }

  /** The Kueue Topology (escape hatch). */
  public get apiObject(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }
}

/**
 * Where Kueue's topology-aware scheduling places a workload's pods: all in one domain of a Topology level (required),
 * or as few domains as it can, starting at that level (preferred). Rendered as the pod-template annotation
 * `kueue.x-k8s.io/podset-required-topology` / `-preferred-topology`; Kueue acts on it only for a workload in a queue
 * whose ResourceFlavor names the Topology.
 */
export class TopologyPlacement {
  /** Every pod of the workload in one domain of `level` (Kueue waits until one domain has room for all). */
  public static required(topology: ITopology, level: string): TopologyPlacement {
    return new TopologyPlacement(topology, level, true);
  }

  /** The pods in as few domains as possible, starting with one domain of `level` and widening level by level. */
  public static preferred(topology: ITopology, level: string): TopologyPlacement {
    return new TopologyPlacement(topology, level, false);
  }

  /** The Topology whose level it names. */
  public readonly topology: ITopology;
  /** The level: one of the Topology's node labels. */
  public readonly level: string;
  /** Whether all pods must share a domain of the level (else preferred). */
  public readonly isRequired: boolean;

  private constructor(topology: ITopology, level: string, required: boolean) {
    this.topology = topology;
    this.level = level;
    this.isRequired = required;
  }

  /**
   * Checks the placement for a workload on `platform` (`prop` names it) and returns its pod annotation.
   * @internal
   */
  public _annotation(p: _Problems, prop: string, platform: Platform | undefined): { [key: string]: string } {
    const t = this.topology;
    const levels = Array.isArray(t?.levels) ? t.levels : [];
    const how = this.isRequired ? 'required' : 'preferred';
    if (!levels.includes(this.level)) {
      p.raw(`${prop}=TopologyPlacement.${how}(${_show(t?.topologyName)}, ${_show(this.level)}) is invalid: the Topology has no level ${_show(this.level)} (levels: ${levels.join(', ') || 'none'})`);
    }
    if (t instanceof Topology && platform instanceof Platform && t.platform instanceof Platform && t.platform.cluster !== platform.cluster) {
      p.raw(`${prop}=TopologyPlacement.${how}(${_show(t.topologyName)}, ${_show(this.level)}) is invalid: the Topology belongs to cluster ${_show(t.platform.cluster)} and the workload to cluster ${_show(platform.cluster)}`);
    }
    _requireAddon(p, platform, ClusterAddon.KUEUE, 'topology-aware placement');
    return { [`kueue.x-k8s.io/podset-${how}-topology`]: this.level };
  }
}

/** The levels against Kueue's rules (CEL of the Topology CRD, v0.19.2): 1-16 node label keys, unique, hostname last. */
function _checkLevels(p: _Problems, platform: Platform | undefined, levels: string[]): void {
  if (levels.length === 0) {
    const why = platform ? `${platform.displayName} states no topology levels; give` : 'give';
    p.raw(`levels=[] is invalid: ${why} the node labels of the cluster's topology, widest first (e.g. ["example.com/rack", "kubernetes.io/hostname"]); a Topology has 1 to ${MAX_LEVELS} levels`);
    return;
  }
  if (levels.length > MAX_LEVELS) p.error('levels', levels, `a Topology has at most ${MAX_LEVELS} levels`);
  levels.forEach((l, i) => { if (!_isLabelKey(l)) p.error(`levels[${i}]`, l, 'must be a node label key, e.g. "kubernetes.io/hostname"'); });
  const dupes = levels.filter((l, i) => levels.indexOf(l) !== i);
  if (dupes.length) p.error('levels', levels, `must be unique (${[...new Set(dupes)].join(', ')} more than once)`);
  const host = levels.indexOf(HOSTNAME);
  if (host >= 0 && host !== levels.length - 1) p.error('levels', levels, `${HOSTNAME} can only be the last (lowest) level`);
}
