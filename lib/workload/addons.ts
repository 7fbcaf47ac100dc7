import { ClusterAddon } from '../platform/cluster-addon';
import { Platform } from '../platform/platform';
import { _Problems } from '../validation';

/**
 * Refuses a construct that needs an add-on its platform says the cluster lacks. `what` names what needs it, e.g.
 * `a JobSet`.
 * @internal
 */
export function _requireAddon(p: _Problems, platform: Platform | undefined, addon: ClusterAddon, what: string): void {
  if (!(platform instanceof Platform) || platform.hasAddon(addon)) return;
  p.raw(`platform.addons=[${(platform.addons ?? []).map(a => a.id).join(', ')}] is invalid: ${what} needs ${addon.description}, which ${platform.displayName} does not list; install it and add ClusterAddon.${_addonKey(addon)} to the platform's addons, or choose a construct that does not need it`);
}

function _addonKey(addon: ClusterAddon): string {
  for (const [key, value] of Object.entries(ClusterAddon)) if (value instanceof ClusterAddon && value.id === addon.id) return key;
  return `of('${addon.id}')`;
}
