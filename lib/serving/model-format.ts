/**
 * A KServe model format (`spec.predictor.model.modelFormat`): KServe picks the ServingRuntime that declares it with
 * `autoSelect`. The built-in formats below are served by the runtimes KServe installs (`kserve-huggingfaceserver`,
 * `kserve-torchserve`, `kserve-tensorflow-serving`, `kserve-tritonserver`, `kserve-sklearnserver`, `kserve-xgbserver`,
 * `kserve-lgbserver`); a custom format needs an explicit `runtime`.
 */
export class ModelFormat {
  /** Hugging Face models (Transformers / vLLM backend of `kserve-huggingfaceserver`). */
  public static readonly HUGGINGFACE = new ModelFormat('huggingface', true);
  /** PyTorch models (TorchServe `.mar` archives). */
  public static readonly PYTORCH = new ModelFormat('pytorch', true);
  /** TensorFlow SavedModels (TensorFlow Serving). */
  public static readonly TENSORFLOW = new ModelFormat('tensorflow', true);
  /** A Triton model repository (NVIDIA Triton Inference Server). */
  public static readonly TRITON = new ModelFormat('triton', true);
  /** ONNX models (served by Triton). */
  public static readonly ONNX = new ModelFormat('onnx', true);
  /** TensorRT engines (served by Triton). */
  public static readonly TENSORRT = new ModelFormat('tensorrt', true);
  /** scikit-learn models (joblib / pickle). */
  public static readonly SKLEARN = new ModelFormat('sklearn', true);
  /** XGBoost models. */
  public static readonly XGBOOST = new ModelFormat('xgboost', true);
  /** LightGBM models. */
  public static readonly LIGHTGBM = new ModelFormat('lightgbm', true);

  /**
   * A format no built-in runtime serves: the endpoint must name the ServingRuntime (`runtime`) that declares it.
   * @param name the format name the ServingRuntime's `supportedModelFormats` lists
   * @param version the format version, if the runtime distinguishes versions
   */
  public static custom(name: string, version?: string): ModelFormat {
    return new ModelFormat(name, false, version);
  }

  /** Format name (`modelFormat.name`). */
  public readonly name: string;
  /** Format version (`modelFormat.version`), if any. */
  public readonly version?: string;
  /** Whether a runtime installed with KServe serves this format without naming it. */
  public readonly hasBuiltInRuntime: boolean;

  private constructor(name: string, builtIn: boolean, version?: string) {
    this.name = name;
    this.version = version;
    this.hasBuiltInRuntime = builtIn;
  }

  /** The same format pinned to a version (e.g. `ModelFormat.TENSORFLOW.withVersion('2')`). */
  public withVersion(version: string): ModelFormat {
    return new ModelFormat(this.name, this.hasBuiltInRuntime, version);
  }
}
