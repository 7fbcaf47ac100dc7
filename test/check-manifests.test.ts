/** scripts/check-manifests.ts (the package test's check of the hostile inputs' YAML) finds what it looks for. */
import { yamlProblems } from '../scripts/check-manifests';
import { SHARED_AVAILABLE } from './support/schema';

test('a clean manifest has no problems', () => {
  expect(yamlProblems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: ml\n  labels:\n    a: "0o17"\ndata:\n  x: "yes"\n', 'f')).toEqual([]);
});

test('it finds bad names, labels, misread strings, duplicates, impossible numbers and schema errors', () => {
  const text = [
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: 1svc\n  namespace: ML\nspec:\n  selector:\n    "bad key!": x\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  x: 0o17\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  y: "a"\n',
    'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  ttlSecondsAfterFinished: 1e+300\n  bogus: 1\n  template:\n    spec:\n      containers: []\n',
  ].join('---\n');
  const problems = yamlProblems(text, 'f').join('\n');
  expect(problems).toContain('Service 1svc: metadata.name is not a valid name for its kind');
  expect(problems).toContain('metadata.namespace ML is not a DNS label');
  expect(problems).toContain('has an invalid label key "bad key!"');
  expect(problems).toContain('the string "0o17" is written plain; kubectl reads it as int');
  expect(problems).toContain('duplicate object v1/ConfigMap//c');
  expect(problems).toContain('.spec.ttlSecondsAfterFinished is 1e+300, which no API field holds');
  if (SHARED_AVAILABLE) expect(problems).toContain('(unknown field "bogus")');
});
