import { Size, Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../accelerator';
import { CapacityType, Platform, WorkloadKind } from '../platform/platform';
import { _PodTemplate, _buildPod } from '../pod/pod-template';
import { GpuShare } from '../sharing/gpu-share';
import { _Problems, _checkProps, _show } from '../validation';
import { _OutputFile } from '../workload/output-file';

/** One entry of JupyterHub's profile list: what a user picks when starting a server. */
export interface JupyterHubProfile {
  /** Name shown in the list. */
  readonly displayName: string;
  /**
   * Text shown under the name.
   * @default - none
   */
  readonly description?: string;
  /**
   * Machine-readable id of the profile (KubeSpawner's `slug`).
   * @default - derived from displayName: lowercase letters and digits, other characters become '-'
   */
  readonly slug?: string;
  /**
   * Preselect this profile (at most one may be the default).
   * @default false - KubeSpawner preselects the first profile when none is the default
   */
  readonly default?: boolean;
  /**
   * GPU model. Required on GKE and Karpenter when `gpus` > 0.
   * @default - none (a CPU profile; on plain Kubernetes a GPU profile may omit it: any GPU the device plugin offers)
   */
  readonly accelerator?: Accelerator;
  /**
   * GPUs per server.
   * @default 1 when `accelerator` is given, else 0
   */
  readonly gpus?: number;
  /**
   * How the server's GPU is shared with other pods (GPU sharing: a time-shared GPU, an MPS client or a MIG slice; see
   * docs/sharing.md). Its CPU and memory defaults shrink with the share.
   * @default GpuShare.EXCLUSIVE - whole GPUs
   */
  readonly gpuShare?: GpuShare;
  /**
   * vCPUs requested (`cpu_guarantee`; no CPU limit).
   * @default 4 per GPU (2 without GPUs)
   */
  readonly cpu?: number;
  /**
   * Memory, request == limit (`mem_guarantee`, `mem_limit`); `/dev/shm` counts against it.
   * @default 16 GiB per GPU (4 GiB without GPUs)
   */
  readonly memory?: Size;
  /**
   * Ephemeral storage request.
   * @default 10 GiB
   */
  readonly ephemeralStorage?: Size;
  /**
   * Mount a memory-backed `/dev/shm` (PyTorch data loaders need more than the 64 MiB default).
   * @default true when the profile has GPUs
   */
  readonly sharedMemory?: boolean;
  /**
   * Size limit of `/dev/shm`; counts against `memory`.
   * @default half of `memory`
   */
  readonly sharedMemorySize?: Size;
  /**
   * Spot or on-demand capacity.
   * @default CapacityType.ON_DEMAND
   */
  readonly capacityType?: CapacityType;
  /**
   * Single-user image of this profile (`name:tag`).
   * @default - the chart's `singleuser.image`
   */
  readonly image?: string;
}

/** Props of a {@link JupyterHubGpuProfiles}. */
export interface JupyterHubGpuProfilesProps {
  /** The platform the hub's user servers run on; decides their placement and which GPU counts are accepted. */
  readonly platform: Platform;
  /** The profiles, in the order the spawner lists them. */
  readonly profiles: JupyterHubProfile[];
  /**
   * The chart's user-pod tolerations (`scheduling.userPods.tolerations` and `singleuser.extraTolerations`). A profile
   * that needs tolerations of its own replaces the chart's list (KubeSpawner merges only dictionaries), so it repeats
   * these first.
   * @default - the chart's defaults: `hub.jupyter.org/dedicated=user:NoSchedule` and
   * `hub.jupyter.org_dedicated=user:NoSchedule`
   */
  readonly userPodTolerations?: k8s.Toleration[];
}

/** The chart's default `scheduling.userPods.tolerations` (zero-to-jupyterhub-k8s values.yaml). */
const CHART_USER_TOLERATIONS: k8s.Toleration[] = [
  { key: 'hub.jupyter.org/dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
  { key: 'hub.jupyter.org_dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
];
const SHM = 'gpu-ml-shm';

/**
 * The `singleuser.profileList` of the Zero to JupyterHub Helm chart, generated from the same accelerator and platform
 * model as the workloads: each profile's node selector, tolerations, node affinity and pod annotations are the
 * platform's placement of its GPU request; GPUs go into `extra_resource_limits` and `extra_resource_guarantees`;
 * CPU, memory and `/dev/shm` follow the workloads' defaults. A GPU count or size the platform refuses is a synth error.
 *
 * Synthesis writes `extras/<chart>.jupyterhub-values.yml` into the app's output directory (not a manifest): pass it to
 * `helm upgrade --install <release> jupyterhub/jupyterhub -f dist/extras/<chart>.jupyterhub-values.yml`.
 */
export class JupyterHubGpuProfiles extends Construct {
  /** The platform. */
  public readonly platform: Platform;
  /** Path of the values file, relative to the app's output directory. */
  public readonly valuesFile: string;
  private readonly _problems = new _Problems();
  private readonly _profileList: any[] = [];

  public constructor(scope: Construct, id: string, props: JupyterHubGpuProfilesProps) {
    super(scope, id);
    const p = this._problems;
    p.attach(this);
    props = _checkProps(p, 'JupyterHubGpuProfilesProps', props, { allowUnknown: new.target !== JupyterHubGpuProfiles });
    // The runtime type check reported what is missing or of the wrong type: what is left is well-typed.
    const given: JupyterHubGpuProfilesProps = props;
    this.platform = given.platform;
    if (given.platform) for (const m of given.platform._optionProblems) p.raw(`platform.${m}`);
    const baseTolerations = given.userPodTolerations ?? CHART_USER_TOLERATIONS;
    // Tolerations are Kubernetes objects, which the type check takes as they are: each must be one.
    if (baseTolerations.some(t => !t || typeof t !== 'object' || Array.isArray(t))) {
      p.error('userPodTolerations', baseTolerations, 'must be a list of tolerations');
    }
    const profiles = given.profiles;
    if (profiles !== undefined && profiles.length === 0) {
      p.error('profiles', profiles, 'must be a non-empty list of profiles, e.g. [{ displayName: "1 x L4", accelerator: Accelerator.L4 }]');
    } else if (profiles !== undefined && given.platform) {
      const slugs = new Map<string, number>();
      profiles.forEach((profile, i) => {
        const entry = this.profile(p, given.platform, profile, i, baseTolerations);
        if (!entry) return;
        const first = slugs.get(entry.slug);
        if (first !== undefined) p.error(`profiles[${i}].slug`, entry.slug, `is already the slug of profiles[${first}]; slugs must be unique`);
        else slugs.set(entry.slug, i);
        this._profileList.push(entry);
      });
      const defaults = profiles.map((pr, i) => (pr.default === true ? i : -1)).filter(i => i >= 0);
      if (defaults.length > 1) p.error('profiles', defaults.map(i => `profiles[${i}]`).join(', '), 'at most one profile may be the default');
    }
    this.valuesFile = `${_OutputFile.DIRECTORY}/${_OutputFile.chartFileName(this, 'jupyterhub-values.yml')}`;
    _OutputFile.write(this, _OutputFile.chartFileName(this, 'jupyterhub-values.yml'), () => this.render(), p);
  }

  /** The chart values this construct writes (`{ singleuser: { profileList: [...] } }`). */
  public get values(): any {
    return { singleuser: { profileList: JSON.parse(JSON.stringify(this._profileList)) } };
  }

  private render(): string {
    const where = this.platform instanceof Platform ? this.platform.displayName : 'the platform';
    return [
      `# JupyterHub GPU profiles for ${where}, generated by cdk8s-gpu-ml from [${this.node.path}]; do not edit.`,
      '# Zero to JupyterHub chart values: helm upgrade --install <release> jupyterhub/jupyterhub -f <your values> -f <this file>',
      Yaml.stringify(this.values),
    ].join('\n');
  }

  /** Validates one profile (its types were checked with the props) and returns its profileList entry. */
  private profile(p: _Problems, platform: Platform, profile: JupyterHubProfile, i: number, baseTolerations: k8s.Toleration[]): any {
    const at = `profiles[${i}]`;
    if (profile.displayName.trim() === '') p.error(`${at}.displayName`, profile.displayName, 'must be a non-empty string');
    const slug = profile.slug ?? profile.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(slug) || slug.length > 63) {
      p.error(`${at}.slug`, slug, 'must be lowercase letters, digits and \'-\' (at most 63), e.g. "l4-x1"; give slug when displayName has no letters or digits');
    }
    if (profile.image !== undefined && (profile.image === '' || /\s/.test(profile.image))) {
      p.error(`${at}.image`, profile.image, 'must be an image reference without spaces, e.g. "quay.io/jupyter/pytorch-notebook:cuda12-python-3.12"');
    }
    // The same builder as every workload: it validates the request against the platform and places it.
    const own = new _Problems();
    const pod = _buildPod(own, {
      platform, accelerator: profile.accelerator, gpus: profile.gpus ?? (profile.accelerator !== undefined ? 1 : 0), gpuShare: profile.gpuShare,
      cpu: profile.cpu,
      memory: profile.memory, ephemeralStorage: profile.ephemeralStorage, sharedMemory: profile.sharedMemory,
      sharedMemorySize: profile.sharedMemorySize, capacityType: profile.capacityType,
    }, { kind: WorkloadKind.NOTEBOOK, containerName: 'notebook', defaultGpus: 0, minGpus: 0, imageOptional: true }, { serviceAccountName: 'default' });
    p.absorb(own, m => `${at}.${m}`);
    if (!own.ok) return { slug };
    for (const v of platform.admissionViolations(pod.spec, pod.podAnnotations)) p.raw(`${at} (${_show(profile.displayName)}) is invalid: ${platform.displayName} admission would reject its pods: ${v}`);
    return {
      display_name: profile.displayName, slug, description: profile.description, default: profile.default || undefined,
      kubespawner_override: this.override(p, at, pod, profile.image, baseTolerations),
    };
  }

  /** KubeSpawner trait overrides (snake_case) for a built pod. */
  private override(p: _Problems, at: string, pod: _PodTemplate, image: string | undefined, baseTolerations: k8s.Toleration[]): any {
    const spec: any = k8s.toJson_PodSpec(pod.spec);
    const container: any = spec.containers[0];
    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    const o: any = { image };
    // Kubernetes quantities where KubeSpawner passes them through; its own units (cores, K/M/G = 1024^n) elsewhere.
    if (pod.request.cpu !== undefined) o.cpu_guarantee = pod.request.cpu;
    if (pod.request.memoryMebibytes !== undefined) {
      const mib = pod.request.memoryMebibytes;
      o.mem_guarantee = o.mem_limit = mib % 1024 === 0 ? `${mib / 1024}G` : `${Math.round(mib)}M`;
    }
    const guarantees: { [key: string]: string } = {};
    const extraLimits: { [key: string]: string } = {};
    for (const [k, v] of Object.entries<any>(requests)) if (k !== 'cpu' && k !== 'memory') guarantees[k] = String(v);
    for (const [k, v] of Object.entries<any>(limits)) if (k !== 'memory') extraLimits[k] = String(v);
    if (Object.keys(guarantees).length) o.extra_resource_guarantees = guarantees;
    if (Object.keys(extraLimits).length) o.extra_resource_limits = extraLimits;
    // Dictionaries merge with the chart's values; lists replace them.
    if (spec.nodeSelector) o.node_selector = spec.nodeSelector;
    if (spec.tolerations) o.tolerations = [...baseTolerations.map(t => k8s.toJson_Toleration(t)), ...spec.tolerations];
    const affinity = spec.affinity;
    if (affinity) {
      const node = affinity.nodeAffinity ?? {};
      const required = node.requiredDuringSchedulingIgnoredDuringExecution;
      const preferred = node.preferredDuringSchedulingIgnoredDuringExecution;
      const rest = Object.keys(node).filter(k => !/^(required|preferred)DuringSchedulingIgnoredDuringExecution$/.test(k));
      if (Object.keys(affinity).some(k => k !== 'nodeAffinity') || rest.length) {
        p.raw(`${at} is invalid: its placement needs affinity that KubeSpawner profiles cannot express (${Object.keys(affinity).join(', ')})`);
      }
      if (required) o.node_affinity_required = required.nodeSelectorTerms;
      if (preferred) o.node_affinity_preferred = preferred;
    }
    if (Object.keys(pod.podAnnotations).length) o.extra_annotations = { ...pod.podAnnotations };
    // GPU sharing: GKE's MPS clients share the host IPC namespace, and say why they break Pod Security.
    if (spec.hostIPC) o.extra_pod_config = { hostIPC: true };
    if (Object.keys(pod.podLabels).length) o.extra_labels = { ...pod.podLabels };
    // /dev/shm joins the chart's volumes (a dictionary in the chart's KubeSpawner config, so it merges).
    const shm = (spec.volumes ?? []).find((v: any) => v.name === 'dshm');
    if (shm) {
      o.volumes = { [SHM]: { ...shm, name: SHM } };
      o.volume_mounts = { [SHM]: { name: SHM, mountPath: '/dev/shm' } };
    }
    return o;
  }
}
