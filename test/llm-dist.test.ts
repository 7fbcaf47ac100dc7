/**
 * What dist/ shows of LLM serving (issue 16's "done when"), and the CEL rules of every CRD object in dist/ (the strict
 * schema check in example.test.ts does not evaluate them).
 */
import { celCheck } from './support/cel';
import { podsOf } from './support/pods';
import { SHARED_AVAILABLE } from './support/schema';
import { distFiles, distObjects } from './support/dist';

const files = distFiles();
const objects = new Map(files.map(f => [f, distObjects(f)]));
const all = [...objects.values()].flat();
const gpus = (container: any) => Number(container?.resources?.limits?.['nvidia.com/gpu'] ?? 0);

test('a single-node vLLM endpoint: a Deployment running vllm serve with GPUs', () => {
  const vllm = all.filter(o => o.kind === 'Deployment' && o.spec.template.spec.containers[0].command?.join(' ') === 'vllm serve');
  expect(vllm.length).toBeGreaterThanOrEqual(4);
  for (const d of vllm) expect(gpus(d.spec.template.spec.containers[0])).toBeGreaterThanOrEqual(1);
});

test('a multi-host LeaderWorkerSet: size >= 2, GPUs in leader and workers, recreated as a group', () => {
  const sets = all.filter(o => o.kind === 'LeaderWorkerSet');
  expect(sets.length).toBeGreaterThanOrEqual(3);
  for (const s of sets) {
    const t = s.spec.leaderWorkerTemplate;
    expect(t.size).toBeGreaterThanOrEqual(2);
    expect(t.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(gpus(t.leaderTemplate.spec.containers[0])).toBeGreaterThan(0);
    expect(gpus(t.workerTemplate.spec.containers[0])).toBe(gpus(t.leaderTemplate.spec.containers[0]));
    expect(podsOf(s).length).toBe(2);
  }
});

test('an InferencePool with an HTTPRoute to it and a Gateway, in one namespace, on every platform', () => {
  for (const [file, objs] of objects) {
    const pool = objs.find(o => o.kind === 'InferencePool');
    expect({ file, pool: pool !== undefined }).toEqual({ file, pool: true });
    const route = objs.find(o => o.kind === 'HTTPRoute' && o.spec.rules.some((r: any) => r.backendRefs?.some((b: any) => b.kind === 'InferencePool' && b.name === pool.metadata.name)));
    const gateway = objs.find(o => o.kind === 'Gateway' && route.spec.parentRefs.some((p: any) => p.name === o.metadata.name));
    expect(gateway).toBeDefined();
    // The pool selects serving pods that exist, and names an endpoint picker Service that exists.
    const selected = objs.filter(o => ['Deployment', 'LeaderWorkerSet'].includes(o.kind)).flatMap(o => podsOf(o))
      .filter(p => Object.entries(pool.spec.selector.matchLabels).every(([k, v]) => p.labels[k] === v));
    expect(selected.length).toBeGreaterThan(0);
    expect(objs.find(o => o.kind === 'Service' && o.metadata.name === pool.spec.endpointPickerRef.name)).toBeDefined();
  }
});

test('an LLMInferenceService (v1alpha2) with its GPUs on the container KServe calls main', () => {
  const services = all.filter(o => o.kind === 'LLMInferenceService');
  expect(services.length).toBeGreaterThanOrEqual(2);
  for (const s of services) {
    expect(s.apiVersion).toBe('serving.kserve.io/v1alpha2');
    expect(s.spec.template.containers[0].name).toBe('main');
    expect(gpus(s.spec.template.containers[0])).toBeGreaterThan(0);
  }
});

test('every CEL rule of every CRD object in dist/ holds', () => {
  if (!SHARED_AVAILABLE) return;
  let rules = 0;
  const failures: string[] = [];
  for (const o of all) {
    const r = celCheck(o);
    rules += r.rules;
    failures.push(...r.failures);
  }
  expect(failures).toEqual([]);
  expect(rules).toBeGreaterThan(100);
});
