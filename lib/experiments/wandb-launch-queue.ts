import { Chart, Duration, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { _PRIORITY_LABEL, _QUEUE_LABEL, _checkFleetProps } from '../fleet/_queued-workload';
import { Platform, WorkloadKind } from '../platform/platform';
import { _buildPod } from '../pod/pod-template';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkLabels, _checkProps, _durationSeconds, _show } from '../validation';
import { GpuPodProps } from '../workload/gpu-pod-props';
import { _OutputFile } from '../workload/output-file';
import { _Registry } from '../workload/registry';
import { _wandbInjectedSecurityContext, _wandbRefusals } from './wandb-resource-args';

/** A W&B Launch queue whose jobs run in a Kubernetes namespace: what a `WandbLaunchAgent` polls and grants RBAC for. */
export interface IWandbLaunchQueue {
  /** Name of the queue in W&B. */
  readonly queueName: string;
  /** Namespace the queue's jobs run in. */
  readonly jobNamespace: string;
}

/** Props of a {@link WandbLaunchQueue}: a `GpuTrainingJob`-style definition of the Job every run of the queue gets. */
export interface WandbLaunchQueueProps extends GpuPodProps {
  /**
   * Longest a run may take.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished run's Job (and its pod's logs) is kept.
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
}

/**
 * The Kubernetes resource config of a W&B Launch queue: the `batch/v1` Job the agent submits for each run, derived
 * from a GPU training definition for the platform (GPUs, placement, `/dev/shm`, volumes, env from Secrets, priority),
 * with the namespace set (without one, W&B runs jobs in `default`) and a NetworkPolicy isolating the runs' pods.
 *
 * It respects what agents since wandb 0.28.1 refuse in queue configs: no `securityContext` (the agent forces
 * `allowPrivilegeEscalation: false`, all capabilities dropped and the RuntimeDefault seccomp profile on every
 * container), no `serviceAccountName` (runs use the namespace's `default` ServiceAccount, without API token here), no
 * host namespaces or hostPath. W&B owns retries: it requeues a preempted run, and its monitor counts the first failed
 * pod as a failed run, so the Job never retries (`backoffLimit: 0`). The W&B job supplies image, command and args.
 *
 * Synthesis writes `extras/<chart>.<queue>.launch-queue.json` into the app's output directory: paste it as the queue's
 * configuration in the W&B app, or pass it as `config` to `wandb.Api().create_run_queue(name, "kubernetes", config)`.
 */
export class WandbLaunchQueue extends Construct implements IWandbLaunchQueue {
  /** A queue configured elsewhere (the string escape hatch): the agent polls it and gets RBAC in `jobNamespace`. */
  public static fromName(queueName: string, jobNamespace: string): IWandbLaunchQueue {
    return { queueName, jobNamespace };
  }

  /** Name of the queue in W&B. */
  public readonly queueName: string;
  /** Namespace the queue's jobs run in. */
  public readonly jobNamespace: string;
  /** The platform. */
  public readonly platform: Platform;
  /** Path of the queue config file, relative to the app's output directory. */
  public readonly configFile: string;
  private readonly _problems = new _Problems();
  private readonly _job?: any;
  private readonly _networkPolicy?: k8s.KubeNetworkPolicy;

  public constructor(scope: Construct, id: string, props: WandbLaunchQueueProps) {
    super(scope, id);
    const p = this._problems;
    p.attach(this);
    props = _checkProps(p, 'WandbLaunchQueueProps', props, { allowUnknown: new.target !== WandbLaunchQueue });
    // The runtime type check reported what is missing or of the wrong type: what is left is well-typed.
    const given: WandbLaunchQueueProps = props;
    this.platform = given.platform;
    if (given.platform) for (const m of given.platform._optionProblems) p.raw(`platform.${m}`);
    this.queueName = given.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: 63 });
    _checkDnsLabel(p, 'name', this.queueName);
    const namespace = given.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) p.raw('namespace=undefined is invalid: W&B runs a queue\'s jobs in "default" when its config names no namespace; give namespace (or a chart namespace)');
    _checkDnsLabel(p, 'namespace', given.namespace);
    this.jobNamespace = namespace ?? 'default';
    _checkLabels(p, 'labels', given.labels);
    if (given.labels && Conventions.INSTANCE_LABEL in given.labels) {
      p.error(`labels[${JSON.stringify(Conventions.INSTANCE_LABEL)}]`, given.labels[Conventions.INSTANCE_LABEL], 'is the library\'s own selector label; use another label key');
    }
    // Fleet (issue 13): each run's Job can wait in a Kueue queue (the labels go on the Job, not its pod).
    _checkFleetProps(p, given, this.jobNamespace, given.platform);
    // What agents since wandb 0.28.1 refuse, or overwrite, in a queue config.
    const refused = 'W&B Launch agents (wandb >= 0.28.1) refuse queue configs that set it';
    if (given.serviceAccountName !== undefined) p.error('serviceAccountName', given.serviceAccountName, `${refused}; runs use the job namespace's default ServiceAccount`);
    if (given.identity !== undefined) p.error('identity', given.identity.value, `needs the pod's ServiceAccount, which ${refused}; annotate the job namespace's default ServiceAccount instead`);
    if (given.automountServiceAccountToken === true) p.error('automountServiceAccountToken', true, refused);
    if (given.runAsRoot === true) p.error('runAsRoot', true, `needs a securityContext, which ${refused}; the agent sets the containers' security context itself`);
    for (const prop of ['command', 'args'] as const) {
      if (given[prop] !== undefined) p.error(prop, given[prop], `the W&B job supplies the ${prop === 'command' ? 'entrypoint' : 'arguments'}; a queue-level ${prop} would replace every job's own`);
    }
    if (given.priorityClass !== undefined) {
      _checkDnsSubdomain(p, 'priorityClass', given.priorityClass.priorityClassName);
    }
    const deadline = _durationSeconds(p, 'activeDeadline', given.activeDeadline);
    const ttl = given.ttlAfterFinished !== undefined ? _durationSeconds(p, 'ttlAfterFinished', given.ttlAfterFinished, { allowZero: true }) : 86400;

    const pod = _buildPod(p, { ...given, command: undefined, args: undefined, automountServiceAccountToken: false, runAsRoot: false }, {
      kind: WorkloadKind.TRAINING, containerName: 'trainer', restartPolicy: 'Never', imageOptional: true,
    }, { serviceAccountName: 'default', priorityClassName: given.priorityClass?.priorityClassName });

    const fileName = _OutputFile.chartFileName(this, `${this.queueName}.launch-queue.json`);
    this.configFile = `${_OutputFile.DIRECTORY}/${fileName}`;
    if (!p.ok) return;

    const selector = { [Conventions.INSTANCE_LABEL]: this.queueName };
    const labels = {
      [Conventions.NAME_LABEL]: this.queueName, ...selector, [Conventions.COMPONENT_LABEL]: WorkloadKind.TRAINING,
      [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(given.labels ?? {}),
    };
    // The agent owns the service account and the security context: both are left out.
    const { serviceAccountName: _sa, securityContext: _psc, ...podSpec } = k8s.toJson_PodSpec(pod.spec) as any;
    podSpec.containers = podSpec.containers.map(({ securityContext: _csc, ...c }: any) => c);
    const annotations = Object.keys(pod.podAnnotations).length ? { ...pod.podAnnotations } : undefined;
    this._job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        namespace: this.jobNamespace,
        labels: {
          ...labels,
          ...(given.queue ? { [_QUEUE_LABEL]: given.queue.localQueueName } : {}),
          ...(given.workloadPriority ? { [_PRIORITY_LABEL]: given.workloadPriority.workloadPriorityClassName } : {}),
        },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        template: { metadata: { labels, annotations }, spec: podSpec },
      },
    };
    for (const r of _wandbRefusals(this._job)) p.raw(`name=${_show(this.queueName)} is invalid: its queue config would be refused by W&B Launch agents: ${r}`);
    // The pod as the cluster gets it: with the security context the agent injects.
    const admitted = { ...podSpec, containers: podSpec.containers.map((c: any) => ({ ...c, securityContext: _wandbInjectedSecurityContext() })) };
    for (const v of this.platform.admissionViolations(admitted, pod.podAnnotations)) p.raw(`${this.platform.displayName} admission (queue ${this.queueName}): ${v}`);

    if (given.isolateNetwork !== false) {
      // A run is one pod that serves nothing: no ingress.
      this._networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: { name: this.queueName, namespace: this.jobNamespace, labels },
        spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [] },
      });
    }
    _OutputFile.write(this, fileName, () => `${JSON.stringify(this.resourceConfig, undefined, 2)}\n`, p);
    _Registry.claimAll(this, this.platform.cluster);
  }

  /** The queue's Kubernetes resource config: the Job template, as written to `configFile`. */
  public get resourceConfig(): any {
    if (this._job === undefined) throw new Error(`[${this.node.path}] has invalid props, so it has no resource config: ${this._problems.messages.join('; ')}`);
    return JSON.parse(JSON.stringify(this._job));
  }

  /** The NetworkPolicy isolating the runs' pods, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }
}
