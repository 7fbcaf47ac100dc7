import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _Renders } from '../pod/renders';
import { _secretShape } from '../secrets';
import { _Problems } from '../validation';

/**
 * Files a construct writes into the app's output directory beside the manifests, which are not Kubernetes objects
 * (Helm values, W&B queue configs, reports). They go to the `extras/` folder of the outdir: `kubectl apply -f dist/`
 * and GitOps directory sources read every .yaml, .yml and .json file of a folder (not its subfolders) and reject one
 * without `apiVersion` and `kind`. A YAML file is named `.yml`: the cdk8s CLI takes every `.yaml` file under the
 * outdir, subfolders included, for a manifest (`cdk8s synth --stdout` prints it, validation plugins check it).
 *
 * A file is written by a validation: cdk8s's `App.synth()` runs every validation right after creating the outdir and
 * before writing the charts, so the file reflects the app as it is at synth (escape-hatch edits included). Nothing is
 * written when the owning construct has problems; two constructs of one app that would write the same file are both
 * reported.
 * @internal
 */
export class _OutputFile {
  /** The folder of the outdir that holds the files. */
  public static readonly DIRECTORY = 'extras';

  /**
   * `<chart>.<suffix>`, named after the chart's manifest file (`dist/<chart>.k8s.yaml`), e.g.
   * `gke-autopilot.jupyterhub-values.yml`.
   */
  public static chartFileName(scope: IConstruct, suffix: string): string {
    return `${Names.toDnsLabel(Chart.of(scope))}.${suffix}`;
  }

  /**
   * Writes `extras/<fileName>` at synth with what `produce` returns then. `problems` are the owner's: while any are
   * recorded nothing is written (they fail the synth themselves).
   */
  public static write(owner: Construct, fileName: string, produce: () => string, problems?: _Problems): void {
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(fileName) || fileName.includes('..') || fileName.endsWith('.yaml')) {
      // A name made of a prop the owner has already refused (GpuSharingConfig name=''): its problems fail the synth.
      if (problems && !problems.ok) return;
      throw new Error(`[${owner.node.path}] output file name ${JSON.stringify(fileName)} must be a plain file name, not ending in .yaml (the cdk8s CLI takes those for manifests)`);
    }
    const claims = _OutputFile.claimsOf(owner);
    const owners = claims.get(fileName) ?? [];
    owners.push(owner);
    claims.set(fileName, owners);
    const written = _OutputFile.writtenOf(owner);
    _Renders.watch(owner);
    owner.node.addValidation({
      validate: () => {
        const others = owners.filter(o => o !== owner).map(o => `[${o.node.path}]`);
        if (others.length) {
          return [`output file ${_OutputFile.DIRECTORY}/${fileName} is also written by ${others.join(', ')}; give one of them another name or put them in different charts`];
        }
        if (problems && !problems.ok) return [];
        // A tree without an App (a bare Chart) has no outdir: nothing to write into.
        const outdir: unknown = (App.of(owner) as Partial<App>).outdir;
        if (typeof outdir !== 'string') return [];
        const dir = path.join(outdir, _OutputFile.DIRECTORY);
        const file = path.join(dir, fileName);
        // cdk8s validates once per synth and again per chart: the file is produced once per synth (per pass of a
        // chart's own synth), and written only when it changed.
        return _Renders.perPass(owner, `output-file:${fileName}`, () => {
          const text = produce();
          // The manifests' safety net, for the files beside them (a JupyterHub profile's description, a queue's env).
          const shape = _secretShape(text);
          if (shape) return [`output file ${_OutputFile.DIRECTORY}/${fileName} would contain ${shape}; keep credentials in Secrets`];
          if (written.get(file) === text && fs.existsSync(file)) return [];
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(file, text);
          written.set(file, text);
          return [];
        });
      },
    });
  }

  private static readonly claims = new WeakMap<IConstruct, Map<string, Construct[]>>();
  private static readonly written = new WeakMap<IConstruct, Map<string, string>>();

  /** What the app of `scope` last wrote, by file path. */
  private static writtenOf(scope: IConstruct): Map<string, string> {
    const root = scope.node.root;
    let map = _OutputFile.written.get(root);
    if (!map) _OutputFile.written.set(root, (map = new Map()));
    return map;
  }

  private static claimsOf(scope: IConstruct): Map<string, Construct[]> {
    const root = scope.node.root;
    let map = _OutputFile.claims.get(root);
    if (!map) {
      map = new Map();
      _OutputFile.claims.set(root, map);
    }
    return map;
  }

  private constructor() {}
}
