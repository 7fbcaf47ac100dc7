/**
 * A REAL rendezvous of the native DDP Job that the example app synthesizes into dist/ (kubernetes chart, `ddp`), and of
 * the H100 DdpJobSet with the EFA network profile's env and fail-fast exit codes (karpenter chart, `pretrain-h100`),
 * both with the NCCL env of the GPUDirect-TCPXO profile added (a profile's NCCL env must not break a CPU run): every node
 * index runs the container's own command and args, with its env resolved the way the kubelet does it (downward API
 * for the namespace and the completion index, `$(VAR)` expansion), as local processes with torch's gloo backend on
 * the CPU. Only three things stand in for the cluster:
 *  - DNS: a table built from the synthesized Job and headless Service (pod hostname `<job>-<i>`, `subdomain`, the
 *    Service's name, selector and namespace), or from the JobSet (its controller's Service and pod names), maps each
 *    pod's FQDN to 127.0.0.1; it is applied to the resolved
 *    MASTER_ADDR (torch resolves in C++, where no shim reaches). A name not in the table stays unresolvable.
 *  - ports: pods have their own network namespace, local processes share one, so the rendezvous port becomes a
 *    free port of this run (applied to the resolved MASTER_PORT, before `$(MASTER_PORT)` expands).
 *  - the image: `python3` is /usr/bin/python3; `torchrun` is test/support/rendezvous_torchrun.py (torchrun's own main,
 *    with the Python 3.11 fix); the training module is test/support/rendezvous_allreduce.py.
 * Needs Debian's python3-torch (`apt-get install -y python3-torch`). Without it the test FAILS when $CI is set and is
 * skipped loudly otherwise.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { Accelerator, DdpJob, NetworkProfile, Platform } from '../lib';
import { chartFor } from './support/synth';
import { distObjects } from './support/dist';

const PYTHON = '/usr/bin/python3';
const CHART = 'kubernetes';
const JOB = 'kubernetes-ddp';
const SUPPORT = path.join(__dirname, 'support');

const torchProbe = spawnSync(PYTHON, ['-c', 'import torch.distributed.run'], { encoding: 'utf8' });
const torchAvailable = torchProbe.status === 0;
if (!torchAvailable) {
  const why = `${PYTHON} cannot import torch.distributed.run (${(torchProbe.stderr || String(torchProbe.error ?? '')).trim().split('\n').pop()})`;
  if (process.env.CI) {
    test('torch is installed (CI installs python3-torch)', () => { throw new Error(`${why}: CI must run apt-get install -y python3-torch`); });
  } else {
    process.stderr.write(`\n\n*** [rendezvous] SKIPPED: ${why}. Install it with: apt-get install -y python3-torch ***\n\n`);
  }
}
const maybe = torchAvailable ? describe : describe.skip;

/** The objects of one chart of the example app, from dist/ (test/example.test.ts proves it equals a fresh synth). */
function exampleObjects(chart = CHART): any[] {
  return distObjects(chart);
}

/**
 * The env the GPUDirect-TCPXO profile gives the training container, rendered by the library (the env of an A3 Mega
 * DdpJob with the profile, minus the env of the same job without it), not copied by hand. Neither example chart can
 * carry a NCCL-bearing profile (plain Kubernetes offers none; EFA's env is libfabric's FI_*), so the test adds it to
 * their runs: user env of the same name wins, as in the library. Nothing is left out: TCPXO's env only names host
 * paths and NCCL plugin files that a CPU run never loads. (The profile that by design fails without its host installer
 * is GPUDirect RDMA: its launch preamble sources the installer's set_nccl_env.sh, and its env has no NCCL_* to add.)
 */
function tcpxoProfileEnv(): Array<{ name: string; value: string }> {
  const platform = Platform.gkeStandard();
  const render = (networkProfile?: NetworkProfile): any[] => {
    const chart = chartFor(platform);
    new DdpJob(chart, 'ddp', { platform, image: 'trainer:1.0', module: 'train', accelerator: Accelerator.H100_MEGA_80GB, gpus: 8, nodes: 2, networkProfile });
    return Testing.synth(chart).find(o => o.kind === 'Job').spec.template.spec.containers[0].env;
  };
  const without = new Map(render().map(e => [e.name, JSON.stringify(e)]));
  return render(NetworkProfile.gpuDirectTcpxo()).filter(e => without.get(e.name) !== JSON.stringify(e));
}
const PROFILE_ENV = tcpxoProfileEnv();

/** A copy of a Job (or a JobSet's child Job) whose container also has the profile's env. */
function withProfileEnv(job: any): any {
  const copy = JSON.parse(JSON.stringify(job));
  const c = copy.spec.template.spec.containers[0];
  const names = new Set((c.env ?? []).map((e: any) => e.name));
  c.env = [...(c.env ?? []), ...PROFILE_ENV.filter(e => !names.has(e.name))];
  return copy;
}

/** Every rank ran with every NCCL var of the profile, with its value, after torchrun. */
function expectProfileEnvReached(r: Rendezvous, world: number): void {
  const nccl = Object.fromEntries(PROFILE_ENV.filter(e => e.name.startsWith('NCCL_')).map(e => [e.name, e.value]));
  expect(Object.keys(nccl).length).toBeGreaterThanOrEqual(20);
  expect(r.envs).toHaveLength(world);
  for (const env of r.envs) expect(env).toMatchObject(nccl);
}

/** Kubelet's `$(VAR)` expansion: defined names are replaced, `$$` escapes `$`, anything else stays as written. */
function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => (m === '$$' ? '$' : vars.has(name) ? vars.get(name)! : m));
}

/** Cluster DNS for the pods of an Indexed Job with a `subdomain`: only what the Job and its headless Service make. */
function clusterDns(job: any, services: any[]): Map<string, string> {
  const dns = new Map<string, string>();
  const t = job.spec.template;
  const svc = services.find(s => s.metadata.name === t.spec.subdomain);
  if (!svc || svc.spec.clusterIP !== 'None' || svc.spec.publishNotReadyAddresses !== true) return dns;
  const labels = t.metadata.labels ?? {};
  if (!Object.entries(svc.spec.selector ?? { x: undefined }).every(([k, v]) => labels[k] === v)) return dns;
  for (let i = 0; i < job.spec.completions; i++) {
    dns.set(`${job.metadata.name}-${i}.${svc.metadata.name}.${job.metadata.namespace}.svc.cluster.local`, '127.0.0.1');
  }
  return dns;
}

/** The container env of pod `index`, resolved as the Job controller and kubelet would, in order. */
function resolveEnv(job: any, index: number): Map<string, string> {
  const container = job.spec.template.spec.containers[0];
  const pod = {
    name: `${job.metadata.name}-${index}-abcde`,
    namespace: job.metadata.namespace,
    annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } as { [k: string]: string },
  };
  const field = (fieldPath: string): string => {
    if (fieldPath === 'metadata.namespace') return pod.namespace;
    if (fieldPath === 'metadata.name') return pod.name;
    const m = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
    if (m && m[1] in pod.annotations) return pod.annotations[m[1]];
    throw new Error(`downward API field ${fieldPath} is not simulated`);
  };
  const env = new Map<string, string>();
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env.set(e.name, expand(String(e.value), env));
    else if (e.valueFrom?.fieldRef) env.set(e.name, field(e.valueFrom.fieldRef.fieldPath));
    else if (e.valueFrom?.secretKeyRef) env.set(e.name, 'not-a-real-secret');
    else throw new Error(`env ${e.name} source not simulated`);
  }
  // The Job controller adds this to every container of an Indexed Job.
  if (job.spec.completionMode === 'Indexed' && !env.has('JOB_COMPLETION_INDEX')) env.set('JOB_COMPLETION_INDEX', String(index));
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface NodeRun { index: number; argv: string[]; code: number | null; out: string; err: string }
/**
 * The check's report lines. Two local ranks share one stdout pipe, and another process's output may end without a
 * newline, so a report is found anywhere in a line, not only at its start.
 */
function allreduceLines(out: string): string[] {
  return [...out.matchAll(/ALLREDUCE rank=[^\n]*/g)].map(m => m[0]);
}

/**
 * Cluster DNS for the pods of a JobSet: its controller makes a headless Service named after the subdomain (default:
 * the JobSet's name) when `enableDNSHostnames`, publishing not-ready addresses unless told not to, and names the pods
 * `<jobset>-<replicatedJob>-<jobIndex>-<podIndex>`.
 */
function jobSetDns(js: any): Map<string, string> {
  const dns = new Map<string, string>();
  const net = js.spec.network ?? {};
  if (net.enableDNSHostnames !== true || net.publishNotReadyAddresses === false) return dns;
  const subdomain = net.subdomain ?? js.metadata.name;
  for (const rj of js.spec.replicatedJobs) {
    for (let j = 0; j < (rj.replicas ?? 1); j++) {
      for (let i = 0; i < rj.template.spec.completions; i++) {
        dns.set(`${js.metadata.name}-${rj.name}-${j}-${i}.${subdomain}.${js.metadata.namespace}.svc.cluster.local`, '127.0.0.1');
      }
    }
  }
  return dns;
}

/** Job 0 of a JobSet's replicated Job, as the JobSet controller makes it (name `<jobset>-<replicatedJob>-0`). */
function jobOf(js: any, rj: any): any {
  return { metadata: { name: `${js.metadata.name}-${rj.name}-0`, namespace: js.metadata.namespace }, spec: rj.template.spec };
}

interface Rendezvous {
  nodes: NodeRun[]; ok: boolean; seconds: number; ranks: string[]; stoppedOn?: string;
  /** The env of each rank that reported, as its process saw it. */
  envs: Array<{ [name: string]: string }>;
}

interface RunOptions {
  /** The training module's source. @default the all-reduce check */
  readonly module?: string;
  /**
   * Processes per node for this run, in place of the Job's `--nproc_per_node` (the CPU of a CI runner, not the
   * rendezvous, limits how many torch processes a test can start; the wiring under test is per node).
   * @default the Job's own
   */
  readonly procsPerNode?: number;
  /**
   * Stop the run as soon as a node's output matches: a node that loops on an error it can never leave (an
   * unresolvable rendezvous address is retried until the 600 s rendezvous timeout) has failed when it first says so.
   * @default run until every node exits or the deadline passes
   */
  readonly stopOn?: RegExp;
}

/** Runs every node of `job` until all exit or `deadlineMs` passes; the run succeeds if every node exits 0. */
async function runJob(job: any, dns: Map<string, string>, deadlineMs: number, opts: RunOptions = {}): Promise<Rendezvous> {
  const module = opts.module;
  const port = await freePort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rdzv-'));
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(PYTHON, path.join(bin, 'python3'));
  fs.copyFileSync(path.join(SUPPORT, 'rendezvous_torchrun.py'), path.join(bin, 'torchrun'));
  fs.chmodSync(path.join(bin, 'torchrun'), 0o755);
  const container = job.spec.template.spec.containers[0];
  const args: string[] = container.args ?? [];
  const m = args.indexOf('-m');
  if (m < 0) throw new Error('the example DDP job is expected to run a module (-m)');
  if (module !== undefined) fs.writeFileSync(path.join(work, `${args[m + 1]}.py`), module);
  else fs.copyFileSync(path.join(SUPPORT, 'rendezvous_allreduce.py'), path.join(work, `${args[m + 1]}.py`));

  const started = Date.now();
  let stoppedOn: string | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>(resolve => { stop = resolve; });
  const watch = (chunk: Buffer | string) => {
    const hit = opts.stopOn && stoppedOn === undefined ? opts.stopOn.exec(String(chunk)) : null;
    if (hit) { stoppedOn = hit[0]; stop(); }
  };
  const runs: NodeRun[] = [];
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  for (let i = 0; i < job.spec.parallelism; i++) {
    const env = resolveEnv(job, i);
    // Cluster DNS and the per-pod port, applied where the pods would resolve and bind them.
    const addr = env.get('MASTER_ADDR');
    if (addr !== undefined && dns.has(addr)) env.set('MASTER_ADDR', dns.get(addr)!);
    if (env.has('MASTER_PORT')) env.set('MASTER_PORT', String(port));
    const argv = [...(container.command ?? []), ...args].map(a => expand(a, env))
      .map(a => (opts.procsPerNode !== undefined && a.startsWith('--nproc_per_node=') ? `--nproc_per_node=${opts.procsPerNode}` : a));
    const run: NodeRun = { index: i, argv, code: null, out: '', err: '' };
    runs.push(run);
    const child = spawn(argv[0], argv.slice(1), {
      cwd: work,
      detached: true,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: work, PYTHONPATH: work, PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: '1', PET_MONITOR_INTERVAL: '0.5', ...Object.fromEntries(env) },
    });
    child.stdout!.on('data', d => { run.out += d; watch(d); });
    child.stderr!.on('data', d => { run.err += d; watch(d); });
    children.push(child);
    // 'close', not 'exit': 'exit' can come before the last output of the node's processes has been read.
    exits.push(new Promise(resolve => child.on('close', code => { run.code = code; resolve(); })));
  }
  const killAll = () => {
    for (const c of children) {
      try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  // A node that fails means the rendezvous failed: stop the others (Kubernetes would retry the pod; we need not).
  const firstFailure = new Promise<void>(resolve => children.forEach(c => c.on('close', code => { if (code !== 0) resolve(); })));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(exits), firstFailure, stopped, new Promise<void>(resolve => { timer = setTimeout(resolve, deadlineMs); })]);
  clearTimeout(timer);
  killAll();
  await Promise.all(exits);
  // Each rank's report file (written next to its stdout line): the evidence that it joined and agreed.
  const ranks = fs.readdirSync(work).filter(f => /^allreduce-\d+\.txt$/.test(f)).sort()
    .flatMap(f => allreduceLines(fs.readFileSync(path.join(work, f), 'utf8')));
  const envs = fs.readdirSync(work).filter(f => /^env-\d+\.json$/.test(f)).map(f => JSON.parse(fs.readFileSync(path.join(work, f), 'utf8')));
  return { nodes: runs, ok: runs.every(r => r.code === 0), seconds: (Date.now() - started) / 1000, ranks, stoppedOn, envs };
}

/** torch's message for a rendezvous address the cluster DNS does not know (it retries it every second). */
const UNRESOLVABLE = /\(\S+, \d+\) cannot be retrieved \(gai error: -2 - Name or service not known\)/;

function report(name: string, r: Rendezvous): void {
  if (!process.env.RDZV_VERBOSE) return;
  const lines = [`=== ${name}: ${r.ok ? 'SUCCEEDED' : 'FAILED'} in ${r.seconds.toFixed(1)} s${r.stoppedOn ? ` (stopped on: ${r.stoppedOn})` : ''}`];
  for (const n of r.nodes) {
    lines.push(`--- node ${n.index} exit=${n.code}\n$ ${n.argv.map(a => (/[\s"'$]/.test(a) ? `'${a.replace(/'/g, '\'\\\'\'')}'` : a)).join(' ')}`);
    lines.push(n.out.trim(), n.err.trim().split('\n').slice(-4).join('\n'));
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

maybe('torchrun rendezvous of the synthesized native DDP Job', () => {
  const objects = exampleObjects();
  const example = objects.find(o => o.kind === 'Job' && o.metadata.name === JOB);
  const job = withProfileEnv(example);
  const services = objects.filter(o => o.kind === 'Service');
  const clone = () => JSON.parse(JSON.stringify(job));
  const envOf = (j: any) => j.spec.template.spec.containers[0].env as any[];

  test('the example Job is a multi-node, multi-process DDP run; the run adds the profile\'s NCCL env', () => {
    // The DdpJob's own NCCL_ASYNC_ERROR_HANDLING is there; none of the profile's.
    expect(envOf(example).filter(e => PROFILE_ENV.some(x => x.name === e.name))).toEqual([]);
    expect(envOf(job).map(e => e.name)).toEqual(expect.arrayContaining(['NCCL_SOCKET_IFNAME', 'NCCL_FASTRAK_IFNAME', 'NCCL_TUNER_PLUGIN', 'LD_LIBRARY_PATH']));
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.completions).toBeGreaterThanOrEqual(2);
    expect(job.spec.template.spec.containers[0].args).toContain('--nproc_per_node=2');
  });

  test('all ranks of all nodes join one process group and agree on the all-reduce, with the profile\'s NCCL env', async () => {
    const r = await runJob(job, clusterDns(job, services), 30_000);
    report('synthesized Job', r);
    const world = job.spec.completions * 2;
    expect({ ok: r.ok, codes: r.nodes.map(n => n.code), err: r.ok ? '' : r.nodes.map(n => n.err.slice(-1500)).join('\n') })
      .toEqual({ ok: true, codes: r.nodes.map(() => 0), err: '' });
    expectProfileEnvReached(r, world);
    const sum = (world * (world - 1)) / 2;
    expect(r.ranks.map(l => /rank=(\d+)/.exec(l)![1]).sort()).toEqual([...Array(world).keys()].map(String).sort());
    for (const line of r.ranks) {
      expect(line).toContain(`world=${world}`);
      expect(line).toContain(`sum=${sum}`);
    }
    // Node ranks came from the completion index: node i ran global ranks 2i and 2i+1.
    for (const line of r.ranks) {
      const rank = Number(/rank=(\d+)/.exec(line)![1]);
      expect(line).toContain(`node=${Math.floor(rank / 2)}`);
    }
  }, 40_000);

  test('negative: every node believing it is node 0 (node_rank wired wrong) does not rendezvous', async () => {
    const bad = clone();
    envOf(bad).splice(envOf(bad).findIndex(e => e.name === 'NODE_RANK'), 1, { name: 'NODE_RANK', value: '0' });
    const r = await runJob(bad, clusterDns(bad, services), 15_000);
    report('node_rank always 0', r);
    expect(r.ok).toBe(false);
    expect(r.ranks.filter(l => l.includes('world=4'))).toHaveLength(0);
  }, 25_000);

  test('negative: MASTER_ADDR without the Service subdomain does not resolve, so no rendezvous', async () => {
    const bad = clone();
    const addr = envOf(bad).find(e => e.name === 'MASTER_ADDR');
    addr.value = addr.value.replace(`.${bad.spec.template.spec.subdomain}.`, '.');
    const r = await runJob(bad, clusterDns(bad, services), 30_000, { stopOn: UNRESOLVABLE });
    report('MASTER_ADDR without subdomain', r);
    expect(r.ok).toBe(false);
    expect(r.ranks).toHaveLength(0);
    // torchrun retries the name until its 600 s rendezvous timeout: the first failed lookup is the failure.
    expect(r.stoppedOn).toContain(`(${addr.value.replace('$(POD_NAMESPACE)', bad.metadata.namespace)}, `);
  }, 40_000);
});

/** The ranks of a successful all-reduce: every global rank once, each agreeing on world size and sum. */
function expectAllReduced(r: Rendezvous, nodes: number, procs: number): void {
  const world = nodes * procs;
  expect({ ok: r.ok, codes: r.nodes.map(n => n.code), err: r.ok ? '' : r.nodes.map(n => n.err.slice(-1500)).join('\n') })
    .toEqual({ ok: true, codes: r.nodes.map(() => 0), err: '' });
  expect(r.ranks.map(l => /rank=(\d+)/.exec(l)![1]).sort()).toEqual([...Array(world).keys()].map(String).sort());
  for (const line of r.ranks) {
    expect(line).toContain(`world=${world}`);
    expect(line).toContain(`sum=${(world * (world - 1)) / 2}`);
    expect(line).toContain(`node=${Math.floor(Number(/rank=(\d+)/.exec(line)![1]) / procs)}`);
  }
}

/**
 * The H100 DdpJobSet of the karpenter chart (`pretrain-h100`): two nodes of 8 processes, EFA's libfabric env and the
 * launcher that passes a worker's fail-fast exit code to the pod; the run adds GPUDirect-TCPXO's NCCL env. The EFA and
 * NCCL env change nothing for gloo on the CPU, which is the point: a profile's env must not break a run.
 */
maybe('torchrun rendezvous of the synthesized H100 DdpJobSet with the EFA profile and a profile\'s NCCL env (karpenter chart)', () => {
  const objects = exampleObjects('karpenter');
  const js = objects.find(o => o.kind === 'JobSet' && o.metadata.name === 'pretrain-h100');
  const rj = js.spec.replicatedJobs[0];
  const job = withProfileEnv(jobOf(js, rj));
  const container = rj.template.spec.template.spec.containers[0];
  const procs = Number(/^--nproc_per_node=(\d+)$/.exec(container.args.find((a: string) => a.startsWith('--nproc_per_node=')))![1]);

  test('the example JobSet: 2 nodes of 8 processes, with the EFA env and the exit-code launcher', () => {
    expect(rj.template.spec.completions).toBe(2);
    expect(procs).toBe(8);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'FI_PROVIDER', value: 'efa' }, { name: 'FI_EFA_USE_HUGE_PAGE', value: '0' }]));
    expect(container.resources.limits['vpc.amazonaws.com/efa']).toBe(32);
    expect(container.command[2]).toContain('except ChildFailedError as e:');
  });

  // 2 processes per node here (the pods run 8): each is a torch process on a 2-core CI runner, and the wiring under
  // test (node ranks, the JobSet's DNS, the env) is per node.
  test('all ranks of both nodes join one process group and agree on the all-reduce, with the EFA and NCCL env', async () => {
    const r = await runJob(job, jobSetDns(js), 90_000, { procsPerNode: 2 });
    report('synthesized JobSet', r);
    expectAllReduced(r, 2, 2);
    expectProfileEnvReached(r, 2 * 2);
    for (const env of r.envs) expect(env).toMatchObject({ FI_PROVIDER: 'efa', FI_EFA_FORK_SAFE: '1', FI_EFA_USE_HUGE_PAGE: '0' });
  }, 120_000);

  test('workers exiting with a fail-fast code: the node containers exit with that code (torchrun alone exits 1)', async () => {
    const codes: number[] = rj.template.spec.podFailurePolicy.rules.find((x: any) => x.onExitCodes)?.onExitCodes.values;
    expect(codes).toEqual([3]);
    // A bad config fails every rank the same way. (A single failing node's torchrun waits at its exit barrier, up to
    // 300 s, for the other nodes' agents before it exits: too long for a test, and the same with or without the launcher.)
    const failing = 'import sys\nsys.exit(3)\n';
    const r = await runJob(job, jobSetDns(js), 90_000, { module: failing, procsPerNode: 1 });
    report('fail-fast exit code', r);
    const exited = r.nodes.filter(n => n.code !== null);
    expect(exited.length).toBeGreaterThan(0);
    // Every node that exited on its own (the test stops the rest at the first failure) exited with the code.
    expect(exited.map(n => n.code)).toEqual(exited.map(() => 3));
    expect(codes).toContain(exited[0].code);
  }, 120_000);

  test('negative: torchrun exec\'ed as it is loses the code (exits 1), which the pod failure policy would not match', async () => {
    const plain = JSON.parse(JSON.stringify(job));
    const c = plain.spec.template.spec.containers[0];
    c.command[2] = c.command[2].replace(/exec python3 -c '[\s\S]*' "\$@"/, 'exec torchrun "$@"');
    expect(c.command[2]).toContain('exec torchrun "$@"');
    const r = await runJob(plain, jobSetDns(js), 90_000, { module: 'import sys\nsys.exit(3)\n', procsPerNode: 1 });
    report('fail-fast exit code without the launcher', r);
    const exited = r.nodes.filter(n => n.code !== null);
    expect(exited.length).toBeGreaterThan(0);
    expect(exited.map(n => n.code)).toEqual(exited.map(() => 1));
  }, 120_000);

  test('negative: without the JobSet\'s DNS hostnames the nodes do not rendezvous', async () => {
    const noDns = { ...js, spec: { ...js.spec, network: { ...js.spec.network, enableDNSHostnames: false } } };
    const r = await runJob(job, jobSetDns(noDns), 30_000, { stopOn: UNRESOLVABLE, procsPerNode: 1 });
    report('JobSet without DNS hostnames', r);
    expect(r.ok).toBe(false);
    expect(r.ranks).toHaveLength(0);
    expect(r.stoppedOn).toContain(`(${js.metadata.name}-${rj.name}-0-0.`);
  }, 40_000);
});
