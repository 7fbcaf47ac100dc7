/**
 * Every YAML excerpt in README.md and docs/*.md is what the ```ts synth``` snippet before it synthesizes (scripts/docs.ts;
 * `npm run docs` rewrites them), and every snippet runs without a validation error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { docFiles, regenerate, render, renderFile } from '../scripts/docs';

test.each(docFiles().map(f => [path.relative(path.resolve(__dirname, '..'), f), f]))('%s: YAML excerpts equal their snippets\' synth (run `npm run docs`)', (_rel, file) => {
  expect(regenerate(file)).toBe(fs.readFileSync(file, 'utf8'));
});

test('a selector that matches nothing is an error, not an empty excerpt', () => {
  expect(() => render([{ kind: 'Job', metadata: { name: 'a' } }], 'Deployment', 'here')).toThrow('here: "# Deployment" selects nothing (objects: Job/a)');
  expect(render([{ kind: 'Job', metadata: { name: 'a' }, spec: { x: 1 } }], 'Job/a spec', 'here')).toBe('x: 1');
});

test('a file selector shows the file as written, and names the files when it matches none', () => {
  const files = new Map([['extras/a.json', '{ "x": 1 }\n']]);
  expect(renderFile(files, 'extras/a.json', 'here')).toBe('{ "x": 1 }');
  expect(() => renderFile(files, 'extras/b.yml', 'here')).toThrow('here: "# file extras/b.yml" is not a file the snippet wrote (files: extras/a.json)');
});
