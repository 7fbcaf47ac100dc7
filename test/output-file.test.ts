import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { _OutputFile } from '../lib/workload/output-file';
import { _Problems } from '../lib/validation';

test('a file is written under extras/ at synth, with what the producer returns then', () => {
  const app = Testing.app();
  const owner = new Construct(new Chart(app, 'prod'), 'report');
  let content = 'draft';
  _OutputFile.write(owner, _OutputFile.chartFileName(owner, 'plan.md'), () => content);
  content = 'final';
  app.synth();
  expect(fs.readFileSync(path.join(app.outdir, 'extras', 'prod.plan.md'), 'utf8')).toBe('final');
});

test('nothing is written while the owner has problems', () => {
  const app = Testing.app();
  const owner = new Construct(new Chart(app, 'c'), 'x');
  const p = new _Problems();
  p.error('gpus', 3, 'no');
  _OutputFile.write(owner, 'c.x.json', () => '{}', p);
  app.synth();
  expect(fs.existsSync(path.join(app.outdir, 'extras'))).toBe(false);
});

test('a .yaml name is refused: the cdk8s CLI would take the file for a manifest', () => {
  const owner = new Construct(new Chart(Testing.app(), 'c'), 'x');
  expect(() => _OutputFile.write(owner, 'c.values.yaml', () => '')).toThrow('must be a plain file name, not ending in .yaml (the cdk8s CLI takes those for manifests)');
  expect(() => _OutputFile.write(owner, '../escape.yml', () => '')).toThrow('must be a plain file name');
});

test('two owners of one file are both reported; other apps do not count', () => {
  const app = new App({ outdir: fs.mkdtempSync('/tmp/of-') });
  const chart = new Chart(app, 'c');
  _OutputFile.write(new Construct(chart, 'a'), 'c.same.yml', () => '');
  _OutputFile.write(new Construct(chart, 'b'), 'c.same.yml', () => '');
  _OutputFile.write(new Construct(new Chart(Testing.app(), 'c'), 'a'), 'c.same.yml', () => '');
  expect(() => app.synth()).toThrow(/\[c\/a\] output file extras\/c.same.yml is also written by \[c\/b\][\s\S]*\[c\/b\] output file extras\/c.same.yml is also written by \[c\/a\]/);
});
