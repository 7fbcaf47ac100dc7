import { ApiObject, Chart, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { _checkFleetProps, _joinFleet } from '../fleet/_queued-workload';
import { CapacityType, Cloud, GpuRequest, Platform, WorkloadKind } from '../platform/platform';
import { _FoundTemplate, _checkAdmission, _podTemplatesOf } from '../pod/admission';
import { _checkCommandLine } from '../pod/env';
import { _PodInput, _PodOptions, _PodTemplate, _buildPod } from '../pod/pod-template';
import { GpuShare } from '../sharing/gpu-share';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkLabels, _checkProps, _durationSeconds, _ensure, _show } from '../validation';
import { GpuPodProps } from './gpu-pod-props';
import { _Registry, _SingletonClaim } from './registry';
import { _Renders } from '../pod/renders';

/** What `_finish` needs to know about the emitted objects. @internal */
export interface _FinishOptions {
  /** The main object (the escape hatch `apiObject`). */
  readonly resource: ApiObject;
  /** Objects whose pod templates are admission-checked (default: the main object). */
  readonly rendered?: ApiObject[];
  /** The pod templates to admission-check (default: every template in the rendered objects). */
  readonly templates?: () => _FoundTemplate[];
  /** What the NetworkPolicy admits; undefined: no NetworkPolicy. */
  readonly ingress?: k8s.NetworkPolicyIngressRule[];
  /** Objects the cluster makes from the emitted ones (a StatefulSet's claims), claimed like emitted objects. */
  readonly implied?: _SingletonClaim[];
}

/**
 * The base of every GPU workload: owns the platform, name, namespace, labels, problems, ServiceAccount and
 * NetworkPolicy, and the validate → emit → admission-check lifecycle. A subclass validates what is particular to it,
 * builds its pods with the shared pod builder, and emits its objects.
 */
export abstract class GpuWorkload extends Construct {
  /**
   * Name of the props type the runtime type check uses; each construct class states its own (a class name is not
   * reliable at run time: bundlers rename and minifiers mangle classes). A subclass the library does not know is
   * checked against the nearest library type, with its extra props allowed.
   * @internal
   */
  public static readonly _propsType: string = 'GpuPodProps';

  /** The platform the workload targets. */
  public readonly platform: Platform;
  /** Namespace of the workload's objects. */
  public readonly namespace?: string;
  /** Name of the ServiceAccount the pods run as. */
  public readonly serviceAccountName: string;
  /** @internal */
  public readonly _problems = new _Problems();
  /**
   * The props after the runtime type check: only well-typed values (every wrong one was reported and dropped). A
   * subclass reads its props from here, never from its constructor argument.
   * @internal
   */
  public readonly _checkedProps: any;
  /** Labels that select this workload's pods. @internal */
  public readonly _selector: { [key: string]: string };
  /** Labels of every object of the workload. @internal */
  public readonly _labels: { [key: string]: string };
  /** The GPU shares of the pods built so far (GPU sharing: what a GpuSharingConfig must offer). @internal */
  public readonly _gpuShares: GpuShare[] = [];
  private readonly _givenName?: string;
  private _name: string;
  private _maxNameLength = 63;
  private _nameMessage?: (maxLength: number) => string;
  private readonly _base: GpuPodProps;
  private readonly _kind: WorkloadKind;
  private readonly _createsServiceAccount: boolean;
  private _serviceAccount?: k8s.KubeServiceAccount;
  private _networkPolicy?: k8s.KubeNetworkPolicy;
  private _resource?: ApiObject;
  private _request?: GpuRequest;

  protected constructor(scope: Construct, id: string, props: GpuPodProps, kind: WorkloadKind) {
    super(scope, id);
    const p = this._problems;
    p.attach(this);
    const cls = new.target as unknown as { _propsType: string };
    const given: GpuPodProps = this._checkedProps = _checkProps<GpuPodProps>(p, cls._propsType, props, {
      allowUnknown: !Object.prototype.hasOwnProperty.call(cls, '_propsType'),
    });
    this._base = given;
    this._kind = kind;
    this.platform = given.platform;
    if (given.platform) for (const m of given.platform._optionProblems) p.raw(`platform.${m}`);
    this._givenName = given.name;
    this._name = given.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: 63 });
    this.namespace = given.namespace ?? Chart.of(this).namespace;
    _checkDnsLabel(p, 'namespace', given.namespace);
    if (given.namespace === undefined && this.namespace !== undefined) {
      _checkDnsLabel(p, 'namespace', this.namespace, 63, 'the chart\'s namespace; ');
    }
    _checkLabels(p, 'labels', given.labels);
    if (given.labels && Conventions.INSTANCE_LABEL in given.labels) {
      p.error(`labels[${JSON.stringify(Conventions.INSTANCE_LABEL)}]`, given.labels[Conventions.INSTANCE_LABEL],
        'is the library\'s own selector label (its Service, NetworkPolicy and controllers select the pods with it); use another label key');
    }
    if (given.priorityClass !== undefined) {
      _checkDnsSubdomain(p, 'priorityClass', given.priorityClass.priorityClassName);
      if (given.priorityClass.priorityClassName.startsWith('system-')) {
        p.error('priorityClass', given.priorityClass.priorityClassName, 'system- classes are for cluster-critical pods; a GPU workload would preempt the cluster\'s own components');
      }
    }
    _checkDnsSubdomain(p, 'serviceAccountName', given.serviceAccountName);
    this._checkIdentity(given);
    // Fleet (issue 13): queue, Kueue priority and compute class.
    _checkFleetProps(p, given, this.namespace, given.platform);
    this._createsServiceAccount = given.serviceAccountName === undefined;
    this.serviceAccountName = given.serviceAccountName ?? this._name;
    this._selector = { [Conventions.INSTANCE_LABEL]: this._name };
    this._labels = {
      [Conventions.NAME_LABEL]: this._name, ...this._selector, [Conventions.COMPONENT_LABEL]: kind,
      [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(given.labels ?? {}),
    };
  }

  /** Name of the workload's main object (and of its ServiceAccount unless one was given). */
  public get name(): string {
    return this._name;
  }

  /** The main API object (escape hatch); its kind depends on the construct. */
  public get apiObject(): ApiObject {
    return _ensure(this, this._resource, this._problems);
  }

  /** The ServiceAccount the workload created, if it created one. */
  public get serviceAccount(): k8s.KubeServiceAccount | undefined {
    return this._serviceAccount;
  }

  /** The NetworkPolicy isolating the workload's pods, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  /**
   * Limits the name: objects derived from it (pod hostnames, per-pod Services) must stay DNS labels. A derived name is
   * shortened; a given one that is too long is refused with `message`.
   * @internal
   */
  public _limitName(maxLength: number, message?: (maxLength: number) => string): void {
    this._maxNameLength = maxLength;
    this._nameMessage = message;
    if (this._givenName === undefined) this._name = Names.toDnsLabel(this, { includeHash: false, maxLen: maxLength });
  }

  /**
   * Builds a pod with the shared builder; its problems join the workload's (renamed by `rename`, e.g. to name a
   * replica's override).
   * @internal
   */
  public _pod(props: _PodInput, options: _PodOptions, rename?: (message: string) => string): _PodTemplate {
    const identity = { serviceAccountName: this.serviceAccountName, priorityClassName: this._base.priorityClass?.priorityClassName };
    const own = rename ? new _Problems() : this._problems;
    const pod = _buildPod(own, props, options, identity);
    if (rename) this._problems.absorb(own, rename);
    if (pod.gpus > 0 && pod.request.share) this._gpuShares.push(pod.request.share);
    return this._firstRequest(pod);
  }

  /** Fleet (issue 13): the capacity and GPU model the fleet checks and the plan report see are the first pod's. */
  private _firstRequest(pod: _PodTemplate): _PodTemplate {
    if (this._request === undefined && pod.gpus > 0) this._request = pod.request;
    return pod;
  }

  /** Object metadata of an object of this workload. @internal */
  public _metadata(name: string = this._name, extraLabels: { [key: string]: string } = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this._labels, ...extraLabels } };
  }

  /** Pod template metadata. @internal */
  public _podMetadata(pod: _PodTemplate, extraLabels: { [key: string]: string } = {},
    extraAnnotations: { [key: string]: string } = {}): k8s.ObjectMeta {
    const annotations = { ...pod.podAnnotations, ...extraAnnotations };
    // pod.podLabels: labels the pod builder says the pod needs (GPU sharing: the Pod Security exception of an MPS pod).
    return { labels: { ...this._labels, ...pod.podLabels, ...extraLabels }, annotations: Object.keys(annotations).length ? annotations : undefined };
  }

  /** An ingress rule admitting every port from the other pods of this workload (e.g. DDP ranks). @internal */
  public _sameRunIngress(ports?: number[]): k8s.NetworkPolicyIngressRule {
    return {
      from: [{ podSelector: { matchLabels: this._selector } }],
      ports: ports?.map(port => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' })),
    };
  }

  /**
   * Ends validation: checks the name, and when every prop is valid creates the workload's ServiceAccount and returns
   * true (the subclass then emits its objects); otherwise returns false and nothing is emitted.
   * @internal
   */
  public _ready(): boolean {
    // Last, so that a construct that knows its program (e.g. Jupyter's token flags) reports an argument its own way.
    _checkCommandLine(this._problems, 'command', this._base.command);
    _checkCommandLine(this._problems, 'args', this._base.args);
    const name = this._name;
    if (name.length > this._maxNameLength || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      if (this._nameMessage && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 63) {
        this._problems.error('name', name, this._nameMessage(this._maxNameLength));
      } else {
        _checkDnsLabel(this._problems, 'name', name, this._maxNameLength);
      }
    }
    if (!this._problems.ok) return false;
    if (this._createsServiceAccount) {
      const identity = this._base.identity;
      this._serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
        metadata: { ...this._metadata(this.serviceAccountName), annotations: identity ? { [identity.annotationKey]: identity.value } : undefined },
        automountServiceAccountToken: this._base.automountServiceAccountToken ?? false,
      });
    }
    return true;
  }

  /**
   * After the subclass emitted its objects: the NetworkPolicy, the admission checks of every pod template, and the
   * app-wide claims of every object's name.
   * @internal
   */
  public _finish(o: _FinishOptions): void {
    this._resource = o.resource;
    if (o.ingress !== undefined && this._base.isolateNetwork !== false) {
      this._networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: this._metadata(),
        spec: { podSelector: { matchLabels: this._selector }, policyTypes: ['Ingress'], ingress: o.ingress },
      });
    }
    // Fleet (issue 13): Kueue labels on the main object; registered for the app-wide queue checks and the plan report.
    const base = this._base as GpuPodProps & { activeDeadline?: unknown };
    _joinFleet(this, this._problems, {
      construct: this, platform: this.platform, name: this._name, namespace: this.namespace, kind: this._kind,
      accelerator: this._request?.accelerator ?? base.accelerator, resource: o.resource, share: this._request?.share,
      capacityType: this._request?.capacityType ?? base.capacityType ?? CapacityType.ON_DEMAND,
    }, { ...base, capacityType: this._request?.capacityType ?? base.capacityType }, _durationSeconds(new _Problems(), 'activeDeadline', base.activeDeadline));
    const rendered = o.rendered ?? [o.resource];
    _checkAdmission(this, this.platform, o.templates ?? (() => rendered.flatMap(r => _podTemplatesOf(_Renders.of(r)))), rendered);
    _Registry.claimAll(this, this.platform.cluster, o.implied);
  }

  private _checkIdentity(props: GpuPodProps): void {
    const p = this._problems;
    const identity = props.identity;
    if (identity === undefined) return;
    const problem = identity._problem();
    if (problem) p.error('identity', identity.value, problem);
    const platform = props.platform;
    if (platform !== undefined && platform.cloud !== Cloud.ANY && platform.cloud !== identity.cloud) {
      p.raw(`identity=${_show(identity.value)} is invalid: an ${identity.cloud.toUpperCase()} identity does not work on ${platform.displayName} (allowed: ${platform.cloud === Cloud.GCP ? 'CloudIdentity.gcpServiceAccount' : 'CloudIdentity.awsIamRole'})`);
    }
    if (props.serviceAccountName !== undefined) {
      p.raw(`identity=${_show(identity.value)} is invalid together with serviceAccountName=${_show(props.serviceAccountName)}: annotate that ServiceAccount yourself, or drop serviceAccountName to let the workload create its own`);
    }
  }
}
