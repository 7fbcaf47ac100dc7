import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { _podFailurePolicy } from '../pod/job-policy';
import { _ensure } from '../validation';
import { DdpElasticPolicy, DistributedTrainingJob, DistributedTrainingJobProps, _TorchVariant } from './distributed-training-job';

/** Props of a {@link DdpJob}. */
export interface DdpJobProps extends DistributedTrainingJobProps {
  /**
   * Elastic mode (c10d rendezvous, `--nnodes=MIN:MAX`).
   * @default - fixed size: exactly `nodes` nodes, static rendezvous on node 0
   */
  readonly elastic?: DdpElasticPolicy;
}

/**
 * Multi-node PyTorch DistributedDataParallel training without an operator: a `batch/v1` Indexed Job of `nodes` pods
 * and a headless Service that gives each its DNS name, so it runs anywhere, GKE Autopilot included. Every pod runs
 * torchrun with `gpus` processes; ranks wait for node 0 before they start. Preemption and eviction are ignored (the
 * pod is replaced); any other pod failure counts against `backoffLimit` (default 2 x nodes, since a lost rank makes
 * the others fail too).
 */
export class DdpJob extends DistributedTrainingJob {
  /** @internal */
  public static readonly _propsType: string = 'DdpJobProps';

  private readonly _job?: k8s.KubeJob;
  private readonly _service?: k8s.KubeService;

  public constructor(scope: Construct, id: string, props: DdpJobProps) {
    super(scope, id, props, props?.elastic);
    props = this._checkedProps;
    if (!this._ready()) return;
    const multi = this.nodes > 1;
    this._job = new k8s.KubeJob(this, 'Resource', {
      metadata: this._metadata(),
      spec: this._indexedJobSpec({
        backoffLimit: props.backoffLimit ?? 2 * this.nodes,
        ttlSecondsAfterFinished: this._ttlSeconds,
        // Preemption and eviction are ignored (the pod is replaced, nothing counts). No fail-fast exit codes:
        // torchrun exits 1 for any worker failure, a lost peer included, so a bug cannot be told from bad luck.
        podFailurePolicy: _podFailurePolicy('pytorch', []),
      }, false) as k8s.JobSpec,
    });
    if (multi) {
      this._service = new k8s.KubeService(this, 'Service', {
        metadata: this._metadata(),
        spec: {
          clusterIp: 'None',
          // Ranks must resolve each other before they are Ready (they never are: no readiness probe).
          publishNotReadyAddresses: true,
          selector: this._selector,
          ports: [{ name: 'rendezvous', port: this._port, targetPort: k8s.IntOrString.fromNumber(this._port), protocol: 'TCP' }],
        },
      });
    }
    // Ranks talk to each other on the rendezvous port and on NCCL/gloo's ephemeral ports: admit the run's own pods.
    this._finish({ resource: this._job, ingress: [this._sameRunIngress()] });
  }

  /** The `batch/v1` Indexed Job (escape hatch). */
  public get job(): k8s.KubeJob {
    return _ensure(this, this._job, this._problems);
  }

  /** The headless Service of a multi-node run (undefined for one node). */
  public get service(): k8s.KubeService | undefined {
    return this._service;
  }

  /** @internal */
  protected _variant(): _TorchVariant {
    return {
      what: 'DdpJob', defaultPort: 29500, containerName: 'pytorch', portName: 'rendezvous', restartPolicy: 'Never', operatorRendezvous: false,
      hostOf: (name, index, nodes) => (nodes > 1 ? `${name}-${index}` : name),
    };
  }
}
