import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Platform } from '../platform/platform';
import { _Renders } from './renders';

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
 * edits). `templates` reads them from the rendered objects (through `_Renders.of`, so the rendering is shared with the
 * other checks and the synth that follows); `rendered` are those objects. `scan` checks each rendered object too
 * (e.g. for credentials), in the same rendering.
 * @internal
 */
export function _checkAdmission(scope: Construct, platform: Platform, templates: () => _FoundTemplate[], rendered: ApiObject[],
  scan?: (json: any) => string[]): void {
  _Renders.watch(scope);
  scope.node.addValidation({
    validate: () => [
      ...templates().flatMap(t => platform.admissionViolations(t.spec, t.annotations).map(v => `${platform.displayName} admission (${t.where}): ${v}`)),
      ...(scan ? rendered.flatMap(r => scan(_Renders.of(r))) : []),
    ],
  });
}
