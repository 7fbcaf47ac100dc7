import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _secretsInRendered } from '../pod/env';
import { _Renders } from '../pod/renders';
import { _show } from '../validation';

/** Where an object (or a singleton) was claimed. */
interface Claim {
  readonly owner: IConstruct;
  /** For an object: its name and how a message names it (`Job ml/x`). */
  readonly object?: { readonly name: string; readonly what: string };
  /** For a singleton: the message when others claim it too, given their paths and the cluster. */
  readonly message?: (others: string, cluster: string) => string;
}

/** A claim that is not an object: e.g. one GPU monitoring stack per cluster. @internal */
export interface _SingletonClaim {
  readonly key: string;
  readonly message: (others: string, cluster: string) => string;
}

/**
 * The objects every construct of one app emits, per cluster: two constructs that would emit the same kind, namespace
 * and name in one cluster (any charts of the app) are both reported, with each other's construct paths: one message
 * per construct and name, listing every object they both emit. Claims are recorded while constructs are built; each
 * construct checks only its own claims at validation, so the check stays linear in the number of objects.
 * @internal
 */
export class _Registry {
  /** The registry of the app `scope` belongs to. */
  public static of(scope: IConstruct): _Registry {
    const root = scope.node.root;
    let registry = _Registry.registries.get(root);
    if (!registry) {
      registry = new _Registry();
      _Registry.registries.set(root, registry);
    }
    return registry;
  }

  /**
   * The claim key of an object of `kind` (API group `group`, '' for the core group) named `name` in `namespace`, for
   * a singleton claim of an object the cluster makes (e.g. a StatefulSet's PersistentVolumeClaims).
   */
  public static objectKey(group: string, kind: string, namespace: string | undefined, name: string): string {
    return `${group}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
  }

  /**
   * Claims every API object under `owner` for `cluster` and adds the validation that reports conflicts of `owner`.
   * `extraKeys` claims singletons that are not objects (e.g. one GPU monitoring stack per cluster); a singleton
   * conflict replaces the object conflicts with the same constructs, which it explains.
   */
  public static claimAll(owner: Construct, cluster: string, extraKeys: _SingletonClaim[] = []): void {
    const registry = _Registry.of(owner);
    const mine: string[] = [];
    for (const c of owner.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      const ns = typeof c.metadata.namespace === 'string' ? c.metadata.namespace : '';
      const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
      const key = `${cluster}\u0000${_Registry.objectKey(group, c.kind, ns, c.name)}`;
      mine.push(registry.claim(key, { owner, object: { name: c.name, what: `${c.kind} ${ns ? `${ns}/` : ''}${c.name}` } }));
    }
    for (const extra of extraKeys) mine.push(registry.claim(`${cluster}\u0000${extra.key}`, { owner, message: extra.message }));
    // The safety net against credentials, on every object of every construct (a workload's Service and ConfigMaps, a
    // StorageClass's parameters, a ComputeClass's description), as they are rendered, escape-hatch patches included.
    _Renders.watch(owner);
    const secrets = () => owner.node.findAll().flatMap(c => {
      if (!(c instanceof ApiObject)) return [];
      const json = _Renders.of(c);
      return _Renders.derived(json, 'secrets', () => _secretsInRendered(json));
    });
    owner.node.addValidation({ validate: () => [...registry.conflicts(owner, cluster, mine), ...secrets()] });
  }

  /**
   * Whether a singleton `key` is claimed for `cluster` in the app of `scope` (e.g. `GpuMonitoring`, whose recording
   * rules an autoscaler reads). Meaningful at validation, once every construct exists.
   */
  public static hasSingleton(scope: IConstruct, cluster: string, key: string): boolean {
    return (_Registry.of(scope).claims.get(`${cluster}\u0000${key}`)?.length ?? 0) > 0;
  }

  private static readonly registries = new WeakMap<IConstruct, _Registry>();
  private readonly claims = new Map<string, Claim[]>();

  private claim(key: string, claim: Claim): string {
    const list = this.claims.get(key) ?? [];
    list.push(claim);
    this.claims.set(key, list);
    return key;
  }

  private conflicts(owner: IConstruct, cluster: string, keys: string[]): string[] {
    const singletons: { others: string; message: string }[] = [];
    // Object conflicts, grouped by the other constructs and the name: one message lists every object they share.
    const objects = new Map<string, { others: string; name: string; whats: string[] }>();
    for (const key of new Set(keys)) {
      const list = this.claims.get(key) ?? [];
      const others = [...new Set(list.filter(c => c.owner !== owner).map(c => c.owner.node.path))].map(o => `[${o}]`).join(', ');
      if (!others) continue;
      const mine = list.find(c => c.owner === owner)!;
      if (mine.message) {
        singletons.push({ others, message: mine.message(others, cluster) });
      } else if (mine.object) {
        const group = `${others}\u0000${mine.object.name}`;
        const entry = objects.get(group) ?? { others, name: mine.object.name, whats: [] };
        entry.whats.push(mine.object.what);
        objects.set(group, entry);
      }
    }
    const explained = new Set(singletons.map(s => s.others));
    const out = [...objects.values()].filter(o => !explained.has(o.others)).map(o => {
      const whats = o.whats.length === 1 ? o.whats[0] : `${o.whats.slice(0, -1).join(', ')} and ${o.whats[o.whats.length - 1]}`;
      return `name=${_show(o.name)} is invalid: ${whats} ${o.whats.length === 1 ? 'is' : 'are'} also emitted by ${o.others} in cluster ${_show(cluster)}; names must be unique per kind and namespace in a cluster (give one of them another name, or give the platforms of charts that target different clusters different cluster names: Platform.xxx({ cluster: '...' }))`;
    });
    return [...out, ...singletons.map(s => s.message)];
  }
}
