/**
 * An add-on (operator or controller) a cluster may have installed. A platform lists the ones its cluster has
 * (`addons`); a construct that emits a kind only an add-on understands refuses to synthesize when the platform says the
 * add-on is missing, instead of emitting objects the API server rejects or nobody acts on.
 */
export class ClusterAddon {
  /** Kubeflow training operator v1 (`kubeflow.org/v1` TFJob, PyTorchJob). */
  public static readonly KUBEFLOW_TRAINING_OPERATOR = new ClusterAddon('kubeflow-training-operator', 'the Kubeflow training operator (kubeflow.org/v1)');
  /** Kubeflow Trainer v2 (`trainer.kubeflow.org/v1alpha1` TrainJob, training runtimes). */
  public static readonly KUBEFLOW_TRAINER = new ClusterAddon('kubeflow-trainer', 'Kubeflow Trainer v2 (trainer.kubeflow.org/v1alpha1)');
  /** The JobSet controller (`jobset.x-k8s.io/v1alpha2`). */
  public static readonly JOBSET = new ClusterAddon('jobset', 'the JobSet controller (jobset.x-k8s.io/v1alpha2)');
  /** KServe (`serving.kserve.io`). */
  public static readonly KSERVE = new ClusterAddon('kserve', 'KServe (serving.kserve.io)');
  /** Knative Serving (KServe's Knative deployment mode). */
  public static readonly KNATIVE_SERVING = new ClusterAddon('knative-serving', 'Knative Serving');
  /** Kueue (`kueue.x-k8s.io`). */
  public static readonly KUEUE = new ClusterAddon('kueue', 'Kueue (kueue.x-k8s.io)');
  /** LeaderWorkerSet (`leaderworkerset.x-k8s.io/v1`). */
  public static readonly LEADER_WORKER_SET = new ClusterAddon('leader-worker-set', 'the LeaderWorkerSet controller (leaderworkerset.x-k8s.io/v1)');
  /** Gateway API CRDs and an implementation (`gateway.networking.k8s.io`). */
  public static readonly GATEWAY_API = new ClusterAddon('gateway-api', 'the Gateway API (gateway.networking.k8s.io)');
  /** Gateway API Inference Extension (`inference.networking.k8s.io` InferencePool). */
  public static readonly INFERENCE_EXTENSION = new ClusterAddon('inference-extension', 'the Gateway API Inference Extension (inference.networking.k8s.io)');
  /** prometheus-operator (`monitoring.coreos.com`). */
  public static readonly PROMETHEUS_OPERATOR = new ClusterAddon('prometheus-operator', 'prometheus-operator (monitoring.coreos.com)');
  /** prometheus-adapter (custom metrics API from Prometheus). */
  public static readonly PROMETHEUS_ADAPTER = new ClusterAddon('prometheus-adapter', 'prometheus-adapter (custom.metrics.k8s.io)');
  /**
   * GKE's Custom Metrics Stackdriver Adapter (`custom.metrics.k8s.io` and `external.metrics.k8s.io` from Cloud
   * Monitoring, Managed Service for Prometheus metrics included).
   */
  public static readonly CUSTOM_METRICS_STACKDRIVER_ADAPTER = new ClusterAddon('custom-metrics-stackdriver-adapter', 'the Custom Metrics Stackdriver Adapter (custom.metrics.k8s.io from Cloud Monitoring)');
  /** KEDA (`keda.sh`). */
  public static readonly KEDA = new ClusterAddon('keda', 'KEDA (keda.sh)');
  /** NVIDIA GPU Operator (`nvidia.com/v1` ClusterPolicy). */
  public static readonly NVIDIA_GPU_OPERATOR = new ClusterAddon('nvidia-gpu-operator', 'the NVIDIA GPU Operator (nvidia.com/v1)');
  /** Kubeflow Notebooks (`kubeflow.org/v1` Notebook). */
  public static readonly KUBEFLOW_NOTEBOOKS = new ClusterAddon('kubeflow-notebooks', 'the Kubeflow notebook controller (kubeflow.org/v1 Notebook)');

  /** An add-on the library does not know by name. */
  public static of(id: string, description?: string): ClusterAddon {
    return new ClusterAddon(id, description ?? id);
  }

  /** Short id, e.g. `jobset`. */
  public readonly id: string;
  /** What it is, for messages. */
  public readonly description: string;

  private constructor(id: string, description: string) {
    this.id = id;
    this.description = description;
  }

  /** The description. */
  public toString(): string {
    return this.description;
  }
}
