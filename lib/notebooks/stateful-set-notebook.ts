import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SecretKeyRef, _secretKeyEnv } from '../pod/env';
import { _checkDns1035, _ensure, _show } from '../validation';
import { GpuNotebook, GpuNotebookProps, _NotebookVariant } from './gpu-notebook';
import { _Registry } from '../workload/registry';

/** Props of a {@link StatefulSetNotebook}. */
export interface StatefulSetNotebookProps extends GpuNotebookProps {
  /**
   * Jupyter's access token, read from a Secret into `JUPYTER_TOKEN` (images that start Jupyter without an explicit
   * token option honour it, e.g. the Jupyter Docker Stacks). The Secret value must not end in a newline.
   * @default - Jupyter makes a random token and prints it in the container log (`kubectl logs`)
   */
  readonly token?: SecretKeyRef;
}

/**
 * A GPU notebook for clusters without Kubeflow: a StatefulSet of one Jupyter pod and a ClusterIP Service (port 80 to
 * Jupyter's 8888). The workspace is a volume claim template (`workspace-<name>-0`), kept when the StatefulSet is
 * deleted or stopped. Jupyter's own token protects it; reach it with `kubectl port-forward` or admit an ingress
 * controller's namespace with `accessNamespaces`. The Jupyter server culls idle kernels (`idleCulling`), freeing their
 * GPU memory, but nothing stops an idle pod, which keeps its GPU: stop it with `stopped: true`, or use JupyterHub
 * (`JupyterHubGpuProfiles`) or Kubeflow, whose cullers free the GPU.
 */
export class StatefulSetNotebook extends GpuNotebook {
  /** @internal */
  public static readonly _propsType: string = 'StatefulSetNotebookProps';

  private readonly _statefulSet?: k8s.KubeStatefulSet;
  private readonly _service?: k8s.KubeService;

  public constructor(scope: Construct, id: string, props: StatefulSetNotebookProps) {
    super(scope, id, props);
    props = this._checkedProps;
    const p = this._problems;
    _checkDns1035(p, 'name', this.name, 'it also names the notebook\'s Service');
    const tokenEnv = _secretKeyEnv(p, 'token', 'JUPYTER_TOKEN', props.token);
    if (tokenEnv && (props.secretEnv ?? []).some(s => s.name === 'JUPYTER_TOKEN')) {
      p.error('token', props.token?.secretName, 'and secretEnv both set JUPYTER_TOKEN; keep one');
    }
    for (const a of this._authArgs.filter(x => x.value === '' && /token$/.test(x.option))) {
      p.raw(`${a.where}=${_show(`${a.option}=`)} is invalid: an empty token turns Jupyter's authentication off, and anyone who reaches the Service gets a shell; drop it (Jupyter then uses JUPYTER_TOKEN from token, or a random token)`);
    }
    // Kubeflow's images start Jupyter with --ServerApp.token="" (Kubeflow's gateway authenticates in front of them).
    if (props.command === undefined && props.image !== undefined && /(^|\/)kubeflownotebookswg\/|\/notebook-servers\//.test(props.image)) {
      p.error('image', props.image, 'Kubeflow notebook-server images turn Jupyter\'s authentication off (their start script passes --ServerApp.token=""), so this notebook would be open to anyone who reaches it; use KubeflowNotebook, or an image that honours JUPYTER_TOKEN (e.g. quay.io/jupyter/pytorch-notebook)');
    }
    if (!this._ready()) return;

    this._emitJupyterConfig();
    const pod = this._notebookPod;
    const container: k8s.Container = { ...pod.container, env: tokenEnv ? [...(pod.container.env ?? []), tokenEnv] : pod.container.env };
    this._service = new k8s.KubeService(this, 'Service', {
      metadata: this._metadata(),
      spec: {
        type: 'ClusterIP',
        selector: this._selector,
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('notebook-port'), protocol: 'TCP' }],
      },
    });
    this._statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: this._metadata(),
      spec: {
        replicas: this.stopped ? 0 : 1,
        serviceName: this.name,
        selector: { matchLabels: this._selector },
        // The workspace outlives the pod and the StatefulSet: it holds the user's files.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: [{
          metadata: { name: 'workspace', labels: this._labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: this._workspaceStorageClass,
            resources: { requests: { storage: k8s.Quantity.fromString(this._workspaceQuantity) } },
          },
        }],
        template: { metadata: this._podMetadata(pod), spec: { ...pod.spec, containers: [container] } },
      },
    });
    // The StatefulSet's controller creates the workspace claim `workspace-<name>-0`: an object of the cluster, claimed
    // like the emitted ones (a VolumeClaim of that name would be taken over by the notebook).
    const claim = `workspace-${this.name}-0`;
    this._finish({
      resource: this._statefulSet,
      ingress: this._ingress,
      implied: [{
        key: _Registry.objectKey('', 'PersistentVolumeClaim', this.namespace, claim),
        message: (others, cluster) => `name=${_show(this.name)} is invalid: its StatefulSet creates the PersistentVolumeClaim ${this.namespace ? `${this.namespace}/` : ''}${claim} for the workspace, which ${others} also emits in cluster ${_show(cluster)}; the notebook would take it over (give one of them another name)`,
      }],
    });
  }

  /** The `apps/v1` StatefulSet (escape hatch). */
  public get statefulSet(): k8s.KubeStatefulSet {
    return _ensure(this, this._statefulSet, this._problems);
  }

  /** The ClusterIP Service in front of the notebook (port 80). */
  public get service(): k8s.KubeService {
    return _ensure(this, this._service, this._problems);
  }

  /** @internal */
  protected _variant(): _NotebookVariant {
    return { defaultAccessNamespaces: [], tokenHint: 'token: { secretName, key } sets JUPYTER_TOKEN from it' };
  }
}
