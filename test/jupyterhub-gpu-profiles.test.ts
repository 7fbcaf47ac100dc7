import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Size, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Accelerator, CapacityType, JupyterHubGpuProfiles, JupyterHubGpuProfilesProps, JupyterHubProfile, Platform } from '../lib';
import { synthError } from './support/synth';

const autopilot = Platform.gkeAutopilot();
const standard = Platform.gkeStandard();
const karpenter = Platform.karpenter();

/**
 * Facts of the Zero to JupyterHub chart 4.4.0 (values.schema.yaml) and KubeSpawner 7.0.0, the versions the chart pins
 * (see /work/research/notebooks-wandb.md §2): the chart's schema is not vendored, so the file is checked against these.
 */
const SINGLEUSER_KEYS = ['allowPrivilegeEscalation', 'cloudMetadata', 'cmd', 'cpu', 'defaultUrl', 'events', 'extraAnnotations',
  'extraContainers', 'extraEnv', 'extraFiles', 'extraLabels', 'extraNodeAffinity', 'extraPodAffinity', 'extraPodAntiAffinity',
  'extraPodConfig', 'extraResource', 'extraTolerations', 'fsGid', 'image', 'initContainers', 'lifecycleHooks', 'memory', 'networkPolicy',
  'networkTools', 'nodeSelector', 'podNameTemplate', 'profileList', 'serviceAccountName', 'startTimeout', 'storage', 'uid'];
const PROFILE_KEYS = ['display_name', 'description', 'default', 'slug', 'kubespawner_override', 'profile_options'];
/** KubeSpawner traits the library writes, with what their values must look like. */
const isStringMap = (v: any) => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(x => typeof x === 'string');
const isDictOfObjects = (v: any) => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(x => x && typeof x === 'object');
const TRAITS: { [trait: string]: (v: any) => boolean } = {
  image: v => typeof v === 'string' && v.includes(':'),
  cpu_guarantee: v => typeof v === 'number' && v > 0,
  // jupyterhub.traitlets.ByteSpecification: an integer with K, M, G or T (powers of 1024).
  mem_guarantee: v => typeof v === 'string' && /^\d+[KMGT]$/.test(v),
  mem_limit: v => typeof v === 'string' && /^\d+[KMGT]$/.test(v),
  extra_resource_guarantees: isStringMap,
  extra_resource_limits: isStringMap,
  node_selector: isStringMap,
  tolerations: v => Array.isArray(v) && v.every(t => typeof t.key === 'string' && typeof t.operator === 'string'),
  node_affinity_required: v => Array.isArray(v) && v.every(t => Array.isArray(t.matchExpressions)),
  node_affinity_preferred: v => Array.isArray(v) && v.every(t => typeof t.weight === 'number' && t.preference),
  extra_annotations: isStringMap,
  // The chart configures volumes and volume_mounts as dictionaries, so a dictionary override merges.
  volumes: isDictOfObjects,
  volume_mounts: isDictOfObjects,
};

/** Synthesizes an app with one hub and returns the values file it wrote, parsed. */
function values(platform: Platform, profiles: JupyterHubProfile[], extra: Partial<JupyterHubGpuProfilesProps> = {}): any {
  const outdir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'jh-'));
  const app = new App({ outdir });
  const chart = new Chart(app, platform.id, { namespace: 'ml' });
  const hub = new JupyterHubGpuProfiles(chart, 'hub', { platform, profiles, ...extra });
  app.synth();
  expect(hub.valuesFile).toBe(`extras/${platform.id}.jupyterhub-values.yml`);
  const text = fs.readFileSync(path.join(outdir, hub.valuesFile), 'utf8');
  expect(parse(text)).toEqual(hub.values);
  return { text, values: parse(text) };
}

function checkShape(v: any): string[] {
  const out: string[] = [];
  if (Object.keys(v).join() !== 'singleuser') out.push(`top-level keys ${Object.keys(v)}`);
  for (const k of Object.keys(v.singleuser)) if (!SINGLEUSER_KEYS.includes(k)) out.push(`singleuser.${k} is not in the chart's schema`);
  v.singleuser.profileList.forEach((p: any, i: number) => {
    for (const k of Object.keys(p)) if (!PROFILE_KEYS.includes(k)) out.push(`profileList[${i}].${k} is not a profile key`);
    if (typeof p.display_name !== 'string') out.push(`profileList[${i}].display_name`);
    for (const [trait, value] of Object.entries(p.kubespawner_override ?? {})) {
      if (!TRAITS[trait]) out.push(`profileList[${i}].kubespawner_override.${trait} is not a known KubeSpawner trait`);
      else if (!TRAITS[trait](value)) out.push(`profileList[${i}].kubespawner_override.${trait}=${JSON.stringify(value)} has the wrong shape`);
    }
  });
  return out;
}

const PROFILES: JupyterHubProfile[] = [
  { displayName: 'CPU only: 2 cores, 4 GiB', default: true },
  { displayName: '1 x NVIDIA L4', accelerator: Accelerator.L4, description: 'Fine-tuning and inference' },
  { displayName: '4 x NVIDIA L4', accelerator: Accelerator.L4, gpus: 4, cpu: 40, memory: Size.gibibytes(160), image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12' },
];

describe('GKE Autopilot', () => {
  const { text, values: v } = values(autopilot, PROFILES);
  const [cpu, one, four] = v.singleuser.profileList;

  test('the file has the chart\'s shape: singleuser.profileList only, KubeSpawner traits in snake_case', () => {
    expect(checkShape(v)).toEqual([]);
  });
  test('a header says where it comes from and how to apply it', () => {
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# JupyterHub GPU profiles for GKE Autopilot, generated by cdk8s-gpu-ml from [gke-autopilot/hub]; do not edit.',
      '# Zero to JupyterHub chart values: helm upgrade --install <release> jupyterhub/jupyterhub -f <your values> -f <this file>',
    ]);
  });
  test('a GPU profile: GPUs as limits and guarantees, Autopilot\'s accelerator selector, no tolerations of its own', () => {
    expect(one).toEqual({
      display_name: '1 x NVIDIA L4', slug: '1-x-nvidia-l4', description: 'Fine-tuning and inference',
      kubespawner_override: {
        cpu_guarantee: 4, mem_guarantee: '16G', mem_limit: '16G',
        extra_resource_guarantees: { 'ephemeral-storage': '10Gi', 'nvidia.com/gpu': '1' },
        extra_resource_limits: { 'nvidia.com/gpu': '1' },
        node_selector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' },
        volumes: { 'gpu-ml-shm': { name: 'gpu-ml-shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } } },
        volume_mounts: { 'gpu-ml-shm': { name: 'gpu-ml-shm', mountPath: '/dev/shm' } },
      },
    });
  });
  test('sizes and image pass through; a CPU profile has no GPU, selector or /dev/shm', () => {
    expect(four.kubespawner_override).toMatchObject({ image: 'quay.io/jupyter/pytorch-notebook:cuda12-python-3.12', cpu_guarantee: 40, mem_limit: '160G', extra_resource_limits: { 'nvidia.com/gpu': '4' } });
    expect(cpu).toEqual({
      display_name: 'CPU only: 2 cores, 4 GiB', slug: 'cpu-only-2-cores-4-gib', default: true,
      kubespawner_override: { cpu_guarantee: 2, mem_guarantee: '4G', mem_limit: '4G', extra_resource_guarantees: { 'ephemeral-storage': '10Gi' } },
    });
  });
});

test('GKE Standard: the GPU toleration, after the chart\'s user-pod tolerations that the list replaces', () => {
  const [, one] = values(standard, PROFILES.slice(0, 2)).values.singleuser.profileList;
  expect(one.kubespawner_override.tolerations).toEqual([
    { key: 'hub.jupyter.org/dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
    { key: 'hub.jupyter.org_dedicated', operator: 'Equal', value: 'user', effect: 'NoSchedule' },
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
  ]);
});

test('your own user-pod tolerations replace the chart\'s defaults in that list', () => {
  const [one] = values(standard, [PROFILES[1]], { userPodTolerations: [{ key: 'pool', operator: 'Equal', value: 'users', effect: 'NoSchedule' }] }).values.singleuser.profileList;
  expect(one.kubespawner_override.tolerations.map((t: any) => t.key)).toEqual(['pool', 'nvidia.com/gpu']);
});

test('Karpenter spot with on-demand fallback: node affinity, do-not-disrupt as a pod annotation', () => {
  const { values: v } = values(karpenter, [{ displayName: 'A10G (spot)', accelerator: Accelerator.A10G, capacityType: CapacityType.SPOT_WITH_FALLBACK }]);
  expect(checkShape(v)).toEqual([]);
  const o = v.singleuser.profileList[0].kubespawner_override;
  expect(o.node_selector).toEqual({ 'karpenter.k8s.aws/instance-gpu-name': 'a10g' });
  expect(o.node_affinity_required).toEqual([{ matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] }] }]);
  expect(o.node_affinity_preferred).toEqual([{ weight: 100, preference: { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] } }]);
  expect(o.extra_annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
});

test('nothing is written when the profiles are invalid', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'c');
  new JupyterHubGpuProfiles(chart, 'hub', { platform: autopilot, profiles: [{ displayName: '3 GPUs', accelerator: Accelerator.L4, gpus: 3 }] });
  expect(() => app.synth()).toThrow('gpus=3');
  expect(fs.existsSync(path.join(app.outdir, 'extras'))).toBe(false);
});

const H = 'gke-autopilot/hub';
const bad: [string, Platform, any, string][] = [
  ['a GPU count the platform refuses', autopilot, { profiles: [PROFILES[0], { displayName: '3 x L4', accelerator: Accelerator.L4, gpus: 3 }] },
    `[${H}] profiles[1].gpus=3 is not accepted by GKE Autopilot for nvidia-l4 (allowed: 1, 2, 4, 8)`],
  ['more CPU than the machine has', autopilot, { profiles: [{ displayName: 'L4', accelerator: Accelerator.L4, cpu: 64 }] },
    `[${H}] profiles[0].cpu=64 is invalid: 1 x L4 on GKE Autopilot runs on g2-standard-32 with 32 vCPU (allowed: at most 32 for the whole pod)`],
  ['a GPU profile without accelerator on GKE', autopilot, { profiles: [{ displayName: 'GPU', gpus: 1 }] },
    `[${H}] profiles[0].accelerator=undefined is invalid: GKE Autopilot needs an accelerator for a GPU pod`],
  ['an accelerator the platform does not offer', autopilot, { profiles: [{ displayName: 'A10G', accelerator: Accelerator.A10G }] },
    `[${H}] profiles[0].accelerator="A10G" is invalid: GKE Autopilot does not offer it (offered: T4, L4,`],
  ['spot on plain Kubernetes', Platform.kubernetes(), { profiles: [{ displayName: 'GPU', gpus: 1, capacityType: CapacityType.SPOT }] },
    '[kubernetes/hub] profiles[0].capacityType="spot" is invalid: Kubernetes (NVIDIA device plugin) has no spot capacity'],
  ['/dev/shm as large as the memory', autopilot, { profiles: [{ displayName: 'L4', accelerator: Accelerator.L4, memory: Size.gibibytes(16), sharedMemorySize: Size.gibibytes(16) }] },
    `[${H}] profiles[0].sharedMemorySize=16384Mi is invalid: must be below memory (16Gi)`],
  ['no profiles', autopilot, { profiles: [] }, `[${H}] profiles=[] is invalid: must be a non-empty list of profiles`],
  ['two defaults', autopilot, { profiles: [{ displayName: 'a', default: true }, { displayName: 'b', default: true }] },
    `[${H}] profiles="profiles[0], profiles[1]" is invalid: at most one profile may be the default`],
  ['two profiles with one slug', autopilot, { profiles: [{ displayName: 'GPU!' }, { displayName: 'gpu' }] },
    `[${H}] profiles[1].slug="gpu" is invalid: is already the slug of profiles[0]; slugs must be unique`],
  ['a name without letters or digits and no slug', autopilot, { profiles: [{ displayName: '🚀' }] },
    `[${H}] profiles[0].slug="" is invalid: must be lowercase letters, digits and '-'`],
  ['an empty display name', autopilot, { profiles: [{ displayName: ' ', slug: 'x' }] }, `[${H}] profiles[0].displayName=" " is invalid: must be a non-empty string`],
  ['an image with spaces', autopilot, { profiles: [{ displayName: 'x', image: 'my image' }] }, `[${H}] profiles[0].image="my image" is invalid`],
  ['a profile that is no object', autopilot, { profiles: ['GPU'] },
    `[${H}] profiles[0]="GPU" is invalid: must be a JupyterHubProfile object { accelerator?, capacityType?, cpu?, default?, description?, displayName, ephemeralStorage?, gpus?, gpuShare?, image?, memory?, sharedMemory?, sharedMemorySize?, slug? }`],
  ['tolerations that are no list', autopilot, { profiles: [PROFILES[0]], userPodTolerations: 'hub' }, `[${H}] userPodTolerations="hub" is invalid: must be a list of values, not a single string`],
  ['a toleration that is no object', autopilot, { profiles: [PROFILES[0]], userPodTolerations: ['hub'] }, `[${H}] userPodTolerations=["hub"] is invalid: must be a list of tolerations`],
  ['no platform', autopilot, { platform: undefined, profiles: [PROFILES[0]] }, `[${H}] platform=undefined is invalid: required (a Platform)`],
];

describe('bad input', () => {
  test.each(bad)('%s', (_name, platform, props, expected) => {
    expect(synthError(chart => new JupyterHubGpuProfiles(chart, 'hub', { platform, ...props }), platform)).toContain(expected);
  });
  test('two profile lists in one chart would write one file', () => {
    const msg = synthError(chart => {
      new JupyterHubGpuProfiles(chart, 'a', { platform: autopilot, profiles: [PROFILES[0]] });
      new JupyterHubGpuProfiles(chart, 'b', { platform: autopilot, profiles: [PROFILES[0]] });
    }, autopilot);
    expect(msg).toContain('[gke-autopilot/a] output file extras/gke-autopilot.jupyterhub-values.yml is also written by [gke-autopilot/b]');
  });
});
