import { k8s } from 'cdk8s-plus-28';
import { _Problems } from '../validation';

/** Validates fail-fast exit codes. @internal */
export function _failFastExitCodes(p: _Problems, codes: number[] | undefined, defaults: number[]): number[] {
  if (codes === undefined) return defaults;
  if (codes.some(c => !Number.isInteger(c) || c < 1 || c > 255)) {
    p.error('failFastExitCodes', codes, 'must be a list of exit codes from 1 to 255 (0 means success and cannot fail a Job)');
    return [];
  }
  return [...new Set(codes)].sort((a, b) => a - b);
}

/**
 * The pod failure policy of every GPU Job: disruptions (preemption, eviction, node drain) are ignored and do not use up
 * retries; fail-fast exit codes of the main container end the Job at once.
 * @internal
 */
export function _podFailurePolicy(containerName: string, exitCodes: number[], onExit: string = 'FailJob'): k8s.PodFailurePolicy {
  const rules: k8s.PodFailurePolicyRule[] = [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
  ];
  // onPodConditions: [] because the 1.28 API marks it required; an empty list is allowed next to onExitCodes.
  if (exitCodes.length) rules.push({ action: onExit, onExitCodes: { containerName, operator: 'In', values: exitCodes }, onPodConditions: [] });
  return { rules };
}

/** Annotation the Job controller sets on every pod of an Indexed Job (since Kubernetes 1.21). @internal */
export const _COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
