/**
 * House rules a reader can check in a second, checked on every test run: no import cycles or require() in lib/, no
 * top-level constants in the modules lib/index.ts re-exports (jsii drops them), platform facts only under lib/platform/,
 * a documented `@default` on every optional prop, and a README that is a door (at most 16 KB).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const files = sources(LIB);
const text = new Map(files.map(f => [f, fs.readFileSync(f, 'utf8')]));
const rel = (f: string) => path.relative(ROOT, f);

/** Relative imports of a file (type-only ones too: a cycle of types is still a tangle), resolved to files. */
function importsOf(file: string): string[] {
  const out: string[] = [];
  for (const m of text.get(file)!.matchAll(/^(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
    const target = path.resolve(path.dirname(file), m[1]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (text.has(candidate)) { out.push(candidate); break; }
    }
  }
  return out;
}

test('lib/ has no import cycles', () => {
  const graph = new Map(files.map(f => [f, importsOf(f)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') { cycles.push([...stack.slice(stack.indexOf(f)), f].map(rel).join(' -> ')); return; }
    state.set(f, 'visiting');
    for (const g of graph.get(f)!) visit(g, [...stack, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  expect(cycles).toEqual([]);
});

test('the cycle check finds a cycle (it can fail)', () => {
  const a = '/x/a.ts', b = '/x/b.ts';
  text.set(a, "import { B } from './b';\n");
  text.set(b, "import { A } from './a';\n");
  try {
    expect(importsOf(a)).toEqual([b]);
    expect(importsOf(b)).toEqual([a]);
  } finally {
    text.delete(a);
    text.delete(b);
  }
});

/** Modules whose exports reach the package's public JavaScript API: lib/index.ts and what it re-exports, transitively. */
function publicModules(): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const m of text.get(f)!.matchAll(/^export\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
      const target = path.resolve(path.dirname(f), m[1]);
      const found = [`${target}.ts`, path.join(target, 'index.ts')].find(c => text.has(c));
      if (found) visit(found);
    }
  };
  visit(path.join(LIB, 'index.ts'));
  return [...seen];
}

/** Top-level exported constants: jsii drops them for Python, Java, Go and .NET, and `_x` ones still ship in the JS API. */
function exportedConstants(modules: string[]): string[] {
  return modules.flatMap(f => text.get(f)!.split('\n').map((line, i) => ({ line, where: `${rel(f)}:${i + 1}` }))
    .filter(({ line }) => /^export\s+(?:declare\s+)?(?:const|let|var)\s/.test(line)).map(o => `${o.where}: ${o.line.trim()}`));
}

test('no require() in lib/', () => {
  const offenders = files.flatMap(f => text.get(f)!.split('\n').map((line, i) => ({ line, where: `${rel(f)}:${i + 1}` }))
    .filter(({ line }) => /\brequire\(/.test(line)).map(o => `${o.where}: ${o.line.trim()}`));
  expect(offenders).toEqual([]);
});

test('no top-level exported constant in a module lib/index.ts re-exports, whatever its name', () => {
  expect(publicModules().length).toBeGreaterThan(50);
  expect(exportedConstants(publicModules())).toEqual([]);
});

test('no public (non-underscore) top-level exported constant anywhere in lib/', () => {
  expect(exportedConstants(files).filter(o => !/^\S+: export\s+(?:declare\s+)?(?:const|let|var)\s+_/.test(o))).toEqual([]);
});

test('the constant check follows re-exports and finds an underscore constant (it can fail)', () => {
  const index = path.join(LIB, 'index.ts'), a = path.join(LIB, 'zz-a.ts'), b = path.join(LIB, 'zz-b.ts');
  const saved = text.get(index)!;
  text.set(index, `${saved}export * from './zz-a';\n`);
  text.set(a, "export { B } from './zz-b';\n");
  text.set(b, 'export const _HIDDEN = 1;\n');
  try {
    expect(exportedConstants(publicModules())).toEqual(['lib/zz-b.ts:1: export const _HIDDEN = 1;']);
  } finally {
    text.set(index, saved);
    text.delete(a);
    text.delete(b);
  }
});

test('platform facts live under lib/platform/ (and the accelerator catalog)', () => {
  // Node labels, annotations and API groups only a platform knows.
  const facts = /['"`](cloud\.google\.com\/|karpenter\.(sh|k8s\.aws)\/|gke-gcsfuse|networking\.gke\.io|monitoring\.googleapis\.com|eks\.amazonaws\.com)/;
  const allowed = (f: string) => f.startsWith(path.join(LIB, 'platform') + path.sep) || f === path.join(LIB, 'accelerator.ts')
    // A Karpenter NodePool is a Karpenter object by nature; its label keys come from KarpenterPlatform.
    || f === path.join(LIB, 'capacity', 'gpu-node-pool.ts')
    // Cloud identities name the annotation of their cloud.
    || f === path.join(LIB, 'pod', 'cloud-identity.ts');
  const offenders = files.filter(f => !allowed(f)).flatMap(f => text.get(f)!.split('\n')
    .map((line, i) => ({ line, where: `${rel(f)}:${i + 1}` }))
    .filter(o => facts.test(o.line) && !/^\s*(\*|\/\/)/.test(o.line)).map(o => `${o.where}: ${o.line.trim()}`));
  expect(offenders).toEqual([]);
});

test('every optional prop of an exported Props/Options interface documents its @default', () => {
  const missing: string[] = [];
  for (const f of files) {
    const src = text.get(f)!;
    for (const m of src.matchAll(/^export interface ([A-Z]\w*(?:Props|Options))\b[^{]*\{(\}|[\s\S]*?^\})/gm)) {
      const body = m[2];
      for (const p of body.matchAll(/(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)?\s*readonly (\w+)\?:/g)) {
        if (!p[1] || !/@default/.test(p[1])) missing.push(`${rel(f)} ${m[1]}.${p[2]}`);
      }
    }
  }
  expect(missing).toEqual([]);
});

test('the README is a door: at most 16 KB', () => {
  expect(fs.statSync(path.join(ROOT, 'README.md')).size).toBeLessThanOrEqual(16 * 1024);
});
