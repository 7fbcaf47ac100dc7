import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AcceleratorNetwork } from '../accelerator';
import { ClusterAddon } from '../platform/cluster-addon';
import { NetworkProfile } from '../platform/network-profile';
import { WorkloadKind } from '../platform/platform';
import { _withNetwork } from '../pod/network';
import { _durationSeconds, _show } from '../validation';
import { _requireAddon } from '../workload/addons';
import { GpuPodProps } from '../workload/gpu-pod-props';
import { GpuWorkload } from '../workload/gpu-workload';
import { _NODE, _TRAINER_API_VERSION } from './_trainer-api';
import { _trainJobPods } from './_trainer-pods';
import { TorchTrainingRuntime } from './torch-training-runtime';
import { ITrainingRuntime, TrainingRuntime, TrainingRuntimeKind } from './training-runtime';
import { _Renders } from '../pod/renders';

/** Env the torch plugin sets on the `node` container; its webhook refuses a TrainJob that sets them (TorchRunReservedEnvNames). */
const PET_ENV = ['PET_NNODES', 'PET_NPROC_PER_NODE', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT'];
/** Manager of the runtime patch that carries the platform's scheduling (the webhook wants a domain-prefixed path). */
const PATCH_MANAGER = 'gpu-ml.cdk8s.io/platform';
/** Most nodes: the JobSet's Indexed Job (maxParallelismForIndexedJob). */
const MAX_NODES = 100000;

/** Props of a {@link TrainJob}. `gpus`, `cpu` and `memory` are per node (`resourcesPerNode`). */
export interface TrainJobProps extends GpuPodProps {
  /**
   * The training runtime (`runtimeRef`): a `TorchTrainingRuntime` of the app, or one in the cluster.
   * @default TrainingRuntime.torchDistributed() - the `torch-distributed` ClusterTrainingRuntime of Kubeflow Trainer
   */
  readonly runtime?: ITrainingRuntime;
  /**
   * Image of every node.
   * @default - the runtime's image
   */
  readonly image?: string;
  /**
   * Nodes (pods) of the run (`trainer.numNodes`); each runs `command` with `gpus` GPUs, and torchrun reads the
   * rendezvous from the `PET_*` env the torch runtime sets.
   * @default 2
   */
  readonly nodes?: number;
  /**
   * Longest the run may take (`activeDeadlineSeconds`).
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * The accelerator's fast network between nodes (GPUDirect RDMA, EFA). GPUDirect-TCPXO needs a sidecar in the
   * runtime, which a TrainJob's runtime patches cannot add: use `DdpJobSet` for it.
   * @default - none: NCCL uses the pod's default network
   */
  readonly networkProfile?: NetworkProfile;
}

/**
 * Multi-node training as a Kubeflow Trainer v2 `TrainJob` (`trainer.kubeflow.org/v1alpha1`, needs Kubeflow Trainer
 * v2.2 or later): `nodes` pods with `gpus` GPUs each on a torch runtime, which sets torchrun's `PET_*` env (so user
 * env may not) and runs the nodes as a JobSet. The image, command, env and per-node resources go to `spec.trainer`;
 * everything the platform needs (node selectors, tolerations, pod annotations and labels, volumes, security
 * context, service account) goes to a runtime patch (`runtimePatches`, manager `gpu-ml.cdk8s.io/platform`). The pods
 * Trainer will create (the runtime's pod template with the patch applied) are admission-checked at synth.
 */
export class TrainJob extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'TrainJobProps';

  /** Node count. */
  public readonly nodes: number;
  /** The runtime it runs on. */
  public readonly runtime: ITrainingRuntime;

  public constructor(scope: Construct, id: string, props: TrainJobProps) {
    super(scope, id, props, WorkloadKind.TRAINING);
    // The type check copies an interface-typed prop: the runtime construct itself (its cluster, its rendered
    // template) is the one given, once it passed the check.
    const given = (props as { runtime?: unknown } | undefined)?.runtime;
    props = this._checkedProps;
    const p = this._problems;
    _requireAddon(p, this.platform, ClusterAddon.KUBEFLOW_TRAINER, 'a TrainJob');
    const runtime = this.runtime = given instanceof TorchTrainingRuntime && props.runtime !== undefined
      ? given : props.runtime ?? TrainingRuntime.torchDistributed();

    if (props.nodes !== undefined && (!Number.isInteger(props.nodes) || props.nodes < 1 || props.nodes > MAX_NODES)) {
      p.error('nodes', props.nodes, `must be an integer from 1 to ${MAX_NODES}`);
    }
    const nodes = this.nodes = Number.isInteger(props.nodes) && props.nodes! >= 1 && props.nodes! <= MAX_NODES ? props.nodes! : 2;
    // Pod hostnames are <name>-node-0-<index> (JobSet), and the TrainJob's name is an RFC 1035 label (its CEL rule).
    const suffix = `-${_NODE}-0-${nodes - 1}`;
    this._limitName(63 - suffix.length, max => `derived pod hostnames exceed 63 characters ("${this.name}${suffix}" has ${this.name.length + suffix.length}); with ${nodes} node(s) TrainJob names may have at most ${max}`);
    if (/^[0-9]/.test(this.name)) p.error('name', this.name, 'must start with a letter: a TrainJob\'s name is an RFC 1035 label (its CRD\'s rule)');

    // What the torch runtime provides: torchrun's rendezvous env.
    const userEnv = [...Object.keys(props.env ?? {}), ...(props.secretEnv ?? []).map(s => s.name)];
    for (const name of userEnv.filter(n => PET_ENV.includes(n))) {
      p.raw(`env[${JSON.stringify(name)}] is invalid: the torch runtime sets ${name} itself and Trainer's webhook refuses a TrainJob that sets it (reserved: ${PET_ENV.join(', ')}); give torchrun's options in command or args, the node count with nodes`);
    }
    if (props.priorityClass !== undefined) {
      p.error('priorityClass', props.priorityClass.priorityClassName, 'a TrainJob cannot give its pods a priorityClassName (runtime patches do not carry one): set it in the runtime\'s pod template, or give the TrainJob a Kueue priority');
    }
    const ns = runtime.runtimeNamespace;
    if (runtime.runtimeKind === TrainingRuntimeKind.NAMESPACED && ns !== undefined && ns !== this.namespace) {
      p.raw(`runtime=${_show(runtime.runtimeName)} is invalid: it is a TrainingRuntime of namespace ${_show(runtime.runtimeNamespace)} and the TrainJob is in ${_show(this.namespace)}; a TrainJob can only use a TrainingRuntime of its own namespace (or a ClusterTrainingRuntime)`);
    }
    if (runtime instanceof TorchTrainingRuntime && runtime.platform?.cluster !== this.platform?.cluster) {
      p.raw(`runtime=${_show(runtime.runtimeName)} is invalid: it belongs to cluster ${_show(runtime.platform?.cluster)} and the TrainJob to cluster ${_show(this.platform?.cluster)}`);
    }
    const deadline = _durationSeconds(p, 'activeDeadline', props.activeDeadline);

    // The network profile: a sidecar cannot come through a runtime patch; a preamble needs the command.
    const profile = props.networkProfile;
    let command = props.command;
    if (profile?.network === AcceleratorNetwork.GPUDIRECT_TCPXO) {
      p.raw(`networkProfile=${profile.expression} is invalid on a TrainJob: its tcpxo-daemon sidecar must be in the runtime, and runtime patches can only change containers the runtime has (allowed: NetworkProfile.gpuDirectRdma(), NetworkProfile.efa(); or DdpJobSet for GPUDirect-TCPXO)`);
    } else if (profile && profile._launchPreamble.length) {
      if (command === undefined) {
        p.raw(`command=undefined is invalid with networkProfile=${profile.expression}: the profile's NCCL env is sourced before the command starts (${profile._launchPreamble.join('; ')}), so the TrainJob must give its command, e.g. ["torchrun", "train.py"]`);
      } else {
        command = ['/bin/sh', '-c', `${profile._launchPreamble.join('\n')}\nexec "$@"\n`, 'sh', ...command];
      }
    }

    let pod = this._pod({ ...props, command }, { kind: WorkloadKind.TRAINING, containerName: _NODE, imageOptional: true });
    const network = profile && profile.network !== AcceleratorNetwork.GPUDIRECT_TCPXO ? profile._forPod(p, 'networkProfile', this.platform, pod.request) : undefined;
    if (network) pod = _withNetwork(p, 'networkProfile', pod, network);
    if (!this._ready()) return;

    // Plain JSON (the Trainer CRD bindings are not imported); the strict schema tests guard the shape.
    const c: any = k8s.toJson_Container(pod.container);
    const spec: any = k8s.toJson_PodSpec(pod.spec);
    const meta = k8s.toJson_ObjectMeta(this._podMetadata(pod));
    const trainJob = new ApiObject(this, 'Resource', {
      apiVersion: _TRAINER_API_VERSION,
      kind: 'TrainJob',
      // A queue (the fleet) puts Kueue's label on it in `_finish`; Kueue's webhook suspends it until admitted (a
      // `suspend: true` kept in Git would fight Kueue's admission on every GitOps sync).
      metadata: this._metadata(),
      spec: {
        runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: runtime.runtimeKind, name: runtime.runtimeName },
        activeDeadlineSeconds: deadline,
        trainer: {
          image: c.image,
          command: c.command,
          args: c.args,
          env: c.env,
          numNodes: nodes,
          resourcesPerNode: c.resources,
        },
        runtimePatches: [{
          manager: PATCH_MANAGER,
          trainingRuntimeSpec: {
            template: {
              spec: {
                replicatedJobs: [{
                  name: _NODE,
                  template: {
                    spec: {
                      template: {
                        metadata: meta,
                        spec: {
                          serviceAccountName: spec.serviceAccountName,
                          securityContext: spec.securityContext,
                          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
                          nodeSelector: spec.nodeSelector,
                          affinity: spec.affinity,
                          tolerations: spec.tolerations,
                          volumes: spec.volumes,
                          // Only what a ContainerPatch may change: env of `node` goes through spec.trainer.
                          containers: [{ name: _NODE, volumeMounts: c.volumeMounts, securityContext: c.securityContext }],
                        },
                      },
                    },
                  },
                }],
              },
            },
          },
        }],
      },
    });
    const runtimeObject = runtime instanceof TorchTrainingRuntime ? runtime.apiObject : undefined;
    this._finish({
      resource: trainJob,
      rendered: [trainJob],
      templates: () => _trainJobPods(_Renders.of(trainJob), runtimeObject && _Renders.of(runtimeObject), runtime.runtimeImage),
      ingress: [this._sameRunIngress()],
    });
  }
}
