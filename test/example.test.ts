import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { createApp, examplePlatforms } from '../main';
import { expectSchemaValid, warnIfNoSchemas } from './support/schema';
import { podsOf } from './support/pods';

const ROOT = path.resolve(__dirname, '..');

function synthTo(dir: string): Map<string, string> {
  createApp(dir).synth();
  const files = new Map<string, string>();
  for (const f of fs.readdirSync(dir).sort()) files.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  return files;
}

const fresh = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-a-')));

test('the example app writes one file per platform', () => {
  expect([...fresh.keys()]).toEqual(examplePlatforms().map(p => `${p.id}.k8s.yaml`).sort());
});

test('synth is deterministic: two synths are byte-identical', () => {
  const again = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-b-')));
  expect([...again.entries()]).toEqual([...fresh.entries()]);
});

test('committed dist/ is exactly what a fresh synth makes (run `npm run synth` and commit dist/)', () => {
  const committed = fs.readdirSync(path.join(ROOT, 'dist')).sort();
  expect(committed).toEqual([...fresh.keys()]);
  for (const [file, text] of fresh) {
    expect({ file, text: fs.readFileSync(path.join(ROOT, 'dist', file), 'utf8') }).toEqual({ file, text });
  }
});

test('every object in dist/ validates strictly against the upstream schemas', () => {
  if (!warnIfNoSchemas()) return;
  for (const text of fresh.values()) {
    expectSchemaValid(parseAllDocuments(text).map(d => d.toJS()));
  }
});

test.each(examplePlatforms().map(p => [p.id, p] as const))('every pod in dist/%s.k8s.yaml passes that platform\'s admission rules', (id, platform) => {
  const objects = parseAllDocuments(fresh.get(`${id}.k8s.yaml`)!).map(d => d.toJS());
  const pods = objects.flatMap(o => podsOf(o, { kserveWebhook: true }));
  expect(pods.length).toBeGreaterThan(0);
  for (const pod of pods) {
    expect({ where: pod.where, violations: platform.admissionViolations(pod.spec, pod.annotations) }).toEqual({ where: pod.where, violations: [] });
  }
});

test('snapshot of the whole example app', () => {
  for (const [file, text] of fresh) expect(text).toMatchSnapshot(file);
});
