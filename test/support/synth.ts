import { App, Chart, Testing } from 'cdk8s';
import { Platform } from '../../lib';
import { podsOf } from './pods';
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
    // The pods as the cluster gets them: KServe's webhook turns serving.kserve.io/gke-accelerator into the selector.
    const violations = objects.flatMap(o => podsOf(o, { kserveWebhook: true, objects }).flatMap(p => platform.admissionViolations(p.spec, p.annotations).map(x => `${p.where}: ${x}`)));
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

/** The `[WARNING]` lines that `run` prints (to stderr, where the library prints them), whole. */
export function printedWarnings(run: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    lines.push(...String(chunk).split('\n').filter(l => l.startsWith('[WARNING]')));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/** Finds one object by kind (and name). */
export function find(objects: any[], kind: string, name?: string): any {
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

export { App };
