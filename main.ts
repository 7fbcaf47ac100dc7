import { App, Chart } from 'cdk8s';
import { addTrainingExamples } from './examples/training';
import { addTfExamples } from './examples/tf';
import { addDdpExamples } from './examples/ddp';
import { addTrainerExamples } from './examples/trainer';
import { addBatchExamples } from './examples/batch';
import { addCapacityExamples } from './examples/capacity';
import { addMonitoringExamples } from './examples/monitoring';
import { addServingExamples } from './examples/serving';
import { addLlmExamples } from './examples/llm';
import { addNotebookExamples } from './examples/notebooks';
import { addFleetExamples } from './examples/fleet';
import { addStorageExamples } from './examples/storage';
import { addSharingExamples } from './examples/sharing';
import { Platform } from './lib';

/** The platforms of the example app; each gets its own chart and file in dist/ (`<id>.k8s.yaml`). */
export function examplePlatforms(): Platform[] {
  // Four clusters in one app: each platform names its own, so their objects never conflict.
  return [
    Platform.gkeAutopilot({ cluster: 'gke-autopilot' }), Platform.gkeStandard({ cluster: 'gke-standard' }),
    Platform.karpenter({ cluster: 'karpenter' }), Platform.kubernetes({ cluster: 'kubernetes' }),
  ];
}

/** Builds the example app: one chart per platform, every construct on every platform that supports it. */
export function createApp(outdir?: string): App {
  const app = new App({ outdir });
  for (const platform of examplePlatforms()) {
    const chart = new Chart(app, platform.id, { namespace: 'ml', disableResourceNameHashes: true });
    addTrainingExamples(chart, platform);
    addTfExamples(chart, platform);
    addDdpExamples(chart, platform);
    addTrainerExamples(chart, platform);
    addBatchExamples(chart, platform);
    addCapacityExamples(chart, platform);
    addMonitoringExamples(chart, platform);
    addServingExamples(chart, platform);
    addLlmExamples(chart, platform);
    addNotebookExamples(chart, platform);
    addFleetExamples(chart, platform);
    addStorageExamples(chart, platform);
    addSharingExamples(chart, platform);
  }
  return app;
}

if (require.main === module) {
  createApp().synth();
}
