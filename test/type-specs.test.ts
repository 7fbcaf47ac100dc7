/**
 * The runtime type check is derived from the type definitions: lib/generated/type-specs.ts is what
 * scripts/type-specs.ts makes of lib/index.ts (`npm run type-specs`), and every construct checks its own props type.
 * Whether the file is fresh is checked by `npm test`'s type-check (scripts/typecheck.ts), from the program it builds
 * anyway; here, that the check compares the right things.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as lib from '../lib';
import { _typeSpecs } from '../lib/generated/type-specs';

test('npm test\'s type-check compares lib/generated/type-specs.ts with what the generator makes of the program', () => {
  const script = fs.readFileSync(path.join(__dirname, '..', 'scripts', 'typecheck.ts'), 'utf8');
  expect(script).toContain("fs.readFileSync(file, 'utf8') !== generateTypeSpecs(program)");
  expect(script).toContain("path.join(ROOT, 'lib', 'generated', 'type-specs.ts')");
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  expect(pkg.scripts.typecheck).toBe('node scripts/run-ts.js scripts/typecheck.ts');
  expect(fs.readFileSync(path.join(__dirname, '..', 'scripts', 'check.sh'), 'utf8')).toContain('npm run -s typecheck');
  expect(fs.readFileSync(path.join(__dirname, '..', 'scripts', 'test.sh'), 'utf8')).toContain('scripts/check.sh');
  expect(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).scripts.test).toBe('scripts/test.sh');
});

test('the specs hold what the types say', () => {
  const s = _typeSpecs();
  expect(s.structs.GpuPodProps.gpus).toBe('?n');
  expect(s.structs.GpuPodProps.env).toBe('?{s');
  expect(s.structs.GpuPodProps.secretEnv).toBe('?[@SecretEnvVar');
  expect(s.structs.GpuWorkloadProps).toEqual({ '^': 'GpuPodProps', 'image': 's' });
  expect(s.structs.TfJobProps['^']).toBe('GpuWorkloadProps,KubeflowRunPolicyProps');
  expect(s.enums.CapacityType).toEqual({
    ON_DEMAND: 'on-demand', SPOT: 'spot', SPOT_WITH_FALLBACK: 'spot-with-fallback', FLEX_START: 'flex-start', RESERVED: 'reserved',
  });
  expect(s.classes.Size.members).toContain('toMebibytes');
  expect(s.classes.Accelerator.fields.autopilotCounts).toBe('[n');
  expect(s.open).toEqual(['IComputeClass', 'ILocalQueue', 'IPriorityClass', 'IStorageClass', 'ITopology', 'ITrainingRuntime', 'IVolumeClaim', 'IWandbLaunchQueue',
    'IWorkloadPriorityClass']);
  // A prop that takes a construct: the construct reports its own props; the one taking it checks its class.
  expect(s.structs.InferenceGatewayProps.server).toBe('!VllmServer');
  expect(s.classes.VllmServer).toEqual({ members: [], fields: {}, example: 'new VllmDeployment(...)' });
});

const workloads = Object.entries(_typeSpecs().constructs).filter(([cls]) => (lib as any)[cls]?.prototype instanceof lib.GpuWorkload || cls === 'GpuWorkload');

test.each(workloads)('%s states its props type (%s) for the type check', (cls, type) => {
  const ctor = (lib as any)[cls];
  expect(Object.prototype.hasOwnProperty.call(ctor, '_propsType') && ctor._propsType).toBe(type);
});

/** Abstract bases: their concrete subclasses are checked. */
const ABSTRACT = new Set(['GpuWorkload', 'DistributedTrainingJob', 'InferenceEndpoint', 'GpuNotebook', 'LlmServer', 'VllmServer', 'MlStorageClass']);
const concrete = Object.entries(_typeSpecs().constructs).filter(([cls]) => !ABSTRACT.has(cls));

/** The classes lib/ declares `abstract`, from the source. */
function declaredAbstract(): string[] {
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap(e => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  return files(path.join(__dirname, '..', 'lib')).flatMap(f => [...fs.readFileSync(f, 'utf8').matchAll(/^export abstract class (\w+)/gm)].map(m => m[1]));
}

test('the abstract list is exactly the abstract construct classes, each with a concrete subclass that is checked', () => {
  const constructs = Object.keys(_typeSpecs().constructs);
  expect([...ABSTRACT].sort()).toEqual(declaredAbstract().filter(c => constructs.includes(c)).sort());
  for (const cls of ABSTRACT) {
    expect(concrete.some(([sub]) => (lib as any)[sub].prototype instanceof (lib as any)[cls])).toBe(true);
  }
});

test.each(concrete)('%s checks its props against %s (an unknown prop is refused)', (cls, type) => {
  const chart = new Chart(Testing.app(), 'c');
  new (lib as any)[cls](chart, 'x', { zzzUnknown: 1 });
  expect(() => Testing.synth(chart)).toThrow(`[c/x] zzzUnknown is not a prop of ${type}`);
});

test('the construct list covers every exported construct class', () => {
  const constructs = Object.keys(_typeSpecs().constructs).sort();
  const exported = Object.entries(lib).filter(([, v]) => typeof v === 'function' && (v as any).prototype instanceof (require('constructs').Construct)).map(([k]) => k).sort();
  expect(constructs).toEqual(exported);
});
