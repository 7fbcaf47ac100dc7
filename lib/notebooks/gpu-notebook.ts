import { Duration, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { WorkloadKind } from '../platform/platform';
import { _PodTemplate } from '../pod/pod-template';
import { _checkDnsLabel, _checkDnsSubdomain, _ensure, _quantityMebibytes, _sizeMebibytes } from '../validation';
import { GpuWorkloadProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';
import { IdleCulling } from './idle-culling';

/** Props shared by every GPU notebook. */
export interface GpuNotebookProps extends GpuWorkloadProps {
  /**
   * Size of the workspace volume (a ReadWriteOnce PersistentVolumeClaim mounted at `workspacePath`); it outlives the
   * notebook's pod, so files survive restarts, culling and `stopped`.
   * @default Size.gibibytes(10)
   */
  readonly workspaceSize?: Size;
  /**
   * StorageClass of the workspace volume.
   * @default - the cluster's default StorageClass
   */
  readonly workspaceStorageClass?: string;
  /**
   * Where the workspace is mounted: the notebook user's home in the Kubeflow and Jupyter Docker Stacks images.
   * @default '/home/jovyan'
   */
  readonly workspacePath?: string;
  /**
   * Create the notebook stopped: no pod runs and no GPU is held; the workspace stays.
   * @default false
   */
  readonly stopped?: boolean;
  /**
   * Namespaces whose pods may reach the notebook's port (the NetworkPolicy admits nothing else;
   * `kubectl port-forward` works regardless).
   * @default - KubeflowNotebook: ['istio-system', 'kubeflow'] (the Istio gateway and the notebook controller's culler);
   * StatefulSetNotebook: none
   */
  readonly accessNamespaces?: string[];
  /**
   * When the Jupyter server shuts down idle kernels, freeing the GPU memory each holds (see `IdleCulling`). The pod
   * keeps its GPU: on Kubeflow the notebook controller's culler stops idle notebooks (controller-wide), elsewhere
   * `stopped: true` does.
   * @default IdleCulling.after(Duration.hours(1)) - a kernel that has run nothing for an hour and that no browser tab
   * is connected to is forgotten, and holds its GPU memory for nothing; an open notebook keeps its kernel
   */
  readonly idleCulling?: IdleCulling;
}

/** Where the idle-culling Jupyter config is mounted (named in `JUPYTER_CONFIG_PATH`). */
const JUPYTER_CONFIG_DIR = '/etc/gpu-ml/jupyter';
const JUPYTER_CONFIG_FILE = 'jupyter_server_config.json';

/** What differs between the notebook classes. @internal */
export interface _NotebookVariant {
  /** Namespaces admitted when `accessNamespaces` is not given. */
  readonly defaultAccessNamespaces: string[];
  /** How to pass a token from a Secret, for messages. */
  readonly tokenHint: string;
}

/** A Jupyter auth option found in a command line. @internal */
export interface _JupyterAuthArg {
  /** Where it was, e.g. `args[2]`. */
  readonly where: string;
  /** The option, e.g. `--ServerApp.token`. */
  readonly option: string;
  /** Its value, quotes removed. */
  readonly value: string;
}

const AUTH_OPTION = /--((?:[A-Za-z]+App|[A-Za-z]*IdentityProvider)\.(?:token|password|hashed_password))(?:=("[^"]*"|'[^']*'|\S*)|(?=\s|$))/g;
const ENV_REFERENCE = /^\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * The Jupyter token and password options of a command line (`--ServerApp.token=...`, `--IdentityProvider.token ...`,
 * `--NotebookApp.password=...`, also inside a `sh -c` script), with their values.
 * @internal
 */
export function _jupyterAuthArgs(lines: { [prop: string]: string[] | undefined }): _JupyterAuthArg[] {
  const found: _JupyterAuthArg[] = [];
  for (const [prop, line] of Object.entries(lines)) {
    if (!Array.isArray(line)) continue;
    line.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      for (const m of arg.matchAll(AUTH_OPTION)) {
        // `--ServerApp.token value`: the value is the next word, or the next argument.
        let value = m[2];
        if (value === undefined) {
          const rest = arg.slice((m.index ?? 0) + m[0].length).trim().split(/\s+/)[0];
          value = rest !== '' ? rest : (typeof line[i + 1] === 'string' ? line[i + 1] : '');
        }
        found.push({ where: `${prop}[${i}]`, option: `--${m[1]}`, value: value.replace(/^(["'])(.*)\1$/, '$2') });
      }
    });
  }
  return found;
}

/** The pod security context of a notebook (see the class doc). @internal */
export function _notebookSecurityContext(runAsRoot: boolean): k8s.PodSecurityContext {
  return runAsRoot
    ? { fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } }
    : { runAsNonRoot: true, runAsUser: 1000, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * The base of the GPU notebooks: a Jupyter server with the platform's GPU scheduling, a workspace volume, `/dev/shm`,
 * and the security defaults of every workload (non-root, own ServiceAccount without API token, a NetworkPolicy).
 * `KubeflowNotebook` emits a Kubeflow `Notebook`; `StatefulSetNotebook` a StatefulSet and Service for clusters without
 * Kubeflow.
 *
 * The pod runs as uid 1000 with fsGroup 100 and no runAsGroup: both image families run as `jovyan` (uid 1000); the
 * Kubeflow images need their primary group 0 (s6-overlay writes `/run`), the Jupyter Docker Stacks images use group
 * 100, which fsGroup 100 makes own the workspace. A literal token or password in `env`, `command` or `args` is refused.
 */
export abstract class GpuNotebook extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'GpuNotebookProps';

  /** The port Jupyter listens on in every notebook image. */
  public static readonly PORT = 8888;

  /** The built pod, its main container first. @internal */
  protected readonly _notebookPod: _PodTemplate;
  /** Mount path of the workspace. */
  public readonly workspacePath: string;
  /** Whether the notebook was created stopped. */
  public readonly stopped: boolean;
  /** Size of the workspace claim, as a Kubernetes quantity. @internal */
  protected readonly _workspaceQuantity: string;
  /** The workspace claim's StorageClass, if given. @internal */
  protected readonly _workspaceStorageClass?: string;
  /** What the NetworkPolicy admits. @internal */
  protected readonly _ingress: k8s.NetworkPolicyIngressRule[];
  /** The Jupyter auth options of the command line. @internal */
  protected readonly _authArgs: _JupyterAuthArg[];
  /** The idle-culling settings. */
  public readonly idleCulling: IdleCulling;
  /** The Jupyter Server config of the idle culling (`jupyter_server_config.json`). @internal */
  private readonly _jupyterConfig?: string;
  private _jupyterConfigMap?: k8s.KubeConfigMap;

  protected constructor(scope: Construct, id: string, props: GpuNotebookProps) {
    super(scope, id, props, WorkloadKind.NOTEBOOK);
    // The base ran the runtime type check: what is left is well-typed.
    props = this._checkedProps;
    const p = this._problems;
    const v = this._variant();
    // StatefulSet pods carry `controller-revision-hash: <name>-<10 characters>`, a label value of at most 63.
    this._limitName(52, max => `must be at most ${max} characters: the StatefulSet's pods carry the label controller-revision-hash=<name>-<hash>, which must fit in 63`);

    this.workspacePath = props.workspacePath ?? '/home/jovyan';
    if (!this.workspacePath.startsWith('/') || this.workspacePath.includes('..')
      || this.workspacePath === '/dev/shm' || this.workspacePath === '/') {
      p.error('workspacePath', props.workspacePath, 'must be an absolute path without \'..\', other than / and /dev/shm');
    }
    const mib = props.workspaceSize !== undefined ? _sizeMebibytes(p, 'workspaceSize', props.workspaceSize, 1024) : 10240;
    this._workspaceQuantity = _quantityMebibytes(mib ?? 10240);
    _checkDnsSubdomain(p, 'workspaceStorageClass', props.workspaceStorageClass);
    this._workspaceStorageClass = props.workspaceStorageClass;
    this.stopped = props.stopped === true;

    this._authArgs = _jupyterAuthArgs({ command: props.command, args: props.args });
    for (const a of this._authArgs) {
      if (a.value !== '' && !ENV_REFERENCE.test(a.value)) {
        p.raw(`${a.where}=<literal value, not shown> is invalid: ${a.option} carries a literal secret, which would sit in the manifest and in every pod description; keep it in a Secret (${v.tokenHint}) or reference an env var, e.g. ${a.option}=$(JUPYTER_TOKEN)`);
      }
    }

    this.idleCulling = props.idleCulling ?? IdleCulling.after(Duration.hours(1));
    const culling = this.idleCulling._serverConfig(p, 'idleCulling');
    this._jupyterConfig = culling && `${JSON.stringify(culling, undefined, 2)}\n`;

    const namespaces = props.accessNamespaces ?? v.defaultAccessNamespaces;
    namespaces.forEach((ns, i) => _checkDnsLabel(p, `accessNamespaces[${i}]`, ns));
    this._ingress = namespaces.length === 0 ? [] : [{
      from: namespaces.map(ns => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } })),
      ports: [{ port: k8s.IntOrString.fromNumber(GpuNotebook.PORT), protocol: 'TCP' }],
    }];

    const pod = this._pod(props, {
      kind: WorkloadKind.NOTEBOOK,
      // Kubeflow reports the state of the container named after the Notebook; the other variant follows suit.
      containerName: this.name,
      minGpus: 0,
      ports: [{ name: 'notebook-port', containerPort: GpuNotebook.PORT, protocol: 'TCP' }],
    });
    if (pod.container.volumeMounts?.some(m => m.mountPath === this.workspacePath)) {
      p.error('workspacePath', this.workspacePath, 'is already the mount path of another volume (dataset, checkpoints or volumes)');
    }
    // Jupyter reads the jupyter_server_config.json of each directory in JUPYTER_CONFIG_PATH, above its other config
    // directories (~/.jupyter, the image's): a directory of its own, so nothing of the image is hidden.
    const env = [...(pod.container.env ?? [])];
    const given = env.findIndex(e => e.name === 'JUPYTER_CONFIG_PATH');
    if (given >= 0 && env[given].value === undefined) {
      const i = (props.secretEnv ?? []).findIndex(e => e?.name === 'JUPYTER_CONFIG_PATH');
      p.error(`secretEnv[${i}].name`, 'JUPYTER_CONFIG_PATH', `is set by the notebook to ${JUPYTER_CONFIG_DIR}, its Jupyter config (idleCulling) (allowed: JUPYTER_CONFIG_PATH in env, to which the notebook adds its directory)`);
    } else if (given >= 0) {
      env[given] = { name: 'JUPYTER_CONFIG_PATH', value: `${env[given].value}:${JUPYTER_CONFIG_DIR}` };
    } else {
      env.push({ name: 'JUPYTER_CONFIG_PATH', value: JUPYTER_CONFIG_DIR });
    }
    if (pod.container.volumeMounts?.some(m => m.mountPath === JUPYTER_CONFIG_DIR)) {
      p.raw(`mount path ${JSON.stringify(JUPYTER_CONFIG_DIR)} of dataset, checkpoints or volumes is invalid: the notebook mounts its Jupyter config (idleCulling) there (allowed: any other path)`);
    }
    const configMapName = `${this.name}-jupyter-config`;
    const container: k8s.Container = {
      ...pod.container,
      env,
      volumeMounts: [
        ...(pod.container.volumeMounts ?? []),
        { name: 'workspace', mountPath: this.workspacePath },
        { name: 'jupyter-config', mountPath: JUPYTER_CONFIG_DIR, readOnly: true },
      ],
      // Jupyter answers on its port once started; the Service sends traffic only then.
      readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(GpuNotebook.PORT) }, periodSeconds: 10, failureThreshold: 3 },
    };
    const spec: k8s.PodSpec = {
      ...pod.spec,
      securityContext: _notebookSecurityContext(props.runAsRoot === true),
      containers: [container],
      volumes: [...(pod.spec.volumes ?? []), { name: 'jupyter-config', configMap: { name: configMapName } }],
    };
    this._notebookPod = { ...pod, container, spec };
  }

  /**
   * Emits the ConfigMap of the Jupyter config the pod mounts; the variants call it once their props are valid.
   * @internal
   */
  protected _emitJupyterConfig(): void {
    this._jupyterConfigMap = new k8s.KubeConfigMap(this, 'JupyterConfig', {
      metadata: this._metadata(`${this.name}-jupyter-config`),
      data: { [JUPYTER_CONFIG_FILE]: this._jupyterConfig ?? '' },
    });
  }

  /** The ConfigMap of the notebook's Jupyter Server config (`jupyter_server_config.json`: the idle culling). */
  public get jupyterConfig(): k8s.KubeConfigMap {
    return _ensure(this, this._jupyterConfigMap, this._problems);
  }

  /** What differs between the variants; called from the base constructor, so it must not read instance fields. @internal */
  protected abstract _variant(): _NotebookVariant;
}
