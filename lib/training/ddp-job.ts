import { ApiObject, Duration, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Platform, WorkloadKind } from '../platform/platform';
import { GpuWorkloadProps, _GpuPod } from '../pod/gpu-workload';
import { _podFailurePolicy } from '../pod/job-policy';
import {
  CleanPodPolicy, KUBEFLOW_API_VERSION, KubeflowOperatorProps, ReplicaRestartPolicy, _KUBEFLOW_CONTAINER,
  _replicaSpec, _requireKubeflow, _runPolicy,
} from '../pod/kubeflow';
import { _Problems, _checkInt, _durationSeconds, _ensure, _show } from '../validation';

/** What runs the DDP pods. */
export enum DdpBackend {
  /**
   * A `batch/v1` Indexed Job plus a headless Service: no operator needed, so it runs anywhere, GKE Autopilot included.
   */
  NATIVE = 'native',
  /** A Kubeflow `PyTorchJob` (`kubeflow.org/v1`): needs the Kubeflow training operator. */
  PYTORCH_JOB = 'pytorch-job',
  /**
   * A `JobSet` (`jobset.x-k8s.io/v1alpha2`): needs the JobSet controller; restarts all nodes together after any
   * failure, and after a preemption without counting it.
   */
  JOBSET = 'jobset',
}

/** Elastic training: torchrun's c10d rendezvous lets the job run on fewer nodes and re-form after a node is lost. */
export interface DdpElasticPolicy {
  /** Fewest nodes training starts (and continues) with; the most is `nodes`. */
  readonly minNodes: number;
  /**
   * How often torchrun re-forms the worker group (after a lost or failed node) before it gives up.
   * @default 3
   */
  readonly maxRestarts?: number;
}

/** Props of a {@link DdpJob}. `gpus` is the GPU count of each node (= torchrun processes per node). */
export interface DdpJobProps extends GpuWorkloadProps, KubeflowOperatorProps {
  /**
   * Nodes (pods) of the run; each runs torchrun with `gpus` processes.
   * @default 2
   */
  readonly nodes?: number;
  /**
   * Training script path, as torchrun expects it (e.g. `train.py` or `/app/train.py`). Give `script` or `module`.
   * @default - none; `module` must be given
   */
  readonly script?: string;
  /**
   * Python module to run instead of a script (`torchrun -m <module>`). Give `script` or `module`.
   * @default - none; `script` must be given
   */
  readonly module?: string;
  /**
   * What runs the pods.
   * @default DdpBackend.NATIVE
   */
  readonly backend?: DdpBackend;
  /**
   * Whether the JobSet controller is installed; `false` makes `backend: DdpBackend.JOBSET` a validation error.
   * @default true
   */
  readonly jobSetInstalled?: boolean;
  /**
   * Elastic mode (c10d rendezvous, `--nnodes=MIN:MAX`).
   * @default - fixed size: exactly `nodes` nodes, static rendezvous on node 0
   */
  readonly elastic?: DdpElasticPolicy;
  /**
   * Rendezvous port on node 0 (Kubeflow's `pytorchjob-port` for the PyTorchJob backend).
   * @default 29500 (23456 for DdpBackend.PYTORCH_JOB)
   */
  readonly port?: number;
  /**
   * How long nodes wait for node 0 and for each other to join before they fail.
   * @default Duration.minutes(10)
   */
  readonly rendezvousTimeout?: Duration;
  /**
   * Process-group timeout, given to the script as `$PROCESS_GROUP_TIMEOUT_SECONDS` (pass it to
   * `init_process_group(timeout=...)`): with `TORCH_NCCL_ASYNC_ERROR_HANDLING=1` a collective blocked by a dead
   * peer aborts after it, so no rank waits forever.
   * @default Duration.minutes(10)
   */
  readonly collectiveTimeout?: Duration;
  /**
   * Native: pod failures (any rank) before the Job fails; a lost rank makes the others fail too, so one incident costs
   * up to `nodes`. JobSet: restarts of the whole group. PyTorchJob: `runPolicy.backoffLimit`. Preemption never counts.
   * @default 2 x nodes (native), 3 (JobSet, PyTorchJob)
   */
  readonly backoffLimit?: number;
  /**
   * Longest the run may take, retries included (JobSet: per attempt).
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished run is kept.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * PyTorchJob only: which pods the operator deletes when the run ends.
   * @default CleanPodPolicy.RUNNING
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * Cluster DNS domain, for node 0's fully qualified name.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/** Env names the construct sets; user env must not shadow them. */
const RESERVED_ENV = ['POD_NAMESPACE', 'NODE_RANK', 'MASTER_ADDR', 'MASTER_PORT', 'PROCESS_GROUP_TIMEOUT_SECONDS',
  'TORCH_NCCL_ASYNC_ERROR_HANDLING', 'NCCL_ASYNC_ERROR_HANDLING'];
const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const JOBSET_API_VERSION = 'jobset.x-k8s.io/v1alpha2';
/** Name of the JobSet's one replicated Job (pods are `<name>-node-0-<index>`). */
const JOBSET_REPLICATED_JOB = 'node';

/**
 * Non-zero ranks wait until node 0's name resolves and its port accepts connections (the DNS record appears only once
 * the pod has an IP; pytorch-operator#125/#333), for at most the rendezvous timeout, then exec torchrun with the
 * container args. Runs in the training image's python3: no init container, so no extra image and nothing Autopilot
 * rejects.
 */
function waitScript(timeoutSeconds: number): string {
  return [
    'if [ "${NODE_RANK:-0}" != 0 ]; then',
    '  python3 -c \'',
    'import os, socket, sys, time',
    'addr, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])',
    `deadline = time.time() + ${timeoutSeconds}`,
    'while True:',
    '    try:',
    '        socket.create_connection((addr, port), timeout=5).close()',
    '        break',
    '    except OSError as e:',
    '        if time.time() > deadline:',
    '            sys.exit("node 0 (%s:%d) not reachable: %s" % (addr, port, e))',
    '        time.sleep(2)',
    '\' || exit 1',
    'fi',
    'exec torchrun "$@"',
    '',
  ].join('\n');
}

/**
 * Multi-node PyTorch DistributedDataParallel training: `nodes` pods with `gpus` GPUs each, every one running
 * `torchrun --nproc_per_node=<gpus>`, wired to node 0 by its stable DNS name. Pods are built like every GPU workload
 * (`/dev/shm`, platform scheduling, security context, own ServiceAccount, NetworkPolicy admitting only the run's own
 * pods). The backend decides what runs them: a plain Indexed Job with a headless Service (default, no operator), a
 * Kubeflow PyTorchJob, or a JobSet.
 */
export class DdpJob extends Construct {
  /** The platform the job targets. */
  public readonly platform: Platform;
  /** Name of the job (and of its headless Service). */
  public readonly name: string;
  /** The backend in use. */
  public readonly backend: DdpBackend;
  /** Node count (the most nodes, in elastic mode). */
  public readonly nodes: number;
  /** Node 0's address as the pods see it (with `$(POD_NAMESPACE)`), if the backend sets it. */
  public readonly masterAddress?: string;
  private readonly _resource?: ApiObject;
  private readonly _service?: k8s.KubeService;
  private readonly _serviceAccount?: k8s.KubeServiceAccount;
  private readonly _networkPolicy?: k8s.KubeNetworkPolicy;
  private readonly _problems: _Problems;

  public constructor(scope: Construct, id: string, props: DdpJobProps) {
    super(scope, id);
    const p = (this._problems = new _Problems());
    this.platform = props.platform;

    // Shape of the run
    const backend = props.backend ?? DdpBackend.NATIVE;
    if (!Object.values(DdpBackend).includes(backend)) {
      p.error('backend', backend, `must be one of ${Object.keys(DdpBackend).map(k => `DdpBackend.${k}`).join(', ')}`);
    }
    this.backend = backend;
    _checkInt(p, 'nodes', props.nodes, 1);
    const nodes = Number.isInteger(props.nodes) && props.nodes! >= 1 ? props.nodes! : (props.nodes === undefined ? 2 : 1);
    this.nodes = nodes;
    const multi = nodes > 1;
    let minNodes: number | undefined;
    let maxRestarts = 0;
    if (props.elastic !== undefined) {
      const e = props.elastic;
      if (!e || typeof e !== 'object') {
        p.error('elastic', e, 'must be { minNodes, maxRestarts? }');
      } else if (!multi) {
        p.error('elastic', e, 'a single-node run (nodes=1) runs torchrun --standalone; drop elastic or use nodes >= 2');
      } else {
        if (typeof e.minNodes !== 'number' || !Number.isInteger(e.minNodes) || e.minNodes < 1) {
          p.error('elastic.minNodes', e.minNodes, 'must be an integer >= 1');
        } else if (e.minNodes > nodes) {
          p.error('elastic.minNodes', e.minNodes, `must be at most nodes=${nodes} (the elastic maximum)`);
        } else {
          minNodes = e.minNodes;
        }
        _checkInt(p, 'elastic.maxRestarts', e.maxRestarts, 0, 100);
        maxRestarts = e.maxRestarts ?? 3;
      }
    }
    const elastic = minNodes !== undefined;

    // Training entrypoint: torchrun is the command, the script or module and the user's args follow it.
    if (props.command !== undefined) {
      p.error('command', props.command, 'DdpJob launches torchrun itself; give the training script with script (or module) and its arguments with args');
    }
    if ((props.script === undefined) === (props.module === undefined)) {
      p.raw(`script=${_show(props.script)}, module=${_show(props.module)} is invalid: give exactly one of script (e.g. "train.py") and module (e.g. "trainer.main")`);
    }
    if (props.script !== undefined && (typeof props.script !== 'string' || !/^[^\s-][^\s]*$/.test(props.script))) {
      p.error('script', props.script, 'must be a script path without spaces, not starting with \'-\'');
    }
    if (props.module !== undefined && (typeof props.module !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(props.module))) {
      p.error('module', props.module, 'must be a dotted Python module name, e.g. "trainer.main"');
    }
    for (const key of Object.keys(props.env ?? {})) {
      if (RESERVED_ENV.includes(key)) p.error(`env[${JSON.stringify(key)}]`, key, `DdpJob sets ${key} itself (reserved: ${RESERVED_ENV.join(', ')})`);
    }

    // Operators
    if (backend === DdpBackend.PYTORCH_JOB) _requireKubeflow(p, props.platform, props, 'backend=DdpBackend.PYTORCH_JOB');
    if (props.jobSetInstalled !== undefined && typeof props.jobSetInstalled !== 'boolean') {
      p.error('jobSetInstalled', props.jobSetInstalled, 'must be true or false');
    } else if (backend === DdpBackend.JOBSET && props.jobSetInstalled === false) {
      const where = props.platform instanceof Platform ? ` on ${props.platform.displayName}` : '';
      p.raw(`jobSetInstalled=false is invalid: backend=DdpBackend.JOBSET needs the JobSet controller (${JOBSET_API_VERSION})${where}; install it, or use backend=DdpBackend.NATIVE, which needs no operator`);
    }
    if (props.cleanPodPolicy !== undefined && backend !== DdpBackend.PYTORCH_JOB) {
      p.error('cleanPodPolicy', props.cleanPodPolicy, 'only the PyTorchJob backend has a clean-pod policy (backend=DdpBackend.PYTORCH_JOB)');
    }

    // Timeouts, port, retries
    const isKubeflow = backend === DdpBackend.PYTORCH_JOB;
    _checkInt(p, 'port', props.port, 1024, 65535);
    const port = props.port ?? (isKubeflow ? _KUBEFLOW_CONTAINER.pytorch.port : 29500);
    const rdzvTimeout = props.rendezvousTimeout !== undefined ? _durationSeconds(p, 'rendezvousTimeout', props.rendezvousTimeout) ?? 600 : 600;
    const pgTimeout = props.collectiveTimeout !== undefined ? _durationSeconds(p, 'collectiveTimeout', props.collectiveTimeout) ?? 600 : 600;
    _checkInt(p, 'backoffLimit', props.backoffLimit, 0, 100);
    const deadline = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
    const ttl = props.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true }) : 86400;
    const domain = props.clusterDomain ?? 'cluster.local';
    if (typeof domain !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) {
      p.error('clusterDomain', domain, 'must be a DNS domain, e.g. "cluster.local"');
    }

    // Names: pod hostnames (and Kubeflow's per-pod Services) derive from the name and must stay DNS labels.
    const hostOf = (name: string, index: number): string => {
      switch (backend) {
        case DdpBackend.PYTORCH_JOB: return elastic ? `${name}-worker-${index}` : (index === 0 ? `${name}-master-0` : `${name}-worker-${index - 1}`);
        case DdpBackend.JOBSET: return `${name}-${JOBSET_REPLICATED_JOB}-0-${index}`;
        default: return multi ? `${name}-${index}` : name;
      }
    };
    const longestSuffix = Math.max(hostOf('', nodes - 1).length, hostOf('', 0).length);
    const maxNameLength = 63 - longestSuffix;
    const name = props.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: maxNameLength });
    this.name = name;
    if (typeof name === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63) {
      if (name.length > maxNameLength) {
        const longest = [hostOf(name, nodes - 1), hostOf(name, 0)].sort((a, b) => b.length - a.length)[0];
        p.error('name', name, `derived pod hostnames exceed 63 characters ("${longest}" has ${longest.length}); with ${nodes} node(s) and backend ${backend} the name may have at most ${maxNameLength}`);
      }
      if ((multi || isKubeflow) && !/^[a-z]/.test(name)) {
        p.error('name', name, 'must start with a letter: it also names the Service(s) of the run (DNS-1035 labels)');
      }
    }

    // Env: downward API for the namespace and node rank, node 0's FQDN, fail-fast collectives.
    const extraEnv: k8s.EnvVar[] = [];
    let masterAddress: string | undefined;
    if (multi && !isKubeflow) {
      const subdomain = name;
      masterAddress = `${hostOf(name, 0)}.${subdomain}.$(POD_NAMESPACE).svc.${domain}`;
      extraEnv.push(
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } },
        { name: 'MASTER_ADDR', value: masterAddress },
        { name: 'MASTER_PORT', value: String(port) },
      );
    }
    this.masterAddress = masterAddress;
    extraEnv.push(
      { name: 'TORCH_NCCL_ASYNC_ERROR_HANDLING', value: '1' },
      { name: 'NCCL_ASYNC_ERROR_HANDLING', value: '1' }, // the name torch < 2.2 reads
      { name: 'PROCESS_GROUP_TIMEOUT_SECONDS', value: String(pgTimeout) },
    );

    // torchrun line (underscore flag spellings: torch 1.13 knows only those).
    const gpusPerNode = Number.isInteger(props.gpus) && props.gpus! > 0 ? props.gpus! : 1;
    const target = props.module !== undefined ? ['-m', String(props.module)] : [String(props.script)];
    let command: string[];
    let flags: string[];
    if (!multi) {
      command = ['torchrun'];
      flags = ['--standalone', `--nproc_per_node=${gpusPerNode}`];
    } else if (isKubeflow) {
      // The operator sets PET_NNODES, PET_NODE_RANK, PET_MASTER_ADDR/PORT (or PET_RDZV_* when elastic), which
      // torchrun reads as defaults; its init container waits for the master.
      command = ['torchrun'];
      flags = [`--nproc_per_node=${gpusPerNode}`];
    } else {
      command = ['/bin/sh', '-c', waitScript(rdzvTimeout), 'torchrun'];
      flags = elastic
        ? [`--nnodes=${minNodes}:${nodes}`, `--nproc_per_node=${gpusPerNode}`, '--rdzv_backend=c10d',
          '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)', `--rdzv_id=${name}`, `--rdzv_conf=join_timeout=${rdzvTimeout}`,
          `--max_restarts=${maxRestarts}`]
        : [`--nnodes=${nodes}`, `--nproc_per_node=${gpusPerNode}`, '--node_rank=$(NODE_RANK)',
          '--master_addr=$(MASTER_ADDR)', '--master_port=$(MASTER_PORT)', `--rdzv_conf=timeout=${rdzvTimeout}`,
          '--max_restarts=0'];
    }

    const containerName = _KUBEFLOW_CONTAINER.pytorch.containerName;
    const pod = new _GpuPod(this, { ...props, name, command, args: [...flags, ...target, ...(props.args ?? [])] }, {
      kind: WorkloadKind.TRAINING,
      containerName,
      maxNameLength: props.name !== undefined ? 63 : maxNameLength,
      extraEnv,
      ports: [isKubeflow ? { name: _KUBEFLOW_CONTAINER.pytorch.portName, containerPort: port, protocol: 'TCP' } : { name: 'rendezvous', containerPort: port, protocol: 'TCP' }],
      restartPolicy: isKubeflow ? ReplicaRestartPolicy.ON_FAILURE : 'Never',
    }, p);
    const runPolicy = isKubeflow ? _runPolicy(p, { cleanPodPolicy: props.cleanPodPolicy, backoffLimit: props.backoffLimit, ttlAfterFinished: props.ttlAfterFinished, activeDeadline: props.activeDeadline }) : undefined;

    p.attach(this);
    if (!p.ok) return;

    this._serviceAccount = pod.addServiceAccount(this);
    let template: () => any;
    let rendered: ApiObject;
    switch (backend) {
      case DdpBackend.PYTORCH_JOB: {
        // Plain JSON (the Kubeflow bindings are never loaded at runtime); the strict schema tests guard the shape.
        const replicaSpecs: { [type: string]: any } = {};
        if (elastic) {
          replicaSpecs.Worker = _replicaSpec(pod, nodes, ReplicaRestartPolicy.ON_FAILURE);
        } else {
          replicaSpecs.Master = _replicaSpec(pod, 1, ReplicaRestartPolicy.ON_FAILURE);
          if (multi) replicaSpecs.Worker = _replicaSpec(pod, nodes - 1, ReplicaRestartPolicy.ON_FAILURE);
        }
        const spec = {
          nprocPerNode: String(gpusPerNode),
          runPolicy,
          elasticPolicy: elastic ? { rdzvBackend: 'c10d', minReplicas: minNodes, maxReplicas: nodes, maxRestarts } : undefined,
          pytorchReplicaSpecs: replicaSpecs,
        };
        this._resource = new ApiObject(this, 'Resource', { apiVersion: KUBEFLOW_API_VERSION, kind: 'PyTorchJob', metadata: pod.metadata(), spec });
        rendered = this._resource;
        template = () => {
          const s = this._resource!.toJson().spec.pytorchReplicaSpecs;
          return (s.Worker ?? s.Master).template;
        };
        break;
      }
      case DdpBackend.JOBSET: {
        const jobSpec = this.indexedJobSpec(pod, nodes, multi, deadline, {
          // backoffLimit 0: any failed pod fails the child Job and the JobSet restarts every node together. A
          // preemption fails it through the pod failure policy (reason PodFailurePolicy), a restart not counted below.
          backoffLimit: 0,
          podFailurePolicy: { rules: [{ action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        });
        // Plain JSON (the JobSet bindings are never loaded at runtime); the strict schema tests guard the shape.
        const spec = {
          network: { enableDNSHostnames: true, publishNotReadyAddresses: true, subdomain: name },
          failurePolicy: {
            maxRestarts: props.backoffLimit ?? 3,
            rules: [{ name: 'preemption-is-not-a-failure', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'] }],
          },
          ttlSecondsAfterFinished: ttl,
          replicatedJobs: [{ name: JOBSET_REPLICATED_JOB, replicas: 1, template: { metadata: { labels: pod.labels }, spec: jobSpec } }],
        };
        this._resource = new ApiObject(this, 'Resource', { apiVersion: JOBSET_API_VERSION, kind: 'JobSet', metadata: pod.metadata(), spec });
        rendered = this._resource;
        template = () => this._resource!.toJson().spec.replicatedJobs[0].template.spec.template;
        break;
      }
      default: {
        const job = new k8s.KubeJob(this, 'Resource', {
          metadata: pod.metadata(),
          spec: this.indexedJobSpec(pod, nodes, multi, deadline, {
            backoffLimit: props.backoffLimit ?? 2 * nodes,
            ttlSecondsAfterFinished: ttl,
            // Preemption and eviction are ignored (the pod is replaced, nothing counts). No fail-fast exit codes:
            // torchrun exits 1 for any worker failure, a lost peer included, so a bug cannot be told from bad luck.
            podFailurePolicy: _podFailurePolicy(containerName, []),
          }) as k8s.JobSpec,
        });
        this._resource = job;
        if (multi) {
          this._service = new k8s.KubeService(this, 'Service', {
            metadata: pod.metadata(name),
            spec: {
              clusterIp: 'None',
              // Ranks must resolve each other before they are Ready (they never are: no readiness probe).
              publishNotReadyAddresses: true,
              selector: pod.selector,
              ports: [{ name: 'rendezvous', port, targetPort: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }],
            },
          });
        }
        rendered = job;
        template = () => job.toJson().spec.template;
      }
    }
    // Ranks talk to each other on the rendezvous port and on NCCL/gloo's ephemeral ports: admit the run's own pods.
    this._networkPolicy = pod.addNetworkPolicy(this, [pod.sameRunIngress()]);
    _GpuPod.checkAdmission(this, props.platform, template, rendered);
  }

  /** The Indexed Job spec shared by the native and JobSet backends. */
  private indexedJobSpec(pod: _GpuPod, nodes: number, multi: boolean, deadline: number | undefined, extra: any): any {
    const spec = { ...pod.spec, subdomain: multi ? this.name : undefined };
    return {
      completionMode: multi ? 'Indexed' : undefined,
      completions: nodes,
      parallelism: nodes,
      activeDeadlineSeconds: deadline,
      ...extra,
      template: this.backend === DdpBackend.NATIVE
        ? { metadata: pod.podMetadata(), spec }
        : { metadata: k8s.toJson_ObjectMeta(pod.podMetadata()), spec: k8s.toJson_PodSpec(spec) },
    };
  }

  /** The main object (escape hatch): the Job, PyTorchJob or JobSet, depending on the backend. */
  public get resource(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }

  /** The `batch/v1` Job of the native backend (escape hatch). */
  public get job(): k8s.KubeJob {
    const r = this.resource;
    if (this.backend !== DdpBackend.NATIVE) throw new Error(`[${this.node.path}] uses backend ${this.backend}, which emits a ${r.kind}, not a Job: use .resource`);
    return r as k8s.KubeJob;
  }

  /** The headless Service of a multi-node native run (other backends' controllers make their own). */
  public get service(): k8s.KubeService | undefined {
    return this._service;
  }

  /** The NetworkPolicy isolating the run's pods, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  /** The ServiceAccount the job created, if it created one. */
  public get serviceAccount(): k8s.KubeServiceAccount | undefined {
    return this._serviceAccount;
  }
}
