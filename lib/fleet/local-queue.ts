/**
 * A Kueue LocalQueue that workloads join (`queue` prop): one of a `GpuFleet`'s team queues (`fleet.queue('research')`),
 * or `LocalQueue.fromName('...')` for a queue the app does not create.
 */
export interface ILocalQueue {
  /** Name of the LocalQueue (the `kueue.x-k8s.io/queue-name` label value). */
  readonly localQueueName: string;
  /**
   * Namespace of the LocalQueue, when known: a workload can only join a LocalQueue of its own namespace.
   * @default - not stated: the workload's own namespace
   */
  readonly namespace?: string;
}

/** References to Kueue LocalQueues the library did not create. */
export class LocalQueue {
  /**
   * A LocalQueue in the workload's namespace, by name (the string escape hatch; prefer `GpuFleet.queue`). When a
   * `GpuFleet` of the same cluster is in the app, the name is checked against its queues.
   */
  public static fromName(name: string): ILocalQueue {
    return { localQueueName: name };
  }

  private constructor() {}
}
