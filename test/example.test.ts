import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { _wandbRefusals } from '../lib/experiments/wandb-resource-args';
import { createApp, examplePlatforms } from '../main';
import { expectSchemaValid, warnIfNoSchemas } from './support/schema';
import { distObjects } from './support/dist';
import { podsOf } from './support/pods';

const ROOT = path.resolve(__dirname, '..');

/** Every file under `dir` (the manifests and the extras/ folder), by path relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => (e.isDirectory() ? filesUnder(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]));
}

function synthTo(dir: string): Map<string, string> {
  createApp(dir).synth();
  const files = new Map<string, string>();
  for (const f of filesUnder(dir)) files.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  return files;
}

const fresh = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-a-')));
const manifests = [...fresh.keys()].filter(f => !f.includes('/'));

test('the example app writes one manifest file per platform, and its other files under extras/', () => {
  expect(manifests).toEqual(examplePlatforms().map(p => `${p.id}.k8s.yaml`).sort());
  expect([...fresh.keys()].filter(f => f.includes('/'))).toEqual(examplePlatforms().flatMap(p => [
    `extras/${p.id}.gpu-training.launch-queue.json`, `extras/${p.id}.jupyterhub-values.yml`,
    `extras/${p.id}.gpu-plan.md`, `extras/${p.id}.gpu-plan.json`,
    // prometheus-adapter's rules for GPU-utilization autoscaling, where the flavor's adapter needs rules (issue 18).
    ...(p.prometheus._adapterNeedsRules ? [`extras/${p.cluster}.prometheus-adapter-values.yml`] : []),
    // GPU sharing: the device plugin's Helm values where the library writes its configs (Karpenter, plain Kubernetes).
    ...(['karpenter', 'kubernetes'].includes(p.id) ? [`extras/${p.id}.gpu-sharing.gpu-operator-values.yml`] : []),
  ]).sort());
});

test('every W&B queue config in dist/extras/ names its namespace and passes the refusal rules of wandb >= 0.28.1', () => {
  for (const [file, text] of fresh) {
    if (!file.endsWith('.launch-queue.json')) continue;
    const config = JSON.parse(text);
    expect({ file, namespace: config.metadata.namespace, refusals: _wandbRefusals(config) }).toEqual({ file, namespace: 'ml-launch', refusals: [] });
  }
});

test('synth is deterministic: two synths are byte-identical', () => {
  const again = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-b-')));
  expect([...again.entries()]).toEqual([...fresh.entries()]);
});

test('committed dist/ is exactly what a fresh synth makes (run `npm run synth` and commit dist/)', () => {
  const committed = filesUnder(path.join(ROOT, 'dist'));
  expect(committed).toEqual([...fresh.keys()]);
  for (const [file, text] of fresh) {
    expect({ file, text: fs.readFileSync(path.join(ROOT, 'dist', file), 'utf8') }).toEqual({ file, text });
  }
});

test('every object in dist/ validates strictly against the upstream schemas', () => {
  if (!warnIfNoSchemas()) return;
  for (const file of manifests) {
    // dist/ as parsed once by global setup: the test above proves it is what the fresh synth wrote.
    expectSchemaValid(distObjects(file));
  }
});

test.each(examplePlatforms().map(p => [p.id, p] as const))('every pod in dist/%s.k8s.yaml passes that platform\'s admission rules', (id, platform) => {
  const objects = distObjects(id);
  const pods = objects.flatMap(o => podsOf(o, { kserveWebhook: true }));
  expect(pods.length).toBeGreaterThan(0);
  for (const pod of pods) {
    expect({ where: pod.where, violations: platform.admissionViolations(pod.spec, pod.annotations) }).toEqual({ where: pod.where, violations: [] });
  }
});

test('snapshot of the whole example app', () => {
  for (const [file, text] of fresh) expect(text).toMatchSnapshot(file);
});
