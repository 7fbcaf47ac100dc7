import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CloudIdentity, InferenceEndpoint, KServeDeploymentMode, ModelFormat, Platform, ProtocolVersion, ScalingMetric,
  ServiceType, ServingBackend,
} from '../lib';

/**
 * InferenceEndpoint on each platform: a GPU model behind a plain Deployment (Service + HPA + PDB), and the same kind of
 * model on KServe in Standard (RawDeployment) and Knative (Serverless) mode.
 */
export function addServingExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'serving');
  const llm = {
    platform,
    secretEnv: [{ name: 'HF_TOKEN', secretName: 'huggingface', key: 'token' }],
  };
  switch (platform.id) {
    case 'gke-autopilot':
      new InferenceEndpoint(group, 'llava', {
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
        scalingMetrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)],
      });
      new InferenceEndpoint(group, 'llama-standard', {
        ...llm,
        name: 'llama-standard',
        backend: ServingBackend.KSERVE,
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'gs://example-models/llama-3.1-8b-instruct',
        identity: CloudIdentity.gcpServiceAccount('model-reader@example-project.iam.gserviceaccount.com'),
        accelerator: Accelerator.L4,
        memory: Size.gibibytes(32),
        maxReplicas: 3,
        scalingMetrics: [ScalingMetric.cpu(80)],
      });
      new InferenceEndpoint(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        backend: ServingBackend.KSERVE,
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
      new InferenceEndpoint(group, 'batch-scorer', {
        ...llm,
        name: 'queue-scorer',
        image: 'us-docker.pkg.dev/example/ml/scorer:2.3.1',
        accelerator: Accelerator.T4,
        maxReplicas: 8,
        scalingMetrics: [ScalingMetric.external('pubsub.googleapis.com|subscription|num_undelivered_messages', 20, { 'resource.labels.subscription_id': 'inference-requests' })],
        // HTTPS on a host name: a GKE Ingress with a Google-managed certificate.
        httpsHost: 'scorer.example.com',
      });
      new InferenceEndpoint(group, 'mnist', {
        platform,
        name: 'mnist-model',
        backend: ServingBackend.KSERVE,
        modelFormat: ModelFormat.TENSORFLOW,
        storageUri: 'pvc://model-storage/',
        accelerator: Accelerator.T4,
        cpu: 2,
        memory: Size.gibibytes(4),
      });
      new InferenceEndpoint(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        backend: ServingBackend.KSERVE,
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
      new InferenceEndpoint(group, 'vllm', {
        ...llm,
        name: 'vllm',
        image: 'vllm/vllm-openai:v0.6.3',
        args: ['--model', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000'],
        accelerator: Accelerator.A10G,
        port: 8000,
        maxReplicas: 4,
        scalingMetrics: [ScalingMetric.gpuUtilization(70)],
      });
      new InferenceEndpoint(group, 'vllm-kserve', {
        ...llm,
        name: 'vllm-kserve',
        backend: ServingBackend.KSERVE,
        image: 'vllm/vllm-openai:v0.6.3',
        args: ['--model', '/mnt/models', '--port', '8080'],
        storageUri: 's3://example-models/llama-3.1-8b-instruct',
        identity: CloudIdentity.awsIamRole('arn:aws:iam::123456789012:role/model-reader'),
        accelerator: Accelerator.A10G,
      });
      new InferenceEndpoint(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        backend: ServingBackend.KSERVE,
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
      new InferenceEndpoint(group, 'server', {
        ...llm,
        name: 'llm-server',
        image: 'ghcr.io/huggingface/text-generation-inference:2.4.0',
        args: ['--model-id', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8080'],
        maxReplicas: 2,
        scalingMetrics: [ScalingMetric.cpu(80)],
      });
      new InferenceEndpoint(group, 'iris', {
        platform,
        name: 'sklearn-iris',
        backend: ServingBackend.KSERVE,
        modelFormat: ModelFormat.SKLEARN,
        protocolVersion: ProtocolVersion.V2,
        storageUri: 'pvc://models/sklearn/iris',
        gpus: 0,
      });
      new InferenceEndpoint(group, 'llama-knative', {
        ...llm,
        name: 'llama-knative',
        backend: ServingBackend.KSERVE,
        deploymentMode: KServeDeploymentMode.KNATIVE,
        knativeFeatureFlags: true,
        modelFormat: ModelFormat.HUGGINGFACE,
        storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
        scalingMetrics: [ScalingMetric.concurrency(8)],
        maxReplicas: 2,
      });
  }
}
