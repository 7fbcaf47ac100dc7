import { ApiObject, Lazy, Names, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuNodePool } from '../capacity/gpu-node-pool';
import { Conventions } from '../conventions';
import { ClusterAddon } from '../platform/cluster-addon';
import { KarpenterPlatform } from '../platform/karpenter';
import { KubernetesPlatform } from '../platform/kubernetes';
import { MigStrategy, NvidiaDevicePlugin } from '../platform/nvidia-device-plugin';
import { Platform } from '../platform/platform';
import { _Problems, _checkDnsLabel, _checkDnsSubdomain, _checkLabels, _checkProps, _ensure, _show } from '../validation';
import { GpuWorkload } from '../workload/gpu-workload';
import { _OutputFile } from '../workload/output-file';
import { _Registry } from '../workload/registry';
import { GpuShare, GpuSharingStrategy } from './gpu-share';

/** Props of a {@link GpuSharingConfig}. */
export interface GpuSharingConfigProps {
  /** The cluster: Karpenter or plain Kubernetes with the NVIDIA device plugin (GKE configures sharing on node pools). */
  readonly platform: Platform;
  /**
   * The shares the cluster's GPU nodes offer. Each time-sharing and MPS share becomes a named device plugin config
   * (`time-slicing-4`, `mps-4`) that nodes pick with the `nvidia.com/device-plugin.config` label; a MIG share turns on
   * the GPU Operator's MIG manager.
   * @default - every share the cluster's GpuNodePools and GPU workloads use, found at synth
   */
  readonly shares?: GpuShare[];
  /**
   * Namespace of the device plugin: the GPU Operator's, or the standalone device plugin chart's.
   * @default - 'gpu-operator' when the platform has (or does not state) ClusterAddon.NVIDIA_GPU_OPERATOR, else 'nvidia-device-plugin'
   */
  readonly namespace?: string;
  /**
   * Name of the ConfigMap (the values file points the device plugin at it).
   * @default - derived from the construct path, without hash
   */
  readonly name?: string;
  /**
   * Extra labels on the ConfigMap.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The device plugin config name of GPUs that are not shared: the default of the ConfigMap. */
const EXCLUSIVE_CONFIG = 'exclusive';

/**
 * The node side of GPU sharing on Karpenter and plain Kubernetes (docs/sharing.md): a ConfigMap of named NVIDIA device
 * plugin configs (`exclusive`, the default, and one per time-sharing or MPS share, e.g. `time-slicing-4` with
 * `sharing.timeSlicing.resources[{ name: nvidia.com/gpu, replicas: 4 }]`), and the Helm values that point the device
 * plugin at it: GPU Operator (`devicePlugin.config`, `mig.strategy`, the MIG manager, and tolerations of the share taint
 * for the operator's daemons and NFD) or the standalone device plugin chart.
 *
 * A node uses the config its `nvidia.com/device-plugin.config` label names: a shared `GpuNodePool` labels its nodes
 * itself; label and taint your own nodes (`kubectl label node N nvidia.com/device-plugin.config=time-slicing-4` and
 * `kubectl taint node N gpu-ml.cdk8s.io/gpu-share=time-slicing-4:NoSchedule`). Synthesis writes
 * `extras/<chart>.<name>.gpu-operator-values.yml` (or `.device-plugin-values.yml`): pass it to `helm upgrade` with `-f`.
 */
export class GpuSharingConfig extends Construct {
  /** Name of the ConfigMap. */
  public readonly name: string;
  /** Namespace of the ConfigMap (the device plugin's). */
  public readonly namespace: string;
  /** The platform. */
  public readonly platform: Platform;
  /** Path of the Helm values file, relative to the app's output directory. */
  public readonly valuesFile: string;
  private readonly _problems = new _Problems();
  private readonly _configMap?: ApiObject;
  private readonly _given?: GpuShare[];
  private readonly _operator: boolean;

  public constructor(scope: Construct, id: string, props: GpuSharingConfigProps) {
    super(scope, id);
    const p = this._problems;
    props = _checkProps(p, 'GpuSharingConfigProps', props, { allowUnknown: new.target !== GpuSharingConfig });
    const platform = this.platform = props.platform;
    if (platform) for (const m of platform._optionProblems) p.raw(`platform.${m}`);
    const nvidia = platform instanceof KarpenterPlatform || platform instanceof KubernetesPlatform;
    if (platform && !nvidia) {
      p.raw(`platform=${_show(platform.id)} is invalid: ${platform.displayName} configures GPU sharing on its node pools itself (e.g. gcloud container node-pools create --accelerator=type=nvidia-l4,count=1,gpu-sharing-strategy=time-sharing,max-shared-clients-per-gpu=4), so there is no device plugin config to write (allowed: Platform.karpenter() or Platform.kubernetes())`);
    }
    this._operator = platform instanceof Platform && platform.hasAddon(ClusterAddon.NVIDIA_GPU_OPERATOR);
    this.name = props.name ?? Names.toDnsLabel(this, { includeHash: false });
    this.namespace = props.namespace ?? (this._operator ? 'gpu-operator' : 'nvidia-device-plugin');
    _checkDnsSubdomain(p, 'name', this.name);
    _checkDnsLabel(p, 'namespace', props.namespace);
    _checkLabels(p, 'labels', props.labels);
    if (props.shares !== undefined) {
      if (props.shares.length === 0) p.error('shares', props.shares, 'must list at least one share, e.g. [GpuShare.timeShared(4)] (or leave it out to take the shares the cluster uses)');
      props.shares.forEach((share, i) => {
        const problem = share._problem();
        if (problem) p.raw(`shares[${i}]=${share.toString()} is invalid: ${problem}`);
        else if (!share.isShared) p.raw(`shares[${i}]=${share.toString()} is invalid: whole GPUs need no config, every node without a config label gets the "${EXCLUSIVE_CONFIG}" one (allowed: GpuShare.timeShared, GpuShare.mps or GpuShare.mig)`);
      });
      this._given = [...props.shares];
    }
    this.valuesFile = `${_OutputFile.DIRECTORY}/${this.valuesFileName()}`;
    // What the cluster uses is known once the whole app exists: checked (and the values written) at synth.
    this.node.addValidation({ validate: () => (p.ok && nvidia ? this.checkShares() : []) });
    p.attach(this);
    _OutputFile.write(this, this.valuesFileName(), () => this.renderValues(), p);
    if (!p.ok) return;

    this._configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY, ...(props.labels ?? {}) },
      },
      data: Lazy.any({ produce: () => this.configs() }),
    });
    _Registry.claimAll(this, platform.cluster, [{
      key: 'GpuSharingConfig',
      message: (others, cluster) => `platform=${_show(platform.id)} is invalid: ${others} already configures GPU sharing for cluster ${_show(cluster)}; the device plugin reads one ConfigMap (keep one GpuSharingConfig per cluster)`,
    }]);
  }

  /** The device plugin ConfigMap (escape hatch). */
  public get configMap(): ApiObject {
    return _ensure(this, this._configMap, this._problems);
  }

  /**
   * The shares the configs offer: the given ones, or every share of the cluster's GpuNodePools and GPU workloads, one
   * each (time-sharing and MPS get a named config; MIG needs none, the MIG manager generates its layouts).
   */
  public get shares(): GpuShare[] {
    const all = this._given ?? this.usedShares().map(u => u.share);
    const byName = new Map<string, GpuShare>();
    for (const s of all) if (s.isShared && !s._problem()) byName.set(s.configName, s);
    return [...byName.values()].sort((a, b) => a.configName.localeCompare(b.configName));
  }

  /** The named device plugin configs: `exclusive`, and one per time-sharing or MPS share. */
  private configs(): { [name: string]: string } {
    const out: { [name: string]: string } = { [EXCLUSIVE_CONFIG]: Yaml.stringify({ version: 'v1' }) };
    for (const share of this.shares) {
      const resources = [{ name: NvidiaDevicePlugin.GPU_RESOURCE, replicas: share.clientsPerGpu }];
      if (share.strategy === GpuSharingStrategy.TIME_SHARING) {
        // failRequestsGreaterThanOne: a pod that asks for 2 shared GPUs gets 2 turns on one GPU, not 2 GPUs; refuse it.
        out[share.configName] = Yaml.stringify({ version: 'v1', sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources } } });
      } else if (share.strategy === GpuSharingStrategy.MPS) {
        out[share.configName] = Yaml.stringify({ version: 'v1', sharing: { mps: { renameByDefault: false, resources } } });
      }
    }
    return out;
  }

  /** Every share the cluster's pools and workloads use, with who uses it. */
  private usedShares(): { share: GpuShare; user: string }[] {
    const cluster = this.platform.cluster;
    const out: { share: GpuShare; user: string }[] = [];
    for (const c of this.node.root.node.findAll()) {
      if (c instanceof GpuNodePool && c.gpuShare.isShared && c.platform().cluster === cluster) out.push({ share: c.gpuShare, user: c.node.path });
      if (c instanceof GpuWorkload && c.platform instanceof Platform && c.platform.cluster === cluster) {
        for (const share of c._gpuShares) if (share.isShared) out.push({ share, user: c.node.path });
      }
    }
    return out;
  }

  /** The shares the cluster uses must be offered; MIG needs the GPU Operator and a stated strategy. */
  private checkShares(): string[] {
    const out: string[] = [];
    const used = this.usedShares();
    if (this._given) {
      const offered = new Set(this._given.map(s => s.configName));
      for (const u of used) {
        if (u.share.strategy !== GpuSharingStrategy.MIG && !offered.has(u.share.configName)) {
          out.push(`shares=${_show(this._given.map(s => s.toString()).join(', '))} is invalid: [${u.user}] uses ${u.share.toString()}, which no config offers, so its pods select ${NvidiaDevicePlugin.CONFIG_LABEL}=${u.share.configName} and nodes of that config never exist (allowed: add it to shares, or leave shares out)`);
        }
      }
    }
    const mig = [...used.map(u => u.share), ...(this._given ?? [])].find(s => s.strategy === GpuSharingStrategy.MIG);
    if (mig && !this._operator) {
      out.push(`platform=${_show(this.platform.id)} is invalid: ${mig.toString()} needs the GPU Operator's MIG manager, which the platform's addons do not list (allowed: add ClusterAddon.NVIDIA_GPU_OPERATOR to the platform's addons)`);
    }
    if (mig && this.platform instanceof KubernetesPlatform && this.platform.migStrategy === undefined) {
      out.push(`platform=${_show(this.platform.id)} is invalid: ${mig.toString()} needs the MIG strategy of the cluster (allowed: Platform.kubernetes({ migStrategy: MigStrategy.SINGLE }) or MigStrategy.MIXED)`);
    }
    return [...new Set(out)];
  }

  /** The MIG strategy the device plugin runs with, when the cluster uses MIG. */
  private migStrategy(): MigStrategy | undefined {
    const mig = [...this.usedShares().map(u => u.share), ...(this._given ?? [])].some(s => s.strategy === GpuSharingStrategy.MIG);
    if (!mig) return undefined;
    // Karpenter launches nodes only for nvidia.com/gpu: single, where each slice is one.
    return this.platform instanceof KubernetesPlatform ? this.platform.migStrategy : MigStrategy.SINGLE;
  }

  /** The Helm values that point the device plugin at the ConfigMap. */
  public get values(): any {
    const gpuTaintKey = (this.platform as KarpenterPlatform | KubernetesPlatform).gpuTaintKey ?? NvidiaDevicePlugin.GPU_RESOURCE;
    // Fresh objects each time they appear: YAML would write a shared one as an anchor and aliases.
    const gpu = () => ({ key: gpuTaintKey, operator: 'Exists', effect: 'NoSchedule' });
    const share = () => ({ key: GpuShare.TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' });
    const config = { name: this.name, default: EXCLUSIVE_CONFIG };
    const mig = this.migStrategy();
    if (this._operator) {
      return {
        // The operator's daemons (device plugin, MPS daemon, GFD, MIG manager, DCGM) and NFD must run on shared nodes too.
        'daemonsets': { tolerations: [gpu(), share()] },
        'devicePlugin': { config },
        ...(mig ? { mig: { strategy: mig }, migManager: { enabled: true } } : {}),
        'node-feature-discovery': {
          worker: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', value: '', effect: 'NoSchedule' }, gpu(), share()] },
        },
      };
    }
    return {
      config,
      // GPU feature discovery labels MPS nodes nvidia.com/mps.capable, where the chart runs the MPS control daemon.
      gfd: { enabled: true },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, gpu(), share()],
      nfd: { worker: { tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Equal', value: '', effect: 'NoSchedule' }, gpu(), share()] } },
    };
  }

  private valuesFileName(): string {
    return _OutputFile.chartFileName(this, `${this.name}.${this._operator ? 'gpu-operator' : 'device-plugin'}-values.yml`);
  }

  private renderValues(): string {
    const [what, chart] = this._operator ? ['the NVIDIA GPU Operator', 'nvidia/gpu-operator'] : ['the NVIDIA device plugin', 'nvdp/nvidia-device-plugin'];
    return [
      `# GPU sharing for ${this.platform.displayName}, generated by cdk8s-gpu-ml from [${this.node.path}]; do not edit.`,
      `# Helm values for ${what}, installed in namespace ${this.namespace} beside the ConfigMap ${this.name}:`,
      `# helm upgrade --install <release> ${chart} -n ${this.namespace} -f <your values> -f <this file>`,
      Yaml.stringify(this.values),
    ].join('\n');
  }
}
