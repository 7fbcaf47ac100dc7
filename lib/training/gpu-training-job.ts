import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadKind } from '../platform/platform';
import { _failFastExitCodes, _podFailurePolicy } from '../pod/job-policy';
import { _checkInt, _durationSeconds, _ensure } from '../validation';
import { GpuWorkloadProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';

/** Props of a {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends GpuWorkloadProps {
  /**
   * Retries of a failed pod, whatever its exit code, unless the code is one of `failFastExitCodes` (preemption and
   * eviction never count).
   * @default 2
   */
  readonly backoffLimit?: number;
  /**
   * Exit codes that mean a bug, not bad luck: the Job fails at once instead of retrying, e.g. `[2]` for a usage error.
   * `0` is not allowed. A Python exception and most transient failures (an NCCL timeout, a CUDA error, a lost
   * connection) all exit with 1, so 1 is only fatal if your program says so.
   * @default [] - every failure is retried up to `backoffLimit`
   */
  readonly failFastExitCodes?: number[];
  /**
   * Longest the Job may run, retries included.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished Job (and its pods' logs) is kept.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
}

/**
 * A single-node GPU training run: a `batch/v1` Job whose pod requests `gpus` GPUs of one accelerator, scheduled the
 * way its platform wants, with `/dev/shm`, data and checkpoint volumes, its own ServiceAccount and a pod failure
 * policy that ignores preemption, retries every other failure up to `backoffLimit`, and fails fast on the exit codes
 * you name.
 */
export class GpuTrainingJob extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'GpuTrainingJobProps';

  private readonly _job?: k8s.KubeJob;

  public constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id, props, WorkloadKind.TRAINING);
    props = this._checkedProps;
    const p = this._problems;
    const pod = this._pod(props, { kind: WorkloadKind.TRAINING, containerName: 'trainer', restartPolicy: 'Never' });
    _checkInt(p, 'backoffLimit', props.backoffLimit, 0, 100);
    const exitCodes = _failFastExitCodes(p, props.failFastExitCodes, []);
    const deadline = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
    const ttl = props.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true }) : 86400;
    if (!this._ready()) return;

    this._job = new k8s.KubeJob(this, 'Resource', {
      metadata: this._metadata(),
      spec: {
        backoffLimit: props.backoffLimit ?? 2,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        podFailurePolicy: _podFailurePolicy('trainer', exitCodes),
        template: { metadata: this._podMetadata(pod), spec: pod.spec },
      },
    });
    // A single-node run talks to nobody inside the cluster: only its own pods (retries) are admitted.
    this._finish({ resource: this._job, ingress: [this._sameRunIngress()] });
  }

  /** The `batch/v1` Job (escape hatch). */
  public get job(): k8s.KubeJob {
    return _ensure(this, this._job, this._problems);
  }
}
