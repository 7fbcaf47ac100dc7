import { SHARED_AVAILABLE, caseInsensitive, schemaErrors, warnIfNoSchemas } from './support/schema';

// The validator itself must be able to fail, or every "schema-valid" claim is empty.
const maybe = SHARED_AVAILABLE ? test : test.skip;
warnIfNoSchemas();

const job = (extra: any = {}, containerExtra: any = {}) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i', ...containerExtra }] } }, ...extra },
});

maybe('a valid Job passes', () => {
  expect(schemaErrors(job())).toEqual([]);
});

maybe('an unknown field is an error (strict, like kubeconform -strict)', () => {
  expect(schemaErrors(job({ backofLimit: 3 })).join('\n')).toContain('unknown field "backofLimit"');
  expect(schemaErrors(job({}, { resource: {} })).join('\n')).toContain('unknown field "resource"');
});

maybe('a wrong type is an error', () => {
  expect(schemaErrors(job({ parallelism: 'two' })).join('\n')).toContain('must be integer');
});

maybe('CRD kinds are checked strictly too, below preserve-unknown-fields only extra fields pass', () => {
  const pool = {
    apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'gpu' },
    spec: { template: { spec: { requirements: [], nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' } } } },
  };
  expect(schemaErrors(pool)).toEqual([]);
  expect(schemaErrors({ ...pool, spec: { ...pool.spec, ttlSecondsAfterEmpty: 30 } }).join('\n')).toContain('unknown field "ttlSecondsAfterEmpty"');
});

maybe('a kind without an upstream schema is an error', () => {
  expect(schemaErrors({ apiVersion: 'karpenter.sh/v1alpha5', kind: 'Provisioner', metadata: { name: 'x' } })).toEqual([
    'no schema for karpenter.sh/v1alpha5/Provisioner: the library may only emit kinds with an upstream schema',
  ]);
});

test('Go\'s (?i) patterns match either case, like the API server, and nothing more', () => {
  const kind = new RegExp(caseInsensitive('^[a-z]([-a-z0-9]*[a-z0-9])?$'));
  expect(['ProvisioningRequestConfig', 'provisioningrequestconfig'].map(k => kind.test(k))).toEqual([true, true]);
  expect(['Provisioning_Request', '9Config', ''].map(k => kind.test(k))).toEqual([false, false, false]);
  const strategy = new RegExp(caseInsensitive('^(abort|warn)?$'));
  expect(['abort', 'Abort', 'WARN', '', 'abortx', 'ab\\d'].map(k => strategy.test(k))).toEqual([true, true, true, true, false, false]);
  expect(caseInsensitive('\\d+[A-Z_]')).toBe('\\d+[A-Za-z_]');
});

maybe('an AdmissionCheck naming its parameters\' kind in CamelCase is valid (the CRD\'s pattern is case-insensitive)', () => {
  const check = {
    apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'AdmissionCheck', metadata: { name: 'dws' },
    spec: { controllerName: 'kueue.x-k8s.io/provisioning-request', parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'ProvisioningRequestConfig', name: 'dws' } },
  };
  expect(schemaErrors(check)).toEqual([]);
  expect(schemaErrors({ ...check, spec: { ...check.spec, parameters: { ...check.spec.parameters, kind: 'Provisioning_Request' } } }).join('\n')).toContain('must match pattern');
});
