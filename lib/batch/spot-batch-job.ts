import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CapacityType, WorkloadKind } from '../platform/platform';
import { _checkCommandLine } from '../pod/env';
import { _COMPLETION_INDEX_ANNOTATION, _failFastExitCodes, _podFailurePolicy } from '../pod/job-policy';
import { _checkInt, _durationSeconds, _ensure } from '../validation';
import { GpuWorkloadProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';

/**
 * Props of a {@link SpotBatchJob}. Unlike the other GPU workloads, `capacityType` defaults to
 * `CapacityType.SPOT` here: batch shards are the work that tolerates preemption best.
 */
export interface SpotBatchJobProps extends GpuWorkloadProps {
  /**
   * Number of shards. Each pod gets its shard in `$SHARD_INDEX` (0 .. completions-1) and the count in `$SHARD_COUNT`.
   * @default 1
   */
  readonly completions?: number;
  /**
   * Shards that run at the same time.
   * @default - all of them (`completions`)
   */
  readonly parallelism?: number;
  /**
   * Retries per shard for failures that are neither fail-fast exit codes nor disruptions (preemption, eviction and
   * node drain never count). A shard that uses them up fails alone; the others go on.
   * @default 2
   */
  readonly backoffLimitPerIndex?: number;
  /**
   * Failed shards after which the whole Job stops.
   * @default - none: every shard runs; the Job ends Failed if any shard failed
   */
  readonly maxFailedIndexes?: number;
  /**
   * Exit codes that mean a bug, not bad luck: the shard fails at once (`FailIndex`) without retries, e.g. `[2]` for a
   * usage error. `0` is not allowed. A Python exception and most transient failures exit with 1.
   * @default [] - every failure is retried up to `backoffLimitPerIndex`
   */
  readonly failFastExitCodes?: number[];
  /**
   * Command run in the container before it gets SIGTERM on preemption or eviction (`preStop` hook), e.g. to flush a
   * checkpoint to `$CHECKPOINT_DIR`. It shares `terminationGracePeriod` with the program's own SIGTERM handling.
   * @default - no hook: the program handles SIGTERM itself
   */
  readonly checkpointCommand?: string[];
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
 * Preemptible GPU batch work (batch inference, preprocessing, sweeps): an Indexed `batch/v1` Job of `completions`
 * shards run `parallelism` at a time on spot capacity. Preemption and eviction never use up retries, real failures
 * are retried per shard (`backoffLimitPerIndex`), and the fail-fast exit codes you name fail only their own shard (`FailIndex`).
 * The termination grace fits the platform's spot notice, an optional `preStop` hook writes a checkpoint, and on
 * Karpenter the pods carry `karpenter.sh/do-not-disrupt`.
 *
 * Per-shard retries need Kubernetes 1.29 or later (beta, on by default; GA in 1.33): on 1.28 the API server drops
 * `backoffLimitPerIndex` unless the `JobBackoffLimitPerIndex` feature gate is on.
 */
export class SpotBatchJob extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'SpotBatchJobProps';

  /** Number of shards. */
  public readonly completions: number;
  /** Longest the Job may run, in seconds (undefined: no deadline). */
  public readonly activeDeadlineSeconds?: number;
  private readonly _job?: k8s.KubeJob;

  public constructor(scope: Construct, id: string, props: SpotBatchJobProps) {
    super(scope, id, props, WorkloadKind.BATCH);
    props = this._checkedProps;
    const p = this._problems;
    _checkInt(p, 'completions', props.completions, 1, 100000);
    const completions = this.completions = _intOr(props.completions, 1);
    if (props.parallelism !== undefined) {
      if (Number.isInteger(props.parallelism) && props.parallelism > completions && completions >= 1) {
        p.error('parallelism', props.parallelism, `must be at most completions (${completions}): more pods than shards would only sit idle`);
      } else {
        _checkInt(p, 'parallelism', props.parallelism, 1);
      }
    }
    _checkInt(p, 'backoffLimitPerIndex', props.backoffLimitPerIndex, 0, 100);
    _checkInt(p, 'maxFailedIndexes', props.maxFailedIndexes, 0, completions);
    const exitCodes = _failFastExitCodes(p, props.failFastExitCodes, []);
    if (props.checkpointCommand !== undefined && (props.checkpointCommand.length === 0 || props.checkpointCommand.some(a => a.length === 0))) {
      p.error('checkpointCommand', props.checkpointCommand, 'must be a non-empty list of non-empty strings, e.g. ["python", "-m", "ckpt", "--flush"]');
    }
    _checkCommandLine(p, 'checkpointCommand', props.checkpointCommand);
    const deadline = this.activeDeadlineSeconds = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
    const ttl = props.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true }) : 86400;

    // Pods of an Indexed Job get the hostname `<job>-<index>`, which must stay a DNS label.
    this._limitName(63 - 1 - String(Math.max(0, completions - 1)).length);
    const pod = this._pod({ ...props, capacityType: props.capacityType ?? CapacityType.SPOT }, {
      kind: WorkloadKind.BATCH,
      containerName: 'worker',
      restartPolicy: 'Never',
      extraEnv: [
        { name: 'SHARD_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${_COMPLETION_INDEX_ANNOTATION}']` } } },
        { name: 'SHARD_COUNT', value: String(completions) },
      ],
      lifecycle: props.checkpointCommand?.length
        ? { preStop: { exec: { command: [...props.checkpointCommand] } } }
        : undefined,
    });
    if (!this._ready()) return;

    this._job = new k8s.KubeJob(this, 'Resource', {
      metadata: this._metadata(),
      spec: {
        completionMode: 'Indexed',
        completions,
        parallelism: props.parallelism ?? completions,
        backoffLimitPerIndex: props.backoffLimitPerIndex ?? 2,
        maxFailedIndexes: props.maxFailedIndexes,
        // The only value allowed next to a pod failure policy: a replacement starts once the old pod is gone, so a
        // preempted shard never runs twice at once (which would double-write its output and checkpoints).
        podReplacementPolicy: 'Failed',
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        podFailurePolicy: _podFailurePolicy('worker', exitCodes, 'FailIndex'),
        template: { metadata: this._podMetadata(pod), spec: pod.spec },
      },
    });
    // Shards talk to nobody inside the cluster: no ingress at all.
    this._finish({ resource: this._job, ingress: [] });
  }

  /** The `batch/v1` Job (escape hatch). */
  public get job(): k8s.KubeJob {
    return _ensure(this, this._job, this._problems);
  }
}

function _intOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : fallback;
}
