import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { LeaderWorkerSetSpec } from '../../../imports/lws-leaderworkerset.x-k8s.io';
import { ClusterAddon } from '../../platform/cluster-addon';
import { _requireAddon } from '../../workload/addons';
import { _LlmVariant } from './llm-server';
import { VllmServer, VllmServerProps, _VllmRole } from './vllm-server';

/** Props of a {@link VllmLeaderWorkerSet}. */
export interface VllmLeaderWorkerSetProps extends VllmServerProps {}

const API_VERSION = 'leaderworkerset.x-k8s.io/v1';
/** Ray's GCS port on the leader. */
const RAY_PORT = 6379;
/** Longest the leader waits for its workers to join (they may wait for GPU nodes), and the workers for the leader. */
const GROUP_TIMEOUT_SECONDS = 900;

/** The leader: starts the Ray head, waits until every pod of the group joined, then serves on Ray. */
function leaderScript(): string {
  return [
    'set -e',
    `ray start --head --port=${RAY_PORT} --disable-usage-stats`,
    'python3 -c \'',
    'import os, sys, time, ray',
    'ray.init(address="auto", logging_level="ERROR")',
    `want, deadline = int(os.environ["LWS_GROUP_SIZE"]), time.time() + ${GROUP_TIMEOUT_SECONDS}`,
    'while True:',
    '    alive = sum(1 for n in ray.nodes() if n["Alive"])',
    '    if alive >= want:',
    '        break',
    '    if time.time() > deadline:',
    '        sys.exit("only %d of %d pods joined the Ray cluster" % (alive, want))',
    '    time.sleep(5)',
    '\'',
    'exec vllm serve "$@"',
    '',
  ].join('\n');
}

/** A worker: waits until the leader's Ray head answers, then joins it and lends its GPUs until the group ends. */
function workerScript(): string {
  return [
    'python3 -c \'',
    'import os, socket, sys, time',
    `addr, deadline = os.environ["LWS_LEADER_ADDRESS"], time.time() + ${GROUP_TIMEOUT_SECONDS}`,
    'while True:',
    '    try:',
    `        socket.create_connection((addr, ${RAY_PORT}), timeout=5).close()`,
    '        break',
    '    except OSError as e:',
    '        if time.time() > deadline:',
    `            sys.exit("the leader %s:${RAY_PORT} is not reachable: %s" % (addr, e))`,
    '        time.sleep(5)',
    '\' || exit 1',
    `exec ray start --address="$LWS_LEADER_ADDRESS:${RAY_PORT}" --block`,
    '',
  ].join('\n');
}

/**
 * An LLM too large for one node, served by vLLM across `nodes` pods per replica: a `LeaderWorkerSet`
 * (`leaderworkerset.x-k8s.io/v1`, needs the LeaderWorkerSet controller) whose leader runs the Ray head and the API server,
 * and whose workers join the leader's Ray cluster at the address LeaderWorkerSet gives them (`$LWS_LEADER_ADDRESS`).
 * Tensor parallelism spans a node's `gpus`, pipeline parallelism the `nodes`; leader and workers each hold `gpus` GPUs.
 * A pod that restarts recreates its whole group (`RecreateGroupOnPodRestart`): a Ray cluster does not survive losing a
 * member. The Service, the autoscaler and an InferencePool select the leaders.
 */
export class VllmLeaderWorkerSet extends VllmServer {
  /** @internal */
  public static readonly _propsType: string = 'VllmLeaderWorkerSetProps';

  /** Label telling a group's leader (`leader`) from its workers (`worker`). */
  public static readonly ROLE_LABEL = 'gpu-ml.cdk8s.io/role';

  private readonly _lws?: ApiObject;

  public constructor(scope: Construct, id: string, props: VllmLeaderWorkerSetProps) {
    super(scope, id, props);
    props = this._checkedProps;
    _requireAddon(this._problems, this.platform, ClusterAddon.LEADER_WORKER_SET, 'a LeaderWorkerSet');
    // LeaderWorkerSet makes a StatefulSet per group, `<name>-<group>`; its pods' controller-revision-hash label
    // (`<statefulset>-<10-character hash>`) must stay within 63 characters.
    const digits = String(Math.max(this.maxReplicas - 1, 0)).length;
    const max = 52 - 1 - digits;
    this._limitName(max, m => `LeaderWorkerSet names each group's StatefulSet <name>-<group index>, whose pods carry the label controller-revision-hash=<statefulset>-<hash>; with up to ${this.maxReplicas} replica(s) the name may have at most ${m} characters`);
    if (typeof this.name === 'string' && /^[0-9]/.test(this.name)) {
      this._problems.error('name', this.name, 'must start with a letter: LeaderWorkerSet names its headless Service after it (a DNS-1035 label)');
    }
    const leader = this._vllmPod(_VllmRole.LEADER, leaderScript());
    const worker = this._vllmPod(_VllmRole.WORKER, undefined, workerScript());
    if (!this._ready()) return;
    const template = (pod: typeof leader, role: string) => ({
      metadata: k8s.toJson_ObjectMeta(this._podMetadata(pod, { [VllmLeaderWorkerSet.ROLE_LABEL]: role })),
      spec: k8s.toJson_PodSpec(pod.spec),
    });
    const spec: LeaderWorkerSetSpec = {
      replicas: this._autoscaled ? undefined : this.replicas,
      // LeaderReady would deadlock: the leader is ready only once its workers joined, which LeaderReady creates after it.
      startupPolicy: 'LeaderCreated' as any,
      leaderWorkerTemplate: {
        size: this.nodes,
        restartPolicy: 'RecreateGroupOnPodRestart' as any,
        leaderTemplate: template(leader, 'leader') as any,
        workerTemplate: template(worker, 'worker') as any,
      },
    };
    // Plain JSON (the LeaderWorkerSet bindings are never loaded at run time); the strict schema tests guard the shape.
    this._lws = new ApiObject(this, 'Resource', {
      apiVersion: API_VERSION,
      kind: 'LeaderWorkerSet',
      metadata: this._metadata(),
      spec: JSON.parse(JSON.stringify(spec)),
    });
    this._emitAround({ apiVersion: API_VERSION, kind: 'LeaderWorkerSet' });
    // Ray and NCCL talk between the pods of a group on ports of their choosing.
    this._finish({ resource: this._lws, ingress: [this._servingIngress(), this._sameRunIngress()] });
  }

  /** The `LeaderWorkerSet` (escape hatch). */
  public get leaderWorkerSet(): ApiObject {
    return this.apiObject;
  }

  /** @internal */
  protected _servingLabels(): { [key: string]: string } {
    return { [VllmLeaderWorkerSet.ROLE_LABEL]: 'leader' };
  }

  /** @internal */
  protected _variant(): _LlmVariant {
    return { what: 'VllmLeaderWorkerSet', multiNode: true, otherClass: 'VllmDeployment' };
  }
}
