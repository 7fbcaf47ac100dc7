import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { GatewaySpec, HttpRouteSpec } from '../../../imports/gateway-api-gateway.networking.k8s.io';
import type { InferencePoolSpec } from '../../../imports/inference-extension-inference.networking.k8s.io';
import { Conventions } from '../../conventions';
import { ClusterAddon } from '../../platform/cluster-addon';
import { Platform, _InferenceGatewayFacts } from '../../platform/platform';
import { _checkAdmission, _podTemplatesOf } from '../../pod/admission';
import { _containerSecurityContext, _podSecurityContext } from '../../pod/security-context';
import { _Problems, _checkDnsLabel, _checkInt, _checkProps, _durationSeconds, _ensure, _show } from '../../validation';
import { _requireAddon } from '../../workload/addons';
import { _Registry } from '../../workload/registry';
import { LlmServer } from './llm-server';
import { VllmServer } from './vllm-server';
import { _Renders } from '../../pod/renders';

/** Props of an {@link InferenceGateway}. */
export interface InferenceGatewayProps {
  /** The vLLM server whose serving pods the InferencePool selects. */
  readonly server: VllmServer;
  /**
   * Name of the InferencePool, the HTTPRoute and the Gateway (the endpoint picker's objects add `-epp`).
   * @default - the server's name
   */
  readonly name?: string;
  /**
   * GatewayClass of the Gateway this construct creates: an implementation of the Gateway API Inference Extension
   * (e.g. `istio`, `agentgateway`, `nginx`).
   * @default - the platform's own (GKE: `gke-l7-regional-external-managed`); required on other platforms
   */
  readonly gatewayClassName?: string;
  /**
   * Attach the route to this existing Gateway (same namespace) instead of creating one.
   * @default - a Gateway is created
   */
  readonly existingGatewayName?: string;
  /**
   * Path prefix the route matches.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * Longest a request may take (HTTPRoute `timeouts.request`), where the platform's gateway honours route timeouts;
   * generation of long answers takes minutes.
   * @default Duration.minutes(5)
   */
  readonly requestTimeout?: Duration;
  /**
   * Endpoint picker image.
   * @default InferenceGateway.DEFAULT_ENDPOINT_PICKER_IMAGE
   */
  readonly endpointPickerImage?: string;
  /**
   * Endpoint picker replicas; more than one elect a leader (a Role on Leases and Events is added).
   * @default 1
   */
  readonly endpointPickerReplicas?: number;
  /**
   * Route requests to any server when the endpoint picker is unavailable (`FailOpen`) rather than failing them
   * (`FailClose`).
   * @default true
   */
  readonly failOpen?: boolean;
}

const POOL_API = 'inference.networking.k8s.io/v1';
const POOL_GROUP = 'inference.networking.k8s.io';
const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const EPP_GRPC_PORT = 9002;
const EPP_HEALTH_PORT = 9003;
const EPP_METRICS_PORT = 9090;
const EPP_CONFIG_FILE = 'default-plugins.yaml';
/** The endpoint picker's plugins: queue depth, KV-cache use and prefix-cache affinity (inferencepool chart v1.5.0 defaults). */
const EPP_CONFIG = `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: kv-cache-utilization-scorer
- type: prefix-cache-scorer
- type: metrics-data-source
  parameters:
    scheme: "http"
    path: "/metrics"
    insecureSkipVerify: true
- type: core-metrics-extractor
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
    weight: 2
  - pluginRef: kv-cache-utilization-scorer
    weight: 2
  - pluginRef: prefix-cache-scorer
    weight: 3
`;

/**
 * Inference-aware routing to a vLLM server with the Gateway API Inference Extension: an `InferencePool` selecting the
 * server's serving pods, its endpoint picker (Deployment, Service, ServiceAccount, ConfigMap and a Role and RoleBinding
 * limited to what it reads: pods, InferencePools, InferenceObjectives), an `HTTPRoute` whose backend is the pool, and a
 * `Gateway` (the platform's own class on GKE; the class of your implementation elsewhere), unless the route attaches
 * to an existing Gateway. The endpoint picker sends each request to the server with the shortest queue, the most free
 * KV cache and the best prefix-cache hit. The objects are those of the upstream `inferencepool` Helm chart v1.5.0, the
 * last release of the extension that ships the endpoint picker; its InferencePool is also valid for v1.6.
 * Without this construct, clients reach the server through its plain Service.
 */
export class InferenceGateway extends Construct {
  /** The endpoint picker of the Gateway API Inference Extension v1.5.0. */
  public static readonly DEFAULT_ENDPOINT_PICKER_IMAGE = 'registry.k8s.io/gateway-api-inference-extension/epp:v1.5.0';

  /** Name of the InferencePool, HTTPRoute and (created) Gateway. */
  public readonly name: string;
  /** Namespace of the objects (the server's). */
  public readonly namespace?: string;
  private readonly _problems = new _Problems();
  private _pool?: ApiObject;
  private _route?: ApiObject;
  private _gateway?: ApiObject;
  private _picker?: k8s.KubeDeployment;

  public constructor(scope: Construct, id: string, props: InferenceGatewayProps) {
    super(scope, id);
    const p = this._problems;
    p.attach(this);
    props = _checkProps(p, 'InferenceGatewayProps', props, { allowUnknown: new.target !== InferenceGateway });
    const given: InferenceGatewayProps = props;
    const server = given.server;
    // The type check saw an object; the gateway routes to the pods of a vLLM server only.
    if (!(server instanceof VllmServer)) {
      p.error('server', server, 'must be a VllmDeployment or VllmLeaderWorkerSet (KServeLlmInferenceService routes with its own router)');
      this.name = given.name ?? 'invalid';
      return;
    }
    const platform = server.platform;
    this.namespace = server.namespace;
    this.name = given.name ?? server.name;
    _checkDnsLabel(p, 'name', this.name, 59);
    if (typeof this.name === 'string' && /^[0-9]/.test(this.name)) p.error('name', this.name, 'must start with a letter: the endpoint picker\'s Service is named after it (a DNS-1035 label)');
    if (platform instanceof Platform) {
      _requireAddon(p, platform, ClusterAddon.GATEWAY_API, 'an HTTPRoute and a Gateway');
      _requireAddon(p, platform, ClusterAddon.INFERENCE_EXTENSION, 'an InferencePool');
    }
    const facts: _InferenceGatewayFacts | undefined = platform instanceof Platform ? platform._inferenceGateway() : undefined;
    const existing = given.existingGatewayName;
    _checkDnsLabel(p, 'existingGatewayName', existing);
    if (existing !== undefined && given.gatewayClassName !== undefined) {
      p.raw(`gatewayClassName=${_show(given.gatewayClassName)} is invalid together with existingGatewayName=${_show(existing)}: the existing Gateway has its class; drop one of them`);
    }
    const gatewayClassName = given.gatewayClassName ?? facts?.gatewayClassName;
    _checkDnsLabel(p, 'gatewayClassName', given.gatewayClassName, 253);
    if (existing === undefined && gatewayClassName === undefined && platform instanceof Platform) {
      p.raw(`gatewayClassName=undefined is invalid: ${platform.displayName} has no Gateway API implementation of its own; name the GatewayClass of the one installed (an implementation of the Inference Extension, e.g. "istio", "agentgateway", "nginx"), or give existingGatewayName`);
    }
    const prefix = given.pathPrefix ?? '/';
    if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(prefix) || prefix.length > 1024 || /\/\/|\/\.\.?(\/|$)|%2[fF]|%5[cC]/.test(prefix)) {
      p.error('pathPrefix', given.pathPrefix, 'must be an absolute HTTP path such as "/" or "/v1", without "//", "/./", "/../" or encoded slashes');
    }
    const timeout = given.requestTimeout !== undefined ? _durationSeconds(p, 'requestTimeout', given.requestTimeout, { max: 86400 }) : 300;
    if (given.requestTimeout !== undefined && facts && !facts.routeTimeouts) {
      p.warn(`requestTimeout=${_show(given.requestTimeout)} is not applied on ${platform.displayName}: ${facts.name} takes the backend timeout from a GCPBackendPolicy on the InferencePool (not emitted: give it timeoutSec yourself)`);
    }
    const image = given.endpointPickerImage ?? InferenceGateway.DEFAULT_ENDPOINT_PICKER_IMAGE;
    if (image.length === 0 || /\s/.test(image)) p.error('endpointPickerImage', given.endpointPickerImage, 'must be a container image reference without spaces');
    _checkInt(p, 'endpointPickerReplicas', given.endpointPickerReplicas, 1, 10);
    const replicas = Number.isInteger(given.endpointPickerReplicas) ? given.endpointPickerReplicas! : 1;
    if (!p.ok || !(platform instanceof Platform)) return;

    const name = this.name;
    const epp = `${name}-epp`;
    const labels = (component: string, instance = name) => ({
      [Conventions.NAME_LABEL]: instance, [Conventions.INSTANCE_LABEL]: instance, [Conventions.COMPONENT_LABEL]: component,
      [Conventions.MANAGED_BY_LABEL]: Conventions.MANAGED_BY,
    });
    const meta = (n: string, component: string, instance?: string) => ({ name: n, namespace: this.namespace, labels: labels(component, instance) });

    // The pool: the server's serving pods, on vLLM's port, picked by the endpoint picker.
    const poolSpec: InferencePoolSpec = {
      selector: { matchLabels: server.servingSelector },
      targetPorts: [{ number: LlmServer.PORT }],
      appProtocol: 'http' as any,
      endpointPickerRef: { name: epp, port: { number: EPP_GRPC_PORT }, failureMode: (given.failOpen === false ? 'FailClose' : 'FailOpen') as any },
    };
    this._pool = new ApiObject(this, 'Resource', { apiVersion: POOL_API, kind: 'InferencePool', metadata: meta(name, 'routing'), spec: JSON.parse(JSON.stringify(poolSpec)) });

    // The endpoint picker, as the inferencepool chart renders it (v1.5.0, provider none).
    const selector = { inferencepool: epp };
    new k8s.KubeServiceAccount(this, 'PickerServiceAccount', { metadata: meta(epp, 'endpoint-picker', epp) });
    const rules: k8s.PolicyRule[] = [
      { apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: [POOL_GROUP], resources: ['inferencepools'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] },
    ];
    if (replicas > 1) {
      rules.push(
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      );
    }
    new k8s.KubeRole(this, 'PickerRole', { metadata: meta(epp, 'endpoint-picker', epp), rules });
    new k8s.KubeRoleBinding(this, 'PickerRoleBinding', {
      metadata: meta(epp, 'endpoint-picker', epp),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: epp },
      subjects: [{ kind: 'ServiceAccount', name: epp, namespace: this.namespace }],
    });
    new k8s.KubeConfigMap(this, 'PickerConfig', { metadata: meta(epp, 'endpoint-picker', epp), data: { [EPP_CONFIG_FILE]: EPP_CONFIG } });
    const grpcProbe = (service: string, periodSeconds: number, initialDelaySeconds?: number): k8s.Probe => ({
      grpc: { port: EPP_HEALTH_PORT, service }, periodSeconds, initialDelaySeconds,
    });
    this._picker = new k8s.KubeDeployment(this, 'Picker', {
      metadata: meta(epp, 'endpoint-picker', epp),
      spec: {
        replicas,
        // One picker at a time (with one replica) rather than two with diverging views.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...labels('endpoint-picker', epp), ...selector } },
          spec: {
            serviceAccountName: epp,
            // It watches the pool and its pods.
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 130,
            securityContext: _podSecurityContext(false),
            containers: [{
              name: 'epp',
              image,
              args: [
                '--pool-name', name, '--pool-namespace', '$(NAMESPACE)', '--pool-group', POOL_GROUP,
                '--zap-encoder', 'json', '--config-file', `/config/${EPP_CONFIG_FILE}`, '--v', '1', '--tracing=false',
                ...(replicas > 1 ? ['--ha-enable-leader-election'] : []),
              ],
              env: [
                { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              ports: [
                { name: 'grpc', containerPort: EPP_GRPC_PORT, protocol: 'TCP' },
                { name: 'grpc-health', containerPort: EPP_HEALTH_PORT, protocol: 'TCP' },
                { name: 'metrics', containerPort: EPP_METRICS_PORT, protocol: 'TCP' },
              ],
              resources: {
                requests: { cpu: k8s.Quantity.fromNumber(4), memory: k8s.Quantity.fromString('8Gi') },
                limits: { memory: k8s.Quantity.fromString('16Gi') },
              },
              livenessProbe: grpcProbe(replicas > 1 ? 'liveness' : 'inference-extension', 10, 5),
              readinessProbe: grpcProbe(replicas > 1 ? 'readiness' : 'inference-extension', 2),
              volumeMounts: [{ name: 'plugins-config-volume', mountPath: '/config' }],
              securityContext: _containerSecurityContext(),
            }],
            volumes: [{ name: 'plugins-config-volume', configMap: { name: epp } }],
          },
        },
      },
    });
    new k8s.KubeService(this, 'PickerService', {
      metadata: meta(epp, 'endpoint-picker', epp),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'grpc-ext-proc', protocol: 'TCP', port: EPP_GRPC_PORT, targetPort: k8s.IntOrString.fromNumber(EPP_GRPC_PORT) },
          { name: 'http-metrics', protocol: 'TCP', port: EPP_METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(EPP_METRICS_PORT) },
        ],
      },
    });

    // The Gateway and the route to the pool.
    const gatewayName = existing ?? name;
    if (existing === undefined) {
      const gatewaySpec: GatewaySpec = {
        gatewayClassName: gatewayClassName!,
        listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' as any } } }],
      };
      this._gateway = new ApiObject(this, 'Gateway', { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: meta(gatewayName, 'routing'), spec: JSON.parse(JSON.stringify(gatewaySpec)) });
    }
    const routeSpec: HttpRouteSpec = {
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gatewayName }],
      rules: [{
        matches: [{ path: { type: 'PathPrefix' as any, value: prefix } }],
        backendRefs: [{ group: POOL_GROUP, kind: 'InferencePool', name }],
        timeouts: facts && !facts.routeTimeouts ? undefined : { request: `${timeout}s` },
      }],
    };
    this._route = new ApiObject(this, 'Route', { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: meta(name, 'routing'), spec: JSON.parse(JSON.stringify(routeSpec)) });

    _checkAdmission(this, platform, () => _podTemplatesOf(_Renders.of(this._picker!)), [this._picker]);
    _Registry.claimAll(this, platform.cluster);
  }

  /** The `InferencePool` (escape hatch). */
  public get inferencePool(): ApiObject {
    return _ensure(this, this._pool, this._problems);
  }

  /** The `HTTPRoute`. */
  public get route(): ApiObject {
    return _ensure(this, this._route, this._problems);
  }

  /** The `Gateway`, unless the route attaches to an existing one. */
  public get gateway(): ApiObject | undefined {
    return this._gateway;
  }

  /** The endpoint picker's Deployment. */
  public get endpointPicker(): k8s.KubeDeployment {
    return _ensure(this, this._picker, this._problems);
  }
}
