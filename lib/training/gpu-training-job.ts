import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadKind } from '../platform/platform';
import { GpuWorkloadProps, _GpuPod } from '../pod/gpu-workload';
import { _failFastExitCodes, _podFailurePolicy } from '../pod/job-policy';
import { _Problems, _checkInt, _durationSeconds, _ensure } from '../validation';

/** Props of a {@link GpuTrainingJob}. */
export interface GpuTrainingJobProps extends GpuWorkloadProps {
  /**
   * Retries for failures that are neither fail-fast exit codes nor disruptions (preemption and eviction never count).
   * @default 2
   */
  readonly backoffLimit?: number;
  /**
   * Exit codes that mean a bug, not bad luck: the Job fails at once instead of retrying. `0` is not allowed.
   * @default [1, 2] - a Python exception or a usage error
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
 * policy that ignores preemption and fails fast on bugs.
 */
export class GpuTrainingJob extends Construct {
  /** The platform the job targets. */
  public readonly platform: GpuWorkloadProps['platform'];
  /** Name of the Job. */
  public readonly name: string;
  private readonly _job?: k8s.KubeJob;
  private readonly _serviceAccount?: k8s.KubeServiceAccount;
  private readonly _networkPolicy?: k8s.KubeNetworkPolicy;
  private readonly _problems: _Problems;

  public constructor(scope: Construct, id: string, props: GpuTrainingJobProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    this.platform = props.platform;
    const pod = new _GpuPod(this, props, { kind: WorkloadKind.TRAINING, containerName: 'trainer', restartPolicy: 'Never' }, p);
    this.name = pod.name;
    _checkInt(p, 'backoffLimit', props.backoffLimit, 0, 100);
    const exitCodes = _failFastExitCodes(p, props.failFastExitCodes, [1, 2]);
    const deadline = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
    const ttl = props.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true }) : 86400;
    p.attach(this);
    if (!p.ok) return;

    this._serviceAccount = pod.addServiceAccount(this);
    this._job = new k8s.KubeJob(this, 'Resource', {
      metadata: pod.metadata(),
      spec: {
        backoffLimit: props.backoffLimit ?? 2,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        podFailurePolicy: _podFailurePolicy('trainer', exitCodes),
        template: { metadata: pod.podMetadata(), spec: pod.spec },
      },
    });
    // A single-node run talks to nobody inside the cluster: only its own pods (retries) are admitted.
    this._networkPolicy = pod.addNetworkPolicy(this, [pod.sameRunIngress()]);
    _GpuPod.checkAdmission(this, props.platform, () => this._job!.toJson().spec.template, this._job);
  }

  /** The `batch/v1` Job (escape hatch). */
  public get job(): k8s.KubeJob {
    return _ensure(this, this._job, this._problems);
  }

  /** The NetworkPolicy isolating the job's pods, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  /** The ServiceAccount the job created, if it created one. */
  public get serviceAccount(): k8s.KubeServiceAccount | undefined {
    return this._serviceAccount;
  }
}
