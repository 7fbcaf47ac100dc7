import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/** What one app keeps for the validation pass under way. */
interface PassState {
  /** Every object's rendering in this pass. */
  renders: Map<ApiObject, any>;
  /** Renderings not yet handed to the synth's own `toJson()`. */
  handover: Map<ApiObject, any>;
  /** The app's API objects, listed once per pass. */
  apiObjects?: ApiObject[];
  /** The chart whose `toJson()` is under way: only its objects take a rendering handed over. */
  synthesizing?: Chart;
  /** Other values computed once per pass, by owner and key. */
  values: WeakMap<object, Map<string, unknown>>;
  /** Inside one `App.synth()` / `synthYaml()`: its passes share one set of renderings. */
  session?: { passes: number };
}

/**
 * The renderings of API objects that synth-time validations read, shared by all of them within one validation pass.
 *
 * cdk8s validates the whole app once per `App.synth()` and again before each chart is rendered, and several of the
 * library's checks read every object of the app (a node pool checks every pod that selects it; the fleet and the plan
 * report read every queued workload). Rendering (`toJson()`) is most of the cost of synthesis, so each object renders
 * once per pass, however many checks read it. A pass begins with a validation on the app's root, which runs before
 * every other one (cdk8s validates in pre-order), and forgets the previous pass: edits made between two synths are
 * always seen. The passes of one `App.synth()` (or `synthYaml()`), where no user code runs between them, share their
 * renderings. A rendering is also handed, once, to the object's own `toJson()` when its chart is synthesized (within
 * that chart's `toJson()`); any other `toJson()` renders afresh.
 * @internal
 */
export class _Renders {
  /**
   * The rendering of `obj` in the current pass of its app (rendered now if no check has read it yet). For
   * validations only: outside a pass it may be the last pass's.
   */
  public static of(obj: ApiObject): any {
    const state = _Renders.stateOf(obj);
    if (!state) return obj.toJson();
    if (state.renders.has(obj)) return state.renders.get(obj);
    const json = _Renders.render(obj);
    state.renders.set(obj, json);
    state.handover.set(obj, json);
    return json;
  }

  /** Every API object of the app of `scope`, listed once per pass (a pre-order walk of the whole tree). */
  public static apiObjects(scope: IConstruct): ApiObject[] {
    const state = _Renders.stateOf(scope);
    const list = () => scope.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    if (!state) return list();
    return (state.apiObjects ??= list());
  }

  /**
   * A value derived from a rendering from `of()` (e.g. the pods it describes), computed once per rendering: `key`
   * names the reader. Renderings are never edited, and each pass makes new ones.
   */
  public static derived<T>(json: object, key: string, compute: () => T): T {
    let byKey = _Renders.derivedOf.get(json);
    if (!byKey) _Renders.derivedOf.set(json, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, compute());
    return byKey.get(key) as T;
  }

  /** A value `owner` computes from renderings, computed once per pass (e.g. a report written to two files). */
  public static perPass<T>(owner: Construct, key: string, compute: () => T): T {
    const state = _Renders.stateOf(owner);
    if (!state) return compute();
    let byKey = state.values.get(owner);
    if (!byKey) state.values.set(owner, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, compute());
    return byKey.get(key) as T;
  }

  /**
   * Makes the app of `scope` begin a pass at each validation (once per app; every reader of renderings calls it in
   * its constructor), and the chart of `scope` take its objects' renderings at synth.
   */
  public static watch(scope: Construct): void {
    const root = scope.node.root;
    _Renders.watchChart(_Renders.chartOf(scope));
    if (_Renders.states.has(root)) return;
    const state: PassState = { renders: new Map(), handover: new Map(), values: new WeakMap() };
    _Renders.states.set(root, state);
    _Renders.watchApp(root, state);
    root.node.addValidation({
      validate: () => {
        // The later passes of one App.synth() keep the renderings of its first: nothing can change in between.
        if (state.session && state.session.passes++ > 0) return [];
        state.renders = new Map();
        state.handover = new Map();
        state.apiObjects = undefined;
        state.values = new WeakMap();
        return [];
      },
    });
  }

  private static readonly states = new WeakMap<IConstruct, PassState>();
  private static readonly derivedOf = new WeakMap<object, Map<string, unknown>>();
  private static readonly originals = new WeakMap<ApiObject, () => any>();
  private static readonly charts = new WeakSet<Chart>();

  private static stateOf(scope: IConstruct): PassState | undefined {
    return _Renders.states.get(scope.node.root);
  }

  /** Renders with the object's own `toJson()`, and lets its chart's synth take the pass's rendering once. */
  private static render(obj: ApiObject): any {
    let original = _Renders.originals.get(obj);
    if (!original) {
      original = obj.toJson.bind(obj);
      _Renders.originals.set(obj, original);
      const own = original;
      const chart = _Renders.chartOf(obj);
      _Renders.watchChart(chart);
      obj.toJson = () => {
        const state = _Renders.stateOf(obj);
        if (chart && state && state.synthesizing === chart && state.handover.has(obj)) {
          const json = state.handover.get(obj);
          state.handover.delete(obj);
          return json;
        }
        return own();
      };
    }
    return original();
  }

  /** Marks the time `App.synth()` or `App.synthYaml()` runs (a root without them is no App: nothing to mark). */
  private static watchApp(root: IConstruct, state: PassState): void {
    const app = root as unknown as { [method: string]: unknown };
    for (const method of ['synth', 'synthYaml']) {
      const own = app[method];
      if (typeof own !== 'function') continue;
      app[method] = function (this: unknown, ...args: unknown[]) {
        const outer = state.session;
        state.session = { passes: 0 };
        try {
          return own.apply(this, args);
        } finally {
          state.session = outer;
        }
      };
    }
  }

  private static chartOf(scope: IConstruct): Chart | undefined {
    try {
      return Chart.of(scope);
    } catch {
      return undefined; // not in a chart: nothing synthesizes it
    }
  }

  /** Marks the time a chart's own `toJson()` (its synth) runs. */
  private static watchChart(chart: Chart | undefined): void {
    if (!chart || _Renders.charts.has(chart)) return;
    _Renders.charts.add(chart);
    const own = chart.toJson.bind(chart);
    chart.toJson = () => {
      const state = _Renders.stateOf(chart);
      const outer = state?.synthesizing;
      if (state) state.synthesizing = chart;
      try {
        return own();
      } finally {
        if (state) state.synthesizing = outer;
      }
    };
  }
}
