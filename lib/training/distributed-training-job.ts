import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NetworkProfile } from '../platform/network-profile';
import { WorkloadKind } from '../platform/platform';
import { _COMPLETION_INDEX_ANNOTATION } from '../pod/job-policy';
import { _withNetwork } from '../pod/network';
import { _PodTemplate } from '../pod/pod-template';
import { _checkInt, _durationSeconds, _show } from '../validation';
import { GpuWorkloadProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';

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

/**
 * Props shared by every multi-node PyTorch training construct. `gpus` is the GPU count of each node (= torchrun
 * processes per node).
 */
export interface DistributedTrainingJobProps extends GpuWorkloadProps {
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
   * Rendezvous port on node 0.
   * @default 29500 (PyTorchJob: 23456, the operator's `pytorchjob-port`)
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
   * How many failures the run survives before it fails (what counts depends on the construct); preemption never
   * counts.
   * @default 2 x nodes (DdpJob), 3 (DdpJobSet, PyTorchJob)
   */
  readonly backoffLimit?: number;
  /**
   * Longest the run may take, retries included (DdpJobSet: per attempt).
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished run is kept.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Cluster DNS domain, for node 0's fully qualified name.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The accelerator's fast network between nodes (GPUDirect-TCPXO, GPUDirect RDMA, EFA): its pod annotations,
   * sidecars, volumes, resources and NCCL/libfabric env. Refused on a machine without that network.
   * @default - none: NCCL uses the pod's default network
   */
  readonly networkProfile?: NetworkProfile;
}

/** What differs between the constructs that run torchrun on several nodes. @internal */
export interface _TorchVariant {
  /** Class name, for messages. */
  readonly what: string;
  readonly defaultPort: number;
  readonly containerName: string;
  readonly portName: string;
  /** Pod restart policy. */
  readonly restartPolicy: string;
  /** Whether an operator tells torchrun the rendezvous (PET_* env), so the construct sets no address itself. */
  readonly operatorRendezvous: boolean;
  /** Hostname of node `index` (0-based), which derives from the name. */
  hostOf(name: string, index: number, nodes: number, elastic: boolean): string;
}

/** Most nodes of a run: an Indexed Job's parallelism may not exceed 100000 (maxParallelismForIndexedJob). */
const MAX_NODES = 100000;

/** Env names the constructs set; user env must not shadow them. */
const RESERVED_ENV = ['POD_NAMESPACE', 'NODE_RANK', 'MASTER_ADDR', 'MASTER_PORT', 'PROCESS_GROUP_TIMEOUT_SECONDS',
  'TORCH_NCCL_ASYNC_ERROR_HANDLING', 'NCCL_ASYNC_ERROR_HANDLING'];

/** How the container starts torchrun with its args: as itself, or through `PROPAGATE_EXIT_CODE`. */
const EXEC_TORCHRUN = 'exec torchrun "$@"';

/**
 * Runs torchrun (the `torchrun` on PATH, in this Python) and exits with the exit code of the first worker that
 * failed, where torchrun itself exits 1 for any failure: so a pod failure policy can tell a worker's fail-fast exit
 * code from the rest. A worker killed by a signal gives 128 + the signal. No single quotes: it is quoted for sh.
 */
const PROPAGATE_EXIT_CODE = [
  'exec python3 -c \'',
  'import runpy, shutil, sys',
  'from torch.distributed.elastic.multiprocessing.errors import ChildFailedError',
  'sys.argv = ["torchrun"] + sys.argv[1:]',
  'try:',
  '    runpy.run_path(shutil.which("torchrun"), run_name="__main__")',
  'except ChildFailedError as e:',
  '    code = e.get_first_failure()[1].exitcode',
  '    sys.exit(code if 0 < code < 256 else 128 - code if code < 0 else 1)',
  '\' "$@"',
].join('\n');

/**
 * The container's shell line: the launch preamble (e.g. a network profile's NCCL env), then the wait of the non-zero
 * ranks (native rendezvous only), then the launch. Undefined when it is only `exec torchrun "$@"`: the container then
 * runs torchrun directly.
 */
function launchScript(preamble: string[], waitSeconds: number | undefined, launch: string): string | undefined {
  if (preamble.length === 0 && waitSeconds === undefined && launch === EXEC_TORCHRUN) return undefined;
  return [...preamble, ...(waitSeconds !== undefined ? waitLines(waitSeconds) : []), launch, ''].join('\n');
}

/**
 * Non-zero ranks wait until node 0's name resolves and its port accepts connections (the DNS record appears only once
 * the pod has an IP; pytorch-operator#125/#333), for at most the rendezvous timeout, before torchrun starts with the
 * container args. Runs in the training image's python3: no init container, so no extra image and nothing Autopilot
 * rejects.
 */
function waitLines(timeoutSeconds: number): string[] {
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
  ];
}

/**
 * The base of the multi-node PyTorch training constructs: `nodes` pods with `gpus` GPUs each, every one running
 * `torchrun --nproc_per_node=<gpus>`, wired to node 0 by its stable DNS name. The subclasses decide what runs the pods:
 * a plain Indexed Job (`DdpJob`), a JobSet (`DdpJobSet`) or a Kubeflow PyTorchJob (`PyTorchJob`).
 */
export abstract class DistributedTrainingJob extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'DistributedTrainingJobProps';

  /** Node count (the most nodes, in elastic mode). */
  public readonly nodes: number;
  /** Node 0's address as the pods see it (with `$(POD_NAMESPACE)`), if the construct sets it. */
  public readonly masterAddress?: string;
  /** @internal */
  public readonly _torchPod: _PodTemplate;
  /** Validated TTL of a finished run, in seconds. @internal */
  public readonly _ttlSeconds: number;
  /** Validated deadline, in seconds. @internal */
  public readonly _deadlineSeconds?: number;
  /** The elastic minimum, when elastic. @internal */
  public readonly _minNodes?: number;
  /** @internal */
  public readonly _maxRestarts: number = 0;
  /** Rendezvous port. @internal */
  public readonly _port: number;

  protected constructor(scope: Construct, id: string, props: DistributedTrainingJobProps, elastic?: DdpElasticPolicy) {
    super(scope, id, props, WorkloadKind.TRAINING);
    props = this._checkedProps;
    // The subclass passes its raw `elastic` prop: read the type-checked one.
    if (elastic !== undefined) elastic = (props as { elastic?: DdpElasticPolicy }).elastic;
    const p = this._problems;
    const v = this._variant();

    // Shape of the run
    if (props.nodes !== undefined && (!Number.isInteger(props.nodes) || props.nodes < 1 || props.nodes > MAX_NODES)) {
      p.error('nodes', props.nodes, `must be an integer from 1 to ${MAX_NODES} (Kubernetes allows an Indexed Job at most ${MAX_NODES} pods in parallel)`);
    }
    const nodesValid = Number.isInteger(props.nodes) && props.nodes! >= 1 && props.nodes! <= MAX_NODES;
    const nodes = nodesValid ? props.nodes! : (props.nodes === undefined ? 2 : 1);
    this.nodes = nodes;
    const multi = nodes > 1;
    if (elastic !== undefined) {
      const e = elastic;
      if (!multi) {
        p.error('elastic', e, 'a single-node run (nodes=1) runs torchrun --standalone; drop elastic or use nodes >= 2');
      } else {
        if (!Number.isInteger(e.minNodes) || e.minNodes < 1) {
          p.error('elastic.minNodes', e.minNodes, 'must be an integer >= 1');
        } else if (e.minNodes > nodes) {
          p.error('elastic.minNodes', e.minNodes, `must be at most nodes=${nodes} (the elastic maximum)`);
        } else {
          this._minNodes = e.minNodes;
        }
        _checkInt(p, 'elastic.maxRestarts', e.maxRestarts, 0, 100);
        this._maxRestarts = e.maxRestarts ?? 3;
      }
    }
    const isElastic = this._minNodes !== undefined;

    // Training entrypoint: torchrun is the command, the script or module and the user's args follow it.
    if (props.command !== undefined) {
      p.error('command', props.command, `${v.what} launches torchrun itself; give the training script with script (or module) and its arguments with args`);
    }
    if ((props.script === undefined) === (props.module === undefined)) {
      p.raw(`script=${_show(props.script)}, module=${_show(props.module)} is invalid: give exactly one of script (e.g. "train.py") and module (e.g. "trainer.main")`);
    }
    if (props.script !== undefined && !/^[^\s-][^\s]*$/.test(props.script)) {
      p.error('script', props.script, 'must be a script path without spaces, not starting with \'-\'');
    }
    if (props.module !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(props.module)) {
      p.error('module', props.module, 'must be a dotted Python module name, e.g. "trainer.main"');
    }
    for (const key of Object.keys(props.env ?? {})) {
      if (RESERVED_ENV.includes(key)) p.error(`env[${JSON.stringify(key)}]`, key, `${v.what} sets ${key} itself (reserved: ${RESERVED_ENV.join(', ')})`);
    }

    // Timeouts, port, retries
    _checkInt(p, 'port', props.port, 1024, 65535);
    const port = this._port = props.port ?? v.defaultPort;
    const rdzvTimeout = props.rendezvousTimeout !== undefined ? _durationSeconds(p, 'rendezvousTimeout', props.rendezvousTimeout) ?? 600 : 600;
    const pgTimeout = props.collectiveTimeout !== undefined ? _durationSeconds(p, 'collectiveTimeout', props.collectiveTimeout) ?? 600 : 600;
    _checkInt(p, 'backoffLimit', props.backoffLimit, 0, 100);
    this._deadlineSeconds = _durationSeconds(p, 'activeDeadline', props.activeDeadline);
    this._ttlSeconds = props.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', props.ttlAfterFinished, { allowZero: true }) ?? 86400 : 86400;
    const domain = props.clusterDomain ?? 'cluster.local';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) {
      p.error('clusterDomain', domain, 'must be a DNS domain, e.g. "cluster.local"');
    }

    // Names: pod hostnames (and Kubeflow's per-pod Services) derive from the name and must stay DNS labels.
    const longestSuffix = Math.max(v.hostOf('', nodes - 1, nodes, isElastic).length, v.hostOf('', 0, nodes, isElastic).length);
    this._limitName(63 - longestSuffix, max => {
      const longest = [v.hostOf(this.name, nodes - 1, nodes, isElastic), v.hostOf(this.name, 0, nodes, isElastic)]
        .sort((a, b) => b.length - a.length)[0];
      return `derived pod hostnames exceed 63 characters ("${longest}" has ${longest.length}); with ${nodes} node(s) ${v.what} names may have at most ${max}`;
    });
    const name = this.name;
    if ((multi || v.operatorRendezvous) && /^[0-9]/.test(name)) {
      p.error('name', name, 'must start with a letter: it also names the Service(s) of the run (DNS-1035 labels)');
    }

    // Env: downward API for the namespace and node rank, node 0's FQDN, fail-fast collectives.
    const extraEnv: k8s.EnvVar[] = [];
    if (multi && !v.operatorRendezvous) {
      this.masterAddress = `${v.hostOf(name, 0, nodes, isElastic)}.${name}.$(POD_NAMESPACE).svc.${domain}`;
      extraEnv.push(
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${_COMPLETION_INDEX_ANNOTATION}']` } } },
        { name: 'MASTER_ADDR', value: this.masterAddress },
        { name: 'MASTER_PORT', value: String(port) },
      );
    }
    extraEnv.push(
      { name: 'TORCH_NCCL_ASYNC_ERROR_HANDLING', value: '1' },
      { name: 'NCCL_ASYNC_ERROR_HANDLING', value: '1' }, // the name torch < 2.2 reads
      { name: 'PROCESS_GROUP_TIMEOUT_SECONDS', value: String(pgTimeout) },
    );

    // torchrun line (underscore flag spellings: torch 1.13 knows only those).
    const gpusPerNode = Number.isInteger(props.gpus) && props.gpus! > 0 ? props.gpus! : 1;
    const target = props.module !== undefined ? ['-m', String(props.module)] : [String(props.script)];
    // A fail-fast exit code of a worker must reach the pod (torchrun alone exits 1 for any failure).
    const propagate = ((props as { failFastExitCodes?: number[] }).failFastExitCodes ?? []).length > 0;
    const preamble = props.networkProfile?._launchPreamble ?? [];
    const launch = propagate ? PROPAGATE_EXIT_CODE : EXEC_TORCHRUN;
    let script: string | undefined;
    let flags: string[];
    if (!multi) {
      script = launchScript(preamble, undefined, launch);
      flags = ['--standalone', `--nproc_per_node=${gpusPerNode}`];
    } else if (v.operatorRendezvous) {
      // The operator sets PET_NNODES, PET_NODE_RANK, PET_MASTER_ADDR/PORT (or PET_RDZV_* when elastic), which
      // torchrun reads as defaults; its init container waits for the master.
      script = launchScript(preamble, undefined, launch);
      flags = [`--nproc_per_node=${gpusPerNode}`];
    } else {
      script = launchScript(preamble, rdzvTimeout, launch);
      flags = isElastic
        ? [`--nnodes=${this._minNodes}:${nodes}`, `--nproc_per_node=${gpusPerNode}`, '--rdzv_backend=c10d',
          '--rdzv_endpoint=$(MASTER_ADDR):$(MASTER_PORT)', `--rdzv_id=${name}`, `--rdzv_conf=join_timeout=${rdzvTimeout}`,
          `--max_restarts=${this._maxRestarts}`]
        : [`--nnodes=${nodes}`, `--nproc_per_node=${gpusPerNode}`, '--node_rank=$(NODE_RANK)',
          '--master_addr=$(MASTER_ADDR)', '--master_port=$(MASTER_PORT)', `--rdzv_conf=timeout=${rdzvTimeout}`,
          '--max_restarts=0'];
    }
    const command = script === undefined ? ['torchrun'] : ['/bin/sh', '-c', script, 'torchrun'];
    let pod = this._pod({ ...props, command, args: [...flags, ...target, ...(props.args ?? [])] }, {
      kind: WorkloadKind.TRAINING,
      containerName: v.containerName,
      extraEnv,
      ports: [{ name: v.portName, containerPort: port, protocol: 'TCP' }],
      restartPolicy: v.restartPolicy,
      // GPU sharing: NCCL refuses two ranks on one GPU, and MIG slices have no GPU-to-GPU path.
      shareRefused: multi ? `the ranks of a ${nodes}-node run talk over NCCL, which refuses two ranks on one GPU and has no path between MIG slices; a distributed run needs whole GPUs` : undefined,
    });
    const network = props.networkProfile?._forPod(p, 'networkProfile', this.platform, pod.request);
    if (network) pod = _withNetwork(p, 'networkProfile', pod, network);
    this._torchPod = pod;
  }

  /**
   * What the subclass runs the pods with. Called from the constructor: it may not read the subclass's fields.
   * @internal
   */
  protected abstract _variant(): _TorchVariant;

  /**
   * The Indexed Job spec the native and JobSet constructs share: `nodes` completions at once, each pod's hostname
   * `<...>-<index>` in the run's subdomain.
   * @internal
   */
  public _indexedJobSpec(extra: { [key: string]: any }, plainJson: boolean): any {
    const pod = this._torchPod;
    const multi = this.nodes > 1;
    const spec = { ...pod.spec, subdomain: multi ? this.name : undefined };
    return {
      completionMode: multi ? 'Indexed' : undefined,
      completions: this.nodes,
      parallelism: this.nodes,
      activeDeadlineSeconds: this._deadlineSeconds,
      ...extra,
      template: plainJson
        ? { metadata: k8s.toJson_ObjectMeta(this._podMetadata(pod)), spec: k8s.toJson_PodSpec(spec) }
        : { metadata: this._podMetadata(pod), spec },
    };
  }
}
