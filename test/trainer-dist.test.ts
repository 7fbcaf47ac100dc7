/**
 * What dist/ shows of gang training at scale (issue 15's "done when"): a TrainJob with runtimeRef, >= 2 nodes and
 * GPUs per node; a JobSet with failure-policy rules that JobSet's webhook accepts; a topology annotation naming a
 * level of a Kueue Topology of the same chart; a network profile on an H100 multi-node example. Strict schema
 * validity is test/example.test.ts's; the CEL rules of every CRD object in dist/ are test/llm-dist.test.ts's, and are
 * counted here for the kinds this issue adds.
 */
import { celCheck } from './support/cel';
import { podsOf } from './support/pods';
import { SHARED_AVAILABLE } from './support/schema';
import { distFiles, distObjects } from './support/dist';

const files = distFiles();
const charts = new Map(files.map(f => [f, distObjects(f)]));
const all = [...charts.values()].flat();
const gpus = (c: any) => Number(c?.resources?.limits?.['nvidia.com/gpu'] ?? 0);

test('a TrainJob with runtimeRef, at least 2 nodes and GPUs per node, on every platform', () => {
  for (const [file, objects] of charts) {
    const jobs = objects.filter(o => o.kind === 'TrainJob');
    expect({ file, jobs: jobs.length }).toEqual({ file, jobs: 1 });
    for (const tj of jobs) {
      expect(tj.spec.runtimeRef).toMatchObject({ apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' });
      expect(tj.spec.trainer.numNodes).toBeGreaterThanOrEqual(2);
      expect(Number(tj.spec.trainer.resourcesPerNode.limits['nvidia.com/gpu'])).toBeGreaterThanOrEqual(1);
      // The pods Trainer makes carry the GPUs and the platform's scheduling of the runtime patch.
      const [pod] = podsOf(tj, { objects });
      expect(gpus(pod.spec.containers[0])).toBeGreaterThanOrEqual(1);
    }
  }
  // Plain Kubernetes: on the torch runtime the chart emits (Trainer's default runtimes absent).
  expect(charts.get('kubernetes.k8s.yaml')!.filter(o => o.kind === 'ClusterTrainingRuntime').map(o => o.metadata.name)).toEqual(['torch-distributed']);
});

test('JobSets with failure-policy rules (bounded restarts, restart on disruption, fail fast) that JobSet\'s webhook accepts', () => {
  const sets = all.filter(o => o.kind === 'JobSet');
  expect(sets.length).toBeGreaterThanOrEqual(2);
  const runtimes = all.filter(o => o.kind === 'ClusterTrainingRuntime');
  const policies = [...sets.map(s => s.spec.failurePolicy), ...runtimes.map(r => r.spec.template.spec.failurePolicy)];
  for (const fp of policies) {
    expect(fp.maxRestarts).toBeGreaterThanOrEqual(0);
    expect(fp.rules.some((r: any) => r.action === 'RestartJobSetAndIgnoreMaxRestarts' && r.onJobFailureReasons.includes('PodFailurePolicy'))).toBe(true);
    // pkg/webhooks/jobset_webhook.go @v0.12.0: rule names, unique; reasons from batch/v1's list.
    for (const r of fp.rules) {
      expect(r.name).toMatch(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
      for (const reason of r.onJobFailureReasons ?? []) {
        expect(['BackoffLimitExceeded', 'DeadlineExceeded', 'FailedIndexes', 'MaxFailedIndexesExceeded', 'PodFailurePolicy']).toContain(reason);
      }
    }
    expect(new Set(fp.rules.map((r: any) => r.name)).size).toBe(fp.rules.length);
  }
  const failFast = sets.filter(s => s.spec.failurePolicy.rules.some((r: any) => r.action === 'FailJobSet'));
  expect(failFast.map(s => s.metadata.name)).toEqual(['pretrain-h100']);
});

test('a topology annotation naming a level of a Kueue Topology of the same chart', () => {
  let found = 0;
  for (const [file, objects] of charts) {
    const levels = new Set(objects.filter(o => o.kind === 'Topology').flatMap(t => t.spec.levels.map((l: any) => l.nodeLabel)));
    for (const obj of objects) {
      for (const pod of podsOf(obj, { objects })) {
        for (const how of ['required', 'preferred']) {
          const level = pod.annotations[`kueue.x-k8s.io/podset-${how}-topology`];
          if (level === undefined) continue;
          found++;
          expect({ file, where: pod.where, level, known: levels.has(level) }).toEqual({ file, where: pod.where, level, known: true });
        }
      }
    }
  }
  expect(found).toBeGreaterThanOrEqual(2);
});

test('a network profile on an H100 multi-node example: 2 x 8 H100 with all 32 EFA interfaces of p5.48xlarge', () => {
  const js = charts.get('karpenter.k8s.yaml')!.find(o => o.kind === 'JobSet' && o.metadata.name === 'pretrain-h100');
  const rj = js.spec.replicatedJobs[0].template.spec;
  expect(rj.completions).toBe(2);
  const pod = rj.template.spec;
  expect(pod.nodeSelector['karpenter.k8s.aws/instance-gpu-name']).toBe('h100');
  const c = pod.containers[0];
  expect({ gpus: gpus(c), efa: c.resources.limits['vpc.amazonaws.com/efa'] }).toEqual({ gpus: 8, efa: 32 });
  expect(c.env).toContainEqual({ name: 'FI_PROVIDER', value: 'efa' });
});

(SHARED_AVAILABLE ? test : test.skip)('every CEL rule of the TrainJob, training runtime, Topology and JobSet objects in dist/ holds', () => {
  const kinds = ['TrainJob', 'ClusterTrainingRuntime', 'TrainingRuntime', 'Topology', 'JobSet'];
  let rules = 0;
  const failures: string[] = [];
  for (const o of all.filter(x => kinds.includes(x.kind))) {
    const r = celCheck(o);
    rules += r.rules;
    failures.push(...r.failures);
  }
  expect(failures).toEqual([]);
  // TrainJob: the name's two rules per object; ClusterTrainingRuntime: one framework; Topology: unique, hostname last.
  expect(rules).toBeGreaterThanOrEqual(4 * 2 + 1 + 2 * 2);
});
