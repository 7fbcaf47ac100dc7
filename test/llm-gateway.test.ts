import { Duration } from 'cdk8s';
import {
  Accelerator, ClusterAddon, InferenceGateway, InferenceGatewayProps, KServeLlmInferenceService, LlmModel, Platform, VllmDeployment,
  VllmLeaderWorkerSet,
} from '../lib';
import { celCheck, expectCelRulesHold } from './support/cel';
import { chartFor, find, synth, synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const karpenter = Platform.karpenter();
const kubernetes = Platform.kubernetes();
const token = { secretName: 'huggingface', key: 'token' };

function routed(platform: Platform, props: Partial<InferenceGatewayProps> = {}, multiNode = false): any[] {
  const chart = chartFor(platform);
  const server = multiNode
    ? new VllmLeaderWorkerSet(chart, 'server', { platform, name: 'llama', model: LlmModel.LLAMA_3_1_70B_INSTRUCT, accelerator: Accelerator.L4, gpus: 8, nodes: 2, maxContextLength: 8192, huggingFaceToken: token })
    : new VllmDeployment(chart, 'server', { platform, name: 'llama', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: platform === karpenter ? Accelerator.A10G : Accelerator.L4, maxContextLength: 8192, huggingFaceToken: token });
  new InferenceGateway(chart, 'gateway', { server, ...props });
  const objects = synth(chart, platform);
  expectCelRulesHold(objects);
  return objects;
}

describe('reference: InferencePool, endpoint picker, HTTPRoute and Gateway for a vLLM Deployment on GKE Autopilot', () => {
  const objects = routed(autopilot);
  const pool = find(objects, 'InferencePool', 'llama');
  const route = find(objects, 'HTTPRoute', 'llama');
  const gateway = find(objects, 'Gateway', 'llama');
  const picker = find(objects, 'Deployment', 'llama-epp');

  test('emits the pool, the picker\'s ServiceAccount, Role, RoleBinding, ConfigMap, Deployment and Service, the Gateway and the route', () => {
    expect(objects.filter(o => o.metadata.name !== 'llama' || !['ServiceAccount', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy'].includes(o.kind))
      .map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'InferencePool/llama', 'ServiceAccount/llama-epp', 'Role/llama-epp', 'RoleBinding/llama-epp', 'ConfigMap/llama-epp',
      'Deployment/llama-epp', 'Service/llama-epp', 'Gateway/llama', 'HTTPRoute/llama',
    ]);
  });
  test('the pool selects the server\'s pods on vLLM\'s port and names its endpoint picker', () => {
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
    expect(pool.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'llama' } },
      targetPorts: [{ number: 8000 }],
      appProtocol: 'http',
      endpointPickerRef: { name: 'llama-epp', port: { number: 9002 }, failureMode: 'FailOpen' },
    });
  });
  test('the endpoint picker as the upstream chart renders it', () => {
    const c = picker.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0');
    expect(c.args).toEqual(['--pool-name', 'llama', '--pool-namespace', '$(NAMESPACE)', '--pool-group', 'inference.networking.k8s.io',
      '--zap-encoder', 'json', '--config-file', '/config/default-plugins.yaml', '--v', '1', '--tracing=false']);
    expect(c.readinessProbe).toEqual({ grpc: { port: 9003, service: 'inference-extension' }, periodSeconds: 2 });
    expect(picker.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(picker.spec.template.spec.serviceAccountName).toBe('llama-epp');
    expect(find(objects, 'Service', 'llama-epp').spec.ports.map((p: any) => p.port)).toEqual([9002, 9090]);
    expect(find(objects, 'ConfigMap', 'llama-epp').data['default-plugins.yaml']).toContain('kv-cache-utilization-scorer');
  });
  test('least privilege: the picker reads pods, pools and objectives in its namespace only', () => {
    expect(find(objects, 'Role', 'llama-epp').rules).toEqual([
      { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] },
    ]);
    expect(find(objects, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'llama-epp', namespace: 'ml' }]);
    expect(objects.some(o => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toBe(false);
  });
  test('GKE\'s gateway class; the route\'s backend is the pool; no route timeouts on GKE (the chart\'s provider gke)', () => {
    expect(gateway.spec).toEqual({ gatewayClassName: 'gke-l7-regional-external-managed', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } }] });
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'llama' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' }] }],
    });
  });
  test('the picker pod has no GPU and passes Autopilot\'s admission', () => {
    const pod = picker.spec.template.spec;
    expect(pod.nodeSelector).toBeUndefined();
    expect(autopilot.admissionViolations(pod)).toEqual([]);
  });
});

describe('InferenceGateway elsewhere', () => {
  test('Karpenter: a named class, a request timeout on the route, two pickers electing a leader', () => {
    const objects = routed(karpenter, { gatewayClassName: 'istio', requestTimeout: Duration.minutes(10), endpointPickerReplicas: 2, failOpen: false, pathPrefix: '/v1' });
    expect(find(objects, 'Gateway').spec.gatewayClassName).toBe('istio');
    expect(find(objects, 'HTTPRoute').spec.rules[0].timeouts).toEqual({ request: '600s' });
    expect(find(objects, 'HTTPRoute').spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/v1' } }]);
    expect(find(objects, 'InferencePool').spec.endpointPickerRef.failureMode).toBe('FailClose');
    const picker = find(objects, 'Deployment', 'llama-epp');
    expect(picker.spec.replicas).toBe(2);
    expect(picker.spec.template.spec.containers[0].args).toContain('--ha-enable-leader-election');
    expect(picker.spec.template.spec.containers[0].readinessProbe.grpc.service).toBe('readiness');
    expect(find(objects, 'Role', 'llama-epp').rules.map((r: any) => r.resources[0])).toEqual(['inferenceobjectives', 'inferencepools', 'pods', 'leases', 'events']);
  });
  test('a LeaderWorkerSet: the pool selects the leaders only', () => {
    const objects = routed(kubernetes, { gatewayClassName: 'agentgateway' }, true);
    expect(find(objects, 'InferencePool').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'llama', 'gpu-ml.cdk8s.io/role': 'leader' });
    expect(find(objects, 'HTTPRoute').spec.rules[0].timeouts).toEqual({ request: '300s' });
  });
  test('an existing Gateway: only the route attaches to it', () => {
    const objects = routed(kubernetes, { existingGatewayName: 'shared' });
    expect(objects.some(o => o.kind === 'Gateway')).toBe(false);
    expect(find(objects, 'HTTPRoute').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shared' }]);
  });
});

describe('bad props', () => {
  const server = (c: any, platform: Platform) => new VllmDeployment(c, 'server', { platform, name: 'llama', model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192, huggingFaceToken: token });
  test.each<[string, Platform, (c: any, s: VllmDeployment) => void, string]>([
    ['no class where the platform has none', kubernetes, (c, s) => new InferenceGateway(c, 'g', { server: s }),
      'gatewayClassName=undefined is invalid: Kubernetes (NVIDIA device plugin) has no Gateway API implementation of its own; name the GatewayClass of the one installed (an implementation of the Inference Extension, e.g. "istio", "agentgateway", "nginx"), or give existingGatewayName'],
    ['a class and an existing Gateway', kubernetes, (c, s) => new InferenceGateway(c, 'g', { server: s, gatewayClassName: 'istio', existingGatewayName: 'shared' }),
      'gatewayClassName="istio" is invalid together with existingGatewayName="shared": the existing Gateway has its class; drop one of them'],
    ['a server that is no server', kubernetes, c => new InferenceGateway(c, 'g', { server: 'llama' as any }),
      '[kubernetes/g] server="llama" is invalid: must be a VllmServer, e.g. new VllmDeployment(...)'],
    ['a server that is not a vLLM server', Platform.kubernetes({ addons: [ClusterAddon.KSERVE, ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION] }),
      c => new InferenceGateway(c, 'g', {
        server: new KServeLlmInferenceService(c, 'kserve', { platform: kubernetes, model: LlmModel.LLAMA_3_1_8B_INSTRUCT, accelerator: Accelerator.L4, maxContextLength: 8192 }) as any,
      }),
      '[kubernetes/g] server=kubernetes-kserve is invalid: must be a VllmDeployment or VllmLeaderWorkerSet (KServeLlmInferenceService routes with its own router)'],
    ['a path with a dot segment', kubernetes, (c, s) => new InferenceGateway(c, 'g', { server: s, gatewayClassName: 'istio', pathPrefix: '/v1/../admin' }),
      'pathPrefix="/v1/../admin" is invalid: must be an absolute HTTP path such as "/" or "/v1", without "//", "/./", "/../" or encoded slashes'],
    ['a name starting with a digit', kubernetes, (c, s) => new InferenceGateway(c, 'g', { server: s, gatewayClassName: 'istio', name: '1llama' }),
      'name="1llama" is invalid: must start with a letter: the endpoint picker\'s Service is named after it (a DNS-1035 label)'],
    ['too many pickers', kubernetes, (c, s) => new InferenceGateway(c, 'g', { server: s, gatewayClassName: 'istio', endpointPickerReplicas: 0 }),
      'endpointPickerReplicas=0 is invalid: must be an integer from 1 to 10'],
    ['the extension not installed', Platform.kubernetes({ addons: [ClusterAddon.GATEWAY_API] }), (c, s) => new InferenceGateway(c, 'g', { server: s, gatewayClassName: 'istio' }),
      'platform.addons=[gateway-api] is invalid: an InferencePool needs the Gateway API Inference Extension (inference.networking.k8s.io)'],
  ])('%s', (_name, platform, build, message) => {
    expect(synthError(c => build(c, server(c, platform)), platform)).toContain(message);
  });

  test('two gateways of one name in a cluster conflict', () => {
    const msg = synthError(c => {
      const s = server(c, kubernetes);
      new InferenceGateway(c, 'a', { server: s, gatewayClassName: 'istio' });
      new InferenceGateway(c, 'b', { server: s, gatewayClassName: 'istio' });
    }, kubernetes);
    expect(msg).toContain('name="llama" is invalid: InferencePool ml/llama, Gateway ml/llama and HTTPRoute ml/llama are also emitted by [kubernetes/b]');
  });
});

describe('the CEL rules of the CRDs are evaluated, and can fail', () => {
  test('every rule of HTTPRoute and Gateway that applies to the emitted objects holds, and there are many', () => {
    const objects = routed(karpenter, { gatewayClassName: 'istio' });
    const counts = ['InferencePool', 'Gateway', 'HTTPRoute'].map(k => celCheck(find(objects, k)).rules);
    expect(counts.every(n => n > 0)).toBe(true);
  });
  test('a duplicate target port breaks InferencePool\'s rule; a Service backend without port breaks HTTPRoute\'s', () => {
    const pool = { apiVersion: 'inference.networking.k8s.io/v1', kind: 'InferencePool', metadata: { name: 'p' },
      spec: { selector: { matchLabels: { a: 'b' } }, targetPorts: [{ number: 8000 }, { number: 8000 }], endpointPickerRef: { name: 'e' } } };
    expect(celCheck(pool).failures).toEqual([
      'InferencePool/p.spec.targetPorts: port number must be unique (rule "self.all(p1, self.exists_one(p2, p1.number==p2.number))")',
      'InferencePool/p.spec.endpointPickerRef: port is required when kind is \'Service\' or unspecified (defaults to \'Service\') (rule "self.kind != \'Service\' || has(self.port)")',
    ]);
    const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' },
      spec: { parentRefs: [{ name: 'g' }], rules: [{ backendRefs: [{ name: 'svc' }] }] } };
    expect(celCheck(route).failures.join('\n')).toContain('Must have port for Service reference');
  });
  test('Kubernetes\' find() (Karpenter\'s rules use it): a restricted karpenter.sh label is refused, an allowed one passes', () => {
    const nodePool = (key: string) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'n' }, spec: { template: { spec: {
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      requirements: [{ key, operator: 'In', values: ['x'] }],
    } } } });
    expect(celCheck(nodePool('karpenter.sh/capacity-type')).failures).toEqual([]);
    expect(celCheck(nodePool('karpenter.sh/unknown')).failures.join('\n')).toContain('NodePool/n.spec.template.spec.requirements[0].key');
  });
});
