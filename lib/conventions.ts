/**
 * Names the library uses on every object it emits, and the context key of its strict mode. Static members rather than
 * top-level constants, so that every jsii language sees them.
 */
export class Conventions {
  /**
   * Context key that turns warnings into errors (`app.node.setContext(Conventions.STRICT_CONTEXT_KEY, true)` before
   * any chart is added); the environment variable `CDK8S_GPU_STRICT=1` does the same.
   */
  public static readonly STRICT_CONTEXT_KEY = 'cdk8s-gpu-ml:strict';
  /** Label every object of one workload carries; the library's own selectors use it. */
  public static readonly INSTANCE_LABEL = 'app.kubernetes.io/instance';
  /** Label naming the workload. */
  public static readonly NAME_LABEL = 'app.kubernetes.io/name';
  /** Label for what a workload does (`training`, `batch`, `serving`, `daemon`). */
  public static readonly COMPONENT_LABEL = 'app.kubernetes.io/component';
  /** Label marking objects this library emitted. */
  public static readonly MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
  /** Value of the managed-by label. */
  public static readonly MANAGED_BY = 'cdk8s-gpu-ml';
  /** Label marking pods that cannot pass Pod Security "restricted", with the reason as value. */
  public static readonly PSS_EXCEPTION_LABEL = 'gpu-ml.cdk8s.io/pss-exception';

  private constructor() {}
}
