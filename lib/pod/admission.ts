import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Platform } from '../platform/platform';

/** A pod template found in a rendered object: where it is, its spec and its annotations. @internal */
export interface _FoundTemplate {
  readonly where: string;
  readonly spec: any;
  readonly annotations?: { [key: string]: string };
}

/**
 * Every pod template in a rendered object: each `template` (or LeaderWorkerSet `leaderTemplate` / `workerTemplate`)
 * whose spec has containers, however deep (Jobs, Deployments, JobSet replicated jobs, Kubeflow replica specs, JobSet
 * templates of a training runtime). Escape-hatch edits are seen, since the rendered object is read.
 * @internal
 */
export function _podTemplatesOf(json: any): _FoundTemplate[] {
  const out: _FoundTemplate[] = [];
  const walk = (node: any, where: string) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${where}[${i}]`)); return; }
    for (const [key, value] of Object.entries<any>(node)) {
      const path = `${where}.${key}`;
      if (/^(template|leaderTemplate|workerTemplate)$/.test(key) && Array.isArray(value?.spec?.containers)) {
        out.push({ where: path, spec: value.spec, annotations: value.metadata?.annotations });
        continue;
      }
      walk(value, path);
    }
  };
  walk(json?.spec, 'spec');
  return out;
}

/**
 * Checks pod templates against the platform's admission rules when the app is validated (after escape-hatch
 * edits). `templates` reads them from the rendered objects; `rendered` are those objects, whose rendering is shared with
 * the synth that follows, so the check costs no second render. `scan` checks each rendered object too (e.g. for
 * credentials), in the same rendering.
 * @internal
 */
export function _checkAdmission(scope: Construct, platform: Platform, templates: () => _FoundTemplate[], rendered: ApiObject[],
  scan?: (json: any) => string[]): void {
  const memos = rendered.map(o => _RenderMemo.of(o));
  scope.node.addValidation({
    validate: () => _RenderMemo.capture(memos, () => [
      ...templates().flatMap(t => platform.admissionViolations(t.spec, t.annotations).map(v => `${platform.displayName} admission (${t.where}): ${v}`)),
      ...(scan ? rendered.flatMap(r => scan(r.toJson())) : []),
    ]),
  });
}

/**
 * Lets a synth-time validation and the synth itself share one `toJson()` of an API object: rendering is most of the
 * cost of synthesis, and validations run right before the objects are rendered. The rendering captured while
 * validating is handed to the next `toJson()` call once, then forgotten, so later changes still render.
 * @internal
 */
export class _RenderMemo {
  public static of(obj: ApiObject): _RenderMemo {
    let memo = _RenderMemo.memos.get(obj);
    if (!memo) {
      memo = new _RenderMemo(obj);
      _RenderMemo.memos.set(obj, memo);
    }
    return memo;
  }

  public static capture<T>(memos: _RenderMemo[], fn: () => T): T {
    for (const m of memos) m.cached = undefined;
    for (const m of memos) m.capturing = true;
    try {
      return fn();
    } finally {
      for (const m of memos) m.capturing = false;
    }
  }

  private static readonly memos = new WeakMap<ApiObject, _RenderMemo>();
  private cached: any;
  private capturing = false;

  private constructor(obj: ApiObject) {
    const render = obj.toJson.bind(obj);
    obj.toJson = () => {
      if (this.capturing) return (this.cached ??= render());
      const cached = this.cached;
      this.cached = undefined;
      return cached ?? render();
    };
  }
}
