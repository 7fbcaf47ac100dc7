import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../platform/cluster-addon';
import { _failFastExitCodes } from '../pod/job-policy';
import { _isLabelKey } from '../validation';
import { _requireAddon } from '../workload/addons';
import { DistributedTrainingJob, DistributedTrainingJobProps, _TorchVariant } from './distributed-training-job';

const JOBSET_API_VERSION = 'jobset.x-k8s.io/v1alpha2';
/** Name of the JobSet's one replicated Job (pods are `<name>-node-0-<index>`). */
const REPLICATED_JOB = 'node';
/** JobSet annotation: one child Job per domain of a node label, and no other JobSet's Jobs in it. */
const EXCLUSIVE_TOPOLOGY_ANNOTATION = 'alpha.jobset.sigs.k8s.io/exclusive-topology';
/** The main container of every node (the pod failure policy names it). */
const CONTAINER = 'pytorch';

/** Props of a {@link DdpJobSet}. */
export interface DdpJobSetProps extends DistributedTrainingJobProps {
  /**
   * Exit codes of a training process that fail the whole run at once, without restarting the group (e.g. a bad
   * config or a dataset error your script exits with). The first failed worker's exit code becomes the pod's (torchrun
   * alone exits 1 for any failure).
   * @default - none: every failure restarts the group, up to `backoffLimit` times
   */
  readonly failFastExitCodes?: number[];
  /**
   * A node label whose domains the run takes exclusively (JobSet's exclusive placement): all nodes of the run land in
   * one domain, and no other JobSet's pods share it, e.g. `GkePlatform.TOPOLOGY_BLOCK_LABEL` or
   * `'kubernetes.io/hostname'`. Exclusivity holds within a priority level.
   * @default - no exclusive placement
   */
  readonly exclusiveTopology?: string;
}

/**
 * Multi-node PyTorch DDP as a `JobSet` (`jobset.x-k8s.io/v1alpha2`, needs the JobSet controller): all nodes start
 * together and restart together. A preemption, eviction or lost node restarts the whole group without counting; any
 * other failure restarts it up to `backoffLimit` times; a fail-fast exit code fails the run at once.
 */
export class DdpJobSet extends DistributedTrainingJob {
  /** @internal */
  public static readonly _propsType: string = 'DdpJobSetProps';

  public constructor(scope: Construct, id: string, props: DdpJobSetProps) {
    super(scope, id, props);
    props = this._checkedProps;
    const p = this._problems;
    _requireAddon(p, this.platform, ClusterAddon.JOBSET, 'a JobSet');
    const failFast = _failFastExitCodes(p, props.failFastExitCodes, []);
    if (props.exclusiveTopology !== undefined && !_isLabelKey(props.exclusiveTopology)) {
      p.error('exclusiveTopology', props.exclusiveTopology, 'must be a node label key, e.g. "kubernetes.io/hostname"');
    }
    if (!this._ready()) return;
    // backoffLimit 0: any failed pod fails the child Job, and the JobSet's failure policy decides. Rule 0: a
    // disruption (preemption, eviction, a lost node: the DisruptionTarget condition) fails the Job; rule 1: a
    // fail-fast exit code of the main container fails it too. The Job's failure message names the rule's index.
    const podFailurePolicy = {
      rules: [
        { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        // onPodConditions: [] because the 1.28 API marks it required; an empty list is allowed next to onExitCodes.
        ...(failFast.length ? [{ action: 'FailJob', onExitCodes: { containerName: CONTAINER, operator: 'In', values: failFast }, onPodConditions: [] }] : []),
      ],
    };
    const jobSpec = this._indexedJobSpec({ backoffLimit: 0, podFailurePolicy }, true);
    // Rules in order, the first match wins; a failure no rule matches restarts the group and counts (maxRestarts).
    // Rule names: JobSet's webhook allows letters, digits, '_', ',' and ':' only.
    const rules: any[] = [];
    if (failFast.length) {
      rules.push({
        name: 'failFastExitCode', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'],
        // The Job controller's message: "Container pytorch for pod <ns>/<pod> failed with exit code <n> matching
        // FailJob rule at index 1".
        onJobFailureMessagePatterns: [`^Container ${CONTAINER} for pod \\S+ failed with exit code [0-9]+ matching FailJob rule at index 1$`],
      });
    }
    rules.push({ name: 'restartOnDisruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] });
    const jobMetadata = {
      labels: this._labels,
      annotations: props.exclusiveTopology !== undefined ? { [EXCLUSIVE_TOPOLOGY_ANNOTATION]: props.exclusiveTopology } : undefined,
    };
    // Plain JSON (the JobSet bindings are never loaded at runtime); the strict schema tests guard the shape.
    const jobSet = new ApiObject(this, 'Resource', {
      apiVersion: JOBSET_API_VERSION,
      kind: 'JobSet',
      metadata: this._metadata(),
      spec: {
        network: { enableDNSHostnames: true, publishNotReadyAddresses: true, subdomain: this.name },
        failurePolicy: { maxRestarts: props.backoffLimit ?? 3, rules },
        successPolicy: { operator: 'All', targetReplicatedJobs: [REPLICATED_JOB] },
        ttlSecondsAfterFinished: this._ttlSeconds,
        replicatedJobs: [{ name: REPLICATED_JOB, replicas: 1, template: { metadata: jobMetadata, spec: jobSpec } }],
      },
    });
    this._finish({ resource: jobSet, ingress: [this._sameRunIngress()] });
  }

  /** @internal */
  protected _variant(): _TorchVariant {
    return {
      what: 'DdpJobSet', defaultPort: 29500, containerName: CONTAINER, portName: 'rendezvous', restartPolicy: 'Never', operatorRendezvous: false,
      hostOf: (name, index) => `${name}-${REPLICATED_JOB}-0-${index}`,
    };
  }
}
