import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../platform/cluster-addon';
import { _requireAddon } from '../workload/addons';
import { DistributedTrainingJob, DistributedTrainingJobProps, _TorchVariant } from './distributed-training-job';

const JOBSET_API_VERSION = 'jobset.x-k8s.io/v1alpha2';
/** Name of the JobSet's one replicated Job (pods are `<name>-node-0-<index>`). */
const REPLICATED_JOB = 'node';

/** Props of a {@link DdpJobSet}. */
export interface DdpJobSetProps extends DistributedTrainingJobProps {}

/**
 * Multi-node PyTorch DDP as a `JobSet` (`jobset.x-k8s.io/v1alpha2`, needs the JobSet controller): all nodes start
 * together and restart together. Any failed pod restarts the whole group (up to `backoffLimit` restarts); a preemption
 * restarts it without counting.
 */
export class DdpJobSet extends DistributedTrainingJob {
  /** @internal */
  public static readonly _propsType: string = 'DdpJobSetProps';

  public constructor(scope: Construct, id: string, props: DdpJobSetProps) {
    super(scope, id, props);
    props = this._checkedProps;
    _requireAddon(this._problems, this.platform, ClusterAddon.JOBSET, 'a JobSet');
    if (!this._ready()) return;
    const jobSpec = this._indexedJobSpec({
      // backoffLimit 0: any failed pod fails the child Job and the JobSet restarts every node together. A
      // preemption fails it through the pod failure policy (reason PodFailurePolicy), a restart not counted below.
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
    }, true);
    // Plain JSON (the JobSet bindings are never loaded at runtime); the strict schema tests guard the shape.
    const jobSet = new ApiObject(this, 'Resource', {
      apiVersion: JOBSET_API_VERSION,
      kind: 'JobSet',
      metadata: this._metadata(),
      spec: {
        network: { enableDNSHostnames: true, publishNotReadyAddresses: true, subdomain: this.name },
        failurePolicy: {
          maxRestarts: props.backoffLimit ?? 3,
          rules: [{ name: 'preemption-is-not-a-failure', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] }],
        },
        ttlSecondsAfterFinished: this._ttlSeconds,
        replicatedJobs: [{ name: REPLICATED_JOB, replicas: 1, template: { metadata: { labels: this._labels }, spec: jobSpec } }],
      },
    });
    this._finish({ resource: jobSet, ingress: [this._sameRunIngress()] });
  }

  /** @internal */
  protected _variant(): _TorchVariant {
    return {
      what: 'DdpJobSet', defaultPort: 29500, containerName: 'pytorch', portName: 'rendezvous', restartPolicy: 'Never', operatorRendezvous: false,
      hostOf: (name, index) => `${name}-${REPLICATED_JOB}-0-${index}`,
    };
  }
}
