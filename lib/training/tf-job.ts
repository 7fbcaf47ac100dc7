import { ApiObject, Size } from 'cdk8s';
import { Construct } from 'constructs';
// Types only: the 1.6 MB Kubeflow bindings are never loaded at runtime (synth speed).
import type { TfJobSpec } from '../../imports/kubeflow-kubeflow.org';
import { ClusterAddon } from '../platform/cluster-addon';
import { WorkloadKind } from '../platform/platform';
import {
  KubeflowRunPolicyProps, ReplicaRestartPolicy, _kubeflowPort,
  _podRestartPolicy, _replicaRestartPolicy, _replicaSpec, _runPolicy,
} from '../pod/kubeflow';
import { _KUBEFLOW_API_VERSION, _KUBEFLOW_CONTAINER } from '../pod/_kubeflow-operator';
import { _PodOptions, _PodTemplate } from '../pod/pod-template';
import { StorageVolume, VolumeMount } from '../pod/storage-volume';
import { _Problems, _checkDnsSubdomain, _checkInt, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { GpuWorkloadProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';

/** Resources and size of one TFJob replica type (Chief, Worker, PS or Evaluator). */
export interface TfReplicaOptions {
  /**
   * Pods of this replica type (Chief and Evaluator: exactly 1).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * GPUs per pod of this replica type; 0 is allowed for Chief, PS and Evaluator (the pod then carries no GPU
   * selector or toleration).
   * @default - the job's `gpus` (parameter servers: 0)
   */
  readonly gpus?: number;
  /**
   * vCPUs per pod of this replica type.
   * @default - the job's `cpu` (parameter servers: 2)
   */
  readonly cpu?: number;
  /**
   * Memory per pod of this replica type.
   * @default - the job's `memory` (parameter servers: 4 GiB)
   */
  readonly memory?: Size;
}

/** A training script kept in a ConfigMap, mounted read-only and run as the main command. */
export interface ConfigMapScript {
  /** Name of the ConfigMap (in the job's namespace). */
  readonly configMapName: string;
  /** Key of the script in the ConfigMap, e.g. `train.py`. */
  readonly fileName: string;
  /**
   * Directory the ConfigMap is mounted at.
   * @default '/opt/training'
   */
  readonly mountPath?: string;
  /**
   * Interpreter that runs the script.
   * @default ['python3']
   */
  readonly interpreter?: string[];
}

/** When the operator marks a TFJob as succeeded (`spec.successPolicy`). */
export enum TfSuccessPolicy {
  /** When the Chief succeeds, or worker 0 when there is no Chief. */
  CHIEF_OR_FIRST_WORKER = 'Default',
  /** When every worker has succeeded. */
  ALL_WORKERS = 'AllWorkers',
}

/** Props of a {@link TfJob}. `gpus`, `cpu` and `memory` are the defaults of the Chief, Worker and Evaluator pods. */
export interface TfJobProps extends GpuWorkloadProps, KubeflowRunPolicyProps {
  /**
   * The Worker replicas.
   * @default - one worker with the job's `gpus`, `cpu` and `memory`
   */
  readonly workers?: TfReplicaOptions;
  /**
   * A Chief replica (exactly one pod) that coordinates the run and writes checkpoints.
   * @default - no Chief: worker 0 coordinates (MultiWorkerMirroredStrategy)
   */
  readonly chief?: TfReplicaOptions;
  /**
   * Parameter-server replicas (ParameterServerStrategy); they never exit, so the job's cleanPodPolicy should stay
   * RUNNING or ALL to free them when the job ends.
   * @default - no parameter servers
   */
  readonly parameterServers?: TfReplicaOptions;
  /**
   * An Evaluator replica (exactly one pod) that evaluates checkpoints beside the training.
   * @default - no evaluator
   */
  readonly evaluator?: TfReplicaOptions;
  /**
   * How the operator restarts failed pods, for every replica type.
   * @default ReplicaRestartPolicy.ON_FAILURE - every failure is retried (in place) up to `backoffLimit`, as the other
   * training constructs do; a preempted pod is recreated without counting. `ReplicaRestartPolicy.EXIT_CODE` fails the
   * job at once on exit codes 1-127 (a bug) and retries only 128-255 (SIGKILL, SIGTERM).
   */
  readonly restartPolicy?: ReplicaRestartPolicy;
  /**
   * When the job counts as succeeded.
   * @default TfSuccessPolicy.CHIEF_OR_FIRST_WORKER
   */
  readonly successPolicy?: TfSuccessPolicy;
  /**
   * Run a training script from a ConfigMap instead of the image's entrypoint (`command` must then be unset; `args`
   * are passed to the script).
   * @default - the image's entrypoint, or `command`
   */
  readonly script?: ConfigMapScript;
}

/** The TFJob replica types this construct emits, in manifest order. */
const REPLICA_TYPES = [
  { key: 'Chief', prop: 'chief', single: true, minGpus: 0, inherits: true },
  { key: 'PS', prop: 'parameterServers', single: false, minGpus: 0, inherits: false },
  { key: 'Worker', prop: 'workers', single: false, minGpus: 1, inherits: true },
  { key: 'Evaluator', prop: 'evaluator', single: true, minGpus: 0, inherits: true },
] as const;

const MAX_REPLICAS = 1000;
const TF = _KUBEFLOW_CONTAINER.tensorflow;

/**
 * Distributed TensorFlow training as a Kubeflow training-operator `TFJob` (`kubeflow.org/v1`): optional Chief,
 * Workers, optional parameter servers and Evaluator, each with its own GPUs and resources, scheduled the way the
 * platform wants. The operator injects `TF_CONFIG` into the container named `tensorflow` and creates one Service per
 * pod; a NetworkPolicy admits only the run's own pods on the gRPC port 2222. Needs the training operator v1 (Kubeflow
 * Trainer v2 ships no TensorFlow runtime, so TFJob stays on the v1 operator, which lives on only as the legacy
 * release-1.9 line: see the deprecation note in docs/training.md).
 */
export class TfJob extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'TfJobProps';

  public constructor(scope: Construct, id: string, props: TfJobProps) {
    super(scope, id, props, WorkloadKind.TRAINING);
    props = this._checkedProps;
    const p = this._problems;
    _requireAddon(p, this.platform, ClusterAddon.KUBEFLOW_TRAINING_OPERATOR, 'a TFJob');
    const runPolicy = _runPolicy(p, props);
    const restartPolicy = _replicaRestartPolicy(props.restartPolicy, ReplicaRestartPolicy.ON_FAILURE);
    const successPolicy = props.successPolicy ?? TfSuccessPolicy.CHIEF_OR_FIRST_WORKER;
    const script = this.scriptCommand(p, props);
    // The job-level gpus reach the pods only through replicas that do not override them; check it on its own too.
    if (props.gpus !== undefined && (!Number.isInteger(props.gpus) || props.gpus < 0)) {
      p.error('gpus', props.gpus, 'must be a whole number of GPUs, at least 0');
    }

    // Which replica types, how many pods each.
    const present: { type: typeof REPLICA_TYPES[number]; opts: TfReplicaOptions; replicas: number }[] = [];
    for (const type of REPLICA_TYPES) {
      const given = (props as any)[type.prop] as TfReplicaOptions | undefined;
      if (given === undefined && type.key !== 'Worker') continue;
      const opts = given ?? {};
      if (type.single) {
        if (opts.replicas !== undefined && opts.replicas !== 1) p.error(`${type.prop}.replicas`, opts.replicas, `must be 1: a TFJob has exactly one ${type.key} when it has one`);
      } else {
        _checkInt(p, `${type.prop}.replicas`, opts.replicas, 1, MAX_REPLICAS);
      }
      const replicas = Number.isInteger(opts.replicas) && opts.replicas! >= 1 ? opts.replicas! : 1;
      present.push({ type, opts, replicas });
    }

    // Pods and Services are named `<name>-<type>-<index>` and must stay DNS labels.
    const suffix = Math.max(...present.map(r => `-${r.type.key.toLowerCase()}-${r.replicas - 1}`.length), '-worker-0'.length);
    this._limitName(63 - suffix);
    if (/^[0-9]/.test(this.name)) {
      p.error('name', this.name, 'must start with a letter: the operator names a Service after every pod (DNS-1035 label)');
    }

    const volumes: VolumeMount[] | undefined = script
      ? [...(props.volumes ?? []), { volume: StorageVolume.fromConfigMap(script.configMapName), mountPath: script.mountPath }]
      : props.volumes;
    const podOptions: _PodOptions = {
      kind: WorkloadKind.TRAINING,
      containerName: TF.containerName,
      ports: [_kubeflowPort('tensorflow')],
      restartPolicy: _podRestartPolicy(restartPolicy),
      extraEnv: [{ name: 'PYTHONUNBUFFERED', value: '1' }],
    };
    const pods: { key: string; pod: _PodTemplate; replicas: number }[] = [];
    for (const r of present) {
      const own = r.type.inherits ? {} : { gpus: 0, cpu: undefined, memory: undefined, sharedMemory: undefined, sharedMemorySize: undefined };
      const podProps: GpuWorkloadProps = {
        ...props,
        ...own,
        ...(r.opts.gpus !== undefined ? { gpus: r.opts.gpus } : {}),
        ...(r.opts.cpu !== undefined ? { cpu: r.opts.cpu } : {}),
        ...(r.opts.memory !== undefined ? { memory: r.opts.memory } : {}),
        command: script ? script.command : props.command,
        volumes,
      };
      // Problems of a per-replica override name that override; shared problems are reported once.
      const overridden = ['gpus', 'cpu', 'memory'].filter(k => (r.opts as any)[k] !== undefined);
      const pod = this._pod(podProps, { ...podOptions, minGpus: r.type.minGpus }, m => {
        const prop = m.split(/[=\s]/, 1)[0];
        return overridden.includes(prop) ? `${r.type.prop}.${m}` : m;
      });
      pods.push({ key: r.type.key, pod, replicas: r.replicas });
    }
    if (!this._ready() || pods.length === 0 || !runPolicy) return;

    const spec: TfJobSpec = {
      runPolicy,
      successPolicy: successPolicy === TfSuccessPolicy.ALL_WORKERS ? successPolicy : undefined,
      tfReplicaSpecs: Object.fromEntries(pods.map(r => [r.key, _replicaSpec(r.pod, this._podMetadata(r.pod), r.replicas, restartPolicy)])),
    };
    const tfJob = new ApiObject(this, 'Resource', { apiVersion: _KUBEFLOW_API_VERSION, kind: 'TFJob', metadata: this._metadata(), spec });
    // Replicas talk gRPC to each other on 2222 (the operator's per-pod Services); nothing else comes in.
    this._finish({ resource: tfJob, ingress: [this._sameRunIngress([TF.port])] });
  }

  private scriptCommand(p: _Problems, props: TfJobProps): { command: string[]; configMapName: string; mountPath: string } | undefined {
    const s = props.script;
    if (s === undefined) return undefined;
    const before = p.messages.length;
    _checkDnsSubdomain(p, 'script.configMapName', s.configMapName);
    if (!/^[-._a-zA-Z0-9]+$/.test(s.fileName) || s.fileName === '.' || s.fileName === '..') {
      p.error('script.fileName', s.fileName, 'must be a ConfigMap key: letters, digits, \'-\', \'_\' and \'.\'');
    }
    const mountPath = s.mountPath ?? '/opt/training';
    if (!/^\/[^\s]*$/.test(mountPath) || mountPath.includes('..') || mountPath === '/') {
      p.error('script.mountPath', mountPath, 'must be an absolute directory path without \'..\', other than /');
    }
    const interpreter = s.interpreter ?? ['python3'];
    if (interpreter.length === 0 || interpreter.some(a => a.length === 0)) {
      p.error('script.interpreter', interpreter, 'must be a non-empty list of strings, e.g. ["python3"]');
    }
    if (props.command !== undefined) {
      p.raw(`command=${_show(props.command)} is invalid together with script: the script is the command; pass its arguments with args`);
    }
    if (p.messages.length !== before) return undefined;
    return { command: [...interpreter, `${mountPath.replace(/\/$/, '')}/${s.fileName}`], configMapName: s.configMapName, mountPath };
  }
}
