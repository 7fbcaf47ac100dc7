import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CloudIdentity, InferenceDeployment, KServeDeploymentMode, KServeInferenceService, ModelFormat, Platform,
  ProtocolVersion, ScalingMetric, ServiceType,
} from '../lib';

/**
 * Serving on each platform: a GPU model behind a plain Deployment (InferenceDeployment: Service + HPA + PDB), and the
 * same kind of model on KServe (KServeInferenceService) in Standard (RawDeployment) and Knative (Serverless) mode.
 */
export function addServingExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'serving');
  const llm = {
    platform,
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
  };
  switch (platform.id) {
    case 'gke-autopilot':
      new InferenceDeployment(group, 'llava', {
        ...llm,
        name: 'llava-inference',
        image: 'us-docker.pkg.dev/example/ml/llava-server:1.6.0',
        accelerator: Accelerator.L4,
        cpu: 8,
        memory: Size.gibibytes(32),
        port: 8000,
        serviceType: ServiceType.LOAD_BALANCER,
        minReplicas: 1,
        maxReplicas: 4,
        // GPU utilization through the Custom Metrics Stackdriver Adapter, from GpuMonitoring's recording rule.
        scalingMetrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80), ScalingMetric.gpuUtilization(70)],
      });
      new KServeInferenceService(group, 'llama-standard', {
        ...llm,
        name: 'llama-standard',
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'gs://example-models/llama-3.1-8b-instruct',
        identity: CloudIdentity.gcpServiceAccount('model-reader@example-project.iam.gserviceaccount.com'),
        accelerator: Accelerator.L4,
        memory: Size.gibibytes(32),
        maxReplicas: 3,
        scalingMetrics: [ScalingMetric.cpu(80)],
      });
      new KServeInferenceService(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        deploymentMode: KServeDeploymentMode.KNATIVE,
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        accelerator: Accelerator.L4,
        memory: Size.gibibytes(32),
        maxReplicas: 3,
        scalingMetrics: [ScalingMetric.concurrency(8)],
      });
      break;
    case 'gke-standard':
      new InferenceDeployment(group, 'batch-scorer', {
        ...llm,
        name: 'queue-scorer',
        image: 'us-docker.pkg.dev/example/ml/scorer:2.3.1',
        accelerator: Accelerator.T4,
        maxReplicas: 8,
        scalingMetrics: [
          ScalingMetric.external('pubsub.googleapis.com|subscription|num_undelivered_messages', 20, { 'resource.labels.subscription_id': 'inference-requests' }),
          // Served by prometheus-adapter with the rule GpuMonitoring writes to dist/extras/.
          ScalingMetric.gpuUtilization(80),
        ],
        // HTTPS on a host name: a GKE Ingress with a Google-managed certificate.
        httpsHost: 'scorer.example.com',
      });
      new KServeInferenceService(group, 'mnist', {
        platform,
        name: 'mnist-model',
        modelFormat: ModelFormat.TENSORFLOW,
        storageUri: 'pvc://model-storage/',
        accelerator: Accelerator.T4,
        cpu: 2,
        memory: Size.gibibytes(4),
      });
      new KServeInferenceService(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        deploymentMode: KServeDeploymentMode.KNATIVE,
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        accelerator: Accelerator.L4,
        memory: Size.gibibytes(32),
        scalingMetrics: [ScalingMetric.concurrency(8)],
        maxReplicas: 2,
      });
      break;
    case 'karpenter':
      new InferenceDeployment(group, 'vllm', {
        ...llm,
        name: 'vllm',
        image: 'vllm/vllm-openai:v0.6.3',
        args: ['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000'],
        accelerator: Accelerator.A10G,
        port: 8000,
        maxReplicas: 4,
        scalingMetrics: [ScalingMetric.gpuUtilization(70)],
      });
      // The autoscaling guide's classifier, pinned to g4dn.xlarge: requests that fit its allocatable 3.92 vCPU / 14.14 GiB.
      new InferenceDeployment(group, 'classifier', {
        platform,
        name: 'image-classifier',
        image: 'us-docker.pkg.dev/example/ml/classifier:1.2.0',
        accelerator: Accelerator.T4,
        instanceTypes: ['g4dn.xlarge'],
        cpu: 3,
        memory: Size.gibibytes(12),
        maxReplicas: 10,
        scalingMetrics: [ScalingMetric.gpuUtilization(60)],
      });
      new KServeInferenceService(group, 'vllm-kserve', {
        ...llm,
        name: 'vllm-kserve',
        image: 'vllm/vllm-openai:v0.6.3',
        args: ['--model', '/mnt/models', '--port', '8080'],
        storageUri: 's3://example-models/llama-3.1-8b-instruct',
        identity: CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/model-reader'),
        accelerator: Accelerator.A10G,
      });
      new KServeInferenceService(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        deploymentMode: KServeDeploymentMode.KNATIVE,
        knativeFeatureFlags: true, // config-features: kubernetes.podspec-nodeselector / -tolerations enabled
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        accelerator: Accelerator.A10G,
        scalingMetrics: [ScalingMetric.concurrency(8)],
        maxReplicas: 2,
      });
      break;
    default:
      new InferenceDeployment(group, 'server', {
        ...llm,
        name: 'llm-server',
        image: 'ghcr.io/huggingface/text-generation-inference:2.4.0',
        args: ['--model-id', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8080'],
        maxReplicas: 2,
        scalingMetrics: [ScalingMetric.cpu(80), ScalingMetric.gpuUtilization(75)],
      });
      new KServeInferenceService(group, 'iris', {
        platform,
        name: 'sklearn-iris',
        modelFormat: ModelFormat.SKLEARN,
        protocolVersion: ProtocolVersion.V2,
        storageUri: 'pvc://models/sklearn/iris',
        gpus: 0,
      });
      new KServeInferenceService(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        deploymentMode: KServeDeploymentMode.KNATIVE,
        knativeFeatureFlags: true,
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        scalingMetrics: [ScalingMetric.concurrency(8)],
        maxReplicas: 2,
      });
  }
}
