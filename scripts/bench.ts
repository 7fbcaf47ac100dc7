/**
 * `npm run bench`: speed and memory figures, each a ratio measured in this one run (absolute times depend on the
 * machine; ratios much less).
 *
 * (a) `cdk8s synth` of the example app as cdk8s.yaml runs it (its esbuild bundle reused while unchanged) against the same CLI
 *     emitting the very same objects as raw ApiObjects (a generated plain-JS app).
 * (b) in-process synthesis of N GpuTrainingJobs against the same objects built directly with the L1 classes
 *     (KubeServiceAccount + KubeNetworkPolicy + KubeJob), for N = 10, 100, 1,000, 10,000; time per object.
 * (c) peak memory (max RSS) at 10,000 against the L1 baseline.
 *
 * In-process timings: child processes that warm up both variants, then time them alternately (median of 40 runs
 * at N=10 down to 4 at 10,000). Peak memory: one synthesis of 10,000 jobs per fresh process (median of 3).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { Accelerator, GpuTrainingJob, Platform } from '../lib';

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.cache', 'bench');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

// ---------------------------------------------------------------------------------------------------------------
// (b)/(c) workers: `node <this bundle> worker <library|l1> <n>` prints {ms, maxRssMiB, yamlBytes}.

const platform = Platform.gkeAutopilot();

function buildLibrary(chart: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    new GpuTrainingJob(chart, `job-${i}`, { platform, accelerator: Accelerator.L4, gpus: 1, image: 'trainer:1.0', command: ['python', 'train.py'] });
  }
}

/** The same three objects per job, written by hand with the L1 classes, as a user without the library would. */
function buildL1(chart: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `bench-job-${i}`;
    const labels = {
      'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name,
      'app.kubernetes.io/component': 'training', 'app.kubernetes.io/managed-by': 'cdk8s-gpu-ml',
    };
    const scope = new ConstructScope(chart, `job-${i}`);
    new k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { name, namespace: 'ml', labels }, automountServiceAccountToken: false });
    new k8s.KubeJob(scope, 'Resource', {
      metadata: { name, namespace: 'ml', labels },
      spec: {
        backoffLimit: 2,
        ttlSecondsAfterFinished: 86400,
        podFailurePolicy: {
          rules: [
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          ],
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' },
            containers: [{
              name: 'trainer',
              image: 'trainer:1.0',
              command: ['python', 'train.py'],
              resources: {
                requests: {
                  'cpu': k8s.Quantity.fromString('4'), 'memory': k8s.Quantity.fromString('16Gi'),
                  'ephemeral-storage': k8s.Quantity.fromString('10Gi'), 'nvidia.com/gpu': k8s.Quantity.fromNumber(1),
                },
                limits: { 'memory': k8s.Quantity.fromString('16Gi'), 'nvidia.com/gpu': k8s.Quantity.fromNumber(1) },
              },
              volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false },
            }],
            volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('8Gi') } }],
          },
        },
      },
    });
    new k8s.KubeNetworkPolicy(scope, 'NetworkPolicy', {
      metadata: { name, namespace: 'ml', labels },
      spec: { podSelector: { matchLabels: { 'app.kubernetes.io/instance': name } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': name } } }] }] },
    });
  }
}

/** Groups each job's L1 objects like the library's construct does (same construct paths). */
class ConstructScope extends Construct {}

function synthYaml(variant: string, n: number): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-')) });
  const chart = new Chart(app, 'bench', { namespace: 'ml', disableResourceNameHashes: true });
  if (variant === 'library') buildLibrary(chart, n); else buildL1(chart, n);
  return app.synthYaml();
}

/**
 * `pair N`: times both variants in one process, alternating which goes first, after a warm-up of both (lazy module
 * code, JIT): process-to-process variance on a shared machine is larger than the difference being measured.
 * `memory VARIANT N`: one synthesis in a fresh process, for its peak RSS.
 */
function worker(mode: string, a: string, b: string): void {
  if (mode === 'memory') {
    const yaml = synthYaml(a, Number(b));
    process.stdout.write(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024, yamlBytes: yaml.length }));
    return;
  }
  const n = Number(a);
  synthYaml('library', 200);
  synthYaml('l1', 200);
  const iterations = n >= 10000 ? 2 : n >= 1000 ? 4 : n >= 100 ? 12 : 40;
  const times: { [variant: string]: number[] } = { library: [], l1: [] };
  for (let i = 0; i < iterations; i++) {
    for (const variant of i % 2 === 0 ? ['library', 'l1'] : ['l1', 'library']) {
      const start = process.hrtime.bigint();
      synthYaml(variant, n);
      times[variant].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  process.stdout.write(JSON.stringify(times));
}

// ---------------------------------------------------------------------------------------------------------------
// Driver

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(cmd: string, args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function synthRatio(runs: number): void {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const oursOut = path.join(WORK, 'ours');
  execFileSync(CDK8S, ['synth', '--output', oursOut], { cwd: ROOT, stdio: 'ignore' });
  // The baseline app: every object of the example app's dist, as raw ApiObjects in charts of the same names.
  const charts = fs.readdirSync(oursOut).filter(f => f.endsWith('.k8s.yaml')).sort().map(f => ({
    id: f.replace(/\.k8s\.yaml$/, ''),
    objects: parseAllDocuments(fs.readFileSync(path.join(oursOut, f), 'utf8')).map(d => d.toJS()),
  }));
  const baseline = path.join(WORK, 'baseline.js');
  fs.writeFileSync(baseline, [
    `const { App, ApiObject, Chart } = require(${JSON.stringify(require.resolve('cdk8s'))});`,
    `const charts = ${JSON.stringify(charts)};`,
    'const app = new App();',
    'for (const c of charts) { const chart = new Chart(app, c.id, { disableResourceNameHashes: true }); c.objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o)); }',
    'app.synth();',
  ].join('\n'));
  const baseOut = path.join(WORK, 'baseline-out');
  execFileSync(CDK8S, ['synth', '--app', `node ${baseline}`, '--output', baseOut], { cwd: ROOT, stdio: 'ignore' });
  for (const c of charts) {
    const a = fs.readFileSync(path.join(oursOut, `${c.id}.k8s.yaml`), 'utf8');
    const b = fs.readFileSync(path.join(baseOut, `${c.id}.k8s.yaml`), 'utf8');
    if (a !== b) throw new Error(`baseline output differs from the example app for ${c.id}: the comparison would be unfair`);
  }
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs + 1; i++) { // first round warms the file cache and is dropped
    const o = time(CDK8S, ['synth', '--output', oursOut], ROOT);
    const b = time(CDK8S, ['synth', '--app', `node ${baseline}`, '--output', baseOut], ROOT);
    if (i > 0) { ours.push(o); base.push(b); }
  }
  const objects = charts.reduce((s, c) => s + c.objects.length, 0);
  console.log(`(a) cdk8s synth of the example app (${objects} objects, ${runs} alternating runs, medians)`);
  console.log(`    library (cdk8s.yaml app; its esbuild bundle reused while unchanged): ${median(ours).toFixed(0)} ms`);
  console.log(`    same objects as raw ApiObjects, same CLI:             ${median(base).toFixed(0)} ms`);
  console.log(`    ratio: ${(median(ours) / median(base)).toFixed(2)} (target about 1.2, aim <= 1.15)`);
}

function inProcess(self: string): void {
  // Check the two variants really emit the same YAML before timing them.
  const a = synthYaml('library', 3);
  const b = synthYaml('l1', 3);
  if (a !== b) {
    fs.writeFileSync(path.join(WORK, 'library.yaml'), a);
    fs.writeFileSync(path.join(WORK, 'l1.yaml'), b);
    throw new Error(`library and L1 baselines differ (see ${WORK}/library.yaml and l1.yaml): the comparison would be unfair`);
  }
  console.log('(b) in-process synthesis (app.synthYaml), GpuTrainingJob vs the same objects with L1 KubeJob & co. (medians; target 1.1-1.2, aim <= 1.1)');
  console.log('       N   library ms   L1 ms   ratio   library us/job   L1 us/job');
  const perJob: { [n: number]: number } = {};
  for (const n of [10, 100, 1000, 10000]) {
    const lib: number[] = [];
    const l1: number[] = [];
    for (let r = 0; r < (n >= 10000 ? 2 : 3); r++) {
      const t = JSON.parse(execFileSync(process.execPath, [self, 'worker', 'pair', String(n)], { maxBuffer: 1 << 20 }).toString());
      lib.push(...t.library);
      l1.push(...t.l1);
    }
    perJob[n] = (median(lib) * 1000) / n;
    console.log(`${String(n).padStart(8)}   ${median(lib).toFixed(1).padStart(10)}   ${median(l1).toFixed(1).padStart(5)}   ${(median(lib) / median(l1)).toFixed(2).padStart(5)}   ${perJob[n].toFixed(1).padStart(14)}   ${((median(l1) * 1000) / n).toFixed(1).padStart(9)}   (${lib.length} runs each)`);
  }
  const memory = (variant: string) => {
    const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, [self, 'worker', 'memory', variant, '10000'], { maxBuffer: 1 << 20 }).toString()).maxRssMiB);
    return median(runs);
  };
  const rss = { library: memory('library'), l1: memory('l1') };
  console.log(`    time per job, 10,000 vs 100: ${(perJob[10000] / perJob[100]).toFixed(2)} (target <= 1.5: linear)`);
  console.log(`(c) peak memory (max RSS) at 10,000 jobs: library ${rss.library.toFixed(0)} MiB, L1 ${rss.l1.toFixed(0)} MiB, ratio ${(rss.library / rss.l1).toFixed(2)}`);
}

function main(): void {
  const [mode, variant, n] = process.argv.slice(2);
  if (mode === 'worker') { worker(variant, n, process.argv[5]); return; }
  // Bundle this script to a file of its own for the workers (run-ts.js may rebuild its bundle while they run).
  fs.mkdirSync(WORK, { recursive: true });
  const self = path.join(ROOT, '.cache', 'bench-worker.js');
  require('esbuild').buildSync({
    entryPoints: [path.join(ROOT, 'scripts', 'bench.ts')], outfile: self, bundle: true, platform: 'node', format: 'cjs',
    external: ['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml', 'esbuild'], logLevel: 'error',
  });
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  synthRatio(Number(process.env.BENCH_RUNS ?? 7));
  inProcess(self);
}

main();