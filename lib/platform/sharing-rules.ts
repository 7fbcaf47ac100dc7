import { k8s } from 'cdk8s-plus-28';
import { Accelerator, MigProfileSpec } from '../accelerator';
import { GpuShare, GpuSharingStrategy, _migSpec, _validInstances } from '../sharing/gpu-share';
import { _show } from '../validation';

/**
 * GPU sharing rules every platform applies (docs/sharing.md), kept out of platform.ts: what a platform says it offers,
 * read through the members it has. @internal
 */
export interface _SharingPlatform {
  readonly displayName: string;
  sharingStrategies(accelerator?: Accelerator): GpuSharingStrategy[];
  migProfiles(accelerator: Accelerator): MigProfileSpec[];
  _maxClientsPerGpu(strategy: GpuSharingStrategy): number | undefined;
}

/**
 * What is wrong with a shared request on a platform: the share's own arguments, a strategy the platform does not offer
 * for the accelerator, too many clients, a MIG profile the GPU does not have, and more than one shared GPU per pod (a
 * container gets one time-shared GPU, MPS share or MIG slice: GKE's and NVIDIA's device plugins refuse more, and a
 * CUDA process sees one MIG device only).
 * @internal
 */
export function _shareProblemsOf(platform: _SharingPlatform, gpus: number, acc: Accelerator | undefined, share: GpuShare): string[] {
  const what = `gpuShare=${share.toString()}`;
  const problem = share._problem();
  if (problem) return [`${what} is invalid: ${problem}`];
  if (gpus === 0) return [`${what} is invalid for a pod without GPUs (gpus=0): only GPUs are shared (allowed: GpuShare.EXCLUSIVE, or gpus=1)`];
  const withMig = Accelerator.all().filter(a => platform.migProfiles(a).length > 0).map(a => a.name);
  if (share.strategy === GpuSharingStrategy.MIG && acc === undefined && withMig.length) {
    return [`accelerator=undefined is invalid with ${what}: the MIG profiles depend on the GPU model (allowed: an accelerator with MIG on ${platform.displayName}: ${withMig.join(', ')})`];
  }
  const offered = platform.sharingStrategies(acc);
  const model = acc ? ` for ${acc.name}` : '';
  if (!offered.includes(share.strategy)) {
    return [`${what} is invalid: ${platform.displayName} does not offer ${_strategyName(share.strategy)}${model} (allowed: ${offered.map(_strategyCode).join(', ')})`];
  }
  const v: string[] = [];
  const max = platform._maxClientsPerGpu(share.strategy);
  if (max !== undefined && share.clientsPerGpu !== undefined && share.clientsPerGpu > max) {
    v.push(`${what} is invalid: ${platform.displayName} shares one GPU among at most ${max} ${_strategyName(share.strategy)} clients (allowed: 2-${max})`);
  }
  if (share.strategy === GpuSharingStrategy.MIG && acc !== undefined) {
    const spec = _migSpec(platform.migProfiles(acc), share.migProfile);
    if (!spec) {
      const profiles = platform.migProfiles(acc).map(s => s?.profile);
      v.push(`${what} is invalid: ${platform.displayName} does not cut ${acc.name} into ${share.migProfile!.name} slices (allowed: ${profiles.join(', ')})`);
    } else if (!_validInstances(spec.instancesPerGpu)) {
      v.push(`accelerator=${_show(acc.name)} is invalid: its MIG profile ${spec.profile} has instancesPerGpu=${_show(spec.instancesPerGpu)} (allowed: a whole number from 1 to 7)`);
    }
  }
  if (gpus > 1) {
    const why = share.strategy === GpuSharingStrategy.MIG
      ? 'a CUDA process sees one MIG slice only'
      : `a container gets at most one ${_strategyName(share.strategy)} GPU on ${platform.displayName}`;
    v.push(`gpus=${gpus} is invalid with ${what}: ${why} (allowed: 1)`);
  }
  return v;
}

/**
 * An MPS memory limit must be below the share the device plugin gives each client (the GPU's memory divided by the
 * clients): `CUDA_MPS_PINNED_DEVICE_MEM_LIMIT` can only lower it. @internal
 */
export function _mpsMemoryLimitProblems(share: GpuShare | undefined, acc: Accelerator | undefined, platform: string): string[] {
  if (share?.strategy !== GpuSharingStrategy.MPS || share.mpsMemoryLimit === undefined || share._problem()) return [];
  const mib = share.mpsMemoryLimit.toMebibytes({ rounding: 2 /* SizeRoundingBehavior.NONE */ });
  const what = `gpuShare=${share.toString()}`;
  if (!Number.isInteger(mib) || mib < 1) return [`${what} is invalid: memoryLimit=${_show(share.mpsMemoryLimit)} must be a whole number of MiB, at least 1Mi`];
  const gib = acc?.memoryGiB;
  if (typeof gib !== 'number') return [];
  const perClient = Math.floor(gib * 1024 / share.clientsPerGpu!);
  if (mib > perClient) {
    return [`${what} is invalid: memoryLimit=${gi(mib)} is more than the ${gi(perClient)} each of the ${share.clientsPerGpu} MPS clients of a ${acc!.name} gets on ${platform} (${gib}Gi / ${share.clientsPerGpu}); the limit can only lower it (allowed: at most ${gi(perClient)})`];
  }
  return [];
}

/** How a strategy is written in code, for the allowed values of messages. @internal */
export function _strategyCode(strategy: GpuSharingStrategy): string {
  return strategy === GpuSharingStrategy.EXCLUSIVE ? 'GpuShare.EXCLUSIVE' : strategy === GpuSharingStrategy.MPS ? 'GpuShare.mps(clients)'
    : strategy === GpuSharingStrategy.MIG ? 'GpuShare.mig(profile)' : 'GpuShare.timeShared(clients)';
}

/** How a strategy is named in messages. @internal */
export function _strategyName(strategy: GpuSharingStrategy): string {
  return strategy === GpuSharingStrategy.EXCLUSIVE ? 'whole GPUs' : strategy === GpuSharingStrategy.MPS ? 'MPS' : strategy === GpuSharingStrategy.MIG ? 'MIG' : 'time-sharing';
}

/**
 * The toleration of the share taint (`GpuShare.TAINT_KEY`) that shared pods and node agents (which must run on shared
 * GPU nodes too) carry. @internal
 */
export function _shareTaintToleration(): k8s.Toleration {
  return { key: GpuShare.TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' };
}

/** MiB for messages: Gi when whole, else Mi. */
function gi(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${Math.round(mib)}Mi`;
}
