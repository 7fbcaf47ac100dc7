/**
 * The scrape that test/promtool.test.ts simulates, done by a real Prometheus (Debian's `prometheus` package,
 * /usr/bin/prometheus): a local HTTP server exposes two GPUs the way dcgm-exporter does (one held by a pod, one not),
 * and Prometheus scrapes it with the scrape config prometheus-operator makes of the synthesized ServiceMonitor (the
 * operator's target labels, then the ServiceMonitor's `relabelings`, `honorLabels`). The labels Prometheus stores must
 * be exactly those `stored()` computes, for the emitted ServiceMonitor and for the two settings the simulation also
 * models (no relabelings; honor_labels false).
 *
 * Without Prometheus the test FAILS when $CI is set and is skipped loudly otherwise.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { GpuMonitoring, Platform } from '../lib';
import { Labels, operatorTargetLabels, relabel, stored } from './support/promtool';
import { chartFor, find, synth } from './support/synth';

const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
const probe = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
const available = probe.status === 0;
if (!available) {
  const why = `${PROMETHEUS} does not run (${String(probe.error ?? probe.stderr).trim().split('\n').pop()})`;
  if (process.env.CI) {
    test('prometheus is installed (CI installs the prometheus package)', () => { throw new Error(`${why}: CI must run apt-get install -y prometheus`); });
  } else {
    process.stderr.write(`\n\n*** [scrape] SKIPPED: ${why}. Install it with: apt-get install -y prometheus ***\n\n`);
  }
}
const maybe = available ? describe : describe.skip;

/** Two GPUs as dcgm-exporter exposes them: GPU 0 held by ml/train-0, GPU 1 by no pod. */
const EXPOSED: Labels[] = [
  { gpu: '0', UUID: 'GPU-0', modelName: 'NVIDIA A10G', Hostname: 'node-a', namespace: 'ml', pod: 'train-0', container: 'trainer' },
  { gpu: '1', UUID: 'GPU-1', modelName: 'NVIDIA A10G', Hostname: 'node-a' },
];
const exposition = EXPOSED.map(l => `DCGM_FI_DEV_GPU_UTIL{${Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}} 42`).join('\n') + '\n';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function getJson(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http.get(url, res => {
      let body = '';
      res.on('data', d => (body += d));
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

/** The stored label sets (without __name__) of GPU_UTIL, per scrape job. */
interface Job { name: string; honorLabels: boolean; labels: Labels; relabelings: any[] }

async function scrapeWithPrometheus(jobs: Job[], target: string): Promise<Map<string, Labels[]>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: jobs.map(j => ({
      job_name: j.name,
      honor_labels: j.honorLabels,
      static_configs: [{ targets: [target], labels: j.labels }],
      // prometheus-operator writes a ServiceMonitor's relabelings as relabel_configs, field by field.
      relabel_configs: j.relabelings.map(r => ({
        action: r.action, regex: r.regex, source_labels: r.sourceLabels, target_label: r.targetLabel, replacement: r.replacement,
      })),
    })),
  };
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const prom: ChildProcess = spawn(PROMETHEUS, [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr!.on('data', d => (log += d));
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 500));
      const res = await getJson(`http://127.0.0.1:${port}/api/v1/query?query=DCGM_FI_DEV_GPU_UTIL`).catch(() => undefined);
      const result: any[] = res?.data?.result ?? [];
      const out = new Map<string, Labels[]>();
      for (const r of result) {
        const { __name__: _n, ...labels } = r.metric;
        out.set(labels.job, [...(out.get(labels.job) ?? []), labels]);
      }
      if (jobs.every(j => (out.get(j.name) ?? []).length === EXPOSED.length)) return out;
    }
    throw new Error(`Prometheus stored no complete scrape in 30 s:\n${log.slice(-2000)}`);
  } finally {
    prom.kill('SIGTERM');
    await new Promise(r => (prom.exitCode !== null ? r(undefined) : prom.once('exit', r)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

maybe('a real Prometheus stores what the simulation says', () => {
  let server: http.Server;
  let target: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }); res.end(exposition); });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
    target = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>(r => server.close(() => r())));

  test('the emitted ServiceMonitor: GPU 0 keeps its pod, GPU 1 gets none of the exporter pod\'s labels', async () => {
    const platform = Platform.karpenter();
    const chart = chartFor(platform);
    new GpuMonitoring(chart, 'mon', { platform, name: 'gpu' });
    const sm = find(synth(chart, platform), 'ServiceMonitor');
    const endpoint = sm.spec.endpoints[0];
    const [ip, port] = target.split(':');
    const operator = (job: string): Labels => ({ ...operatorTargetLabels(sm, { node: 'node-a', pod: 'gpu-dcgm-exporter-x7k2p', ip, port: Number(port) }, 'exporter'), job });
    const jobs = [
      { name: 'emitted', honorLabels: endpoint.honorLabels, relabelings: endpoint.relabelings },
      { name: 'no-relabelings', honorLabels: true, relabelings: [] },
      { name: 'not-honored', honorLabels: false, relabelings: [] },
    ].map(j => {
      // job and instance come from the scrape config itself; the rest are the operator's target labels.
      const { job: _j, instance: _i, ...labels } = operator(j.name);
      return { ...j, labels };
    });
    const got = await scrapeWithPrometheus(jobs, target);
    const sort = (ls: Labels[]) => [...ls].sort((a, b) => a.gpu.localeCompare(b.gpu));
    for (const j of jobs) {
      const simulated = EXPOSED.map(e => stored(e, { targetLabels: relabel(operator(j.name), j.relabelings), honorLabels: j.honorLabels }));
      expect({ job: j.name, labels: sort(got.get(j.name)!) }).toEqual({ job: j.name, labels: sort(simulated) });
    }
    // And what that means: with the emitted config the GPU no pod holds has no pod label at all.
    expect(sort(got.get('emitted')!)[1]).not.toHaveProperty('pod');
    expect(sort(got.get('no-relabelings')!)[1].pod).toBe('gpu-dcgm-exporter-x7k2p');
    expect(sort(got.get('not-honored')!)[0]).toMatchObject({ pod: 'gpu-dcgm-exporter-x7k2p', exported_pod: 'train-0' });
  }, 60_000);
});
