import { Duration } from 'cdk8s';
import { _Problems, _checkProps, _durationSeconds, _show } from '../validation';

/** Options of `IdleCulling.after()`. */
export interface IdleCullingOptions {
  /**
   * Also cull idle kernels that a browser tab is still connected to (Jupyter's `cull_connected`). Off, a kernel whose
   * notebook is open is kept however long it idles; on, it is culled too, and its variables are lost.
   * @default false
   */
  readonly cullConnected?: boolean;
  /**
   * How often the server looks for idle kernels (Jupyter's `cull_interval`); at most the timeout.
   * @default Duration.minutes(5) (Jupyter's default)
   */
  readonly interval?: Duration;
}

/** Jupyter's own default check interval (`MappingKernelManager.cull_interval`). */
const DEFAULT_INTERVAL_SECONDS = 300;
/** Shorter timeouts cull a kernel between two cells of someone reading their results. */
const MIN_TIMEOUT_SECONDS = 60;

/**
 * When the notebook's Jupyter server shuts down idle kernels, freeing the GPU memory and CUDA context each holds:
 * Jupyter Server's kernel culler (`MappingKernelManager.cull_idle_timeout`, `cull_interval`, `cull_connected`;
 * `cull_busy` stays off, so a running cell is never culled). The notebook writes it as a `jupyter_server_config.json`
 * in a ConfigMap, mounted into the container and named in `JUPYTER_CONFIG_PATH`: Jupyter reads it whatever starts it
 * (the Kubeflow images' s6 service, whose command line takes no options, or the Jupyter Docker Stacks' start script),
 * above every other config file (the image's, the user's `~/.jupyter`); only command-line options override it.
 *
 * Culling kernels does not stop the pod, which holds the GPU until it is stopped: on Kubeflow the notebook
 * controller's culler does that (controller-wide, `ENABLE_CULLING`); a `StatefulSetNotebook` keeps it until `stopped`.
 * The server itself is not shut down on idleness (`shutdown_no_activity_timeout`): its container would only be
 * restarted, in a back-off, holding the GPU all the same.
 */
export class IdleCulling {
  /** Kernels are never culled (`cull_idle_timeout: 0`), whatever the image's system-wide Jupyter config says. */
  public static readonly NEVER = new IdleCulling(undefined, undefined);

  /** Idle kernels are culled once they have been idle for `timeout` (at least 1 minute, whole seconds). */
  public static after(timeout: Duration, options: IdleCullingOptions = {}): IdleCulling {
    return new IdleCulling(timeout, options);
  }

  /** How long a kernel may idle before it is culled; undefined for `NEVER`. */
  public readonly timeout?: Duration;
  private readonly options: IdleCullingOptions;
  private readonly optionProblems: readonly string[];

  private constructor(timeout: Duration | undefined, options: unknown) {
    this.timeout = timeout;
    const p = new _Problems();
    this.options = options === undefined ? {} : _checkProps<IdleCullingOptions>(p, 'IdleCullingOptions', options, { optional: true, name: 'options' }) ?? {};
    this.optionProblems = [...p.messages];
  }

  /**
   * Checks the settings (`prop` names them in messages) and returns the Jupyter Server config, or undefined when
   * anything is wrong.
   * @internal
   */
  public _serverConfig(p: _Problems, prop: string): { [section: string]: { [trait: string]: number | boolean } } | undefined {
    const before = p.messages.length;
    for (const m of this.optionProblems) p.raw(`${prop}.${m}`);
    if (this.timeout === undefined) return p.messages.length === before ? { MappingKernelManager: { cull_idle_timeout: 0 } } : undefined;
    const timeout = _durationSeconds(p, `${prop}.timeout`, this.timeout);
    if (timeout !== undefined && timeout < MIN_TIMEOUT_SECONDS) {
      p.error(`${prop}.timeout`, this.timeout, `must be at least ${MIN_TIMEOUT_SECONDS}s: a shorter timeout culls the kernel of someone reading the output of a cell (use IdleCulling.NEVER to keep kernels)`);
    }
    const interval = this.options.interval !== undefined ? _durationSeconds(p, `${prop}.interval`, this.options.interval) : DEFAULT_INTERVAL_SECONDS;
    if (timeout !== undefined && interval !== undefined && interval > timeout) {
      p.error(`${prop}.interval`, this.options.interval ?? Duration.seconds(interval), `must be at most the timeout (${_show(this.timeout)}): the server would look for idle kernels less often than they become idle`);
    }
    if (p.messages.length !== before || timeout === undefined || interval === undefined) return undefined;
    return {
      MappingKernelManager: {
        cull_idle_timeout: timeout,
        cull_interval: interval,
        cull_connected: this.options.cullConnected === true,
        // A busy kernel is running the user's cell (a training loop): never culled.
        cull_busy: false,
      },
    };
  }
}
