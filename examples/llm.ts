import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Accelerator, CapacityType, GpuNodePool, InferenceGateway, KServeLlmInferenceService, LlmModel, Platform, Quantization,
  VllmDeployment, VllmLeaderWorkerSet,
} from '../lib';

/**
 * LLM serving on each platform: vLLM on one node (VllmDeployment) behind inference-aware routing (InferenceGateway:
 * InferencePool, endpoint picker, HTTPRoute, Gateway), a model split across nodes (VllmLeaderWorkerSet), and the same
 * kind of model on KServe (KServeLlmInferenceService). On Karpenter the servers run on NodePools of their own.
 */
export function addLlmExamples(scope: Construct, platform: Platform): void {
  const group = new Construct(scope, 'llm');
  const huggingFaceToken = { secretName: 'huggingface', key: 'token' };
  switch (platform.id) {
    case 'gke-autopilot': {
      const llama = new VllmDeployment(group, 'llama-8b', {
        platform, name: 'llama-8b', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, huggingFaceToken,
        // One L4 holds the 15 GiB of weights and the KV cache of an 8k-token sequence, not of the model's 128k.
        accelerator: Accelerator.L4, maxContextLength: 8192, cpu: 8, memory: Size.gibibytes(32),
        autoscaling: { maxReplicas: 4, waitingRequestsPerReplica: 5 },
      });
      new InferenceGateway(group, 'llama-8b-gateway', { server: llama });
      new VllmLeaderWorkerSet(group, 'llama-405b', {
        platform, name: 'llama-405b', model: LlmModel.LLAMA_3_1_405B_INSTRUCT, huggingFaceToken,
        // 810 GB of bfloat16 weights: two nodes of 8 H100 (tensor parallelism 8, pipeline parallelism 2).
        accelerator: Accelerator.H100_80GB, gpus: 8, nodes: 2, maxContextLength: 32768, cpu: 96, memory: Size.gibibytes(1024),
      });
      new KServeLlmInferenceService(group, 'qwen-7b', {
        platform, name: 'qwen-7b', model: LlmModel.QWEN2_5_7B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 16384,
        memory: Size.gibibytes(32), replicas: 2,
      });
      break;
    }
    case 'gke-standard': {
      const mistral = new VllmDeployment(group, 'mistral-7b', {
        platform, name: 'mistral-7b', model: LlmModel.MISTRAL_7B_INSTRUCT_V0_3, huggingFaceToken, accelerator: Accelerator.L4,
        maxContextLength: 16384, replicas: 2,
      });
      new InferenceGateway(group, 'mistral-7b-gateway', { server: mistral });
      new VllmLeaderWorkerSet(group, 'llama-70b', {
        platform, name: 'llama-70b', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, huggingFaceToken,
        accelerator: Accelerator.L4, gpus: 8, nodes: 2, maxContextLength: 8192, cpu: 32, memory: Size.gibibytes(256),
      });
      break;
    }
    case 'karpenter': {
      // The servers get NodePools of their own (on-demand, whole 8- or 4-GPU nodes), sized for their most replicas;
      // the shared A10G pool of the capacity examples stays for training, batch and the small servers.
      const node = { platform, role: 'KarpenterNodeRole-ml-cluster', clusterName: 'ml-cluster', capacityType: CapacityType.ON_DEMAND };
      // 2 replicas x 2 nodes x 8 A10G (g5.48xlarge). The downloaded weights live on the node's disk (each pod requests
      // 165Gi of ephemeral storage): a root volume with room for them and the images.
      const a10g = new GpuNodePool(group, 'gpu-a10g-llm', {
        ...node, name: 'gpu-a10g-llm', accelerator: Accelerator.A10G, gpusPerNode: [8], gpuLimit: 32, rootVolumeSize: Size.gibibytes(300),
      });
      const llama = new VllmLeaderWorkerSet(group, 'llama-70b', {
        platform: a10g.platform(), name: 'llama-70b', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, huggingFaceToken,
        accelerator: Accelerator.A10G, gpus: 8, nodes: 2, maxContextLength: 8192, cpu: 32, memory: Size.gibibytes(256),
        autoscaling: { minReplicas: 1, maxReplicas: 2, kvCacheUsagePercent: 80 },
      });
      new InferenceGateway(group, 'llama-70b-gateway', { server: llama, gatewayClassName: 'istio' });
      // One replica on a 4 x L40S node (g6e.12xlarge or g6e.24xlarge), and room for the new pod of a rolling update;
      // the pod requests 58Gi of ephemeral storage for the weights.
      const l40s = new GpuNodePool(group, 'gpu-l40s', {
        ...node, name: 'gpu-l40s', accelerator: Accelerator.L40S, gpusPerNode: [4], gpuLimit: 8, rootVolumeSize: Size.gibibytes(150),
      });
      new VllmDeployment(group, 'qwen-72b-awq', {
        // The AWQ checkpoint (4-bit weights) has the shape of the 72B model: 34 GiB of weights on 4 L40S.
        platform: l40s.platform(), name: 'qwen-72b-awq', model: LlmModel.huggingFace('Qwen/Qwen2.5-72B-Instruct-AWQ', LlmModel.QWEN2_5_72B_INSTRUCT.shape),
        quantization: Quantization.AWQ,
        accelerator: Accelerator.L40S, gpus: 4, maxContextLength: 32768, cpu: 16, memory: Size.gibibytes(128),
      });
      break;
    }
    default: {
      const qwen = new VllmDeployment(group, 'qwen-7b', {
        platform, name: 'qwen-7b', model: LlmModel.QWEN2_5_7B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 16384,
      });
      new InferenceGateway(group, 'qwen-7b-gateway', { server: qwen, gatewayClassName: 'agentgateway' });
      new KServeLlmInferenceService(group, 'qwen-7b-kserve', {
        platform, name: 'qwen-7b-kserve', model: LlmModel.QWEN2_5_7B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 16384,
        routing: false,
      });
    }
  }
}
