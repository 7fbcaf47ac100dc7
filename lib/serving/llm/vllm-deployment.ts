import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { _checkDns1035, _ensure } from '../../validation';
import { _LlmVariant } from './llm-server';
import { VllmServer, VllmServerProps, _VllmRole } from './vllm-server';

/** Props of a {@link VllmDeployment}. */
export interface VllmDeploymentProps extends VllmServerProps {}

/**
 * An LLM served by vLLM from one node per replica: an `apps/v1` Deployment whose pods run `vllm serve` with tensor
 * parallelism over their `gpus`, a Service, a PodDisruptionBudget, a NetworkPolicy and optionally an autoscaler on
 * vLLM's queue. Needs no operator. A model larger than one node: `VllmLeaderWorkerSet`.
 */
export class VllmDeployment extends VllmServer {
  /** @internal */
  public static readonly _propsType: string = 'VllmDeploymentProps';

  private readonly _deployment?: k8s.KubeDeployment;
  private readonly _pdb?: k8s.KubePodDisruptionBudget;

  public constructor(scope: Construct, id: string, props: VllmDeploymentProps) {
    super(scope, id, props);
    props = this._checkedProps;
    _checkDns1035(this._problems, 'name', this.name, 'it also names the server\'s Service');
    const pod = this._vllmPod(_VllmRole.SINGLE);
    if (!this._ready()) return;
    this._deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: this._metadata(),
      spec: {
        replicas: this._autoscaled ? undefined : this.replicas,
        selector: { matchLabels: this._selector },
        // Keep serving capacity during a rollout: the new pod (with GPUs of its own) must be ready first.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        // A GPU node (~10 minutes) plus the model load.
        progressDeadlineSeconds: this._loadSeconds + 600,
        template: { metadata: this._podMetadata(pod), spec: pod.spec },
      },
    });
    this._emitAround({ apiVersion: 'apps/v1', kind: 'Deployment' });
    this._pdb = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: this._metadata(),
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: this._selector },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
    this._finish({ resource: this._deployment, ingress: [this._servingIngress()] });
  }

  /** The `apps/v1` Deployment (escape hatch). */
  public get deployment(): k8s.KubeDeployment {
    return _ensure(this, this._deployment, this._problems);
  }

  /** The PodDisruptionBudget. */
  public get disruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this._pdb;
  }

  /** @internal */
  protected _variant(): _LlmVariant {
    return { what: 'VllmDeployment', multiNode: false, otherClass: 'VllmLeaderWorkerSet' };
  }
}
