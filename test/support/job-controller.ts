/**
 * What the Kubernetes Job controller does with failed pods, as documented for `batch/v1` Jobs (pod failure policy,
 * KEP-3329; per-index backoff, KEP-3850): used to run a synthesized Job's spec against a sequence of pod failures.
 *
 * - The rules of `podFailurePolicy` are checked in order; the first that matches a failed pod decides: `FailJob` fails
 *   the Job, `FailIndex` fails the pod's index, `Ignore` does not count the failure, `Count` counts it. A failure that
 *   no rule matches is counted.
 * - `onExitCodes` matches when a container (the named one, if `containerName` is set) terminated with a code `In` the
 *   values, or with a non-zero code `NotIn` them. `onPodConditions` matches when the pod has a condition of that type
 *   and status.
 * - A Job fails when its counted failures exceed `backoffLimit` (pkg/controller/job: `failed > backoffLimit`); an
 *   index of an Indexed Job with `backoffLimitPerIndex` fails when its own counted failures exceed that limit.
 */

/** A pod that ended unsuccessfully: its containers' exit codes and its conditions. */
export interface FailedPod {
  readonly exitCodes: { [container: string]: number };
  readonly conditions?: Array<{ type: string; status: string }>;
}

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

/** The action the pod failure policy takes for a failed pod. */
export function actionFor(policy: any, pod: FailedPod): FailureAction {
  for (const rule of policy?.rules ?? []) {
    const codes = rule.onExitCodes;
    if (codes) {
      const containers = Object.entries(pod.exitCodes).filter(([name]) => codes.containerName === undefined || codes.containerName === name);
      const matches = containers.some(([, code]) => (codes.operator === 'In' ? codes.values.includes(code) : code !== 0 && !codes.values.includes(code)));
      if (matches) return rule.action;
    }
    for (const c of rule.onPodConditions ?? []) {
      if ((pod.conditions ?? []).some(pc => pc.type === c.type && pc.status === (c.status ?? 'True'))) return rule.action;
    }
  }
  return 'Count';
}

/** How a Job (or one index of it) ended. */
export interface JobRun {
  /** Pods that ran: the first one and every retry. */
  readonly pods: number;
  /** `Failed` once the Job (or the index) failed, `Running` while it would still retry. */
  readonly state: 'Failed' | 'Running';
  /** Why it failed. */
  readonly reason?: 'PodFailurePolicy' | 'BackoffLimitExceeded';
}

/**
 * Runs one non-indexed Job (or one index of an Indexed Job with `backoffLimitPerIndex`) whose every pod fails with
 * `failure`, at most `maxPods` times: how many pods ran before it failed.
 */
export function runFailingPods(jobSpec: any, failure: FailedPod, maxPods = 100): JobRun {
  const perIndex = jobSpec.backoffLimitPerIndex !== undefined;
  const limit: number = perIndex ? jobSpec.backoffLimitPerIndex : jobSpec.backoffLimit ?? 6;
  let counted = 0;
  for (let pods = 1; pods <= maxPods; pods++) {
    const action = actionFor(jobSpec.podFailurePolicy, failure);
    if (action === 'FailJob' || action === 'FailIndex') return { pods, state: 'Failed', reason: 'PodFailurePolicy' };
    if (action === 'Count') counted++;
    if (counted > limit) return { pods, state: 'Failed', reason: 'BackoffLimitExceeded' };
  }
  return { pods: maxPods, state: 'Running' };
}
