import { createHash } from 'crypto';
import { Chart, Names, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Conventions } from '../conventions';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { _checkAdmission, _podTemplatesOf } from '../pod/admission';
import { SecretKeyRef, _secretKeyEnv } from '../pod/env';
import { _containerSecurityContext } from '../pod/security-context';
import { _Problems, _checkDnsLabel, _checkInt, _checkLabels, _checkProps, _ensure, _show } from '../validation';
import { _Registry } from '../workload/registry';
import { IWandbLaunchQueue } from './wandb-launch-queue';
import { _Renders } from '../pod/renders';

/** Props of a {@link WandbLaunchAgent}. */
export interface WandbLaunchAgentProps {
  /** The platform the agent and its jobs run on. */
  readonly platform: Platform;
  /**
   * Agent image, pinned to a wandb release, e.g. `wandb/launch-agent:0.28.2`. The queue configs and the Role follow
   * the agent of wandb 0.28.2; agents before 0.28.1 do not harden the jobs' security context.
   */
  readonly image: string;
  /** The Secret key holding the W&B API key (`WANDB_API_KEY`), in the agent's namespace. */
  readonly apiKey: SecretKeyRef;
  /** The queues the agent polls; it gets RBAC in each queue's job namespace. */
  readonly queues: IWandbLaunchQueue[];
  /**
   * W&B entity (team or user) of the queues.
   * @default - the API key's default entity
   */
  readonly entity?: string;
  /**
   * W&B server URL (`WANDB_BASE_URL`), for a dedicated or self-managed W&B.
   * @default - https://api.wandb.ai
   */
  readonly baseUrl?: string;
  /**
   * Most runs the agent keeps going at once; -1 for no limit.
   * @default 1
   */
  readonly maxJobs?: number;
  /**
   * Name of the agent's objects; also names the Secret `wandb-api-key-<name>` the agent keeps in each job namespace.
   * @default - derived from the construct path
   */
  readonly name?: string;
  /**
   * Namespace of the agent.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Emit a NetworkPolicy that admits no traffic to the agent (it only calls out: the W&B API, the Kubernetes API).
   * @default true
   */
  readonly isolateNetwork?: boolean;
}

/** Where the agent image reads its config (`~/.config/wandb/launch-config.yaml`, HOME=/home/launch_agent). */
const CONFIG_DIR = '/home/launch_agent/.config/wandb';
const CONFIG_FILE = 'launch-config.yaml';

/**
 * A W&B Launch agent on Kubernetes: a Deployment of one agent polling `queues`, its launch config in a ConfigMap
 * (no image builder: runs use images that exist), `WANDB_API_KEY` from a Secret, and a ServiceAccount with an API token
 * bound, in each queue's job namespace, to a Role granting exactly the calls the wandb 0.28.2 agent makes for a Job
 * queue: create, watch and delete Jobs, watch pods and read their logs, create the run's API-key Secret and read or
 * replace only that one (`wandb-api-key-<name>`). Nothing cluster-wide.
 */
export class WandbLaunchAgent extends Construct {
  /** The platform. */
  public readonly platform: Platform;
  /** Name of the agent's objects. */
  public readonly name: string;
  /** Namespace of the agent. */
  public readonly namespace?: string;
  /** Name of the Secret with the API key that the agent keeps in each job namespace for its runs. */
  public readonly runSecretName: string;
  private readonly _problems = new _Problems();
  private readonly _deployment?: k8s.KubeDeployment;
  private readonly _serviceAccount?: k8s.KubeServiceAccount;
  private readonly _configMap?: k8s.KubeConfigMap;
  private readonly _roles: k8s.KubeRole[] = [];
  private readonly _roleBindings: k8s.KubeRoleBinding[] = [];
  private readonly _networkPolicy?: k8s.KubeNetworkPolicy;

  public constructor(scope: Construct, id: string, props: WandbLaunchAgentProps) {
    super(scope, id);
    const p = this._problems;
    p.attach(this);
    props = _checkProps(p, 'WandbLaunchAgentProps', props, { allowUnknown: new.target !== WandbLaunchAgent });
    // The runtime type check reported what is missing or of the wrong type: what is left is well-typed.
    const given: WandbLaunchAgentProps = props;
    this.platform = given.platform;
    if (given.platform) for (const m of given.platform._optionProblems) p.raw(`platform.${m}`);
    // The run Secret's name is wandb-api-key-<name>: a Secret name (253), but keep it a label-safe 63 characters.
    this.name = given.name ?? Names.toDnsLabel(this, { includeHash: false, maxLen: 49 });
    _checkDnsLabel(p, 'name', this.name, 49);
    this.namespace = given.namespace ?? Chart.of(this).namespace;
    _checkDnsLabel(p, 'namespace', given.namespace);
    _checkLabels(p, 'labels', given.labels);
    if (given.labels && Conventions.INSTANCE_LABEL in given.labels) {
      p.error(`labels[${JSON.stringify(Conventions.INSTANCE_LABEL)}]`, given.labels[Conventions.INSTANCE_LABEL], 'is the library\'s own selector label; use another label key');
    }
    this.runSecretName = `wandb-api-key-${this.name}`;

    // A missing image (required) was reported by the type check.
    if (given.image !== undefined && (given.image === '' || /\s/.test(given.image))) {
      p.error('image', given.image, 'must be the launch agent image pinned to a wandb release, e.g. "wandb/launch-agent:0.28.2"');
    } else if (given.image !== undefined) {
      const tag = /:([^/:@]+)$/.exec(given.image)?.[1];
      const version = tag !== undefined ? /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag) : null;
      if (!version && !given.image.includes('@sha256:')) {
        p.warn(`image=${_show(given.image)} is not pinned to a wandb release: the queue configs and the Role follow the agent of wandb 0.28.2, and agents before 0.28.1 do not harden the jobs' security context`);
      } else if (version && (Number(version[1]) * 1e6 + Number(version[2]) * 1e3 + Number(version[3])) < 28001) {
        p.warn(`image=${_show(given.image)} is an agent before wandb 0.28.1: it neither refuses unsafe queue configs nor sets a restricted security context on the jobs' containers; use 0.28.1 or later`);
      }
    }
    const apiKeyEnv = _secretKeyEnv(p, 'apiKey', 'WANDB_API_KEY', given.apiKey);
    if (given.entity !== undefined && !/^[A-Za-z0-9][-_.A-Za-z0-9]*$/.test(given.entity)) {
      p.error('entity', given.entity, 'must be a W&B entity name (letters, digits, \'-\', \'_\', \'.\')');
    }
    if (given.baseUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(given.baseUrl)) {
      p.error('baseUrl', given.baseUrl, 'must be an http(s) URL, e.g. "https://wandb.example.com"');
    }
    const maxJobs = given.maxJobs ?? 1;
    if (maxJobs !== -1) _checkInt(p, 'maxJobs', given.maxJobs, 1, 1000);

    const queues = this.checkQueues(p, given.queues);
    if (!p.ok) return;

    const selector = { [Conventions.INSTANCE_LABEL]: this.name };
    const labels = {
      [Conventions.NAME_LABEL]: this.name, ...selector, [Conventions.COMPONENT_LABEL]: 'launch-agent',
      [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(given.labels ?? {}),
    };
    const meta = (namespace = this.namespace): k8s.ObjectMeta => ({ name: this.name, namespace, labels });

    // The agent calls the Kubernetes API: its ServiceAccount mounts a token.
    this._serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(), automountServiceAccountToken: true });
    const config = Yaml.stringify({
      queues: queues.map(q => q.queueName),
      entity: given.entity,
      max_jobs: maxJobs,
      // No image builder: runs use images that exist (a builder needs registry credentials and more RBAC).
      builder: { type: 'noop' },
    });
    this._configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: meta(), data: { [CONFIG_FILE]: config } });

    for (const ns of [...new Set(queues.map(q => q.jobNamespace))].sort()) {
      const role = new k8s.KubeRole(this, `Role-${ns}`, { metadata: meta(ns), rules: this.rules() });
      this._roles.push(role);
      this._roleBindings.push(new k8s.KubeRoleBinding(this, `RoleBinding-${ns}`, {
        metadata: meta(ns),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
        subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
      }));
    }

    const placement = this.platform.schedule({ gpus: 0, capacityType: CapacityType.ON_DEMAND, kind: WorkloadKind.SERVING });
    const env: k8s.EnvVar[] = [
      apiKeyEnv!,
      ...(given.baseUrl !== undefined ? [{ name: 'WANDB_BASE_URL', value: given.baseUrl }] : []),
      // With a release name the agent keeps one API-key Secret per job namespace, named after it, instead of one per
      // run that it deletes afterwards: the Role can then name the only Secret it may read.
      { name: 'WANDB_RELEASE_NAME', value: this.name },
    ];
    const podAnnotations = {
      ...placement.podAnnotations,
      // The agent reads its config at start: a new config rolls the pod.
      'gpu-ml.cdk8s.io/launch-config-sha256': createHash('sha256').update(config).digest('hex').slice(0, 16),
    };
    this._deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: meta(),
      spec: {
        replicas: 1,
        // Never two agents of one config at once.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: podAnnotations },
          spec: {
            serviceAccountName: this.name,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            // The image's user launch_agent is uid 1000 with primary group 0: no runAsGroup.
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            nodeSelector: Object.keys(placement.nodeSelector).length ? placement.nodeSelector : undefined,
            tolerations: placement.tolerations.length ? placement.tolerations : undefined,
            affinity: placement.affinity,
            containers: [{
              name: 'launch-agent',
              image: given.image,
              env,
              // The launch-agent chart's size.
              resources: {
                requests: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') },
                limits: { memory: k8s.Quantity.fromString('1Gi') },
              },
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              securityContext: _containerSecurityContext(),
            }],
            volumes: [{ name: 'config', configMap: { name: this.name } }],
          },
        },
      },
    });
    if (given.isolateNetwork !== false) {
      this._networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: meta(),
        spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [] },
      });
    }
    const deployment = this._deployment;
    _checkAdmission(this, this.platform, () => _podTemplatesOf(_Renders.of(deployment)), [deployment]);
    _Registry.claimAll(this, this.platform.cluster);
  }

  /** The agent's Deployment (escape hatch). */
  public get deployment(): k8s.KubeDeployment {
    return _ensure(this, this._deployment, this._problems);
  }

  /** The agent's ServiceAccount. */
  public get serviceAccount(): k8s.KubeServiceAccount {
    return _ensure(this, this._serviceAccount, this._problems);
  }

  /** The ConfigMap with the launch config. */
  public get configMap(): k8s.KubeConfigMap {
    return _ensure(this, this._configMap, this._problems);
  }

  /** The Roles, one per job namespace. */
  public get roles(): k8s.KubeRole[] {
    return [...this._roles];
  }

  /** The RoleBindings, one per job namespace. */
  public get roleBindings(): k8s.KubeRoleBinding[] {
    return [...this._roleBindings];
  }

  /** The NetworkPolicy admitting nothing to the agent, unless `isolateNetwork` is false. */
  public get networkPolicy(): k8s.KubeNetworkPolicy | undefined {
    return this._networkPolicy;
  }

  /**
   * The agent's calls for a Job queue (wandb 0.28.2, wandb/sdk/launch/runner/kubernetes_runner.py and
   * kubernetes_monitor.py), and nothing more.
   */
  private rules(): k8s.PolicyRule[] {
    return [
      // create_from_dict (submit), list_namespaced_job with watch (monitor), delete_namespaced_job (cancel).
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'list', 'watch', 'delete'] },
      // list_namespaced_pod with watch (monitor, finding a run's pod for its logs), read_namespaced_pod_log.
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      // ensure_api_key_secret: create; on a conflict read it, and replace it when the key changed.
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [this.runSecretName], verbs: ['get', 'delete'] },
    ];
  }

  private checkQueues(p: _Problems, queues: IWandbLaunchQueue[] | undefined): IWandbLaunchQueue[] {
    // Required: a missing list or a queue that is no queue was reported by the type check.
    if (queues === undefined) return [];
    if (queues.length === 0) {
      p.error('queues', queues, 'must be a non-empty list of queues, e.g. [new WandbLaunchQueue(...)] or [WandbLaunchQueue.fromName("gpu", "ml")]');
      return [];
    }
    const ok: IWandbLaunchQueue[] = [];
    const seen = new Set<string>();
    queues.forEach((q, i) => {
      if (q.queueName.trim() === '' || q.queueName.length > 64) p.error(`queues[${i}].queueName`, q.queueName, 'must be a W&B queue name of 1 to 64 characters');
      _checkDnsLabel(p, `queues[${i}].jobNamespace`, q.jobNamespace);
      if (seen.has(q.queueName)) p.error(`queues[${i}]`, q.queueName, 'is already in the list');
      seen.add(q.queueName);
      ok.push(q);
    });
    return ok;
  }
}
