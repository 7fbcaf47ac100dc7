import { Accelerator } from '../../accelerator';
import { Platform } from '../../platform/platform';
import { LlmModel } from './llm-model';

const GIB = 1024 ** 3;

/**
 * GPU memory vLLM needs per GPU besides weights and KV cache: the activation peak it profiles at start-up, CUDA graphs
 * and NCCL buffers. An estimate (1-2 GiB are typical for 7B-70B models); the check errs on the side of refusing.
 * @internal
 */
export const _ACTIVATION_GIB_PER_GPU = 2;

/**
 * Why an LLM server does not run on a shared GPU (GPU sharing): vLLM takes its memory up front, and the fit check counts
 * whole GPUs. @internal
 */
export const _LLM_SHARE_REFUSED = 'vLLM takes gpuMemoryUtilization of all the GPU memory it sees when it starts (the other clients of a time-shared or MPS GPU would get none), and the memory fit is checked against whole GPUs';

/** How one replica is laid out and what it must hold. @internal */
export interface _FitInput {
  readonly model: LlmModel;
  /** Bytes one weight takes (dtype or quantization). */
  readonly weightBytes: number;
  /** Bytes one KV-cache element takes. */
  readonly kvBytes: number;
  /** Tokens of one full-length sequence, which vLLM must fit in the KV cache to start. */
  readonly contextLength: number;
  /** Fraction of each GPU's memory vLLM may use. */
  readonly utilization: number;
}

/** What one GPU must hold, in GiB. @internal */
export interface _PerGpu {
  readonly weights: number;
  readonly kvCache: number;
  readonly activations: number;
  readonly total: number;
}

/**
 * What one GPU holds with tensor parallelism `tp` (a node's GPUs) and pipeline parallelism `pp` (nodes): the weights
 * split over all tp x pp GPUs; the KV cache split over the layers' pipeline stages and over at most `kvHeads` tensor
 * ranks (more ranks replicate the KV heads); and the activation estimate.
 * @internal
 */
export function _perGpu(f: _FitInput, tp: number, pp: number): _PerGpu {
  const s = f.model.shape!;
  const weights = (s.parameters * f.weightBytes) / (tp * pp) / GIB;
  const kvCache = (f.model.kvCacheBytesPerToken(f.kvBytes)! * f.contextLength) / (pp * Math.min(tp, s.kvHeads)) / GIB;
  return { weights, kvCache, activations: _ACTIVATION_GIB_PER_GPU, total: weights + kvCache + _ACTIVATION_GIB_PER_GPU };
}

/** Whether `gpus` per node may serve the model: tensor parallelism must divide the attention heads. @internal */
export function _tpDividesHeads(model: LlmModel, gpus: number): boolean {
  return model.shape === undefined || model.shape.attentionHeads % gpus === 0;
}

/** A layout that fits. @internal */
export interface _Layout {
  readonly accelerator: Accelerator;
  readonly gpus: number;
  readonly nodes: number;
}

/**
 * Older models the catalog knows for admission and explicit use, never suggested: GKE's Autopilot page does not list
 * them, and the Pascal ones (P4, P100) predate the tensor cores LLM servers are built for.
 */
const LEGACY = [Accelerator.P4, Accelerator.P100, Accelerator.V100];

/** Most nodes the search for a layout tries. */
const MAX_NODES = 16;

/**
 * The smallest layout (fewest nodes, since a replica across nodes is slower and needs LeaderWorkerSet; then least GPU
 * memory in total; then fewest GPUs) of the accelerators the platform offers that fits `f`; only `only` when given.
 * @internal
 */
export function _smallestFit(f: _FitInput, platform: Platform, only?: Accelerator): _Layout | undefined {
  const s = f.model.shape;
  if (!s) return undefined;
  const layouts: (_Layout & { memory: number })[] = [];
  for (const accelerator of only ? [only] : Accelerator.all().filter(a => !LEGACY.includes(a))) {
    if (accelerator.memoryGiB === undefined) continue;
    for (const gpus of platform.allowedGpuCounts(accelerator)) {
      if (!_tpDividesHeads(f.model, gpus)) continue;
      for (let nodes = 1; nodes <= Math.min(MAX_NODES, s.layers); nodes++) {
        if (_perGpu(f, gpus, nodes).total <= accelerator.memoryGiB * f.utilization) {
          layouts.push({ accelerator, gpus, nodes, memory: accelerator.memoryGiB * gpus * nodes });
          break;
        }
      }
    }
  }
  layouts.sort((a, b) => a.nodes - b.nodes || a.memory - b.memory || a.gpus - b.gpus);
  return layouts[0];
}

/** The longest context (tokens) that fits beside the weights on the given layout; 0 when the weights alone do not fit. @internal */
export function _longestContext(f: _FitInput, memoryGiB: number, tp: number, pp: number): number {
  const s = f.model.shape!;
  const room = memoryGiB * f.utilization - _perGpu({ ...f, contextLength: 0 }, tp, pp).total;
  if (room <= 0) return 0;
  return Math.floor((room * GIB * pp * Math.min(tp, s.kvHeads)) / f.model.kvCacheBytesPerToken(f.kvBytes)!);
}

/** `n` GiB with one decimal. @internal */
export function _gib(n: number): string {
  return `${(Math.round(n * 10) / 10).toFixed(1)} GiB`;
}

/** A layout in words: `4 x H100 80GB` or `2 nodes x 8 x H100 80GB`. @internal */
export function _layoutText(l: _Layout): string {
  return `${l.nodes > 1 ? `${l.nodes} nodes x ` : ''}${l.gpus} x ${l.accelerator.name}`;
}
