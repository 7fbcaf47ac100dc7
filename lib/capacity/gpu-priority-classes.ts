import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { Platform } from '../platform/platform';
import { _Problems, _checkDnsSubdomain, _checkInt, _checkProps, _ensure } from '../validation';
import { IPriorityClass } from '../workload/priority-class';
import { _Registry } from '../workload/registry';
import { _clusterOf, _noNamespace } from './_cluster-scoped';

/** Highest value a user-defined PriorityClass may have (larger ones are reserved for system classes). */
const MAX_USER_PRIORITY = 1_000_000_000;

/** Props of {@link GpuPriorityClasses}. */
export interface GpuPriorityClassesProps {
  /**
   * Name of the class for production work (serving, scheduled training).
   * @default 'gpu-production'
   */
  readonly productionName?: string;
  /**
   * Priority of production work: above every research pod, far below system-critical pods (2,000,000,000).
   * @default 100000
   */
  readonly productionValue?: number;
  /**
   * Name of the class for research work (experiments, sweeps, spot batch jobs).
   * @default 'gpu-research'
   */
  readonly researchName?: string;
  /**
   * Priority of research work: above pods without a class (0), below production.
   * @default 1000
   */
  readonly researchValue?: number;
  /**
   * Whether research pods may preempt lower-priority pods to get GPUs.
   * @default false - research pods wait in the queue (`preemptionPolicy: Never`) and never evict anyone
   */
  readonly researchPreempts?: boolean;
  /**
   * The platform (cluster) the classes belong to: object names must be unique per cluster.
   * @default - the app's default cluster
   */
  readonly platform?: Platform;
}

/**
 * Two cluster-wide PriorityClasses for GPU work: `gpu-production` (value 100000, preempts lower pods: when GPUs run
 * out, research pods are evicted for it) and `gpu-research` (value 1000, `preemptionPolicy: Never`: queued ahead of
 * unclassed pods but never evicts anyone). Workloads refer to them with `priorityClass: classes.productionClass`;
 * GPU quotas can be scoped to them (`GpuQuota.priorityClasses`). Neither is the global default.
 */
export class GpuPriorityClasses extends Construct {
  /** Name of the production class. */
  public readonly productionName: string;
  /** Name of the research class. */
  public readonly researchName: string;
  /** The production class, for a workload's `priorityClass`. */
  public readonly productionClass: IPriorityClass;
  /** The research class, for a workload's `priorityClass`. */
  public readonly researchClass: IPriorityClass;
  private readonly _production?: k8s.KubePriorityClass;
  private readonly _research?: k8s.KubePriorityClass;
  private readonly _problems: _Problems;

  public constructor(scope: Construct, id: string, props: GpuPriorityClassesProps = {}) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'GpuPriorityClassesProps', props, { allowUnknown: new.target !== GpuPriorityClasses });
    this.productionName = props.productionName ?? 'gpu-production';
    this.researchName = props.researchName ?? 'gpu-research';
    this.productionClass = { priorityClassName: this.productionName };
    this.researchClass = { priorityClassName: this.researchName };
    const prodValue = props.productionValue ?? 100000;
    const researchValue = props.researchValue ?? 1000;
    for (const [prop, name] of [['productionName', this.productionName], ['researchName', this.researchName]] as const) {
      _checkDnsSubdomain(p, prop, name);
      if (name.startsWith('system-')) p.error(prop, name, 'the system- prefix is reserved for Kubernetes\' own classes');
    }
    if (this.productionName === this.researchName) p.error('researchName', this.researchName, 'must differ from productionName');
    _checkInt(p, 'productionValue', props.productionValue, -MAX_USER_PRIORITY, MAX_USER_PRIORITY);
    _checkInt(p, 'researchValue', props.researchValue, -MAX_USER_PRIORITY, MAX_USER_PRIORITY);
    if (p.ok && researchValue >= prodValue) {
      p.error('researchValue', researchValue, `must be below productionValue (${prodValue}), or production work cannot preempt research`);
    }
    p.attach(this);
    if (!p.ok) return;

    const meta = (name: string) => ({ name, namespace: _noNamespace(), labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY } });
    this._production = new k8s.KubePriorityClass(this, 'Production', {
      metadata: meta(this.productionName),
      value: prodValue,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Production GPU work: scheduled first, may preempt research pods.',
    });
    this._research = new k8s.KubePriorityClass(this, 'Research', {
      metadata: meta(this.researchName),
      value: researchValue,
      globalDefault: false,
      preemptionPolicy: props.researchPreempts ? 'PreemptLowerPriority' : 'Never',
      description: props.researchPreempts ? 'Research GPU work: below production, may preempt lower priorities.' : 'Research GPU work: queued below production, never preempts.',
    });
    _Registry.claimAll(this, _clusterOf(props.platform));
  }

  /** The production `scheduling.k8s.io/v1` PriorityClass (escape hatch). */
  public get production(): k8s.KubePriorityClass {
    return _ensure(this, this._production, this._problems);
  }

  /** The research PriorityClass (escape hatch). */
  public get research(): k8s.KubePriorityClass {
    return _ensure(this, this._research, this._problems);
  }
}
