/** A Kubernetes PriorityClass that workloads refer to (e.g. one of `GpuPriorityClasses`). */
export interface IPriorityClass {
  /** Name of the PriorityClass. */
  readonly priorityClassName: string;
}

/** References to PriorityClasses the library did not create. */
export class PriorityClass {
  /** A PriorityClass that exists in the cluster (the string escape hatch; prefer `GpuPriorityClasses`). */
  public static fromName(name: string): IPriorityClass {
    return { priorityClassName: name };
  }

  private constructor() {}
}
