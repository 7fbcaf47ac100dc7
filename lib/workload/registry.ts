import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _show } from '../validation';

/** Where an object was claimed. */
interface Claim {
  readonly owner: IConstruct;
  /** The message when others claim the same key, given their paths and the cluster. */
  readonly message: (others: string, cluster: string) => string;
}

/** A claim that is not an object: e.g. one GPU monitoring stack per cluster. @internal */
export interface _SingletonClaim {
  readonly key: string;
  readonly message: (others: string, cluster: string) => string;
}

/**
 * The objects every construct of one app emits, per cluster: two constructs that would emit the same kind, namespace
 * and name in one cluster (any charts of the app) are both reported, with each other's construct paths. Claims are
 * recorded while constructs are built; each construct checks only its own claims at validation, so the check stays
 * linear in the number of objects.
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
   * Claims every API object under `owner` for `cluster` and adds the validation that reports conflicts of `owner`.
   * `extraKeys` claims singletons that are not objects (e.g. one GPU monitoring stack per cluster).
   */
  public static claimAll(owner: Construct, cluster: string, extraKeys: _SingletonClaim[] = []): void {
    const registry = _Registry.of(owner);
    const mine: string[] = [];
    for (const c of owner.node.findAll()) {
      if (!(c instanceof ApiObject)) continue;
      const ns = typeof c.metadata.namespace === 'string' ? c.metadata.namespace : '';
      const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
      const key = `${cluster}\u0000${group}\u0000${c.kind}\u0000${ns}\u0000${c.name}`;
      const what = `${c.kind} ${ns ? `${ns}/` : ''}${c.name}`;
      mine.push(registry.claim(key, owner, (others, cl) => `name=${_show(c.name)} is invalid: ${what} is also emitted by ${others} in cluster ${_show(cl)}; names must be unique per kind and namespace in a cluster (give one of them another name, or give the platforms of charts that target different clusters different cluster names: Platform.xxx({ cluster: '...' }))`));
    }
    for (const extra of extraKeys) mine.push(registry.claim(`${cluster}\u0000${extra.key}`, owner, extra.message));
    owner.node.addValidation({ validate: () => registry.conflicts(owner, cluster, mine) });
  }

  private static readonly registries = new WeakMap<IConstruct, _Registry>();
  private readonly claims = new Map<string, Claim[]>();

  private claim(key: string, owner: IConstruct, message: Claim['message']): string {
    const list = this.claims.get(key) ?? [];
    list.push({ owner, message });
    this.claims.set(key, list);
    return key;
  }

  private conflicts(owner: IConstruct, cluster: string, keys: string[]): string[] {
    const out: string[] = [];
    for (const key of new Set(keys)) {
      const list = this.claims.get(key) ?? [];
      const others = [...new Set(list.filter(c => c.owner !== owner).map(c => c.owner.node.path))];
      if (others.length === 0) continue;
      out.push(list.find(c => c.owner === owner)!.message(others.map(o => `[${o}]`).join(', '), cluster));
    }
    return out;
  }
}
