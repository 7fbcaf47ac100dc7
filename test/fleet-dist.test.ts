/**
 * What dist/ shows of the GPU fleet (issue 13's "done when"): Kueue flavors, queues in a cohort with GPU quota,
 * priorities, queued GPU workloads, queued provisioning, a ComputeClass with Spot and on-demand GPU priorities and a pod
 * selecting it, a flex-start pod, a Karpenter reserved pool, and the plan reports. Strict schema validity is
 * example.test.ts's; the CEL rules of every CRD object in dist/ are llm-dist.test.ts's, and are checked here for the
 * fleet's kinds too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { celCheck } from './support/cel';
import { podsOf } from './support/pods';
import { SHARED_AVAILABLE } from './support/schema';
import { DIST, distFiles, distObjects } from './support/dist';

const objects = new Map(distFiles().map(f => [f.replace('.k8s.yaml', ''), distObjects(f)]));
const all = [...objects.values()].flat();
const kind = (k: string, chart?: string) => (chart ? objects.get(chart)! : all).filter(o => o.kind === k);
const gpus = (pod: any) => (pod.containers ?? []).reduce((n: number, c: any) => n + Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0), 0);

test('ResourceFlavors of GPU models and capacities, with the platform\'s node labels', () => {
  expect(kind('ResourceFlavor', 'gke-standard').map(f => f.metadata.name)).toEqual(expect.arrayContaining(['class-production-h100', 'a100-80gb-spot']));
  expect(kind('ResourceFlavor', 'karpenter').find(f => f.metadata.name === 'h100-80gb-reserved').spec.nodeLabels['karpenter.sh/capacity-type']).toBe('reserved');
});

test('ClusterQueues in a cohort with GPU quota, and LocalQueues pointing at them', () => {
  for (const chart of ['gke-autopilot', 'gke-standard', 'karpenter']) {
    const queues = kind('ClusterQueue', chart);
    expect(queues.length).toBeGreaterThanOrEqual(3);
    for (const cq of queues) {
      expect(cq.spec.cohortName).toBe('gpu');
      const gpu = cq.spec.resourceGroups.find((g: any) => g.coveredResources.includes('nvidia.com/gpu'));
      expect(gpu.flavors.every((f: any) => f.resources[0].nominalQuota > 0)).toBe(true);
      expect(kind('LocalQueue', chart).filter(l => l.spec.clusterQueue === cq.metadata.name)).toHaveLength(1);
    }
    const research = queues.find(q => q.metadata.name === 'research').spec.resourceGroups[1].flavors[0].resources[0];
    expect(research).toEqual({ name: 'nvidia.com/gpu', nominalQuota: 32, borrowingLimit: 16 });
  }
});

test('WorkloadPriorityClasses: production above research', () => {
  const values = Object.fromEntries(kind('WorkloadPriorityClass', 'karpenter').map(p => [p.metadata.name, p.value]));
  expect(values).toEqual({ production: 100000, research: 1000 });
});

test('GPU workloads with a queue label (and priority) on their main object', () => {
  const queued = all.filter(o => o.metadata?.labels?.['kueue.x-k8s.io/queue-name'] && podsOf(o).some(p => gpus(p.spec) > 0));
  expect(new Set(queued.map(o => o.kind))).toEqual(new Set(['Job', 'Deployment']));
  expect(queued.length).toBeGreaterThanOrEqual(12);
  for (const o of queued) expect(['production', 'research']).toContain(o.metadata.labels['kueue.x-k8s.io/priority-class']);
});

test('queued provisioning: a ProvisioningRequestConfig, its AdmissionCheck, a ClusterQueue using it, a workload with its run time', () => {
  for (const chart of ['gke-autopilot', 'gke-standard']) {
    const config = kind('ProvisioningRequestConfig', chart)[0];
    expect(config.spec.provisioningClassName).toBe('queued-provisioning.gke.io');
    const check = kind('AdmissionCheck', chart)[0];
    expect(check.spec.parameters.name).toBe(config.metadata.name);
    expect(kind('ClusterQueue', chart).find(q => q.metadata.name === 'dws').spec.admissionChecksStrategy.admissionChecks).toEqual([{ name: check.metadata.name }]);
    const job = kind('Job', chart).find(j => j.metadata.name === 'dws-pretrain');
    expect(job.metadata.annotations['provreq.kueue.x-k8s.io/maxRunDurationSeconds']).toBe('72000');
  }
});

test('a ComputeClass with Spot and on-demand GPU priorities, and pods selecting it', () => {
  for (const chart of ['gke-autopilot', 'gke-standard']) {
    const cc = kind('ComputeClass', chart).find(c => c.metadata.name === 'research-a100');
    expect(cc.spec.priorities.map((p: any) => [p.gpu.type, p.spot === true])).toEqual([['nvidia-a100-80gb', true], ['nvidia-a100-80gb', false]]);
    const selecting = objects.get(chart)!.flatMap(o => podsOf(o)).filter(p => p.spec.nodeSelector?.['cloud.google.com/compute-class'] === 'research-a100');
    expect(selecting.length).toBeGreaterThan(0);
    expect(selecting.every(p => gpus(p.spec) === 8)).toBe(true);
  }
});

test('a flex-start pod', () => {
  const pods = all.flatMap(o => podsOf(o)).filter(p => p.spec.nodeSelector?.['cloud.google.com/gke-flex-start'] === 'true');
  expect(pods.length).toBeGreaterThanOrEqual(4);
});

test('a Karpenter reserved pool with its capacity reservation, weighted above spot and on-demand', () => {
  const pool = (name: string) => kind('NodePool', 'karpenter').find(p => p.metadata.name === name);
  expect(pool('h100-reserved').spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['reserved'] });
  expect(kind('EC2NodeClass', 'karpenter').find(c => c.metadata.name === 'h100-reserved').spec.capacityReservationSelectorTerms).toEqual([{ id: 'cr-0a1b2c3d4e5f67890' }]);
  expect(['h100-reserved', 'h100-spot', 'h100-on-demand'].map(n => pool(n).spec.weight)).toEqual([100, 50, 10]);
});

test('the plan report beside every chart\'s manifests', () => {
  for (const chart of objects.keys()) {
    expect(fs.readFileSync(path.join(DIST, 'extras', `${chart}.gpu-plan.md`), 'utf8')).toMatch(/^# GPU plan: /);
    expect(JSON.parse(fs.readFileSync(path.join(DIST, 'extras', `${chart}.gpu-plan.json`), 'utf8')).chart).toBe(chart);
  }
});

test('the CEL rules of the fleet\'s kinds hold (Kueue, ComputeClass, NodePool, EC2NodeClass)', () => {
  if (!SHARED_AVAILABLE) return;
  const fleetKinds = ['ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'WorkloadPriorityClass', 'AdmissionCheck', 'ProvisioningRequestConfig', 'ComputeClass', 'NodePool', 'EC2NodeClass'];
  const results = all.filter(o => fleetKinds.includes(o.kind)).map(o => celCheck(o));
  expect(results.flatMap(r => r.failures)).toEqual([]);
  expect(results.reduce((n, r) => n + r.rules, 0)).toBeGreaterThan(200);
});
