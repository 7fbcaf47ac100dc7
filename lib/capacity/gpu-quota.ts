import { Chart, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { Platform } from '../platform/platform';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkInt, _checkLabels, _checkProps, _ensure } from '../validation';
import { IPriorityClass } from '../workload/priority-class';
import { _Registry } from '../workload/registry';
import { _clusterOf } from './_cluster-scoped';

/** Props of a {@link GpuQuota}. */
export interface GpuQuotaProps {
  /** Most GPUs the namespace's pods may request at once (`requests.nvidia.com/gpu`); 0 forbids GPU pods. */
  readonly gpus: number;
  /**
   * Count only pods of these PriorityClasses (a `PriorityClass` scope selector), e.g. a research budget that
   * production work does not use up.
   * @default - every pod of the namespace
   */
  readonly priorityClasses?: IPriorityClass[];
  /**
   * The platform (cluster) the quota belongs to: object names must be unique per cluster.
   * @default - the app's default cluster
   */
  readonly platform?: Platform;
  /**
   * Namespace the quota applies to.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Name of the ResourceQuota.
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * Extra labels on the ResourceQuota.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A namespace GPU budget: a `ResourceQuota` on `requests.nvidia.com/gpu`. Pods beyond it are refused at creation
 * (a Job's controller keeps retrying, so shards wait instead of failing). Kubernetes counts extended resources such
 * as GPUs only under `requests.` (they cannot be overcommitted, so requests equal limits): a `limits.nvidia.com/gpu`
 * quota would never be charged, and this construct does not offer one.
 *
 * A hard ceiling that needs nothing installed. When teams share GPUs, `GpuFleet` (Kueue) queues a workload until all of
 * it fits, lends idle quota between teams and orders by priority; the two combine (docs/fleet.md).
 */
export class GpuQuota extends Construct {
  /** Name of the ResourceQuota. */
  public readonly name: string;
  /** GPUs the namespace may request. */
  public readonly gpus: number;
  private readonly _quota?: k8s.KubeResourceQuota;
  private readonly _problems: _Problems;

  public constructor(scope: Construct, id: string, props: GpuQuotaProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    props = _checkProps(p, 'GpuQuotaProps', props, { allowUnknown: new.target !== GpuQuota });
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    this.gpus = props.gpus;
    _checkDnsSubdomain(p, 'name', this.name);
    _checkDnsLabel(p, 'namespace', props.namespace);
    _checkLabels(p, 'labels', props.labels);
    _checkInt(p, 'gpus', props.gpus, 0);
    const given = props.priorityClasses;
    let classes: string[] | undefined;
    if (given !== undefined) {
      if (given.length === 0) {
        p.error('priorityClasses', given, 'must be a non-empty list of priority classes, e.g. [classes.researchClass]');
      } else {
        classes = given.map(c => c.priorityClassName);
        classes.forEach((c, i) => _checkDnsSubdomain(p, `priorityClasses[${i}]`, c));
      }
    }
    p.attach(this);
    if (!p.ok) return;

    this._quota = new k8s.KubeResourceQuota(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: props.namespace ?? Chart.of(this).namespace,
        labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(props.labels ?? {}) },
      },
      spec: {
        hard: { 'requests.nvidia.com/gpu': k8s.Quantity.fromNumber(props.gpus) },
        scopeSelector: classes ? { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [...classes] }] } : undefined,
      },
    });
    _Registry.claimAll(this, _clusterOf(props.platform));
  }

  /** The `v1` ResourceQuota (escape hatch). */
  public get resourceQuota(): k8s.KubeResourceQuota {
    return _ensure(this, this._quota, this._problems);
  }
}
