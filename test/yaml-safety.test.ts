/**
 * YAML 1.1 safety: what we emit, kubectl (go-yaml v2) reads back as written. test/support/go-yaml-v2.ts reimplements
 * go-yaml v2's resolve() (its source is cited there); the `yaml` package that cdk8s uses leaves some strings plain that
 * go-yaml v2 reads as numbers, and lib/kubectl-yaml.ts makes cdk8s quote every one of them, keys included.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { parseAllDocuments, stringify, visit } from 'yaml';
import { Accelerator, GpuTrainingJob, Platform } from '../lib';
import { _kubectlMayMisread } from '../lib/kubectl-yaml';
import { goYamlV2Resolve } from './support/go-yaml-v2';

/** Every plain scalar of a YAML text (keys and values), as written. */
function plainScalars(text: string): string[] {
  const out: string[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    visit(doc, { Scalar: (_k, node) => { if (node.type === 'PLAIN' && typeof node.source === 'string') out.push(node.source); } });
  }
  return out;
}

const misread = (s: string) => !['str', 'timestamp'].includes(goYamlV2Resolve(s));

test('the reimplementation of go-yaml v2 resolves as resolve.go does', () => {
  const cases: [string, string][] = [
    ['yes', 'bool'], ['On', 'bool'], ['y', 'bool'], ['NO', 'bool'], ['~', 'null'], ['', 'null'], ['Null', 'null'],
    ['.inf', 'float'], ['-.Inf', 'float'], ['.NaN', 'float'], ['.Nan', 'str'], ['.5', 'float'], ['.5e3', 'float'],
    ['17', 'int'], ['-17', 'int'], ['0o17', 'int'], ['0O17', 'int'], ['0x1F', 'int'], ['0X1F', 'int'], ['0B101', 'int'],
    ['-0b101', 'int'], ['0b+1', 'int'], ['1_000', 'int'], ['0_x1F', 'int'], ['017', 'int'], ['08', 'float'],
    ['9223372036854775808', 'int'], ['18446744073709551616', 'float'], ['0x1FFFFFFFFFFFFFFFF', 'str'],
    ['1e5', 'float'], ['1e400', 'str'], ['1.', 'float'], ['1e', 'str'], ['0x', 'str'], ['<<', 'str'], ['190:20:30', 'str'],
    ['2024-01-01', 'timestamp'], ['2024-1-1T10:00:00Z', 'timestamp'], ['16Gi', 'str'], ['nvidia-l4', 'str'], ['_1', 'str'],
  ];
  for (const [s, tag] of cases) expect({ s, tag: goYamlV2Resolve(s) }).toEqual({ s, tag });
});

test('the yaml package alone (as cdk8s calls it) leaves exactly these classes plain although kubectl reads numbers', () => {
  const gap = ['0o17', '0O17', '+0o7', '0X1F', '-0XaB', '0B101', '+0B1', '0_x1F', '0o_17', '+_1', '-_.5', '1e_5', '0e0_', '0b+1'];
  for (const s of gap) {
    const out = stringify({ v: s }, { keepUndefined: true, lineWidth: 0, version: '1.1' });
    expect({ s, plain: plainScalars(out).includes(s), misread: misread(s) }).toEqual({ s, plain: true, misread: true });
  }
});

/** Candidate strings: every string of up to 3 characters of a numeric-looking alphabet, and random longer ones. */
function candidates(): string[] {
  const small = '0179abBeEfoOxX_+-.:~nNyY';
  const out = new Set<string>(['', 'yes', 'no', 'on', 'off', 'true', 'null', 'Null', '.inf', '-.Inf', '.nan', '0o17', '0X1F', '0B101', '1_000']);
  const rec = (prefix: string, depth: number) => {
    if (prefix) out.add(prefix);
    if (depth === 0) return;
    for (const c of small) rec(prefix + c, depth - 1);
  };
  rec('', 3);
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 4000; i++) {
    let s = '';
    for (let j = 0, n = 4 + Math.floor(rnd() * 7); j < n; j++) s += small[Math.floor(rnd() * small.length)];
    out.add(s);
  }
  return [...out];
}

const CANDIDATES = candidates();
/** What goes through cdk8s and back (parsing is slow): every candidate go-yaml v2 misreads, and a sample of the rest. */
const ROUND_TRIP = [...CANDIDATES.filter(misread), ...CANDIDATES.filter(s => !misread(s)).filter((_s, i) => i % 8 === 0)];

test('the library\'s quick check covers every string go-yaml v2 misreads', () => {
  const missed = CANDIDATES.filter(s => misread(s) && !_kubectlMayMisread(s));
  expect(missed).toEqual([]);
});

test('through cdk8s, no string value or key is written so that go-yaml v2 misreads it, and every value reads back unchanged', () => {
  const values = Object.fromEntries(ROUND_TRIP.map((s, i) => [`k${i}`, s]));
  const keys = Object.fromEntries(ROUND_TRIP.map((s, i) => [s, `v${i}`]));
  const list = [...ROUND_TRIP];
  expect(ROUND_TRIP.filter(misread).length).toBeGreaterThan(200);
  const text = Yaml.stringify({ values, keys, list });
  const bad = plainScalars(text).filter(misread);
  expect(bad).toEqual([]);
  const [back] = parseAllDocuments(text, { version: '1.1' }).map(d => d.toJS());
  expect(back).toEqual({ values, keys, list });
});

test('ordinary strings stay plain (no churn in what is already right)', () => {
  const text = Yaml.stringify({ memory: '16Gi', accelerator: 'nvidia-l4', image: 'trainer:1.0', port: 8080, flag: true });
  expect(text).toBe('memory: 16Gi\naccelerator: nvidia-l4\nimage: trainer:1.0\nport: 8080\nflag: true\n');
});

test('a synthesized app quotes what kubectl would misread: env values, labels, args', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-ml-yaml-'));
  const app = new App({ outdir });
  const chart = new Chart(app, 'c', { namespace: 'ml', disableResourceNameHashes: true });
  new GpuTrainingJob(chart, 'j', {
    platform: Platform.gkeAutopilot(), accelerator: Accelerator.L4, image: 'trainer:1.0',
    env: { UMASK: '0o17', MASK: '0X1F' }, labels: { build: '0B101' }, args: ['--seed', '1_000', '--bits', '0o_17'],
  });
  app.synth();
  const text = fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8');
  for (const s of ['0o17', '0X1F', '0B101', '1_000', '0o_17']) expect(text).toContain(`"${s}"`);
  const [job] = parseAllDocuments(text, { version: '1.1' }).map(d => d.toJS()).filter(o => o.kind === 'Job');
  expect(job.spec.template.spec.containers[0].env.slice(0, 2)).toEqual([{ name: 'UMASK', value: '0o17' }, { name: 'MASK', value: '0X1F' }]);
});

test('dist/ holds no plain scalar that kubectl misreads as another type than written', () => {
  const dist = path.join(__dirname, '..', 'dist');
  for (const f of fs.readdirSync(dist).filter(x => x.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(dist, f), 'utf8');
    // A plain scalar that is a number or boolean in the YAML 1.1 sense is one on purpose (replicas: 2); a string that
    // go-yaml v2 reads as a number is the defect.
    const bad: string[] = [];
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      visit(doc, { Scalar: (_k, node) => { if (node.type === 'PLAIN' && typeof node.value === 'string' && misread(String(node.source))) bad.push(String(node.source)); } });
    }
    expect({ f, bad }).toEqual({ f, bad: [] });
  }
});

test('a user string that holds the placeholder falls back to the original output, never to a wrong value', () => {
  const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);
  try {
    const prefix = `cdk8sgpumlq${(0.5).toString(36).slice(2, 10)}n`;
    const doc = { a: '0o17', b: `${prefix}0z` };
    const text = Yaml.stringify(doc);
    expect(text).toBe(stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' }));
    expect(parseAllDocuments(text, { version: '1.1' })[0].toJS().b).toBe(`${prefix}0z`);
  } finally {
    spy.mockRestore();
  }
});

test('data that is no plain JSON is left to the original writer', () => {
  const cyclic: any = { a: '0o17' };
  cyclic.self = cyclic;
  expect(() => Yaml.stringify(cyclic)).not.toThrow(TypeError);
  expect(Yaml.stringify({ when: new Date(0), n: 1 })).toContain('n: 1');
});
