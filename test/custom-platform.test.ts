/**
 * A sixth platform written outside lib/ with the public API only (what `lib/index.ts` exports, as a user of the
 * package sees it): its facts, its GPU counts, its placement and its admission rule; workloads run on it unchanged.
 */
import { Duration, JsonPatch, Size } from 'cdk8s';
import {
  Accelerator, CapacityType, Cloud, DdpJob, GpuRequest, GpuTrainingJob, InferenceDeployment, Platform, PlatformOptions,
  PodPlacement,
} from '../lib';
import { chartFor, find, synth, synthError } from './support/synth';

/** A GPU cloud whose nodes carry `example.cloud/gpu-model` and `example.cloud/preemptible`. */
class ExampleCloudPlatform extends Platform {
  public constructor(options: PlatformOptions = {}) {
    super({ id: 'example-cloud', displayName: 'Example Cloud', cloud: Cloud.ANY, supportsSpot: true, maxSpotGraceSeconds: 60 }, options);
  }

  public allowedGpuCounts(accelerator: Accelerator): number[] {
    return accelerator === Accelerator.H100_80GB ? [1, 8] : [];
  }

  public schedule(request: GpuRequest): PodPlacement {
    const nodeSelector: { [key: string]: string } = {};
    if (request.gpus > 0 && request.accelerator) nodeSelector['example.cloud/gpu-model'] = request.accelerator.name.replace(/ /g, '-');
    if (request.capacityType === CapacityType.SPOT) nodeSelector['example.cloud/preemptible'] = 'true';
    return {
      nodeSelector,
      tolerations: request.gpus > 0 ? [{ key: 'example.cloud/gpu', operator: 'Exists', effect: 'NoSchedule' }] : [],
      podAnnotations: {},
    };
  }

  public admissionViolations(pod: any): string[] {
    return pod?.hostNetwork ? ['hostNetwork is not offered on Example Cloud'] : [];
  }
}

const platform = new ExampleCloudPlatform();

test('a GpuTrainingJob on the custom platform: its selector, its toleration, everything else as on any platform', () => {
  const chart = chartFor(platform);
  new GpuTrainingJob(chart, 'train', { platform, image: 'trainer:1.0', accelerator: Accelerator.H100_80GB, gpus: 8, memory: Size.gibibytes(256) });
  const objects = synth(chart, platform);
  const pod = find(objects, 'Job').spec.template.spec;
  expect(pod.nodeSelector).toEqual({ 'example.cloud/gpu-model': 'H100-80GB' });
  expect(pod.tolerations).toEqual([{ key: 'example.cloud/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
  expect(objects.map(o => o.kind)).toEqual(['ServiceAccount', 'Job', 'NetworkPolicy']);
});

test('a multi-node DdpJob and an InferenceDeployment on spot run there too', () => {
  const chart = chartFor(platform);
  new DdpJob(chart, 'ddp', { platform, image: 'trainer:1.0', module: 'train', accelerator: Accelerator.H100_80GB, gpus: 8, memory: Size.gibibytes(256), nodes: 2 });
  new InferenceDeployment(chart, 'serve', { platform, image: 'server:1.0', accelerator: Accelerator.H100_80GB, capacityType: CapacityType.SPOT });
  const objects = synth(chart, platform);
  expect(find(objects, 'Deployment').spec.template.spec.nodeSelector).toEqual({ 'example.cloud/gpu-model': 'H100-80GB', 'example.cloud/preemptible': 'true' });
  expect(find(objects, 'Job').spec.completionMode).toBe('Indexed');
});

test('the shared request checks apply its facts: GPU counts and spot grace', () => {
  expect(synthError(chart => new GpuTrainingJob(chart, 'train', { platform, image: 'trainer:1.0', accelerator: Accelerator.H100_80GB, gpus: 2 }))).toContain(
    '[test/train] gpus=2 is not accepted by Example Cloud for H100 80GB (allowed: 1, 8)');
  expect(synthError(chart => new GpuTrainingJob(chart, 'train', { platform, image: 'trainer:1.0', accelerator: Accelerator.L4 }))).toContain(
    '[test/train] accelerator="L4" is invalid: Example Cloud does not offer it (offered: H100 80GB)');
  expect(synthError(chart => new GpuTrainingJob(chart, 'train', {
    platform, image: 'trainer:1.0', accelerator: Accelerator.H100_80GB, capacityType: CapacityType.SPOT, terminationGracePeriod: Duration.seconds(90),
  }))).toContain('[test/train] terminationGracePeriod=90s is invalid: spot pods on Example Cloud get at most 60s of termination grace (allowed: 1-60s)');
});

test('its admission rule runs at synth, after escape-hatch edits', () => {
  const message = synthError(chart => {
    const job = new GpuTrainingJob(chart, 'train', { platform, image: 'trainer:1.0', accelerator: Accelerator.H100_80GB });
    job.job.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
  });
  expect(message).toContain('Example Cloud admission (spec.template): hostNetwork is not offered on Example Cloud');
});
