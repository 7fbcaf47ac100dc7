import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { NotebookSpec } from '../../imports/kubeflow-notebooks-kubeflow.org';
import { ClusterAddon } from '../platform/cluster-addon';
import { _ensure } from '../validation';
import { _requireAddon } from '../workload/addons';
import { GpuNotebook, GpuNotebookProps, _NotebookVariant } from './gpu-notebook';
import { _Renders } from '../pod/renders';

/** Props of a {@link KubeflowNotebook}. */
export interface KubeflowNotebookProps extends GpuNotebookProps {}

/**
 * A GPU notebook as a Kubeflow `Notebook` (`kubeflow.org/v1`; needs the Kubeflow notebook controller,
 * `ClusterAddon.KUBEFLOW_NOTEBOOKS`). The controller makes the StatefulSet, the Service and the Istio route
 * (`/notebook/<namespace>/<name>/`), copies the Notebook's labels and annotations to the pod, and stops idle notebooks
 * (freeing the GPU) when culling is enabled on the controller (`ENABLE_CULLING`, `CULL_IDLE_TIME`: controller-wide, not
 * per notebook). Per notebook, `idleCulling` has the Jupyter server cull idle kernels, which frees their GPU memory
 * sooner; the controller goes on counting idleness from the last kernel activity. The workspace is a
 * PersistentVolumeClaim `<name>-workspace` emitted beside it; the NetworkPolicy admits the Istio gateway and the
 * controller's culler.
 */
export class KubeflowNotebook extends GpuNotebook {
  /** @internal */
  public static readonly _propsType: string = 'KubeflowNotebookProps';

  /** Annotation whose presence makes the controller scale the notebook to zero (the culler and the web app set it). */
  public static readonly STOPPED_ANNOTATION = 'kubeflow-resource-stopped';

  private readonly _workspace?: k8s.KubePersistentVolumeClaim;

  public constructor(scope: Construct, id: string, props: KubeflowNotebookProps) {
    super(scope, id, props);
    props = this._checkedProps;
    _requireAddon(this._problems, this.platform, ClusterAddon.KUBEFLOW_NOTEBOOKS, 'a Kubeflow Notebook');
    if (!this._ready()) return;

    this._emitJupyterConfig();
    const pod = this._notebookPod;
    const claimName = `${this.name}-workspace`;
    this._workspace = new k8s.KubePersistentVolumeClaim(this, 'Workspace', {
      metadata: this._metadata(claimName),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: this._workspaceStorageClass,
        resources: { requests: { storage: k8s.Quantity.fromString(this._workspaceQuantity) } },
      },
    });
    const podSpec: k8s.PodSpec = { ...pod.spec, volumes: [...(pod.spec.volumes ?? []), { name: 'workspace', persistentVolumeClaim: { claimName } }] };
    // The Notebook's pod template has no metadata: the controller copies the Notebook's own labels and annotations.
    const annotations: { [key: string]: string } = { ...pod.podAnnotations };
    if (this.stopped) annotations[KubeflowNotebook.STOPPED_ANNOTATION] = 'true';
    const spec: NotebookSpec = { template: { spec: k8s.toJson_PodSpec(podSpec) as any } };
    const notebook = new ApiObject(this, 'Resource', {
      apiVersion: 'kubeflow.org/v1',
      kind: 'Notebook',
      metadata: { ...this._metadata(), annotations: Object.keys(annotations).length ? annotations : undefined },
      spec,
    });
    this._finish({
      resource: notebook,
      ingress: this._ingress,
      // The pod as the controller makes it: annotations whose key contains "notebook" or "kubectl" are not copied.
      templates: () => {
        const json = _Renders.of(notebook);
        const copied = Object.fromEntries(Object.entries<string>(json.metadata?.annotations ?? {}).filter(([k]) => !/notebook|kubectl/.test(k)));
        return [{ where: 'spec.template', spec: json.spec?.template?.spec, annotations: copied }];
      },
    });
  }

  /** The workspace PersistentVolumeClaim. */
  public get workspaceClaim(): k8s.KubePersistentVolumeClaim {
    return _ensure(this, this._workspace, this._problems);
  }

  /** @internal */
  protected _variant(): _NotebookVariant {
    return {
      defaultAccessNamespaces: ['istio-system', 'kubeflow'],
      tokenHint: 'Kubeflow authenticates at its gateway; an image that wants a token reads JUPYTER_TOKEN from secretEnv',
    };
  }
}
