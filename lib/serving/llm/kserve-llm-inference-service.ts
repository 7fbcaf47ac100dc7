import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClusterAddon } from '../../platform/cluster-addon';
import { WorkloadKind } from '../../platform/platform';
import { _FoundTemplate } from '../../pod/admission';
import { _show } from '../../validation';
import { _requireAddon } from '../../workload/addons';
import { ModelSource } from './llm-model';
import { LlmServer, LlmServerProps, _LlmVariant } from './llm-server';
import { _LLM_SHARE_REFUSED } from './memory-fit';
import { _Renders } from '../../pod/renders';

/** Props of a {@link KServeLlmInferenceService}. */
export interface KServeLlmInferenceServiceProps extends LlmServerProps {
  /**
   * Image of the `main` container.
   * @default - the image of KServe's LLMInferenceServiceConfig (`kserve-config-llm-template`)
   */
  readonly image?: string;
  /**
   * Let KServe route with the Gateway API Inference Extension: it creates the InferencePool, the endpoint picker and an
   * HTTPRoute on its default Gateway. Without it, clients reach the servers through KServe's workload Service.
   * @default true
   */
  readonly routing?: boolean;
}

/** The fields of `serving.kserve.io/v1alpha2` LLMInferenceService this construct emits (the CRD is 2 MB: not imported). */
interface LlmInferenceServiceSpec {
  readonly model: { readonly uri: string; readonly name: string };
  readonly replicas: number;
  readonly parallelism: { readonly tensor: number };
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  /** Empty objects: KServe's managed scheduler, route and gateway. */
  readonly router?: { readonly scheduler: object; readonly route: object; readonly gateway: object };
  readonly template: any;
}

const SCHEMES = ['hf', 's3', 'gs', 'pvc', 'oci', 'https'];

/**
 * An LLM served by KServe: a `serving.kserve.io/v1alpha2` `LLMInferenceService` (KServe 0.20's stored version) with
 * the model, `replicas` and tensor parallelism over `gpus`, the pod's GPUs, placement and security on the container
 * KServe merges with its own by name (`main`), and vLLM's sizing flags as its arguments. KServe downloads the model
 * (`hf://`, `s3://`, `gs://`, `pvc://`, `oci://`) to `/mnt/models`, runs vLLM, and by default routes with an
 * InferencePool and endpoint picker of its own. One node per replica: KServe 0.20 ships no configuration for pipeline
 * parallelism across nodes (use `VllmLeaderWorkerSet`).
 */
export class KServeLlmInferenceService extends LlmServer {
  /** @internal */
  public static readonly _propsType: string = 'KServeLlmInferenceServiceProps';

  /** KServe's name of the model container, which its configs are merged with. */
  public static readonly CONTAINER_NAME = 'main';

  private readonly _service?: ApiObject;

  public constructor(scope: Construct, id: string, props: KServeLlmInferenceServiceProps) {
    super(scope, id, props);
    props = this._checkedProps;
    const p = this._problems;
    const given: KServeLlmInferenceServiceProps = props;
    const routing = given.routing ?? true;
    _requireAddon(p, this.platform, ClusterAddon.KSERVE, 'an LLMInferenceService');
    if (routing) {
      _requireAddon(p, this.platform, ClusterAddon.GATEWAY_API, 'KServe\'s LLM routing (routing: true)');
      _requireAddon(p, this.platform, ClusterAddon.INFERENCE_EXTENSION, 'KServe\'s LLM routing (routing: true)');
    }
    // KServe's services are named after the object (`<name>-kserve-workload-svc`, `<name>-epp-service`); Services are
    // DNS-1035 labels.
    this._limitName(63 - '-kserve-workload-svc'.length, m => `KServe names the Services of an LLMInferenceService <name>-kserve-workload-svc; the name may have at most ${m} characters`);
    if (typeof this.name === 'string' && /^[0-9]/.test(this.name)) p.error('name', this.name, 'must start with a letter: KServe names Services after it (DNS-1035 labels)');

    // The model: KServe's storage initializer downloads it.
    const model = this.model;
    let uri = '';
    if (model && model.source === ModelSource.HUGGING_FACE) {
      uri = `hf://${model.location}`;
    } else if (model) {
      const scheme = typeof model.location === 'string' ? /^([a-z0-9]+):\/\/\S+$/.exec(model.location)?.[1] : undefined;
      if (scheme === undefined || !SCHEMES.includes(scheme)) p.error('model', model.location, `KServe loads ${SCHEMES.map(s => `${s}://`).join(', ')}`);
      uri = model.location;
    }
    // The storage initializer reads a Hugging Face token from the key HF_TOKEN of a Secret listed by the ServiceAccount.
    const token = this._huggingFaceToken;
    if (token && token.key !== 'HF_TOKEN') {
      p.error('huggingFaceToken.key', token.key, 'KServe\'s storage initializer reads the token from the key HF_TOKEN of a Secret the pods\' ServiceAccount lists; store it under that key');
    }
    if (token && given.serviceAccountName !== undefined) {
      p.warn(`huggingFaceToken reaches KServe's storage initializer through the ServiceAccount: add the Secret ${_show(token.secretName)} to the secrets of ServiceAccount ${_show(given.serviceAccountName)}`);
    }

    // KServe's storage initializer downloads the weights to an emptyDir: request the ephemeral storage they take
    // (a platform that caps usage at the request, such as Autopilot, would evict the pod mid-download).
    const download = uri.startsWith('pvc://') ? undefined : Size.gibibytes(this._downloadGiB + 10);
    const pod = this._pod({
      ...given,
      image: given.image,
      args: [...this._tuningFlags(), ...(given.args ?? [])],
      ephemeralStorage: given.ephemeralStorage ?? download,
    }, {
      kind: WorkloadKind.SERVING,
      containerName: KServeLlmInferenceService.CONTAINER_NAME,
      imageOptional: true,
      shareRefused: _LLM_SHARE_REFUSED,
    });
    if (!this._ready()) return;
    if (token && this.serviceAccount) this.serviceAccount.addJsonPatch(JsonPatch.add('/secrets', [{ name: token.secretName }]));

    // The main container: what this construct decides. KServe's config brings the command (vllm serve /mnt/models ... "$@"),
    // port and probes; a strategic merge keeps ours where both set a field, so the startup probe allows the model load.
    const container: any = k8s.toJson_Container(pod.container);
    container.startupProbe = { periodSeconds: 10, failureThreshold: Math.max(1, Math.ceil(this._loadSeconds / 10)) };
    const template: any = k8s.toJson_PodSpec(pod.spec);
    template.containers = [container];
    const meta = this._podMetadata(pod);
    const spec: LlmInferenceServiceSpec = {
      model: { uri, name: model.servedName },
      replicas: this.replicas,
      parallelism: { tensor: this.tensorParallelSize },
      labels: meta.labels,
      annotations: meta.annotations,
      router: routing ? { scheduler: {}, route: {}, gateway: {} } : undefined,
      template,
    };
    this._service = new ApiObject(this, 'Resource', {
      apiVersion: 'serving.kserve.io/v1alpha2',
      kind: 'LLMInferenceService',
      metadata: this._metadata(),
      spec: JSON.parse(JSON.stringify(spec)),
    });
    // KServe manages the pods' networking (its router, scheduler and TLS): no NetworkPolicy of ours.
    this._finish({ resource: this._service, templates: () => this.mainPods() });
  }

  /** The `LLMInferenceService` (escape hatch). */
  public get llmInferenceService(): ApiObject {
    return this.apiObject;
  }

  /** The pod KServe makes of the template, as admission sees it (the image comes from KServe's config). */
  private mainPods(): _FoundTemplate[] {
    const spec = _Renders.of(this._service!).spec ?? {};
    const t = spec.template ?? {};
    const containers = (t.containers ?? []).map((c: any) => ({ image: '(from KServe\'s config)', ...c }));
    return [{ where: 'spec.template', spec: { ...t, containers }, annotations: spec.annotations }];
  }

  /** @internal */
  protected _variant(): _LlmVariant {
    return { what: 'KServeLlmInferenceService', multiNode: false, otherClass: 'VllmLeaderWorkerSet' };
  }
}
