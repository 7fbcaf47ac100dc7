import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { _Problems, _checkInt, _durationSeconds } from '../validation';
import { _KUBEFLOW_CONTAINER } from './_kubeflow-operator';
import { _PodTemplate } from './pod-template';

/** What the Kubeflow training operator deletes when a job finishes (`runPolicy.cleanPodPolicy`). */
export enum CleanPodPolicy {
  /** Delete every pod of the job, finished ones included (their logs go with them). */
  ALL = 'All',
  /**
   * Delete only pods still running when the job ends (e.g. TensorFlow parameter servers, which never exit, or workers
   * left over after another one failed); finished pods and their logs stay until the job is deleted.
   */
  RUNNING = 'Running',
  /**
   * Delete nothing. Note: the operator still deletes every pod when `backoffLimit` is exceeded (kubeflow/trainer#3419),
   * and pods that never exit keep holding their GPUs.
   */
  NONE = 'None',
}

/** How the operator restarts a replica's pods (`replicaSpecs.<type>.restartPolicy`). */
export enum ReplicaRestartPolicy {
  /**
   * The operator recreates a pod whose main container exited with a retryable code (128-255: SIGKILL from
   * preemption or OOM, SIGTERM) and fails the job on a permanent one (1-127: a Python exception, a usage error).
   */
  EXIT_CODE = 'ExitCode',
  /** The kubelet restarts the container in place on any failure (counted against `backoffLimit`). */
  ON_FAILURE = 'OnFailure',
  /** A failed pod fails the job at once. */
  NEVER = 'Never',
}

/**
 * `runPolicy` props shared by the Kubeflow training-operator constructs (TfJob, and DdpJob's PyTorchJob backend).
 * Every pod the operator starts is subject to it.
 */
export interface KubeflowRunPolicyProps {
  /**
   * Which pods the operator deletes when the job finishes. Logs of deleted pods are gone, and the operator deletes
   * every pod when `backoffLimit` is exceeded whatever this says (kubeflow/trainer#3419): ship logs to an external
   * log store (Cloud Logging, CloudWatch, Loki) rather than relying on `kubectl logs`.
   * @default CleanPodPolicy.RUNNING - pods still running (parameter servers, stragglers) release their GPUs; finished pods stay for `kubectl logs`
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * How long a finished job (and its pods) is kept before the operator deletes it.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Pod restarts / recreations (all replicas together) before the job is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Longest the job may run, retries included; the operator then stops every pod.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
}

/** Defaults a construct may choose for its run policy. @internal */
export interface _RunPolicyDefaults {
  readonly cleanPodPolicy?: CleanPodPolicy;
  readonly backoffLimit?: number;
  readonly ttlSeconds?: number;
}

/**
 * Validates the run-policy props (messages name the props) and renders `spec.runPolicy` as the
 * kubeflow.org/v1 CRDs want it. Returns undefined when a prop is invalid.
 * @internal
 */
export function _runPolicy(p: _Problems, props: KubeflowRunPolicyProps, defaults: _RunPolicyDefaults = {}): {
  cleanPodPolicy: string; backoffLimit: number; ttlSecondsAfterFinished: number; activeDeadlineSeconds?: number;
} | undefined {
  const before = p.messages.length;
  const clean = props.cleanPodPolicy ?? defaults.cleanPodPolicy ?? CleanPodPolicy.RUNNING;
  _checkInt(p, 'backoffLimit', props.backoffLimit, 0, 100);
  const ttl = props.ttlAfterFinished !== undefined
    ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true, max: 2147483647 })
    : defaults.ttlSeconds ?? 86400;
  const deadline = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
  if (p.messages.length !== before) return undefined;
  return {
    cleanPodPolicy: clean,
    backoffLimit: props.backoffLimit ?? defaults.backoffLimit ?? 3,
    ttlSecondsAfterFinished: ttl!,
    activeDeadlineSeconds: deadline,
  };
}

/** Validates a replica restart policy. @internal */
export function _replicaRestartPolicy(value: ReplicaRestartPolicy | undefined, fallback: ReplicaRestartPolicy): ReplicaRestartPolicy {
  return value ?? fallback;
}

/**
 * The pod-level restartPolicy matching a replica restart policy (the operator sets it the same way: ExitCode pods
 * are `Never`, it recreates them itself).
 * @internal
 */
export function _podRestartPolicy(policy: ReplicaRestartPolicy): string {
  return policy === ReplicaRestartPolicy.EXIT_CODE ? 'Never' : policy;
}

/**
 * A container port declaration for the operator's replica port (the operator defaults it too, but declaring it keeps
 * the manifest self-explaining and independent of the defaulting webhook).
 * @internal
 */
export function _kubeflowPort(kind: keyof typeof _KUBEFLOW_CONTAINER): k8s.ContainerPort {
  const c = _KUBEFLOW_CONTAINER[kind];
  return { name: c.portName, containerPort: c.port, protocol: 'TCP' };
}

/**
 * Renders one replica spec `{ replicas, restartPolicy, template }` from a built pod and its template metadata, as plain
 * JSON (the Kubeflow bindings are never loaded at runtime).
 * @internal
 */
export function _replicaSpec(pod: _PodTemplate, metadata: k8s.ObjectMeta, replicas: number,
  restartPolicy: ReplicaRestartPolicy): { replicas: number; restartPolicy: string; template: { metadata: any; spec: any } } {
  return {
    replicas,
    restartPolicy,
    template: { metadata: k8s.toJson_ObjectMeta(metadata), spec: k8s.toJson_PodSpec(pod.spec) },
  };
}
