import { App, Chart, Testing } from 'cdk8s';
import { Platform } from '../../lib';
import { expectSchemaValid } from './schema';

/** A chart for one platform, named like the example app's charts (no name hashes). */
export function chartFor(platform?: Platform, namespace = 'ml'): Chart {
  const app = Testing.app();
  return new Chart(app, platform?.id ?? 'test', { namespace, disableResourceNameHashes: true });
}

/**
 * The one synth every test uses: runs the constructs' validations, then validates every object strictly against the
 * upstream schemas, and checks every pod template against its platform's admission rules.
 */
export function synth(chart: Chart, platform?: Platform): any[] {
  const objects = Testing.synth(chart);
  expectSchemaValid(objects);
  if (platform) {
    const violations = objects.flatMap(o => podSpecsOf(o).map(p => platform.admissionViolations(p.spec, p.annotations))).flat();
    if (violations.length) throw new Error(`${platform.displayName} admission rules broken:\n  ${violations.join('\n  ')}`);
  }
  return objects;
}

/** Synth expected to fail: returns the validation message. */
export function synthError(build: (chart: Chart) => void, platform?: Platform): string {
  const chart = chartFor(platform);
  try {
    build(chart);
    Testing.synth(chart);
  } catch (e: any) {
    if (e instanceof TypeError) throw new Error(`a TypeError escaped the library: ${e.stack}`);
    return String(e.message);
  }
  throw new Error('expected the synth to fail, but it succeeded');
}

/** Every pod spec inside an object (Job, Deployment, DaemonSet, CRDs with pod templates), with its annotations. */
export function podSpecsOf(obj: any): { spec: any; annotations?: { [k: string]: string }; where: string }[] {
  const out: { spec: any; annotations?: any; where: string }[] = [];
  const walk = (node: any, where: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${where}[${i}]`)); return; }
    if (Array.isArray(node.containers) && node.containers.every((c: any) => c && typeof c.image === 'string')) {
      out.push({ spec: node, where });
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'spec' && v && typeof v === 'object' && Array.isArray((v as any).containers) && (node.metadata !== undefined || where.endsWith('template'))) {
        out.push({ spec: v, annotations: node.metadata?.annotations, where: `${where}.spec` });
        continue;
      }
      walk(v, `${where}.${k}`);
    }
  };
  walk(obj, `${obj.kind}/${obj.metadata?.name}`);
  return out;
}

/** Finds one object by kind (and name). */
export function find(objects: any[], kind: string, name?: string): any {
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

export { App };
