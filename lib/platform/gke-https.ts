import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ManagedCertificate } from '../../imports/gke-networking-networking.gke.io';
import { _HttpsExposure, _HttpsOptions } from './platform';

/**
 * HTTPS on GKE: an Ingress of the `gce` class with a Google-managed certificate (`networking.gke.io/v1`
 * ManagedCertificate), reaching the pods directly through container-native load balancing (NEGs).
 * @internal
 */
export const _GKE_HTTPS: _HttpsExposure = {
  name: 'a GKE Ingress with a ManagedCertificate',
  // Container-native load balancing: the load balancer talks to the pods directly.
  serviceAnnotations: { 'cloud.google.com/neg': '{"ingress": true}' },
  emit(scope: Construct, o: _HttpsOptions): ApiObject[] {
    const certName = `${o.name}-tls`;
    const certificate = new ManagedCertificate(scope, 'Certificate', {
      metadata: { name: certName, namespace: o.namespace, labels: o.labels },
      spec: { domains: [o.host] },
    });
    const ingress = new k8s.KubeIngress(scope, 'Ingress', {
      metadata: {
        name: o.name,
        namespace: o.namespace,
        labels: o.labels,
        annotations: {
          // GKE Ingress is selected by this annotation; it does not read spec.ingressClassName.
          'kubernetes.io/ingress.class': 'gce',
          'networking.gke.io/managed-certificates': certName,
          ...(o.staticIpName ? { 'kubernetes.io/ingress.global-static-ip-name': o.staticIpName } : {}),
        },
      },
      spec: {
        rules: [{
          host: o.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: o.serviceName, port: { number: o.servicePort } } } }] },
        }],
      },
    });
    return [certificate, ingress];
  },
};
