/**
 * Every YAML excerpt in README.md and docs/*.md is what the ```ts synth``` snippet before it synthesizes (scripts/docs.ts;
 * `npm run docs` rewrites them), and every snippet runs without a validation error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { docFiles, regenerate, render } from '../scripts/docs';

test.each(docFiles().map(f => [path.relative(path.resolve(__dirname, '..'), f), f]))('%s: YAML excerpts equal their snippets\' synth (run `npm run docs`)', (_rel, file) => {
  expect(regenerate(file)).toBe(fs.readFileSync(file, 'utf8'));
});

test('a selector that matches nothing is an error, not an empty excerpt', () => {
  expect(() => render([{ kind: 'Job', metadata: { name: 'a' } }], 'Deployment', 'here')).toThrow('here: "# Deployment" selects nothing (objects: Job/a)');
  expect(render([{ kind: 'Job', metadata: { name: 'a' }, spec: { x: 1 } }], 'Job/a spec', 'here')).toBe('x: 1');
});
