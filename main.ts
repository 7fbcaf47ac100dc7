import { App, Chart } from 'cdk8s';
import { addTrainingExamples } from './examples/training';
import { Platform } from './lib';

/** The platforms of the example app; each gets its own chart and file in dist/ (`<id>.k8s.yaml`). */
export function examplePlatforms(): Platform[] {
  return [Platform.gkeAutopilot(), Platform.gkeStandard(), Platform.karpenter(), Platform.kubernetes()];
}

/** Builds the example app: one chart per platform, every construct on every platform that supports it. */
export function createApp(outdir?: string): App {
  const app = new App({ outdir });
  for (const platform of examplePlatforms()) {
    const chart = new Chart(app, platform.id, { namespace: 'ml', disableResourceNameHashes: true });
    addTrainingExamples(chart, platform);
  }
  return app;
}

if (require.main === module) {
  createApp().synth();
}
