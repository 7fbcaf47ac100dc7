/**
 * A Kueue WorkloadPriorityClass (`kueue.x-k8s.io/priority-class`): the order of workloads in their ClusterQueue and
 * which ones Kueue may preempt for them. It leaves the pods' own PriorityClass alone.
 */
export interface IWorkloadPriorityClass {
  /** Name of the WorkloadPriorityClass. */
  readonly workloadPriorityClassName: string;
}

/** References to Kueue WorkloadPriorityClasses the library did not create. */
export class WorkloadPriorityClass {
  /**
   * A WorkloadPriorityClass that exists in the cluster (the string escape hatch; prefer `GpuFleet.priority`). When a
   * `GpuFleet` of the same cluster is in the app, the name is checked against its priorities.
   */
  public static fromName(name: string): IWorkloadPriorityClass {
    return { workloadPriorityClassName: name };
  }

  private constructor() {}
}
