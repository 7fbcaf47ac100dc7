import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../platform/cluster-addon';
import { _KUBEFLOW_API_VERSION, _KUBEFLOW_CONTAINER } from '../pod/_kubeflow-operator';
import { CleanPodPolicy, ReplicaRestartPolicy, _replicaSpec, _runPolicy } from '../pod/kubeflow';
import { _requireAddon } from '../workload/addons';
import { DdpElasticPolicy, DistributedTrainingJob, DistributedTrainingJobProps, _TorchVariant } from './distributed-training-job';

/** Props of a {@link PyTorchJob}. */
export interface PyTorchJobProps extends DistributedTrainingJobProps {
  /**
   * Elastic mode (`elasticPolicy` with c10d rendezvous; Worker replicas only).
   * @default - fixed size: one Master and `nodes - 1` Workers
   */
  readonly elastic?: DdpElasticPolicy;
  /**
   * Which pods the operator deletes when the run ends. The operator deletes every pod when `backoffLimit` is exceeded
   * whatever this says (kubeflow/trainer#3419): ship logs to an external store.
   * @default CleanPodPolicy.RUNNING
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
}

/**
 * Multi-node PyTorch DDP as a Kubeflow training-operator v1 `PyTorchJob` (`kubeflow.org/v1`, needs the operator):
 * a Master and Workers (or elastic Workers), container `pytorch`; the operator tells torchrun the rendezvous
 * (`PET_*` env) and waits for the master. For new clusters prefer Kubeflow Trainer v2 (`TrainJob`) or `DdpJobSet`.
 */
export class PyTorchJob extends DistributedTrainingJob {
  /** @internal */
  public static readonly _propsType: string = 'PyTorchJobProps';

  public constructor(scope: Construct, id: string, props: PyTorchJobProps) {
    super(scope, id, props, props?.elastic);
    props = this._checkedProps;
    const p = this._problems;
    _requireAddon(p, this.platform, ClusterAddon.KUBEFLOW_TRAINING_OPERATOR, 'a PyTorchJob');
    const runPolicy = _runPolicy(p, props);
    if (!this._ready() || !runPolicy) return;

    const pod = this._torchPod;
    const meta = this._podMetadata(pod);
    const restart = ReplicaRestartPolicy.ON_FAILURE;
    const replicaSpecs: { [type: string]: any } = {};
    const elastic = this._minNodes !== undefined;
    if (elastic) {
      replicaSpecs.Worker = _replicaSpec(pod, meta, this.nodes, restart);
    } else {
      replicaSpecs.Master = _replicaSpec(pod, meta, 1, restart);
      if (this.nodes > 1) replicaSpecs.Worker = _replicaSpec(pod, meta, this.nodes - 1, restart);
    }
    const gpusPerNode = pod.gpus > 0 ? pod.gpus : 1;
    // Plain JSON (the Kubeflow bindings are never loaded at runtime); the strict schema tests guard the shape.
    const pytorchJob = new ApiObject(this, 'Resource', {
      apiVersion: _KUBEFLOW_API_VERSION,
      kind: 'PyTorchJob',
      metadata: this._metadata(),
      spec: {
        nprocPerNode: String(gpusPerNode),
        runPolicy,
        elasticPolicy: elastic ? { rdzvBackend: 'c10d', minReplicas: this._minNodes, maxReplicas: this.nodes, maxRestarts: this._maxRestarts } : undefined,
        pytorchReplicaSpecs: replicaSpecs,
      },
    });
    this._finish({ resource: pytorchJob, ingress: [this._sameRunIngress()] });
  }

  /** @internal */
  protected _variant(): _TorchVariant {
    const c = _KUBEFLOW_CONTAINER.pytorch;
    return {
      what: 'PyTorchJob', defaultPort: c.port, containerName: c.containerName, portName: c.portName,
      restartPolicy: ReplicaRestartPolicy.ON_FAILURE, operatorRendezvous: true,
      hostOf: (name, index, _nodes, elastic) => (elastic ? `${name}-worker-${index}` : (index === 0 ? `${name}-master-0` : `${name}-worker-${index - 1}`)),
    };
  }
}
