import { execFileSync } from 'child_process';
import { Duration, JsonPatch, Size } from 'cdk8s';
import {
  Accelerator, ClusterAddon, KServeLlmInferenceService, KServeLlmInferenceServiceProps, LlmModel, LlmServer, ModelDtype,
  Platform, Quantization, StorageVolume, VllmDeployment, VllmDeploymentProps, VllmLeaderWorkerSet, VllmLeaderWorkerSetProps,
} from '../lib';
import { expectCelRulesHold } from './support/cel';
import { podsOf } from './support/pods';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const token = { secretName: 'huggingface', key: 'token' };

function deployment(platform: Platform, props: Partial<VllmDeploymentProps>): any[] {
  const chart = chartFor(platform);
  new VllmDeployment(chart, 'llm', { platform, name: 'llm', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, huggingFaceToken: token, ...props } as VllmDeploymentProps);
  return synth(chart, platform);
}

function lws(platform: Platform, props: Partial<VllmLeaderWorkerSetProps>): any[] {
  const chart = chartFor(platform);
  new VllmLeaderWorkerSet(chart, 'llm', { platform, name: 'llm', model: LlmModel.LLAMA_3_1_405B_INSTRUCT, huggingFaceToken: token, ...props } as VllmLeaderWorkerSetProps);
  return synth(chart, platform);
}

function kserve(platform: Platform, props: Partial<KServeLlmInferenceServiceProps>): any[] {
  const chart = chartFor(platform);
  new KServeLlmInferenceService(chart, 'llm', { platform, name: 'llm', model: LlmModel.QWEN2_5_7B_INSTRUCT, ...props } as KServeLlmInferenceServiceProps);
  const objects = synth(chart, platform);
  expectCelRulesHold(objects);
  return objects;
}

/** The value following `flag` in a container's args. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('reference: Llama 3.1 8B on one L4 (GKE Autopilot), 8k context, autoscaled on the vLLM queue', () => {
  const objects = deployment(autopilot, {
    accelerator: Accelerator.L4, maxContextLength: 8192, autoscaling: { maxReplicas: 4, waitingRequestsPerReplica: 5, kvCacheUsagePercent: 80 },
  });
  const deploy = find(objects, 'Deployment', 'llm');
  const pod = deploy.spec.template.spec;
  const c = pod.containers[0];

  test('emits ServiceAccount, Deployment, Service, HPA, PDB and NetworkPolicy', () => {
    expect(objects.map(o => o.kind)).toEqual(['ServiceAccount', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']);
  });
  test('vllm serve with the model, its served name, tensor parallelism = gpus and the sizing flags', () => {
    expect(c.command).toEqual(['vllm', 'serve']);
    expect(c.args).toEqual(['meta-llama/Llama-3.1-8B-Instruct', '--served-model-name', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000',
      '--tensor-parallel-size', '1', '--max-model-len', '8192', '--gpu-memory-utilization', '0.9', '--dtype', 'auto']);
    expect(c.image).toBe('vllm/vllm-openai:v0.21.0');
  });
  test('the token comes from the Secret; caches live on the model-cache volume', () => {
    expect(c.env).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'huggingface', key: 'token' } } },
      { name: 'HF_HOME', value: '/model-cache/huggingface' },
      { name: 'VLLM_CACHE_ROOT', value: '/model-cache/vllm' },
      { name: 'HOME', value: '/tmp' },
    ]);
  });
  test('model cache: scratch space sized for the 15 GiB of weights, requested as ephemeral storage; /dev/shm in memory', () => {
    // 8030261248 x 2 bytes x 1.1 = 16.45 GiB -> 17, + 10 GiB of room = 27 GiB; the request adds 10 GiB for the image's writes.
    expect(pod.volumes).toContainEqual({ name: 'volume-0', emptyDir: { sizeLimit: '27Gi' } });
    expect(c.volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }, { name: 'volume-0', mountPath: '/model-cache' }]);
    expect(c.resources.requests['ephemeral-storage']).toBe('37Gi');
    expect(pod.volumes[0]).toEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } });
  });
  test('probes on /health: the startup probe allows 30 minutes of download and load', () => {
    expect(c.startupProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, periodSeconds: 10, failureThreshold: 180, timeoutSeconds: 5 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold).toBe(60);
    expect(deploy.spec.progressDeadlineSeconds).toBe(2400);
  });
  test('GPU placed for Autopilot; non-root', () => {
    expect(pod.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
  });
  test('HPA on the vLLM queue and KV-cache usage, named as the Stackdriver adapter serves GMP gauges; replicas left to it', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler');
    expect(deploy.spec.replicas).toBeUndefined();
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.maxReplicas).toBe(4);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'prometheus.googleapis.com|vllm:num_requests_waiting|gauge' }, target: { type: 'AverageValue', averageValue: '5' } } },
      { type: 'Pods', pods: { metric: { name: 'prometheus.googleapis.com|vllm:kv_cache_usage_perc|gauge' }, target: { type: 'AverageValue', averageValue: '800m' } } },
    ]);
  });
  test('Service port 80 to vLLM; NetworkPolicy admits port 8000', () => {
    expect(find(objects, 'Service').spec).toEqual({
      type: 'ClusterIP', selector: { 'app.kubernetes.io/instance': 'llm' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([{ ports: [{ port: 8000, protocol: 'TCP' }] }]);
  });
});

describe('VllmDeployment on every platform', () => {
  test.each([
    ['GKE Standard', standard, Accelerator.L4, { 'cloud.google.com/gke-accelerator': 'nvidia-l4' }],
    ['Karpenter', karpenter, Accelerator.A10G, { 'karpenter.k8s.aws/instance-gpu-name': 'a10g', 'karpenter.sh/capacity-type': 'on-demand' }],
    ['Kubernetes', kubernetes, Accelerator.L4, undefined],
  ] as const)('%s: placed by the platform, no do-not-disrupt on serving pods', (_n, platform, accelerator, selector) => {
    const pod = find(deployment(platform, { accelerator, maxContextLength: 8192 }), 'Deployment').spec.template;
    expect(pod.spec.nodeSelector).toEqual(selector);
    expect(pod.metadata.annotations).toBeUndefined();
  });

  test('tensor parallelism across 4 GPUs, fp8 weights, bfloat16, a PVC model cache and extra flags', () => {
    const objects = deployment(standard, {
      model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, gpus: 8, quantization: Quantization.FP8, dtype: ModelDtype.BFLOAT16,
      maxContextLength: 16384, gpuMemoryUtilization: 0.92, modelCache: StorageVolume.fromPersistentVolumeClaim('model-cache'),
      args: ['--enable-prefix-caching'], replicas: 2,
    });
    const d = find(objects, 'Deployment');
    const c = d.spec.template.spec.containers[0];
    expect(d.spec.replicas).toBe(2);
    expect(flag(c.args, '--tensor-parallel-size')).toBe('8');
    expect(flag(c.args, '--quantization')).toBe('fp8');
    expect(flag(c.args, '--dtype')).toBe('bfloat16');
    expect(flag(c.args, '--gpu-memory-utilization')).toBe('0.92');
    expect(c.args[c.args.length - 1]).toBe('--enable-prefix-caching');
    expect(c.args).not.toContain('--pipeline-parallel-size');
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'volume-0', persistentVolumeClaim: { claimName: 'model-cache' } });
    // A PVC cache: no ephemeral storage grown for it.
    expect(c.resources.requests['ephemeral-storage']).toBe('10Gi');
  });

  test('a model from a PVC is mounted read-only and served from its path; a gs:// model through GCS FUSE on GKE', () => {
    const shape = { parameters: 8_030_261_248, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, maxContextLength: 8192 };
    const c = find(deployment(kubernetes, { model: LlmModel.fromStorageUri('pvc://models/llama-3.1-8b/', 'llama-8b', shape) }), 'Deployment').spec.template.spec;
    expect(c.containers[0].args.slice(0, 3)).toEqual(['/mnt/models/llama-3.1-8b', '--served-model-name', 'llama-8b']);
    expect(c.volumes).toContainEqual({ name: 'volume-0', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
    const g = find(deployment(standard, { accelerator: Accelerator.L4, model: LlmModel.fromStorageUri('gs://bucket/llama', 'llama-8b', shape) }), 'Deployment').spec.template;
    expect(g.metadata.annotations).toEqual({ 'gke-gcsfuse/volumes': 'true' });
    expect(g.spec.containers[0].args[0]).toBe('/mnt/models/llama');
  });

  test('a model without a shape is served without a memory-fit check (a warning says so)', () => {
    const objects = deployment(kubernetes, { model: LlmModel.huggingFace('org/model'), maxContextLength: 4096 });
    expect(flag(find(objects, 'Deployment').spec.template.spec.containers[0].args, '--max-model-len')).toBe('4096');
  });
});

describe('reference: Llama 3.1 405B on 2 nodes x 8 H100 (GKE Autopilot), a LeaderWorkerSet', () => {
  const objects = lws(autopilot, { accelerator: Accelerator.H100_80GB, gpus: 8, nodes: 2, maxContextLength: 32768 });
  const set = find(objects, 'LeaderWorkerSet', 'llm');
  const t = set.spec.leaderWorkerTemplate;
  const leader = t.leaderTemplate.spec.containers[0];
  const worker = t.workerTemplate.spec.containers[0];

  test('emits ServiceAccount, LeaderWorkerSet, Service and NetworkPolicy', () => {
    expect(objects.map(o => o.kind)).toEqual(['ServiceAccount', 'LeaderWorkerSet', 'Service', 'NetworkPolicy']);
  });
  test('a group of 2 pods recreated together, workers created with the leader', () => {
    expect(set.apiVersion).toBe('leaderworkerset.x-k8s.io/v1');
    expect(set.spec.replicas).toBe(1);
    expect(set.spec.startupPolicy).toBe('LeaderCreated');
    expect(t.size).toBe(2);
    expect(t.restartPolicy).toBe('RecreateGroupOnPodRestart');
  });
  test('GPUs in leader and workers, both placed for Autopilot', () => {
    for (const tpl of [t.leaderTemplate, t.workerTemplate]) {
      expect(tpl.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
      expect(tpl.spec.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-h100-80gb' });
    }
    expect(podsOf(set).length).toBe(2);
  });
  test('the leader runs the Ray head, waits for the group, then vllm serve with TP 8 x PP 2 on Ray', () => {
    expect(leader.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(leader.command[2]).toContain('ray start --head --port=6379');
    expect(leader.command[2]).toContain('int(os.environ["LWS_GROUP_SIZE"])');
    expect(leader.command[2]).toMatch(/exec vllm serve "\$@"\n$/);
    expect(flag(leader.args, '--tensor-parallel-size')).toBe('8');
    expect(flag(leader.args, '--pipeline-parallel-size')).toBe('2');
    expect(flag(leader.args, '--distributed-executor-backend')).toBe('ray');
    expect(leader.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(leader.startupProbe.httpGet.path).toBe('/health');
  });
  test('workers join the leader at the address LeaderWorkerSet gives them; no HTTP, no probes', () => {
    expect(worker.command[2]).toContain('os.environ["LWS_LEADER_ADDRESS"]');
    expect(worker.command[2]).toContain('exec ray start --address="$LWS_LEADER_ADDRESS:6379" --block');
    expect(worker.args).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.startupProbe).toBeUndefined();
  });
  test('both scripts parse: sh -n on the shell, compile() on the inline Python', () => {
    for (const c of [leader, worker]) {
      const script: string = c.command[2];
      execFileSync('sh', ['-n', '-c', script]);
      const python = /python3 -c '\n([\s\S]*?)\n'/.exec(script)![1];
      execFileSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "inline", "exec")'], { input: python });
    }
    expect(() => execFileSync('sh', ['-n', '-c', 'if then'], { stdio: 'ignore' })).toThrow();
  });
  test('the Service selects the leaders; the NetworkPolicy also admits the group\'s own traffic (Ray, NCCL)', () => {
    expect(t.leaderTemplate.metadata.labels['gpu-ml.cdk8s.io/role']).toBe('leader');
    expect(t.workerTemplate.metadata.labels['gpu-ml.cdk8s.io/role']).toBe('worker');
    expect(find(objects, 'Service').spec.selector).toEqual({ 'app.kubernetes.io/instance': 'llm', 'gpu-ml.cdk8s.io/role': 'leader' });
    expect(find(objects, 'NetworkPolicy').spec.ingress).toEqual([
      { ports: [{ port: 8000, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'llm' } } }] },
    ]);
  });
  test('each pod caches the 405B weights on 840 GiB of scratch space', () => {
    // 404650311680 x 2 bytes x 1.1 = 829.0 GiB -> 830, + 10 GiB.
    expect(t.workerTemplate.spec.volumes).toContainEqual({ name: 'volume-0', emptyDir: { sizeLimit: '840Gi' } });
  });
});

describe('VllmLeaderWorkerSet elsewhere', () => {
  test('Karpenter: autoscaled on the queue; the HPA targets the LeaderWorkerSet', () => {
    const objects = lws(karpenter, {
      model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.A10G, gpus: 8, nodes: 2, maxContextLength: 8192,
      autoscaling: { minReplicas: 1, maxReplicas: 2 },
    });
    const set = find(objects, 'LeaderWorkerSet');
    expect(set.spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'llm' });
    expect(set.spec.leaderWorkerTemplate.workerTemplate.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });
  test('plain Kubernetes, 4 nodes', () => {
    const set = find(lws(kubernetes, { accelerator: Accelerator.H100_80GB, gpus: 8, nodes: 4, dtype: ModelDtype.BFLOAT16 }), 'LeaderWorkerSet');
    expect(set.spec.leaderWorkerTemplate.size).toBe(4);
    expect(flag(set.spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].args, '--pipeline-parallel-size')).toBe('4');
  });
});

describe('the platform\'s rules apply to leader and worker templates', () => {
  test('an escape-hatch edit to the worker template is caught by Autopilot\'s admission check', () => {
    const msg = synthError(c => {
      const s = new VllmLeaderWorkerSet(c, 'llm', { platform: autopilot, name: 'llm', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, gpus: 8, nodes: 2, maxContextLength: 8192, huggingFaceToken: token });
      s.leaderWorkerSet.addJsonPatch(JsonPatch.add('/spec/leaderWorkerTemplate/workerTemplate/spec/hostNetwork', true));
    }, autopilot);
    expect(msg).toContain('GKE Autopilot admission (spec.leaderWorkerTemplate.workerTemplate): hostNetwork: true is rejected by Autopilot');
    expect(msg).not.toContain('leaderTemplate)');
  });
  test('a GPU count Autopilot does not offer is refused once, for both templates', () => {
    const msg = synthError(c => new VllmLeaderWorkerSet(c, 'llm', { platform: autopilot, model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, gpus: 16, nodes: 2, maxContextLength: 8192, huggingFaceToken: token }), autopilot);
    expect(msg.match(/gpus=16 is not accepted by GKE Autopilot for nvidia-l4 \(allowed: 1, 2, 4, 8\)/g)).toHaveLength(1);
  });
});

describe('reference: KServe LLMInferenceService, Qwen2.5 7B on one L4 (GKE Autopilot)', () => {
  const objects = kserve(autopilot, { accelerator: Accelerator.L4, maxContextLength: 8192, replicas: 2, huggingFaceToken: { secretName: 'hf', key: 'HF_TOKEN' } });
  const svc = find(objects, 'LLMInferenceService', 'llm');
  const main = svc.spec.template.containers[0];

  test('v1alpha2 (the stored version) with the model, replicas, tensor parallelism and KServe\'s router', () => {
    expect(svc.apiVersion).toBe('serving.kserve.io/v1alpha2');
    expect(svc.spec.model).toEqual({ uri: 'hf://Qwen/Qwen2.5-7B-Instruct', name: 'Qwen/Qwen2.5-7B-Instruct' });
    expect(svc.spec.replicas).toBe(2);
    expect(svc.spec.parallelism).toEqual({ tensor: 1 });
    expect(svc.spec.router).toEqual({ scheduler: {}, route: {}, gateway: {} });
  });
  test('the container is named main (KServe merges its config into it by name), with GPUs and vLLM\'s sizing flags', () => {
    expect(main.name).toBe('main');
    expect(main.image).toBeUndefined();
    expect(main.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(main.args).toEqual(['--max-model-len', '8192', '--gpu-memory-utilization', '0.9', '--dtype', 'auto']);
    expect(main.startupProbe).toEqual({ periodSeconds: 10, failureThreshold: 180 });
    expect(svc.spec.template.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' });
  });
  test('the token reaches the storage initializer through the ServiceAccount', () => {
    expect(find(objects, 'ServiceAccount').secrets).toEqual([{ name: 'hf' }]);
  });
  test('ephemeral storage for the download: 7.62B x 2 bytes x 1.1 = 15.6 -> 16 GiB + 10 + 10', () => {
    expect(main.resources.requests['ephemeral-storage']).toBe('36Gi');
  });
  test('routing: false leaves the router out', () => {
    expect(find(kserve(kubernetes, { routing: false, maxContextLength: 8192 }), 'LLMInferenceService').spec.router).toBeUndefined();
  });
});

describe('memory fit: refusals with the figures worked out', () => {
  test('a 70B model in bfloat16 on one L4: 131.4 GiB of weights alone; smallest fit on one node, and with L4 on two', () => {
    const msg = synthError(c => new VllmDeployment(c, 'llm', { platform: autopilot, model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, huggingFaceToken: token }), autopilot);
    // 70553706496 x 2 B = 131.42 GiB; KV 2 x 80 layers x 8 heads x 128 x 2 B = 320 KiB per token x 131072 = 40 GiB;
    // 131.4 + 40.0 + 2.0 = 173.4 GiB vs 24 x 0.9 = 21.6 GiB. One node: 4 x A100 80GB (32.9 + 10 + 2 = 44.9 <= 72).
    // With L4: 8 per node must divide 64 heads; 1 node: 16.4 + 5 + 2 = 23.4 > 21.6; 2 nodes: 8.2 + 2.5 + 2 = 12.7.
    expect(msg).toContain('model="meta-llama/Llama-3.1-70B-Instruct" does not fit 1 x L4 at gpuMemoryUtilization 0.9: each GPU needs '
      + '131.4 GiB of weights (70.55B parameters x 2 bytes (bfloat16/float16) / 1 GPUs) + 40.0 GiB of KV cache (one 131072-token sequence x 320 KiB per token / 1 shards) '
      + '+ 2.0 GiB of activations = 173.4 GiB, but vLLM may use 21.6 GiB of each (24 GiB x 0.9); '
      + 'smallest that fits on GKE Autopilot: 4 x A100 80GB (VllmDeployment); with L4: 2 nodes x 8 x L4 (VllmLeaderWorkerSet)');
    expect(msg).not.toContain('lower maxContextLength');
  });

  test('Llama 3.1 8B on one L4 at its full 128k context: the KV cache is what does not fit; the longest context that does', () => {
    const msg = synthError(c => new VllmDeployment(c, 'llm', { platform: autopilot, model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, huggingFaceToken: token }), autopilot);
    // 8030261248 x 2 B = 14.96 GiB; 128 KiB x 131072 = 16 GiB; 33.0 > 21.6. Room for KV: 21.6 - 14.96 - 2 = 4.64 GiB
    // x 8192 tokens per GiB = 38031 tokens of 128 KiB.
    expect(msg).toContain('each GPU needs 15.0 GiB of weights (8.03B parameters x 2 bytes (bfloat16/float16) / 1 GPUs) + 16.0 GiB of KV cache (one 131072-token sequence x 128 KiB per token / 1 shards) + 2.0 GiB of activations = 33.0 GiB');
    expect(msg).toContain('smallest that fits on GKE Autopilot: 1 x A100 40GB (VllmDeployment); with L4: 2 x L4 (VllmDeployment); or lower maxContextLength to at most 38031 tokens on 1 x L4');
  });

  test('405B in bfloat16 on one node of 8 H100: one node of H200 fits, H100 needs two nodes', () => {
    const msg = synthError(c => new VllmDeployment(c, 'llm', {
      platform: standard, model: LlmModel.LLAMA_3_1_405B_INSTRUCT, accelerator: Accelerator.H100_80GB, gpus: 8, huggingFaceToken: token,
    }), standard);
    // 404650311680 x 2 B / 8 = 94.2 GiB; KV 504 KiB x 131072 / 8 = 7.9 GiB; + 2 = 104.1 > 72.
    expect(msg).toContain('each GPU needs 94.2 GiB of weights (404.65B parameters x 2 bytes (bfloat16/float16) / 8 GPUs) + 7.9 GiB of KV cache (one 131072-token sequence x 504 KiB per token / 8 shards) + 2.0 GiB of activations = 104.1 GiB, but vLLM may use 72.0 GiB of each (80 GiB x 0.9)');
    expect(msg).toContain('smallest that fits on GKE Standard: 8 x H200 141GB (VllmDeployment); with H100 80GB: 2 nodes x 8 x H100 80GB (VllmLeaderWorkerSet)');
  });

  test('quantization shrinks the weights: 70B in AWQ (0.5 byte per weight) fits 2 x L4 at 8k context, not one', () => {
    // 2 x L4: 70553706496 x 0.5 B / 2 = 16.4 GiB + 320 KiB x 8192 / 2 = 1.25 GiB + 2 = 19.7 <= 21.6.
    const awq = {
      model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, gpus: 2, quantization: Quantization.AWQ, maxContextLength: 8192,
    };
    expect(() => deployment(standard, awq)).not.toThrow();
    const msg = synthError(c => new VllmDeployment(c, 'llm', { platform: standard, model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, quantization: Quantization.AWQ, maxContextLength: 8192, huggingFaceToken: token }), standard);
    expect(msg).toContain('each GPU needs 32.9 GiB of weights (70.55B parameters x 0.5 bytes (awq) / 1 GPUs) + 2.5 GiB of KV cache (one 8192-token sequence x 320 KiB per token / 1 shards) + 2.0 GiB of activations = 37.4 GiB');
    expect(msg).toContain('smallest that fits on GKE Standard: 2 x L4 (VllmDeployment)');
  });

  test('the multi-node class sizes per GPU across nodes: 405B on 2 nodes x 8 L4 does not fit', () => {
    const msg = synthError(c => new VllmLeaderWorkerSet(c, 'llm', {
      platform: standard, model: LlmModel.LLAMA_3_1_405B_INSTRUCT, accelerator: Accelerator.L4, gpus: 8, nodes: 2, maxContextLength: 8192,
      huggingFaceToken: token,
    }), standard);
    // 404650311680 x 2 B / 16 = 47.1 GiB; KV 504 KiB x 8192 / 16 = 0.25 GiB.
    expect(msg).toContain('does not fit 2 nodes x 8 x L4 at gpuMemoryUtilization 0.9: each GPU needs 47.1 GiB of weights');
    expect(msg).toContain('with L4: 5 nodes x 8 x L4 (VllmLeaderWorkerSet)');
  });
});

describe('bad props: every message names the prop, the value and what is allowed', () => {
  const base = {
    platform: standard, model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192, huggingFaceToken: token,
  };
  test.each<[string, (c: any) => void, string]>([
    ['nodes > 1 on the one-node class', c => new VllmDeployment(c, 'x', { ...base, nodes: 2 }),
      'nodes=2 is invalid: VllmDeployment serves each replica from one node; split a model across 2 nodes with VllmLeaderWorkerSet (a LeaderWorkerSet: pipeline parallelism across nodes)'],
    ['nodes = 1 on the multi-node class', c => new VllmLeaderWorkerSet(c, 'x', { ...base, nodes: 1 }),
      'nodes=1 is invalid: VllmLeaderWorkerSet spans several nodes per replica (a leader and its workers); serve a model that fits one node with VllmDeployment'],
    ['nodes > 1 on KServe', c => new KServeLlmInferenceService(c, 'x', { ...base, nodes: 2 }),
      'nodes=2 is invalid: KServeLlmInferenceService serves each replica from one node; split a model across 2 nodes with VllmLeaderWorkerSet'],
    ['tensor parallelism beyond a node', c => new VllmDeployment(c, 'x', { ...base, gpus: 16 }),
      'gpus=16 is invalid: tensor parallelism (= gpus per node) cannot exceed a node\'s GPUs: GKE Standard has at most 8 x L4 per node; split the model across nodes with VllmLeaderWorkerSet (pipeline parallelism = nodes)'],
    ['tensor parallelism that does not divide the heads', c => new VllmDeployment(c, 'x', { ...base, model: LlmModel.QWEN2_5_7B_INSTRUCT, gpus: 8 }),
      'gpus=8 is invalid: tensor parallelism (= gpus per node) must divide the model\'s 28 attention heads (allowed: 1, 2, 4, 7)'],
    ['gpus 0', c => new VllmDeployment(c, 'x', { ...base, gpus: 0 }), 'gpus=0 is invalid: must be a whole number of GPUs, at least 1'],
    // Found by the hostile inputs: the Service named after it would be refused.
    ['a name starting with a digit', c => new VllmDeployment(c, 'x', { ...base, name: '0o17' }),
      'name="0o17" is invalid: must start with a letter: it also names the server\'s Service (a DNS-1035 label)'],
    ['utilization above 1', c => new VllmDeployment(c, 'x', { ...base, gpuMemoryUtilization: 90 }),
      'gpuMemoryUtilization=90 is invalid: must be a fraction above 0 and at most 1, e.g. 0.9'],
    ['context as a string', c => new VllmDeployment(c, 'x', { ...base, maxContextLength: '8k' as any }),
      'maxContextLength="8k" is invalid: must be a number'],
    ['context out of range', c => new VllmDeployment(c, 'x', { ...base, maxContextLength: 8 }),
      'maxContextLength=8 is invalid: must be an integer from 16 to 10000000'],
    ['unknown dtype', c => new VllmDeployment(c, 'x', { ...base, dtype: 'fp16' as any }),
      'dtype="fp16" is invalid: must be one of ModelDtype.AUTO, ModelDtype.BFLOAT16, ModelDtype.FLOAT16, ModelDtype.FLOAT32'],
    ['model as a string', c => new VllmDeployment(c, 'x', { ...base, model: 'meta-llama/Llama-3.1-8B-Instruct' as any }),
      'model="meta-llama/Llama-3.1-8B-Instruct" is invalid: must be an LlmModel, e.g. LlmModel.LLAMA_3_1_8B_INSTRUCT'],
    ['a flag the construct sets', c => new VllmDeployment(c, 'x', { ...base, args: ['--tensor_parallel_size=2'] }),
      'args="--tensor_parallel_size=2" is invalid: VllmDeployment sets --tensor-parallel-size itself (from model, gpus, nodes, maxContextLength, gpuMemoryUtilization, dtype, quantization); use those props'],
    ['a command', c => new VllmDeployment(c, 'x', { ...base, command: ['python3'] }),
      'command=["python3"] is invalid: VllmDeployment runs vLLM itself; pass extra vLLM flags with args'],
    ['replicas and autoscaling', c => new VllmDeployment(c, 'x', { ...base, replicas: 2, autoscaling: { maxReplicas: 3 } }),
      'replicas=2 is invalid together with autoscaling: the autoscaler sets the replicas (give autoscaling.minReplicas instead)'],
    ['autoscaling min above max', c => new VllmDeployment(c, 'x', { ...base, autoscaling: { minReplicas: 4, maxReplicas: 2 } }),
      'autoscaling.minReplicas=4 is invalid: must be at most autoscaling.maxReplicas (2)'],
    ['autoscaling without an adapter', c => new VllmDeployment(c, 'x', { ...base, platform: Platform.gkeStandard({ addons: [] }), autoscaling: { maxReplicas: 2 } }),
      'platform.addons=[] is invalid: an autoscaler on vLLM\'s metrics (the custom metrics API) needs prometheus-adapter (custom.metrics.k8s.io), which GKE Standard does not list; install it and add ClusterAddon.PROMETHEUS_ADAPTER to the platform\'s addons, or choose a construct that does not need it'],
    ['LeaderWorkerSet not installed', c => new VllmLeaderWorkerSet(c, 'x', { ...base, platform: Platform.gkeStandard({ addons: [ClusterAddon.KSERVE] }) }),
      'platform.addons=[kserve] is invalid: a LeaderWorkerSet needs the LeaderWorkerSet controller (leaderworkerset.x-k8s.io/v1), which GKE Standard does not list'],
    ['KServe not installed', c => new KServeLlmInferenceService(c, 'x', { ...base, platform: Platform.gkeStandard({ addons: [] }), routing: false }),
      'platform.addons=[] is invalid: an LLMInferenceService needs KServe (serving.kserve.io)'],
    ['KServe token under another key', c => new KServeLlmInferenceService(c, 'x', base),
      'huggingFaceToken.key="token" is invalid: KServe\'s storage initializer reads the token from the key HF_TOKEN of a Secret the pods\' ServiceAccount lists; store it under that key'],
    ['KServe from a scheme it does not load', c => new KServeLlmInferenceService(c, 'x', { ...base, huggingFaceToken: undefined, model: LlmModel.fromStorageUri('ftp://host/m', 'm') }),
      'model="ftp://host/m" is invalid: KServe loads hf://, s3://, gs://, pvc://, oci://, https://'],
    ['s3:// on the vLLM classes', c => new VllmDeployment(c, 'x', { ...base, model: LlmModel.fromStorageUri('s3://bucket/m', 'm') }),
      'model="s3://bucket/m" is invalid: VllmDeployment mounts only pvc:// and gs:// (the platform\'s bucket driver) at /mnt/models; for other schemes use LlmModel.huggingFace, or KServeLlmInferenceService whose storage initializer downloads s3://, gs://, hf://'],
    ['a model shape that is not integers', c => new VllmDeployment(c, 'x', { ...base, model: LlmModel.huggingFace('a/b', { parameters: 7e9, layers: 32.5, attentionHeads: 32, kvHeads: 8, headDim: 128 }) }),
      'model.shape.layers=32.5 is invalid: must be a positive integer (read it from the model\'s config.json)'],
    ['a shape without a context and no maxContextLength', c => new VllmDeployment(c, 'x', { ...base, maxContextLength: undefined, model: LlmModel.huggingFace('a/b', { parameters: 7e9, layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128 }) }),
      'maxContextLength=undefined is invalid: the shape of "a/b" states no maxContextLength, so vLLM\'s --max-model-len cannot be sized; set maxContextLength'],
    ['the token twice', c => new VllmDeployment(c, 'x', { ...base, secretEnv: [{ name: 'HF_TOKEN', secretName: 's', key: 'k' }] }),
      'secretEnv="HF_TOKEN" is invalid: the server sets HF_TOKEN from huggingFaceToken itself; give the token once, there'],
    ['a name too long for LeaderWorkerSet\'s StatefulSets', c => new VllmLeaderWorkerSet(c, 'x', { ...base, name: 'a'.repeat(51) }),
      'name="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is invalid: LeaderWorkerSet names each group\'s StatefulSet <name>-<group index>, whose pods carry the label controller-revision-hash=<statefulset>-<hash>; with up to 1 replica(s) the name may have at most 50 characters'],
    ['a reserved env', c => new VllmDeployment(c, 'x', { ...base, env: { HF_HOME: '/x' } }),
      'env["HF_HOME"]="HF_HOME" is invalid: VllmDeployment sets HF_HOME itself (the model cache); use modelCache'],
    ['a load timeout of zero', c => new VllmDeployment(c, 'x', { ...base, modelLoadTimeout: Duration.seconds(0) }),
      'modelLoadTimeout=0 seconds is invalid: must be a whole number of seconds, at least 1s'],
  ])('%s', (_name, build, message) => {
    expect(synthError(build, standard)).toContain(message);
  });

  test('props that are not an object: no TypeError', () => {
    expect(synthError(c => new VllmDeployment(c, 'x', undefined as any)))
      .toContain('[test/x] props=undefined is invalid: must be an object of VllmDeploymentProps (required: platform, model)');
    expect(synthError(c => new VllmLeaderWorkerSet(c, 'x', null as any)))
      .toContain('[test/x] props=null is invalid: must be an object of VllmLeaderWorkerSetProps (required: platform, model)');
    expect(synthError(c => new KServeLlmInferenceService(c, 'x', 'x' as any)))
      .toContain('[test/x] props="x" is invalid: must be an object of KServeLlmInferenceServiceProps (required: platform, model)');
  });
});

test('LlmServer exposes tensor and pipeline parallelism and the bytes per weight', () => {
  const chart = chartFor(standard);
  const s: LlmServer = new VllmLeaderWorkerSet(chart, 'x', {
    platform: standard, model: LlmModel.LLAMA_3_1_405B_INSTRUCT, accelerator: Accelerator.H100_80GB, gpus: 8, nodes: 2,
    quantization: Quantization.FP8, maxContextLength: 8192, huggingFaceToken: token, memory: Size.gibibytes(512),
  });
  expect([s.tensorParallelSize, s.pipelineParallelSize, s.bytesPerParameter]).toEqual([8, 2, 1]);
  synth(chart, standard);
});
