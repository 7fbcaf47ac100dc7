/**
 * What memory fit needs to know about a model: its parameter count and the shape of its attention (for the KV cache).
 * Read them from the model's `config.json` (`num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`,
 * `head_dim` or `hidden_size / num_attention_heads`, `max_position_embeddings`).
 */
export interface ModelShape {
  /** Parameters (weights), e.g. 8030261248 for Llama 3.1 8B. */
  readonly parameters: number;
  /** Transformer layers (`num_hidden_layers`). */
  readonly layers: number;
  /** Attention heads (`num_attention_heads`): tensor parallelism must divide them. */
  readonly attentionHeads: number;
  /** Key/value heads (`num_key_value_heads`; equal to `attentionHeads` without grouped-query attention). */
  readonly kvHeads: number;
  /** Dimension of one head (`head_dim`, or `hidden_size / num_attention_heads`). */
  readonly headDim: number;
  /**
   * Longest context the model supports (`max_position_embeddings`): vLLM's `--max-model-len` when none is given.
   * @default - unknown: the server must set `maxContextLength`
   */
  readonly maxContextLength?: number;
}

/** Element type of the weights and activations (vLLM `--dtype`). */
export enum ModelDtype {
  /** The checkpoint's own: bfloat16 for bfloat16 checkpoints, float16 for float16 and float32 ones (2 bytes). */
  AUTO = 'auto',
  /** bfloat16 (2 bytes per parameter). */
  BFLOAT16 = 'bfloat16',
  /** float16 (2 bytes per parameter; recommended with AWQ). */
  FLOAT16 = 'float16',
  /** float32 (4 bytes per parameter). */
  FLOAT32 = 'float32',
}

/**
 * A quantization method (vLLM `--quantization`) and the bytes one weight takes with it. Without one, the weights take
 * the dtype's size.
 */
export class Quantization {
  /** FP8 weights (1 byte per parameter), e.g. `*-FP8` checkpoints. */
  public static readonly FP8 = new Quantization('fp8', 1);
  /** AWQ, 4-bit weights (0.5 byte per parameter plus group scales). */
  public static readonly AWQ = new Quantization('awq', 0.5);
  /** GPTQ, 4-bit weights (0.5 byte per parameter plus group scales). */
  public static readonly GPTQ = new Quantization('gptq', 0.5);

  /**
   * Another method vLLM knows, with its bits per weight.
   * @param name the `--quantization` value, e.g. `bitsandbytes`
   * @param bitsPerWeight bits one weight takes, e.g. 4 or 8
   */
  public static custom(name: string, bitsPerWeight: number): Quantization {
    return new Quantization(name, bitsPerWeight / 8);
  }

  /** The `--quantization` value. */
  public readonly name: string;
  /** Bytes one weight takes. */
  public readonly bytesPerParameter: number;

  private constructor(name: string, bytesPerParameter: number) {
    this.name = name;
    this.bytesPerParameter = bytesPerParameter;
  }
}

/** Where the weights come from. */
export enum ModelSource {
  /** The Hugging Face Hub, by model id (downloaded by the server into its model cache). */
  HUGGING_FACE = 'hf',
  /** A storage URI (`pvc://`, `gs://`, `s3://`...), mounted or copied by the platform or the operator. */
  STORAGE_URI = 'uri',
}

/**
 * A large language model to serve: where its weights are, the name clients ask for, and the shape memory fit needs.
 * The catalog's shapes come from each model's `config.json` (see docs/llm-serving.md); a model outside it is
 * `LlmModel.huggingFace(id, shape)` or `LlmModel.fromStorageUri(uri, name, shape)`.
 */
export class LlmModel {
  /** Meta Llama 3.1 8B Instruct (gated: needs a Hugging Face token). */
  public static readonly LLAMA_3_1_8B_INSTRUCT = LlmModel.catalog('meta-llama/Llama-3.1-8B-Instruct', {
    parameters: 8_030_261_248, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextLength: 131072,
  });
  /** Meta Llama 3.1 70B Instruct (gated). */
  public static readonly LLAMA_3_1_70B_INSTRUCT = LlmModel.catalog('meta-llama/Llama-3.1-70B-Instruct', {
    parameters: 70_553_706_496, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, maxContextLength: 131072,
  });
  /** Meta Llama 3.1 405B Instruct (gated; about 810 GB in bfloat16: several nodes, or FP8). */
  public static readonly LLAMA_3_1_405B_INSTRUCT = LlmModel.catalog('meta-llama/Llama-3.1-405B-Instruct', {
    parameters: 404_650_311_680, layers: 126, attentionHeads: 128, kvHeads: 8, headDim: 128, maxContextLength: 131072,
  });
  /** Mistral 7B Instruct v0.3 (gated). Parameter count rounded. */
  public static readonly MISTRAL_7B_INSTRUCT_V0_3 = LlmModel.catalog('mistralai/Mistral-7B-Instruct-v0.3', {
    parameters: 7_250_000_000, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextLength: 32768,
  });
  /** Mixtral 8x7B Instruct v0.1 (all 46.7B parameters are loaded, though 12.9B are active per token). Rounded. */
  public static readonly MIXTRAL_8X7B_INSTRUCT = LlmModel.catalog('mistralai/Mixtral-8x7B-Instruct-v0.1', {
    parameters: 46_700_000_000, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextLength: 32768,
  }, false);
  /** Qwen2.5 7B Instruct (not gated). Parameter count rounded. */
  public static readonly QWEN2_5_7B_INSTRUCT = LlmModel.catalog('Qwen/Qwen2.5-7B-Instruct', {
    parameters: 7_620_000_000, layers: 28, attentionHeads: 28, kvHeads: 4, headDim: 128, maxContextLength: 32768,
  }, false);
  /** Qwen2.5 72B Instruct (not gated). Parameter count rounded. */
  public static readonly QWEN2_5_72B_INSTRUCT = LlmModel.catalog('Qwen/Qwen2.5-72B-Instruct', {
    parameters: 72_700_000_000, layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, maxContextLength: 32768,
  }, false);

  /**
   * A model on the Hugging Face Hub, e.g. `LlmModel.huggingFace('org/model', { parameters, layers, ... })`. Without a
   * shape, memory fit cannot be checked (a warning says so).
   * @param id the Hub id, `org/name`
   * @param shape what memory fit needs, from the model's config.json
   */
  public static huggingFace(id: string, shape?: ModelShape): LlmModel {
    return new LlmModel(ModelSource.HUGGING_FACE, id, id, shape, false);
  }

  /**
   * A model whose weights are at a storage URI (`pvc://claim/path`, `gs://bucket/path`, `s3://bucket/path`); which
   * schemes a server accepts is its own.
   * @param uri where the weights are
   * @param servedName the model name clients send (`"model"` in OpenAI requests)
   * @param shape what memory fit needs, from the model's config.json
   */
  public static fromStorageUri(uri: string, servedName: string, shape?: ModelShape): LlmModel {
    return new LlmModel(ModelSource.STORAGE_URI, uri, servedName, shape, false);
  }

  private static catalog(id: string, shape: ModelShape, gated = true): LlmModel {
    return new LlmModel(ModelSource.HUGGING_FACE, id, id, shape, gated);
  }

  /** Where the weights come from. */
  public readonly source: ModelSource;
  /** The Hugging Face id or the storage URI. */
  public readonly location: string;
  /** The name clients ask for (vLLM `--served-model-name`; the `model_name` label of vLLM's metrics). */
  public readonly servedName: string;
  /** The shape, when known. */
  public readonly shape?: ModelShape;
  /** Whether the Hub requires an accepted licence and a token to download it. */
  public readonly gated: boolean;

  private constructor(source: ModelSource, location: string, servedName: string, shape: ModelShape | undefined, gated: boolean) {
    this.source = source;
    this.location = location;
    this.servedName = servedName;
    this.shape = shape;
    this.gated = gated;
  }

  /** Bytes of KV cache one token takes in every layer: 2 (K and V) x layers x kvHeads x headDim x bytes per element. */
  public kvCacheBytesPerToken(bytesPerElement: number): number | undefined {
    const s = this.shape;
    return s ? 2 * s.layers * s.kvHeads * s.headDim * bytesPerElement : undefined;
  }

  /** The id or URI. */
  public toString(): string {
    return this.location;
  }
}
