/**
 * The accelerator catalog against its sources (docs/platform-facts.md lists each with the date it was checked). Each
 * test names its source; a value that drifts from it fails here.
 */
import { Accelerator, AcceleratorProps, GpuTrainingJob, Platform } from '../lib';
import { synthError } from './support/synth';

describe('GKE: labels and the GPU counts Autopilot accepts', () => {
  // Source: GKE "Deploy GPU workloads in Autopilot" (last updated 2026-04-10), "supported quantities".
  test.each([
    [Accelerator.T4, 'nvidia-tesla-t4', [1, 2, 4]],
    [Accelerator.L4, 'nvidia-l4', [1, 2, 4, 8]],
    [Accelerator.A100_40GB, 'nvidia-tesla-a100', [1, 2, 4, 8, 16]],
    [Accelerator.A100_80GB, 'nvidia-a100-80gb', [1, 2, 4, 8]],
    [Accelerator.H100_80GB, 'nvidia-h100-80gb', [1, 2, 4, 8]],
    [Accelerator.H100_MEGA_80GB, 'nvidia-h100-mega-80gb', [8]],
    [Accelerator.H200_141GB, 'nvidia-h200-141gb', [8]],
    [Accelerator.B200, 'nvidia-b200', [8]],
    [Accelerator.RTX_PRO_6000, 'nvidia-rtx-pro-6000', [1, 2, 4, 8]],
  ].map(([acc, ...rest]) => [(acc as Accelerator).name, acc, ...rest] as [string, Accelerator, string, number[]]))('%s', (_name, acc, label, counts) => {
    expect(acc.gkeLabel).toBe(label);
    expect(acc.autopilotCounts).toEqual(counts);
  });

  test('AWS-only accelerators have no GKE label', () => {
    expect(Accelerator.A10G.gkeLabel).toBeUndefined();
    expect(Accelerator.L40S.gkeLabel).toBeUndefined();
  });
});

describe('GKE machine shapes', () => {
  // Source: SkyPilot's GCP catalog (skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv @017e2502, read 2026-11-29):
  // a2-highgpu-1g 12 vCPU / 85 GiB. Issue 19: the catalog used Autopilot's 11 vCPU / 74 GiB as the machine.
  test('A100 40GB x 1 runs on a2-highgpu-1g, 12 vCPU / 85 GiB (not Autopilot\'s maximum)', () => {
    expect(Accelerator.A100_40GB.gkeMachineFor(1)).toEqual({ machineType: 'a2-highgpu-1g', gpus: 1, vcpu: 12, memoryGiB: 85 });
  });
  // Same source: a2-ultragpu-1g 12/170, a3-highgpu-1g 26/234, a2-megagpu-16g 96/1360.
  test.each([
    [Accelerator.A100_80GB, 1, 'a2-ultragpu-1g', 12, 170],
    [Accelerator.H100_80GB, 1, 'a3-highgpu-1g', 26, 234],
    [Accelerator.A100_40GB, 16, 'a2-megagpu-16g', 96, 1360],
  ] as Array<[Accelerator, number, string, number, number]>)('GKE shape %#', (acc, gpus, type, vcpu, memory) => {
    expect(acc.gkeMachineFor(gpus)).toMatchObject({ machineType: type, vcpu, memoryGiB: memory });
  });
  // Source: dstackai/dstack#3213 (2025-10-22), gpuhunt's GCP offers: g4-standard-48/96/192/384 with 1/2/4/8 RTX PRO 6000.
  test('RTX PRO 6000 runs on G4 machines', () => {
    expect(Accelerator.RTX_PRO_6000.gkeMachines.map(m => [m.machineType, m.gpus, m.vcpu, m.memoryGiB])).toEqual([
      ['g4-standard-48', 1, 48, 180], ['g4-standard-96', 2, 96, 360], ['g4-standard-192', 4, 192, 720], ['g4-standard-384', 8, 384, 1440],
    ]);
  });
  // Issue 19: "no accelerator-optimized T4 VM exists"; T4s attach to N1 machines.
  test('T4 machines are N1 machines', () => {
    expect(Accelerator.T4.gkeMachines.every(m => m.machineType.startsWith('n1-'))).toBe(true);
  });
});

describe('older models on N1 machines: P4, P100, V100 (issue 19.3)', () => {
  // Sources: GCE "GPU machine types" (cloud.google.com/compute/docs/gpus, stored copy): "NVIDIA V100: nvidia-tesla-v100",
  // "NVIDIA P100: nvidia-tesla-p100", "NVIDIA P4: nvidia-tesla-p4", N1 machine series. GPU memory: SkyPilot's GCP catalog
  // (skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv @017e2502) GpuInfo SizeInMiB 8192 (P4), 16384 (P100, V100).
  test.each([
    [Accelerator.P4, 'nvidia-tesla-p4', 8],
    [Accelerator.P100, 'nvidia-tesla-p100', 16],
    [Accelerator.V100, 'nvidia-tesla-v100', 16],
  ] as Array<[Accelerator, string, number]>)('GKE label and GPU memory %#', (acc, label, memory) => {
    expect([acc.gkeLabel, acc.memoryGiB]).toEqual([label, memory]);
    expect(Accelerator.all()).toContain(acc);
  });
  // Source: skypilot-org/skypilot sky/catalog/gcp_catalog.py @00526108, _NUM_ACC_TO_MAX_CPU_AND_MEMORY ("num_gpus ->
  // (max_num_cpus, max_memory_gb)", "Refer to: https://cloud.google.com/compute/docs/gpus"); the counts are also the
  // AcceleratorCount values of vms.csv @017e2502 (P4, P100: 1/2/4; V100: 1/2/4/8).
  test.each([
    [Accelerator.P4, [[1, 24, 156], [2, 48, 312], [4, 96, 624]]],
    [Accelerator.P100, [[1, 16, 104], [2, 32, 208], [4, 96, 624]]],
    [Accelerator.V100, [[1, 12, 78], [2, 24, 156], [4, 48, 312], [8, 96, 624]]],
  ] as Array<[Accelerator, number[][]]>)('N1 bounds per GPU count %#', (acc, shapes) => {
    expect(acc.gkeMachines.map(m => [m.gpus, m.vcpu, m.memoryGiB])).toEqual(shapes);
    // Named after the N1 machine of that size: n1-highmem-<vCPU> (6.5 GB per vCPU) or an N1 custom machine type.
    for (const m of acc.gkeMachines) expect(m.machineType).toMatch(new RegExp(`^(n1-highmem-${m.vcpu}|custom-${m.vcpu}-${m.memoryGiB * 1024}) \\+ ${m.gpus} ${acc.name}$`));
  });
  test('GKE only, and no Autopilot counts of their own (GKE\'s Autopilot page does not list them)', () => {
    for (const acc of [Accelerator.P4, Accelerator.P100, Accelerator.V100]) {
      expect([acc.name, acc.autopilotCounts, acc.karpenterGpuName, acc.awsInstanceFamilies]).toEqual([acc.name, [], undefined, []]);
    }
  });
});

describe('Autopilot maxima', () => {
  // Source: GKE Warden's rejection quoted in argoproj/argo-workflows#13073 (2024-05-21): "higher than the Autopilot
  // maximum of '11'" (cpu) and "'74Gi'" (memory) for 1 x nvidia-tesla-a100. The only confirmed figure.
  test('the one confirmed figure: A100 40GB x 1, 11 vCPU / 74 GiB, with its source', () => {
    expect(Accelerator.A100_40GB.autopilotMaximumFor(1)).toMatchObject({ gpus: 1, vcpu: 11, memoryGiB: 74 });
    expect(Accelerator.A100_40GB.autopilotMaximumFor(1)!.source).toContain('argoproj/argo-workflows#13073');
  });
  test('nothing else is claimed as confirmed', () => {
    const confirmed = Accelerator.all().flatMap(a => a.autopilotMaxima.map(m => `${a.name} x ${m.gpus}`));
    expect(confirmed).toEqual(['A100 40GB x 1']);
  });
  test('custom accelerators state their own (overridable numbers)', () => {
    const acc = Accelerator.custom({ name: 'X', gkeLabel: 'nvidia-x', autopilotCounts: [1], autopilotMaxima: [{ gpus: 1, vcpu: 8, memoryGiB: 30, source: 'our test' }] });
    expect(acc.autopilotMaximumFor(1)).toEqual({ gpus: 1, vcpu: 8, memoryGiB: 30, source: 'our test' });
  });
});

describe('Karpenter: GPU names, GPU memory, instance families and allocatable', () => {
  // Source: aws/karpenter-provider-aws website/content/en/docs/reference/instance-types.md @692ccdd0 (v1.14.0, 2026-07-11).
  test('A100 40GB and 80GB share the GPU name a100; the GPU memory label tells them apart (40960 vs 81920 MiB)', () => {
    expect(Accelerator.A100_40GB.karpenterGpuName).toBe('a100');
    expect(Accelerator.A100_80GB.karpenterGpuName).toBe('a100');
    expect(Accelerator.A100_40GB.karpenterGpuMemoryMib).toBe(40960);
    expect(Accelerator.A100_80GB.karpenterGpuMemoryMib).toBe(81920);
    expect(Accelerator.A100_40GB.awsInstanceFamilies.map(f => f.family)).toEqual(['p4d']);
    expect(Accelerator.A100_80GB.awsInstanceFamilies.map(f => f.family)).toEqual(['p4de']);
  });
  test('no other GPU name covers two catalog models (so only the A100s select GPU memory)', () => {
    const byName = new Map<string, string[]>();
    for (const a of Accelerator.all()) if (a.karpenterGpuName) byName.set(a.karpenterGpuName, [...(byName.get(a.karpenterGpuName) ?? []), a.name]);
    expect([...byName.entries()].filter(([, names]) => names.length > 1)).toEqual([['a100', ['A100 40GB', 'A100 80GB']]]);
    expect(Accelerator.all().filter(a => a.karpenterGpuMemoryMib !== undefined).map(a => a.name)).toEqual(['A100 40GB', 'A100 80GB']);
  });
  test('every family lists instances whose GPU counts are its gpusPerInstance', () => {
    for (const acc of Accelerator.all()) {
      for (const f of acc.awsInstanceFamilies) {
        expect([f.family, [...new Set(f.instances!.map(i => i.gpus))].sort((a, b) => a - b)]).toEqual([f.family, f.gpusPerInstance]);
      }
    }
  });
  test('allocatable is below the instance and above zero everywhere', () => {
    for (const i of Accelerator.all().flatMap(a => a.awsInstances)) {
      const cpuOk = i.allocatableVcpu! > 0 && i.allocatableVcpu! < i.vcpu;
      const memoryOk = i.allocatableMemoryGiB! > 0 && i.allocatableMemoryGiB! < i.memoryGiB;
      expect([i.machineType, cpuOk, memoryOk]).toEqual([i.machineType, true, true]);
    }
  });
  // Same source, the "Resources" tables: cpu 191450m / memory 718987Mi (g6.48xlarge), 3920m / 14481Mi (g4dn.xlarge).
  test.each([
    [Accelerator.L4, 'g6.48xlarge', 8, 192, 768, 191.45, 718987],
    [Accelerator.T4, 'g4dn.xlarge', 1, 4, 16, 3.92, 14481],
    [Accelerator.A100_40GB, 'p4d.24xlarge', 8, 96, 1152, 95.69, 1082712],
    [Accelerator.H100_80GB, 'p5.4xlarge', 1, 16, 256, 15.89, 240830],
    [Accelerator.H200_141GB, 'p5en.48xlarge', 8, 192, 2048, 191.45, 1937332],
  ] as Array<[Accelerator, string, number, number, number, number, number]>)('Karpenter instance %#', (acc, type, gpus, vcpu, memoryGiB, cpu, memoryMib) => {
    const i = acc.awsInstances.find(x => x.machineType === type)!;
    // (Their EFA interfaces: test/network-profile.test.ts.)
    expect(i).toMatchObject({ machineType: type, gpus, vcpu, memoryGiB, allocatableVcpu: cpu, allocatableMemoryGiB: memoryMib / 1024 });
  });
});

describe('custom accelerators', () => {
  test('are remembered, so admission checks know their GKE labels', () => {
    const v100 = Accelerator.custom({ name: 'V100', gkeLabel: 'nvidia-tesla-v100' });
    expect(Accelerator._known()).toContain(v100);
    expect(Accelerator.all()).not.toContain(v100);
  });
  test('lists that are not lists (JavaScript callers) are reported by the type check where the accelerator is used, never a TypeError', () => {
    const acc = Accelerator.custom({ name: 'Y', gkeLabel: 'y', autopilotCounts: 4, gkeMachines: 'x', awsInstanceFamilies: null } as unknown as AcceleratorProps);
    // Its own methods read them as none; no admission check knows it.
    expect([acc.maxGpusPerAwsInstance, acc.maxGpusPerGkeMachine, acc.gkeMachineFor(1), acc.autopilotMaximumFor(1), acc.awsInstances])
      .toEqual([0, 0, undefined, undefined, []]);
    expect(Accelerator._known()).not.toContain(acc);
    expect(synthError(chart => new GpuTrainingJob(chart, 'j', { platform: Platform.gkeStandard(), image: 'train:1', accelerator: acc })).split('\n').slice(1)).toEqual([
      '  [test/j] accelerator.autopilotCounts=4 is invalid: must be a list of numbers',
      '  [test/j] accelerator.gkeMachines="x" is invalid: must be a list of MachineShapes, not a single string',
      '  [test/j] accelerator.awsInstanceFamilies=null is invalid: must be a list of AwsInstanceFamilies',
    ]);
  });
});
