import { ApiObject, Chart, Duration, Names, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../accelerator';
import { CapacityType, Cloud, Platform, WorkloadKind, _GpuRequest } from '../platform/platform';
import {
  _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkLabels, _durationSeconds, _quantityMebibytes, _show,
  _sizeMebibytes,
} from '../validation';
import { CloudIdentity } from './cloud-identity';
import { _containerSecurityContext, _podSecurityContext } from './security-context';
import { StorageVolume, StorageVolumeType, VolumeMount } from './storage-volume';

/** An environment variable read from a Kubernetes Secret (the only way secrets reach a workload). */
export interface SecretEnvVar {
  /** Variable name in the container. */
  readonly name: string;
  /** Name of the Secret in the workload's namespace. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
  /**
   * Start the container even if the Secret or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * Props shared by every GPU pod, whoever provides its image: `GpuWorkloadProps` adds the image; an
 * `InferenceEndpoint` on a KServe runtime takes the image from the runtime instead.
 */
export interface GpuPodProps {
  /** The platform the workload runs on; decides scheduling and admission rules. */
  readonly platform: Platform;
  /**
   * Container entrypoint.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments to the entrypoint.
   * @default - the image's command
   */
  readonly args?: string[];
  /**
   * Plain environment variables. Names that look like secrets (`*_TOKEN`, `*PASSWORD*`, `*_API_KEY`...) are
   * refused here: use `secretEnv`.
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /**
   * Environment variables read from Secrets.
   * @default - none
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * GPU model. Required on GKE and Karpenter when `gpus` > 0.
   * @default - none (plain Kubernetes: any GPU the device plugin offers)
   */
  readonly accelerator?: Accelerator;
  /**
   * GPUs per pod (request == limit).
   * @default 1
   */
  readonly gpus?: number;
  /**
   * vCPUs requested per pod (no CPU limit is set, so data loaders are not throttled).
   * @default 4 per GPU (2 without GPUs)
   */
  readonly cpu?: number;
  /**
   * Memory per pod, request == limit (the `/dev/shm` volume counts against it).
   * @default 16 GiB per GPU (4 GiB without GPUs)
   */
  readonly memory?: Size;
  /**
   * Ephemeral storage request per pod (GKE Autopilot refuses less than 512 MiB on GPU pods).
   * @default 10 GiB
   */
  readonly ephemeralStorage?: Size;
  /**
   * Mount a memory-backed `/dev/shm` (PyTorch data loaders and NCCL need more than the 64 MiB default).
   * @default true when the pod has GPUs
   */
  readonly sharedMemory?: boolean;
  /**
   * Size limit of `/dev/shm`; counts against `memory`.
   * @default half of `memory`
   */
  readonly sharedMemorySize?: Size;
  /**
   * Dataset volume, mounted read-only at `datasetPath`; its path is in `$DATASET_DIR`.
   * @default - none
   */
  readonly dataset?: StorageVolume;
  /**
   * Where the dataset is mounted.
   * @default '/data'
   */
  readonly datasetPath?: string;
  /**
   * Checkpoint volume, mounted read-write at `checkpointPath`; its path is in `$CHECKPOINT_DIR`.
   * @default - none
   */
  readonly checkpoints?: StorageVolume;
  /**
   * Where checkpoints are mounted.
   * @default '/checkpoints'
   */
  readonly checkpointPath?: string;
  /**
   * More volumes for the main container.
   * @default - none
   */
  readonly volumes?: VolumeMount[];
  /**
   * Use an existing ServiceAccount instead of creating one for this workload.
   * @default - a ServiceAccount named after the workload, without API token, carrying `identity`
   */
  readonly serviceAccountName?: string;
  /**
   * Cloud identity for the workload's own ServiceAccount (GKE Workload Identity or EKS IRSA).
   * @default - no cloud identity
   */
  readonly identity?: CloudIdentity;
  /**
   * Mount a Kubernetes API token (only for workloads that call the API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Spot or on-demand capacity.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /**
   * Termination grace period: time for a checkpoint after SIGTERM.
   * @default 30 seconds, or the platform's spot cap when that is lower
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Run as root. Only for images that cannot run as a non-root user; the pod then fails the Pod Security
   * "restricted" profile.
   * @default false - runs as uid/gid 1000 with `runAsNonRoot: true`
   */
  readonly runAsRoot?: boolean;
  /**
   * PriorityClass of the pods.
   * @default - the cluster default
   */
  readonly priorityClassName?: string;
  /**
   * Extra labels on every object and pod.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Name of the main object (and of the ServiceAccount).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Emit a NetworkPolicy that admits traffic to the pods only from where the workload needs it (other pods of the
   * same run for training; the serving port for endpoints). Egress is left open (downloads, DNS, cloud APIs).
   * @default true
   */
  readonly isolateNetwork?: boolean;
}

/**
 * Props shared by every GPU workload (training jobs, DDP jobs, spot batch jobs, inference endpoints).
 */
export interface GpuWorkloadProps extends GpuPodProps {
  /** Container image, ideally pinned by digest or version tag. */
  readonly image: string;
}

/** Label every object of one workload run carries; selects all its pods. */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** Label for the component kind (training, serving...). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk8s-gpu-ml' };

const SECRET_WORDS = ['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATEKEY'];
const SECRET_PAIRS = ['API_KEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'AUTH_KEY'];

/** Whether an environment variable name looks like it carries a secret. @internal */
export function _looksSecret(name: string): boolean {
  const upper = name.toUpperCase();
  const parts = upper.split(/[^A-Z0-9]+/);
  if (parts.some(part => SECRET_WORDS.includes(part))) return true;
  return SECRET_PAIRS.some(pair => upper === pair || upper.endsWith(`_${pair}`) || upper.includes(`${pair}_`));
}

/** Per-construct options for the pod builder. @internal */
export interface _PodOptions {
  readonly kind: WorkloadKind;
  /** Name of the main container (Kubeflow needs `pytorch` / `tensorflow`). */
  readonly containerName: string;
  /** Default GPUs when the prop is omitted. */
  readonly defaultGpus?: number;
  /** Lowest accepted `gpus` (0 lets a workload run without GPUs). */
  readonly minGpus?: number;
  /** Longest name the construct can use (e.g. Indexed Job pods append `-<index>`). */
  readonly maxNameLength?: number;
  /** Env added by the construct (after the user's). */
  readonly extraEnv?: k8s.EnvVar[];
  readonly ports?: k8s.ContainerPort[];
  readonly restartPolicy?: string;
  /** The image may be omitted (the container then has none): KServe predictors whose ServingRuntime supplies it. */
  readonly imageOptional?: boolean;
  /** Lifecycle hooks of the main container (e.g. a checkpoint `preStop` command). */
  readonly lifecycle?: k8s.Lifecycle;
}

/**
 * The GPU pod-template builder every construct uses: validates the shared props, asks the platform for scheduling,
 * and renders containers, resources, `/dev/shm`, volumes, secret env, security context and identity.
 * @internal
 */
export class _GpuPod {
  public readonly name: string;
  public readonly namespace?: string;
  public readonly gpus: number;
  public readonly request: _GpuRequest;
  /** Labels that select this workload's pods. */
  public readonly selector: { [key: string]: string };
  /** Labels for every object of the workload. */
  public readonly labels: { [key: string]: string };
  public readonly podAnnotations: { [key: string]: string };
  public readonly container: k8s.Container;
  public readonly spec: k8s.PodSpec;
  public readonly serviceAccountName: string;
  private readonly createsServiceAccount: boolean;

  public constructor(scope: Construct, private readonly props: GpuPodProps & { readonly image?: string }, opts: _PodOptions, p: _Problems) {
    const platform = props.platform;
    if (!(platform instanceof Platform)) {
      p.error('platform', platform, 'must be a Platform, e.g. Platform.gkeAutopilot()');
    }
    if ((props.image !== undefined || !opts.imageOptional) && (typeof props.image !== 'string' || props.image.length === 0 || /\s/.test(props.image))) {
      p.error('image', props.image, 'must be a container image reference without spaces, e.g. "us-docker.pkg.dev/p/r/trainer:1.0"');
    }
    const maxLen = opts.maxNameLength ?? 63;
    this.name = props.name ?? Names.toDnsLabel(scope, { includeHash: false, maxLen });
    _checkDnsLabel(p, 'name', this.name, maxLen);
    this.namespace = props.namespace ?? Chart.of(scope).namespace;
    _checkDnsLabel(p, 'namespace', props.namespace);
    _checkLabels(p, 'labels', props.labels);
    _checkDnsSubdomain(p, 'priorityClassName', props.priorityClassName);
    _checkDnsSubdomain(p, 'serviceAccountName', props.serviceAccountName);

    // GPUs, CPU, memory
    const minGpus = opts.minGpus ?? 1;
    this.gpus = props.gpus ?? opts.defaultGpus ?? 1;
    if (typeof this.gpus !== 'number' || !Number.isInteger(this.gpus) || this.gpus < minGpus) {
      p.error('gpus', props.gpus, `must be a whole number of GPUs, at least ${minGpus}`);
    }
    const gpus = Number.isInteger(this.gpus) && this.gpus >= 0 ? this.gpus : 0;
    const cpu = props.cpu ?? (gpus > 0 ? 4 * gpus : 2);
    if (typeof cpu !== 'number' || !Number.isFinite(cpu) || cpu <= 0 || Math.round(cpu * 1000) !== cpu * 1000) {
      p.error('cpu', props.cpu, 'must be a positive number of vCPUs with at most 3 decimals, e.g. 0.5 or 8');
    }
    const memoryMib = props.memory !== undefined ? _sizeMebibytes(p, 'memory', props.memory, 64) : (gpus > 0 ? 16384 * gpus : 4096);
    const ephemeralMib = props.ephemeralStorage !== undefined
      ? _sizeMebibytes(p, 'ephemeralStorage', props.ephemeralStorage, gpus > 0 && platform instanceof Platform ? platform.minGpuEphemeralStorageMebibytes : 1)
      : 10240;
    const wantShm = props.sharedMemory ?? gpus > 0;
    let shmMib: number | undefined;
    if (wantShm) {
      shmMib = props.sharedMemorySize !== undefined ? _sizeMebibytes(p, 'sharedMemorySize', props.sharedMemorySize, 64) : (memoryMib ? Math.floor(memoryMib / 2) : undefined);
      if (shmMib !== undefined && memoryMib !== undefined && shmMib >= memoryMib) {
        p.error('sharedMemorySize', props.sharedMemorySize, `must be below memory (${_quantityMebibytes(memoryMib)}): /dev/shm counts against the memory limit`);
      }
    }

    // Capacity and grace
    const capacity = props.capacityType ?? CapacityType.ON_DEMAND;
    if (!Object.values(CapacityType).includes(capacity)) {
      p.error('capacityType', capacity, `must be one of ${Object.values(CapacityType).join(', ')}`);
    }
    const spotCap = capacity !== CapacityType.ON_DEMAND ? platform?.maxSpotGraceSeconds : undefined;
    const grace = props.terminationGracePeriod !== undefined
      ? _durationSeconds(p, 'terminationGracePeriod', props.terminationGracePeriod)
      : Math.min(30, spotCap ?? 30);

    this.request = {
      accelerator: props.accelerator, gpus, capacity, kind: opts.kind, cpu: typeof cpu === 'number' ? cpu : undefined,
      memoryMebibytes: memoryMib, terminationGraceSeconds: grace,
    };
    if (props.accelerator !== undefined && !(props.accelerator instanceof Accelerator)) {
      p.error('accelerator', props.accelerator, 'must be an Accelerator, e.g. Accelerator.L4 or Accelerator.custom({...})');
    } else if (platform instanceof Platform && Number.isInteger(this.gpus)) {
      platform._validateRequest(this.request, p);
    }

    // Env
    const env: k8s.EnvVar[] = [];
    for (const [key, value] of Object.entries(props.env ?? {})) {
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) p.error(`env[${JSON.stringify(key)}]`, key, 'environment variable names are letters, digits, \'_\', \'-\' and \'.\', not starting with a digit');
      if (typeof value !== 'string') p.error(`env[${JSON.stringify(key)}]`, value, 'values must be strings');
      else if (_looksSecret(key) && value.length > 0 && !/^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value)) {
        p.raw(`env[${JSON.stringify(key)}]=<literal value, not shown> is invalid: ${key} looks like a secret; pass it with secretEnv: [{ name: '${key}', secretName: ..., key: ... }] so it stays in a Secret`);
      }
      env.push({ name: key, value });
    }
    for (const [i, s] of (props.secretEnv ?? []).entries()) {
      if (!s || typeof s !== 'object') { p.error(`secretEnv[${i}]`, s, 'must be { name, secretName, key }'); continue; }
      if (typeof s.name !== 'string' || !/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(s.name)) p.error(`secretEnv[${i}].name`, s.name, 'must be an environment variable name');
      _checkDnsSubdomain(p, `secretEnv[${i}].secretName`, s.secretName ?? '');
      if (typeof s.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(s.key)) p.error(`secretEnv[${i}].key`, s.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
      env.push({ name: s.name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional } } });
    }

    // Volumes
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    const annotations: { [key: string]: string } = {};
    const uid = props.runAsRoot ? 0 : 1000;
    const addVolume = (prop: string, volName: string, v: StorageVolume, mountPath: string, readOnly: boolean) => {
      if (!(v instanceof StorageVolume)) { p.error(prop, v, 'must be a StorageVolume, e.g. StorageVolume.fromPersistentVolumeClaim("datasets")'); return; }
      if (typeof mountPath !== 'string' || !mountPath.startsWith('/') || mountPath.includes('..') || mountPath === '/dev/shm') {
        p.error(`${prop} mount path`, mountPath, 'must be an absolute path without \'..\', other than /dev/shm');
      }
      if (mounts.some(m => m.mountPath === mountPath)) p.error(`${prop} mount path`, mountPath, 'is already used by another volume');
      switch (v.type) {
        case StorageVolumeType.PERSISTENT_VOLUME_CLAIM:
          _checkDnsSubdomain(p, `${prop} claim name`, v.source);
          volumes.push({ name: volName, persistentVolumeClaim: { claimName: v.source, readOnly: readOnly || undefined } });
          break;
        case StorageVolumeType.GCS_BUCKET:
          if (platform instanceof Platform && !platform.supportsGcsFuse) {
            p.raw(`${prop}=gcs://${v.source} is invalid: ${platform.displayName} has no GCS FUSE CSI driver (allowed there: PVC, ConfigMap, emptyDir volumes)`);
          }
          if (!/^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$/.test(v.source)) p.error(`${prop} bucket name`, v.source, 'must be a GCS bucket name');
          annotations['gke-gcsfuse/volumes'] = 'true';
          volumes.push({
            name: volName,
            csi: {
              driver: 'gcsfuse.csi.storage.gke.io',
              readOnly: readOnly || undefined,
              volumeAttributes: { bucketName: v.source, mountOptions: ['implicit-dirs', ...(uid ? [`uid=${uid}`, `gid=${uid}`] : []), ...(v.mountOptions ? [v.mountOptions] : [])].join(',') },
            },
          });
          break;
        case StorageVolumeType.CONFIG_MAP:
          _checkDnsSubdomain(p, `${prop} ConfigMap name`, v.source);
          volumes.push({ name: volName, configMap: { name: v.source } });
          readOnly = true;
          break;
        default: {
          const lim = v.sizeLimit !== undefined ? _sizeMebibytes(p, `${prop} size limit`, v.sizeLimit) : undefined;
          volumes.push({ name: volName, emptyDir: lim ? { sizeLimit: k8s.Quantity.fromString(_quantityMebibytes(lim)) } : {} });
        }
      }
      mounts.push({ name: volName, mountPath, readOnly: readOnly || undefined });
    };
    if (shmMib !== undefined) {
      volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(_quantityMebibytes(shmMib)) } });
      mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
    }
    const dataEnv: k8s.EnvVar[] = [];
    if (props.dataset !== undefined) {
      const path = props.datasetPath ?? '/data';
      addVolume('dataset', 'dataset', props.dataset, path, true);
      dataEnv.push({ name: 'DATASET_DIR', value: path });
    }
    if (props.checkpoints !== undefined) {
      const path = props.checkpointPath ?? '/checkpoints';
      addVolume('checkpoints', 'checkpoints', props.checkpoints, path, false);
      dataEnv.push({ name: 'CHECKPOINT_DIR', value: path });
    }
    for (const [i, m] of (props.volumes ?? []).entries()) {
      if (!m || typeof m !== 'object') { p.error(`volumes[${i}]`, m, 'must be { volume, mountPath }'); continue; }
      addVolume(`volumes[${i}]`, `volume-${i}`, m.volume, m.mountPath, m.readOnly ?? false);
    }

    // Identity
    if (props.identity !== undefined) {
      if (!(props.identity instanceof CloudIdentity)) {
        p.error('identity', props.identity, 'must be a CloudIdentity, e.g. CloudIdentity.gcpServiceAccount(email)');
      } else {
        const problem = props.identity._problem();
        if (problem) p.error('identity', props.identity.value, problem);
        if (platform instanceof Platform && platform.cloud !== Cloud.ANY && platform.cloud !== props.identity.cloud) {
          p.raw(`identity=${_show(props.identity.value)} is invalid: a ${props.identity.cloud.toUpperCase()} identity does not work on ${platform.displayName} (allowed: ${platform.cloud === Cloud.GCP ? 'CloudIdentity.gcpServiceAccount' : 'CloudIdentity.awsIamRole'})`);
        }
        if (props.serviceAccountName !== undefined) {
          p.raw(`identity=${_show(props.identity.value)} is invalid together with serviceAccountName=${_show(props.serviceAccountName)}: annotate that ServiceAccount yourself, or drop serviceAccountName to let the workload create its own`);
        }
      }
    }
    this.createsServiceAccount = props.serviceAccountName === undefined;
    this.serviceAccountName = props.serviceAccountName ?? this.name;

    // Labels
    this.selector = { [INSTANCE_LABEL]: this.name };
    this.labels = { 'app.kubernetes.io/name': this.name, ...this.selector, [COMPONENT_LABEL]: opts.kind, ...MANAGED_BY, ...(props.labels ?? {}) };

    // Scheduling: the only platform-specific part, decided by the platform.
    const sched = platform instanceof Platform && p.ok ? platform._schedule(this.request) : { nodeSelector: {}, tolerations: [], podAnnotations: {}, affinity: undefined };
    this.podAnnotations = { ...sched.podAnnotations, ...annotations };

    const requests: { [key: string]: k8s.Quantity } = {
      'cpu': k8s.Quantity.fromString(typeof cpu === 'number' ? _cpuQuantity(cpu) : '1'),
      'memory': k8s.Quantity.fromString(_quantityMebibytes(memoryMib ?? 1024)),
      'ephemeral-storage': k8s.Quantity.fromString(_quantityMebibytes(ephemeralMib ?? 10240)),
    };
    const limits: { [key: string]: k8s.Quantity } = { memory: requests.memory };
    if (gpus > 0) {
      requests['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
      limits['nvidia.com/gpu'] = k8s.Quantity.fromNumber(gpus);
    }

    this.container = {
      name: opts.containerName,
      image: props.image,
      command: props.command,
      args: props.args,
      env: [...env, ...dataEnv, ...(opts.extraEnv ?? [])],
      ports: opts.ports,
      lifecycle: opts.lifecycle,
      resources: { requests, limits },
      volumeMounts: mounts,
      securityContext: _containerSecurityContext(),
    };
    this.spec = {
      serviceAccountName: this.serviceAccountName,
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      enableServiceLinks: false,
      restartPolicy: opts.restartPolicy,
      terminationGracePeriodSeconds: grace,
      priorityClassName: props.priorityClassName,
      securityContext: _podSecurityContext(props.runAsRoot === true),
      nodeSelector: Object.keys(sched.nodeSelector).length ? sched.nodeSelector : undefined,
      tolerations: sched.tolerations.length ? sched.tolerations : undefined,
      affinity: sched.affinity,
      containers: [this.container],
      volumes: volumes.length ? volumes : undefined,
    };
  }

  /** Object metadata for an object of this workload. */
  public metadata(name: string = this.name, extra: { [key: string]: string } = {}): k8s.ObjectMeta {
    return { name, namespace: this.namespace, labels: { ...this.labels, ...extra } };
  }

  /** Pod template metadata. */
  public podMetadata(extraLabels: { [key: string]: string } = {}, extraAnnotations: { [key: string]: string } = {}): k8s.ObjectMeta {
    const annotations = { ...this.podAnnotations, ...extraAnnotations };
    return { labels: { ...this.labels, ...extraLabels }, annotations: Object.keys(annotations).length ? annotations : undefined };
  }

  /** Creates the workload's own ServiceAccount (no API token, cloud identity annotation) unless one was given. */
  public addServiceAccount(scope: Construct): k8s.KubeServiceAccount | undefined {
    if (!this.createsServiceAccount) return undefined;
    const identity = this.props.identity;
    return new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
      metadata: {
        ...this.metadata(this.serviceAccountName),
        annotations: identity ? { [identity.annotationKey]: identity.value } : undefined,
      },
      automountServiceAccountToken: this.props.automountServiceAccountToken ?? false,
    });
  }

  /**
   * Emits the workload's NetworkPolicy (Ingress only) unless `isolateNetwork` is false; `ingress` lists what is
   * admitted. Returns the policy.
   */
  public addNetworkPolicy(scope: Construct, ingress: k8s.NetworkPolicyIngressRule[]): k8s.KubeNetworkPolicy | undefined {
    if (this.props.isolateNetwork === false) return undefined;
    return new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
      metadata: this.metadata(),
      spec: { podSelector: { matchLabels: this.selector }, policyTypes: ['Ingress'], ingress },
    });
  }

  /** An ingress rule admitting every port from the other pods of this run (e.g. DDP ranks). */
  public sameRunIngress(): k8s.NetworkPolicyIngressRule {
    return { from: [{ podSelector: { matchLabels: this.selector } }] };
  }

  /**
   * Checks the rendered pod template against the platform's admission rules at synth (after escape-hatch edits).
   * `rendered` are the API objects `template` renders: their rendering is shared with the synth that follows, so the
   * check costs no second render.
   */
  public static checkAdmission(scope: Construct, platform: Platform, template: () => any, ...rendered: ApiObject[]): void {
    const memos = rendered.map(o => _RenderMemo.of(o));
    scope.node.addValidation({
      validate: () => {
        const t = _RenderMemo.capture(memos, template);
        return platform.admissionViolations(t?.spec, t?.metadata?.annotations).map(v => `${platform.displayName} admission: ${v}`);
      },
    });
  }
}

/**
 * Lets a synth-time validation and the synth itself share one `toJson()` of an API object: rendering is most of the
 * cost of synthesis, and validations run right before the objects are rendered. The rendering captured while
 * validating is handed to the next `toJson()` call once, then forgotten, so later changes still render.
 * @internal
 */
export class _RenderMemo {
  public static of(obj: ApiObject): _RenderMemo {
    let memo = _RenderMemo.memos.get(obj);
    if (!memo) {
      memo = new _RenderMemo(obj);
      _RenderMemo.memos.set(obj, memo);
    }
    return memo;
  }

  public static capture<T>(memos: _RenderMemo[], fn: () => T): T {
    for (const m of memos) m.cached = undefined;
    for (const m of memos) m.capturing = true;
    try {
      return fn();
    } finally {
      for (const m of memos) m.capturing = false;
    }
  }

  private static readonly memos = new WeakMap<ApiObject, _RenderMemo>();
  private cached: any;
  private capturing = false;

  private constructor(obj: ApiObject) {
    const render = obj.toJson.bind(obj);
    obj.toJson = () => {
      if (this.capturing) return (this.cached ??= render());
      const cached = this.cached;
      this.cached = undefined;
      return cached ?? render();
    };
  }
}

/** Renders vCPUs as a Kubernetes quantity. @internal */
export function _cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}
