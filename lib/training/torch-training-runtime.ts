import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { _noNamespace } from '../capacity/_cluster-scoped';
import { Conventions } from '../conventions';
import { ClusterAddon } from '../platform/cluster-addon';
import { Platform } from '../platform/platform';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkInt, _checkProps, _ensure, _imageProblem } from '../validation';
import { _requireAddon } from '../workload/addons';
import { _Registry } from '../workload/registry';
import { _ANCESTOR_LABEL, _NODE, _TRAINER_API_VERSION } from './_trainer-api';
import { ITrainingRuntime, TrainingRuntime, TrainingRuntimeKind } from './training-runtime';

/** Props of a {@link TorchTrainingRuntime}. */
export interface TorchTrainingRuntimeProps {
  /** The platform (cluster) the runtime belongs to: object names must be unique per cluster. */
  readonly platform: Platform;
  /**
   * Name of the runtime.
   * @default 'torch-distributed' (the name Kubeflow Trainer's default runtimes use)
   */
  readonly name?: string;
  /**
   * Make it a namespaced `TrainingRuntime` in this namespace (only TrainJobs there may use it).
   * @default - a cluster-scoped `ClusterTrainingRuntime`
   */
  readonly namespace?: string;
  /**
   * Image of the `node` container when a TrainJob names none.
   * @default TrainingRuntime.TORCH_DISTRIBUTED_IMAGE (the upstream runtime's)
   */
  readonly image?: string;
  /**
   * Restarts of the whole group after failures (a preemption, eviction or lost node restarts it without counting).
   * @default 3
   */
  readonly maxRestarts?: number;
}

/**
 * The torch training runtime of Kubeflow Trainer v2 (`ClusterTrainingRuntime`, or a namespaced `TrainingRuntime`),
 * for clusters that lack one: the upstream `torch-distributed` runtime (Trainer v2.3.0,
 * manifests/base/runtimes/torch_distributed.yaml) with the JobSet failure policy of `DdpJobSet`: a disruption
 * (preemption, eviction, a lost node) restarts every node together without counting, any other failure restarts the
 * group up to `maxRestarts` times. The platform's scheduling comes with each TrainJob (its runtime patches).
 */
export class TorchTrainingRuntime extends Construct implements ITrainingRuntime {
  /** Name of the runtime. */
  public readonly runtimeName: string;
  /** Cluster-scoped or namespaced. */
  public readonly runtimeKind: TrainingRuntimeKind;
  /** Namespace of a namespaced runtime. */
  public readonly runtimeNamespace?: string;
  /** Image of the `node` container. */
  public readonly runtimeImage?: string;
  /** The platform (cluster) it belongs to. */
  public readonly platform: Platform;
  private readonly _resource?: ApiObject;
  private readonly _problems = new _Problems();

  public constructor(scope: Construct, id: string, props: TorchTrainingRuntimeProps) {
    super(scope, id);
    const p = this._problems;
    props = _checkProps(p, 'TorchTrainingRuntimeProps', props, { allowUnknown: new.target !== TorchTrainingRuntime });
    this.platform = props.platform;
    if (props.platform instanceof Platform) for (const m of props.platform._optionProblems) p.raw(`platform.${m}`);
    this.runtimeName = props.name ?? 'torch-distributed';
    this.runtimeKind = props.namespace !== undefined ? TrainingRuntimeKind.NAMESPACED : TrainingRuntimeKind.CLUSTER;
    this.runtimeNamespace = props.namespace;
    this.runtimeImage = props.image ?? TrainingRuntime.TORCH_DISTRIBUTED_IMAGE;
    _checkDnsSubdomain(p, 'name', this.runtimeName);
    _checkDnsLabel(p, 'namespace', props.namespace);
    const problem = _imageProblem(this.runtimeImage);
    if (problem) p.error('image', this.runtimeImage, `must be a container image reference, e.g. "${TrainingRuntime.TORCH_DISTRIBUTED_IMAGE}": it ${problem}`);
    _checkInt(p, 'maxRestarts', props.maxRestarts, 0, 100);
    _requireAddon(p, props.platform, ClusterAddon.KUBEFLOW_TRAINER, `a ${this.runtimeKind}`);
    p.attach(this);
    if (!p.ok) return;
    this._resource = new ApiObject(this, 'Resource', {
      apiVersion: _TRAINER_API_VERSION,
      kind: this.runtimeKind,
      metadata: {
        name: this.runtimeName,
        // A namespaced runtime where it was put; a cluster-scoped one has none (not even the chart's).
        namespace: props.namespace ?? (this.runtimeKind === TrainingRuntimeKind.NAMESPACED ? Chart.of(this).namespace : _noNamespace()),
        labels: { 'trainer.kubeflow.org/framework': 'torch', [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY },
      },
      spec: {
        mlPolicy: { numNodes: 1, torch: {} },
        template: {
          spec: {
            // Rule names: JobSet's webhook allows letters, digits, '_', ',' and ':' only.
            failurePolicy: {
              maxRestarts: props.maxRestarts ?? 3,
              rules: [{ name: 'restartOnDisruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] }],
            },
            replicatedJobs: [{
              name: _NODE,
              template: {
                metadata: { labels: { [_ANCESTOR_LABEL]: 'trainer' } },
                spec: {
                  // Any failed pod fails the Job and the JobSet decides; a disruption fails it through the pod failure
                  // policy (reason PodFailurePolicy), which the JobSet restarts without counting.
                  backoffLimit: 0,
                  podFailurePolicy: { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
                  template: {
                    // A pod failure policy needs restartPolicy Never (JobSet's webhook would default OnFailure).
                    spec: { restartPolicy: 'Never', containers: [{ name: _NODE, image: this.runtimeImage }] },
                  },
                },
              },
            }],
          },
        },
      },
    });
    _Registry.claimAll(this, props.platform.cluster);
  }

  /** The ClusterTrainingRuntime or TrainingRuntime (escape hatch). */
  public get apiObject(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }
}
