import { Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Accelerator } from '../../accelerator';
import { Platform, WorkloadKind } from '../../platform/platform';
import { _Problems, _checkDnsSubdomain, _checkInt, _durationSeconds, _show } from '../../validation';
import { GpuPodProps } from '../../workload/gpu-pod-props';
import { GpuWorkload } from '../../workload/gpu-workload';
import { LlmModel, ModelDtype, Quantization } from './llm-model';
import { _FitInput, _gib, _layoutText, _longestContext, _perGpu, _smallestFit, _tpDividesHeads } from './memory-fit';


/** A key of a Kubernetes Secret in the workload's namespace. */
export interface SecretKeyReference {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly key: string;
}

/**
 * Props of every LLM server: the model, the hardware of one replica (an accelerator, `gpus` per node and `nodes`), and
 * the vLLM settings memory fit depends on. Tensor parallelism is `gpus` (a node's GPUs), pipeline parallelism `nodes`.
 */
export interface LlmServerProps extends GpuPodProps {
  /** The model, e.g. `LlmModel.LLAMA_3_1_8B_INSTRUCT` or `LlmModel.huggingFace('org/model', shape)`. */
  readonly model: LlmModel;
  /**
   * Nodes (pods) one replica spans; each holds `gpus` GPUs. More than one node is pipeline parallelism across nodes
   * (VllmLeaderWorkerSet).
   * @default 1 (VllmLeaderWorkerSet: 2)
   */
  readonly nodes?: number;
  /**
   * Replicas of the whole server (each `nodes` pods).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Longest sequence (prompt + output tokens) the server accepts (vLLM `--max-model-len`); the KV cache must hold one
   * such sequence.
   * @default - the model's own maximum (`shape.maxContextLength`)
   */
  readonly maxContextLength?: number;
  /**
   * Fraction of each GPU's memory vLLM may use for weights, activations and KV cache (`--gpu-memory-utilization`).
   * @default 0.9
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Element type of weights and activations (`--dtype`).
   * @default ModelDtype.AUTO
   */
  readonly dtype?: ModelDtype;
  /**
   * Quantization of the checkpoint (`--quantization`); decides the bytes per weight.
   * @default - none: the weights take the dtype's size
   */
  readonly quantization?: Quantization;
  /**
   * The Secret key holding a Hugging Face token (gated models need one); it reaches the pods as `HF_TOKEN` from the
   * Secret, never as a literal.
   * @default - no token
   */
  readonly huggingFaceToken?: SecretKeyReference;
  /**
   * Longest a server may take to download and load the model before its startup probe gives up.
   * @default Duration.minutes(30)
   */
  readonly modelLoadTimeout?: Duration;
}

/** What differs between the LLM server classes. @internal */
export interface _LlmVariant {
  /** Class name, for messages. */
  readonly what: string;
  /** Whether a replica spans several nodes (LeaderWorkerSet) rather than one. */
  readonly multiNode: boolean;
  /** The class that serves the other case, for messages. */
  readonly otherClass: string;
}

/** vLLM's port (`--port` default). */
const VLLM_PORT = 8000;
/** vLLM flags the servers set themselves (also their underscore spellings). */
const RESERVED_FLAGS = ['--model', '--port', '--host', '--tensor-parallel-size', '-tp', '--pipeline-parallel-size', '-pp',
  '--max-model-len', '--gpu-memory-utilization', '--dtype', '--quantization', '-q', '--served-model-name',
  '--distributed-executor-backend', '--download-dir'];

/**
 * The base of the LLM servers: a model on `nodes` x `gpus` GPUs per replica, checked for memory fit (weights plus the
 * KV cache of one full-length sequence plus activations, against GPU memory x GPUs x `gpuMemoryUtilization`), with
 * tensor parallelism = a node's GPUs and pipeline parallelism = nodes. `VllmDeployment` serves one node per replica,
 * `VllmLeaderWorkerSet` several, `KServeLlmInferenceService` lets KServe run it.
 */
export abstract class LlmServer extends GpuWorkload {
  /** @internal */
  public static readonly _propsType: string = 'LlmServerProps';

  /** Port the model server listens on (vLLM's default). */
  public static readonly PORT = VLLM_PORT;

  /** The model. */
  public readonly model: LlmModel;
  /** Nodes per replica (= pipeline parallelism). */
  public readonly nodes: number;
  /** GPUs per node (= tensor parallelism). */
  public readonly gpusPerNode: number;
  /** Replicas (the fewest, when autoscaled). */
  public readonly replicas: number;
  /** `--max-model-len`, when known. */
  public readonly maxContextLength?: number;
  /** `--gpu-memory-utilization`. */
  public readonly gpuMemoryUtilization: number;
  /** `--dtype`. */
  public readonly dtype: ModelDtype;
  /** Validated model-load timeout, seconds. @internal */
  public readonly _loadSeconds: number;
  /** What the subclass is (from `_variant()`). @internal */
  public readonly _llmVariant: _LlmVariant;
  private readonly _quantization?: Quantization;
  private readonly _token?: SecretKeyReference;

  protected constructor(scope: Construct, id: string, props: LlmServerProps) {
    super(scope, id, props, WorkloadKind.SERVING);
    props = this._checkedProps;
    const p = this._problems;
    const variant = this._llmVariant = this._variant();
    // The runtime type check ran in the base: what is left is well-typed.
    const given: LlmServerProps = props;
    const model = this.model = given.model;
    if (given.command !== undefined) p.error('command', given.command, `${variant.what} runs vLLM itself; pass extra vLLM flags with args`);
    for (const a of given.args ?? []) {
      const flag = a.split('=')[0].replace(/_/g, '-');
      if (RESERVED_FLAGS.includes(flag)) p.error('args', a, `${variant.what} sets ${flag} itself (from model, gpus, nodes, maxContextLength, gpuMemoryUtilization, dtype, quantization); use those props`);
    }
    if (!(model instanceof LlmModel)) p.error('model', model, 'must be an LlmModel, e.g. LlmModel.LLAMA_3_1_8B_INSTRUCT or LlmModel.huggingFace("org/model", shape)');

    // Layout: one or several nodes per replica, each class serving one case.
    _checkInt(p, 'nodes', given.nodes, 1, 64);
    const nodes = this.nodes = Number.isInteger(given.nodes) && given.nodes! >= 1 ? given.nodes! : (variant.multiNode ? 2 : 1);
    if (Number.isInteger(given.nodes) && variant.multiNode && nodes === 1) {
      p.error('nodes', given.nodes, `${variant.what} spans several nodes per replica (a leader and its workers); serve a model that fits one node with ${variant.otherClass}`);
    } else if (Number.isInteger(given.nodes) && !variant.multiNode && nodes > 1) {
      p.error('nodes', given.nodes, `${variant.what} serves each replica from one node; split a model across ${nodes} nodes with ${variant.otherClass} (a LeaderWorkerSet: pipeline parallelism across nodes)`);
    }
    const gpus = given.gpus ?? 1;
    this.gpusPerNode = Number.isInteger(gpus) && gpus > 0 ? gpus : 1;
    _checkInt(p, 'replicas', given.replicas, 1, 1000);
    this.replicas = Number.isInteger(given.replicas) ? given.replicas! : 1;

    // vLLM settings
    _checkInt(p, 'maxContextLength', given.maxContextLength, 16, 10_000_000);
    this.maxContextLength = given.maxContextLength ?? (model instanceof LlmModel ? model.shape?.maxContextLength : undefined);
    const util = given.gpuMemoryUtilization ?? 0.9;
    if (typeof util !== 'number' || !Number.isFinite(util) || util <= 0 || util > 1) {
      p.error('gpuMemoryUtilization', given.gpuMemoryUtilization, 'must be a fraction above 0 and at most 1, e.g. 0.9');
    }
    this.gpuMemoryUtilization = typeof util === 'number' && util > 0 && util <= 1 ? util : 0.9;
    this.dtype = given.dtype ?? ModelDtype.AUTO;
    if (given.quantization !== undefined && !(given.quantization instanceof Quantization)) {
      p.error('quantization', given.quantization, 'must be a Quantization, e.g. Quantization.FP8');
    } else {
      this._quantization = given.quantization;
      const q = given.quantization;
      if (q && (typeof q.name !== 'string' || !/^[a-z0-9_-]+$/.test(q.name) || !(q.bytesPerParameter > 0 && q.bytesPerParameter <= 4))) {
        p.error('quantization', q.name, 'must be a vLLM --quantization name (lowercase letters, digits, \'_\', \'-\') with 1 to 32 bits per weight');
      }
    }
    this._token = this.checkToken(p, given);
    this._loadSeconds = given.modelLoadTimeout !== undefined
      ? _durationSeconds(p, 'modelLoadTimeout', given.modelLoadTimeout, { max: 6 * 3600 }) ?? 1800 : 1800;

    if (model instanceof LlmModel) this.checkModel(p, given, model);
  }

  /**
   * What the subclass is. Called from the constructor: it may not read the subclass's fields.
   * @internal
   */
  protected abstract _variant(): _LlmVariant;

  /** Tensor parallelism (`--tensor-parallel-size`): a node's GPUs. */
  public get tensorParallelSize(): number {
    return this.gpusPerNode;
  }

  /** Pipeline parallelism (`--pipeline-parallel-size`): the nodes of a replica. */
  public get pipelineParallelSize(): number {
    return this.nodes;
  }

  /** Bytes one weight takes with the dtype or quantization. */
  public get bytesPerParameter(): number {
    if (this._quantization) return this._quantization.bytesPerParameter;
    return this.dtype === ModelDtype.FLOAT32 ? 4 : 2;
  }

  /**
   * vLLM flags that size the server: context length, memory fraction, dtype, quantization (KServe passes the rest
   * itself).
   * @internal
   */
  public _tuningFlags(): string[] {
    const flags: string[] = [];
    if (this.maxContextLength !== undefined) flags.push('--max-model-len', String(this.maxContextLength));
    flags.push('--gpu-memory-utilization', String(this.gpuMemoryUtilization), '--dtype', this.dtype);
    if (this._quantization) flags.push('--quantization', this._quantization.name);
    return flags;
  }

  /**
   * GiB a downloaded copy of the weights needs on disk (10% and 10 GiB of room besides); 100 GiB when the shape is
   * unknown.
   * @internal
   */
  public get _downloadGiB(): number {
    const params = this.model?.shape?.parameters;
    return typeof params === 'number' && params > 0 ? Math.ceil((params * this.bytesPerParameter * 1.1) / 1024 ** 3) + 10 : 100;
  }

  /** `HF_TOKEN` from the Secret, when one was given. @internal */
  public _tokenEnv(): k8s.EnvVar[] {
    const t = this._token;
    return t ? [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: t.secretName, key: t.key } } }] : [];
  }

  /** The Secret key of the Hugging Face token, when one was given. @internal */
  public get _huggingFaceToken(): SecretKeyReference | undefined {
    return this._token;
  }

  private checkToken(p: _Problems, props: LlmServerProps): SecretKeyReference | undefined {
    const t = props.huggingFaceToken;
    if (t === undefined) return undefined;
    _checkDnsSubdomain(p, 'huggingFaceToken.secretName', t.secretName);
    if (!/^[-._a-zA-Z0-9]+$/.test(t.key)) p.error('huggingFaceToken.key', t.key, 'must be a Secret key: letters, digits, \'-\', \'_\' and \'.\'');
    for (const e of [...Object.keys(props.env ?? {}), ...(props.secretEnv ?? []).map(s => s.name)]) {
      if (e === 'HF_TOKEN') p.error('secretEnv', 'HF_TOKEN', 'the server sets HF_TOKEN from huggingFaceToken itself; give the token once, there');
    }
    return t;
  }

  /** Model checks: the token of gated models, tensor parallelism vs the model and the node, and memory fit. */
  private checkModel(p: _Problems, props: LlmServerProps, model: LlmModel): void {
    if (model.gated && props.huggingFaceToken === undefined && !(props.secretEnv ?? []).some(s => s.name === 'HF_TOKEN')) {
      p.warn(`model=${_show(model.location)} is gated on the Hugging Face Hub: without huggingFaceToken the download fails with 401 unless the weights are already in the model cache`);
    }
    const platform = this.platform;
    const acc = props.accelerator;
    const gpus = this.gpusPerNode;
    if (!Number.isInteger(props.gpus ?? 1) || (props.gpus ?? 1) < 1) {
      p.error('gpus', props.gpus, 'an LLM server needs at least one GPU per node (tensor parallelism = gpus)');
      return;
    }
    const shape = model.shape;
    if (shape !== undefined) {
      const bad = ['parameters', 'layers', 'attentionHeads', 'kvHeads', 'headDim'].filter(k => {
        const v = (shape as any)[k];
        return typeof v !== 'number' || !Number.isInteger(v) || v < 1;
      });
      if (bad.length) {
        p.error(`model.shape.${bad[0]}`, (shape as any)[bad[0]], 'must be a positive integer (read it from the model\'s config.json)');
        return;
      }
      if (shape.attentionHeads % shape.kvHeads !== 0) p.error('model.shape.kvHeads', shape.kvHeads, `must divide attentionHeads (${shape.attentionHeads})`);
      if (!_tpDividesHeads(model, gpus)) {
        const divisors = Array.from({ length: shape.attentionHeads }, (_, i) => i + 1).filter(d => shape.attentionHeads % d === 0);
        const offered = platform instanceof Platform && acc instanceof Accelerator ? platform.allowedGpuCounts(acc) : [];
        const allowed = offered.length ? divisors.filter(d => offered.includes(d)) : divisors.filter(d => d <= 64);
        p.error('gpus', gpus, `tensor parallelism (= gpus per node) must divide the model's ${shape.attentionHeads} attention heads (allowed: ${allowed.join(', ')})`);
      }
      if (this.nodes > shape.layers) p.error('nodes', this.nodes, `pipeline parallelism (= nodes) cannot exceed the model's ${shape.layers} layers`);
    }
    if (platform instanceof Platform && acc instanceof Accelerator) {
      const perNode = platform.allowedGpuCounts(acc);
      const max = perNode.length ? Math.max(...perNode) : 0;
      if (max > 0 && gpus > max) {
        p.error('gpus', gpus, `tensor parallelism (= gpus per node) cannot exceed a node's GPUs: ${platform.displayName} has at most ${max} x ${acc.name} per node; split the model across nodes with ${this._llmVariant.multiNode ? 'more nodes' : 'VllmLeaderWorkerSet (pipeline parallelism = nodes)'}`);
      }
    }
    if (!p.ok) return;
    this.checkFit(p, props, model);
  }

  private checkFit(p: _Problems, props: LlmServerProps, model: LlmModel): void {
    const acc = props.accelerator;
    const platform = this.platform;
    if (model.shape === undefined) {
      p.warn(`model=${_show(model.location)} has no shape (parameters, layers, heads): memory fit is not checked; give LlmModel.huggingFace(id, shape) the figures of its config.json`);
      return;
    }
    if (!(acc instanceof Accelerator) || acc.memoryGiB === undefined) {
      p.warn(`accelerator=${acc instanceof Accelerator ? _show(acc.name) : 'undefined'} has no known GPU memory: memory fit of ${model.location} is not checked`);
      return;
    }
    if (this.maxContextLength === undefined) {
      p.raw(`maxContextLength=undefined is invalid: the shape of ${_show(model.location)} states no maxContextLength, so vLLM's --max-model-len cannot be sized; set maxContextLength`);
      return;
    }
    const fit: _FitInput = {
      model, weightBytes: this.bytesPerParameter, kvBytes: this.dtype === ModelDtype.FLOAT32 ? 4 : 2,
      contextLength: this.maxContextLength, utilization: this.gpuMemoryUtilization,
    };
    const tp = this.gpusPerNode;
    const pp = this.nodes;
    const need = _perGpu(fit, tp, pp);
    const budget = acc.memoryGiB * this.gpuMemoryUtilization;
    if (need.total <= budget) return;
    const s = model.shape;
    const precision = this._quantization ? `${this._quantization.name}` : (this.dtype === ModelDtype.AUTO ? 'bfloat16/float16' : this.dtype);
    const kvKiB = model.kvCacheBytesPerToken(fit.kvBytes)! / 1024;
    const here = _layoutText({ accelerator: acc, gpus: tp, nodes: pp });
    const best = platform instanceof Platform ? _smallestFit(fit, platform) : undefined;
    const sameAcc = platform instanceof Platform ? _smallestFit(fit, platform, acc) : undefined;
    const suggestions: string[] = [];
    const v = this._llmVariant;
    const classFor = (nodes: number) => (nodes > 1 ? (v.multiNode ? v.what : 'VllmLeaderWorkerSet') : (v.multiNode ? v.otherClass : v.what));
    if (best) suggestions.push(`smallest that fits on ${platform.displayName}: ${_layoutText(best)} (${classFor(best.nodes)})`);
    if (sameAcc && (!best || sameAcc.accelerator !== best.accelerator)) suggestions.push(`with ${acc.name}: ${_layoutText(sameAcc)} (${classFor(sameAcc.nodes)})`);
    if (!best && !sameAcc) suggestions.push(`no layout of up to 16 nodes of the accelerators ${platform?.displayName ?? 'the platform'} offers fits: quantize the model or shorten maxContextLength`);
    const longest = _longestContext(fit, acc.memoryGiB, tp, pp);
    if (longest >= 1024) suggestions.push(`or lower maxContextLength to at most ${longest} tokens on ${here}`);
    p.raw(`model=${_show(model.location)} does not fit ${here} at gpuMemoryUtilization ${this.gpuMemoryUtilization}: each GPU needs `
      + `${_gib(need.weights)} of weights (${(s.parameters / 1e9).toFixed(2)}B parameters x ${fit.weightBytes} bytes (${precision}) / ${tp * pp} GPUs) `
      + `+ ${_gib(need.kvCache)} of KV cache (one ${this.maxContextLength}-token sequence x ${kvKiB} KiB per token / ${pp * Math.min(tp, s.kvHeads)} shards) `
      + `+ ${_gib(need.activations)} of activations = ${_gib(need.total)}, but vLLM may use ${_gib(budget)} of each (${acc.memoryGiB} GiB x ${this.gpuMemoryUtilization}); `
      + suggestions.join('; '));
  }
}
